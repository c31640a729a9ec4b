//! Exit codes and the error type every command returns: each failure belongs to one of the
//! documented exit codes (README "Exit codes") and carries a message saying what went wrong,
//! why, and what to do.

use std::fmt;
use std::process::ExitCode;

/// The documented exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0: everything worked.
    Ok,
    /// 1: the run finished but some items (or checks) failed.
    SomeFailed,
    /// 2: bad configuration or usage.
    Usage,
    /// 3: Stash or a database cannot be reached or used.
    Unavailable,
    /// 130: interrupted by Ctrl-C.
    Interrupted,
}

impl Exit {
    /// The numeric code.
    pub fn code(self) -> u8 {
        match self {
            Exit::Ok => 0,
            Exit::SomeFailed => 1,
            Exit::Usage => 2,
            Exit::Unavailable => 3,
            Exit::Interrupted => 130,
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> Self {
        ExitCode::from(e.code())
    }
}

/// A failure that ends a command, with the exit code it maps to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CliError {
    /// Which exit code.
    pub exit: Exit,
    /// What went wrong, why, and what to do.
    pub message: String,
}

impl CliError {
    /// A configuration or usage problem (exit 2).
    pub fn config(message: impl Into<String>) -> Self {
        Self {
            exit: Exit::Usage,
            message: message.into(),
        }
    }

    /// Stash or a database cannot be reached or used (exit 3).
    pub fn unavailable(message: impl Into<String>) -> Self {
        Self {
            exit: Exit::Unavailable,
            message: message.into(),
        }
    }

    /// Something failed that is neither configuration nor reachability (exit 1).
    pub fn failed(message: impl Into<String>) -> Self {
        Self {
            exit: Exit::SomeFailed,
            message: message.into(),
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CliError {}

/// What a command returns: the exit code on success paths, or a [`CliError`].
pub type CmdResult = Result<Exit, CliError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_match_the_readme() {
        assert_eq!(
            [
                Exit::Ok,
                Exit::SomeFailed,
                Exit::Usage,
                Exit::Unavailable,
                Exit::Interrupted
            ]
            .map(Exit::code),
            [0, 1, 2, 3, 130]
        );
        assert_eq!(CliError::config("x").exit, Exit::Usage);
        assert_eq!(CliError::unavailable("x").exit, Exit::Unavailable);
        assert_eq!(CliError::failed("x").to_string(), "x");
    }
}
