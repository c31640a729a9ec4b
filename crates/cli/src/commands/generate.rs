//! The hidden `completions <shell>` and `man` subcommands: shell completion scripts and the
//! roff man page, generated from the clap grammar (`cargo xtask dist` writes them to files).

use clap::CommandFactory;

use crate::cli::Cli;
use crate::exit::{CliError, CmdResult, Exit};

/// Prints the completion script for `shell`.
pub fn completions(shell: clap_complete::Shell) -> CmdResult {
    let mut cmd = Cli::command();
    clap_complete::generate(shell, &mut cmd, "fansly-stash", &mut std::io::stdout());
    Ok(Exit::Ok)
}

/// Prints the man page.
pub fn man() -> CmdResult {
    let cmd = Cli::command();
    clap_mangen::Man::new(cmd)
        .render(&mut std::io::stdout())
        .map_err(|e| CliError::failed(format!("cannot write the man page: {e}")))?;
    Ok(Exit::Ok)
}
