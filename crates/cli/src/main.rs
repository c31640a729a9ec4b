//! `fansly-stash`: the binary. Parses the command line (usage errors exit 2) and runs it.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = fansly_stash::cli::Cli::parse();
    fansly_stash::run(cli)
}
