//! The hidden `completions <shell>` and `man` subcommands: shell completion scripts and the
//! roff man pages (one per command), generated from the clap grammar (`cargo xtask dist` writes
//! them to files).

use std::path::Path;

use clap::CommandFactory;

use crate::cli::Cli;
use crate::exit::{CliError, CmdResult, Exit};

/// Prints the completion script for `shell`.
pub fn completions(shell: clap_complete::Shell) -> CmdResult {
    let mut cmd = Cli::command();
    clap_complete::generate(shell, &mut cmd, "fansly-stash", &mut std::io::stdout());
    Ok(Exit::Ok)
}

/// Prints the top-level man page, or with `out_dir` writes it and one page per visible
/// subcommand (`fansly-stash-sync.1`, `fansly-stash-config-show.1`, ...) into that folder.
pub fn man(out_dir: Option<&Path>) -> CmdResult {
    let cmd = Cli::command();
    let Some(dir) = out_dir else {
        clap_mangen::Man::new(cmd)
            .render(&mut std::io::stdout())
            .map_err(|e| CliError::failed(format!("cannot write the man page: {e}")))?;
        return Ok(Exit::Ok);
    };
    std::fs::create_dir_all(dir)
        .and_then(|()| clap_mangen::generate_to(cmd, dir))
        .map_err(|e| {
            CliError::failed(format!(
                "cannot write the man pages into {}: {e}; check that the folder is writable",
                dir.display()
            ))
        })?;
    Ok(Exit::Ok)
}
