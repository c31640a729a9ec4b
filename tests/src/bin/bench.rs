//! `bench`: the sync benchmark (issue 9). Run it through `cargo xtask bench [--quick] [--pg]`,
//! which builds it and the `stash-double` binary in release mode and writes the section it
//! prints into BENCHMARKS.md.
//!
//! - `bench [--quick] [--pg] [--only sync|watch] [--double PATH] [--section-out FILE]
//!   [--watch-section-out FILE]`: every scenario (or only the sync or the watch ones); prints
//!   the tables, writes each Markdown section to its file.
//! - `bench measure --db-url URL --root DIR --stash-url URL --state FILE --mode batched|naive`:
//!   one measured sync (used by the orchestrator; prints one JSON line).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use fansly_stash_tests::bench::machine::Machine;
use fansly_stash_tests::bench::measure::{MeasureArgs, measure};
use fansly_stash_tests::bench::orchestrate::{Setup, block_on, run_scenario};
use fansly_stash_tests::bench::report::{self, RunInfo};
use fansly_stash_tests::bench::scenario::scenarios;
use fansly_stash_tests::bench::watch;
use fansly_stash_tests::bench::{
    BenchError, SECTION_END, SECTION_START, double_process::locate_binary,
};

const USAGE: &str = "usage: bench [--quick] [--pg] [--only sync|watch] [--double PATH] [--section-out FILE] [--watch-section-out FILE]\n       bench measure --db-url URL --root DIR --stash-url URL --state FILE --mode batched|naive";

#[derive(Debug, Default)]
struct Options {
    quick: bool,
    pg: bool,
    /// `None`: both.
    only: Option<Only>,
    double: Option<PathBuf>,
    section_out: Option<PathBuf>,
    watch_section_out: Option<PathBuf>,
}

/// Which benchmark `--only` keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Only {
    Sync,
    Watch,
}

fn parse(args: &[String]) -> Result<Options, BenchError> {
    let mut o = Options::default();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = |flag: &str| {
            it.next()
                .map(PathBuf::from)
                .ok_or_else(|| BenchError(format!("{flag} needs a value\n{USAGE}")))
        };
        match a.as_str() {
            "--quick" => o.quick = true,
            "--pg" => o.pg = true,
            "--double" => o.double = Some(value("--double")?),
            "--section-out" => o.section_out = Some(value("--section-out")?),
            "--watch-section-out" => o.watch_section_out = Some(value("--watch-section-out")?),
            "--only" => {
                o.only = match it.next().map(String::as_str) {
                    Some("sync") => Some(Only::Sync),
                    Some("watch") => Some(Only::Watch),
                    other => {
                        return Err(BenchError(format!(
                            "--only takes sync or watch, not {other:?}\n{USAGE}"
                        )));
                    }
                }
            }
            "-h" | "--help" => return Err(BenchError(USAGE.into())),
            other => return Err(BenchError(format!("unknown argument '{other}'\n{USAGE}"))),
        }
    }
    Ok(o)
}

fn run_all(o: &Options) -> Result<(), BenchError> {
    if o.only != Some(Only::Watch) {
        run_sync(o)?;
    }
    if o.only != Some(Only::Sync) {
        run_watch(o)?;
    }
    Ok(())
}

fn run_sync(o: &Options) -> Result<(), BenchError> {
    let started = Instant::now();
    let setup = Setup {
        double_binary: locate_binary(o.double.as_deref())?,
        self_exe: std::env::current_exe()
            .map_err(|e| BenchError(format!("cannot find the running executable: {e}")))?,
    };
    let scenarios = scenarios(o.quick, o.pg);
    let mut rows = Vec::new();
    for s in &scenarios {
        rows.extend(run_scenario(&setup, s)?);
    }
    let info = RunInfo {
        machine: Machine::detect(),
        date: chrono::Utc::now().format("%Y-%m-%d").to_string(),
        quick: o.quick,
        total_secs: started.elapsed().as_secs_f64(),
    };
    let section = report::section(&info, &scenarios, &rows);
    println!("\n{SECTION_START}\n{section}{SECTION_END}");
    if let Some(path) = &o.section_out {
        std::fs::write(path, &section)
            .map_err(|e| BenchError(format!("cannot write {}: {e}", path.display())))?;
    }
    Ok(())
}

fn run_watch(o: &Options) -> Result<(), BenchError> {
    let started = Instant::now();
    let (idle, queries) = watch::run_all(o.quick, o.pg)?;
    let info = RunInfo {
        machine: Machine::detect(),
        date: chrono::Utc::now().format("%Y-%m-%d").to_string(),
        quick: o.quick,
        total_secs: started.elapsed().as_secs_f64(),
    };
    let section = watch::section(&info, &idle, &queries);
    println!(
        "\n{}\n{section}{}",
        watch::SECTION_START,
        watch::SECTION_END
    );
    if let Some(path) = &o.watch_section_out {
        std::fs::write(path, &section)
            .map_err(|e| BenchError(format!("cannot write {}: {e}", path.display())))?;
    }
    Ok(())
}

fn run_measure(args: &[String]) -> Result<(), BenchError> {
    let args = MeasureArgs::parse(args)?;
    let m = block_on(measure(&args))??;
    println!("{}", m.to_json());
    Ok(())
}

fn main() -> ExitCode {
    if std::env::var_os("RUST_LOG").is_some() {
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .with_writer(std::io::stderr)
            .init();
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("measure") => run_measure(&args[1..]),
        _ => parse(&args).and_then(|o| run_all(&o)),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench: {e}");
            ExitCode::FAILURE
        }
    }
}
