//! `stash-double`: runs the Stash double by hand or for the demo, printing its URL and
//! serving until Ctrl-C.
//!
//! `cargo run -p fansly-stash-stash-double -- --library /path --port 9999 [--api-key K]
//! [--prefix /stash] [--no-ffmpeg]`

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use stash_double::{DoubleConfig, StashDouble};

const USAGE: &str = "usage: stash-double [--library DIR]... [--port N] [--api-key KEY] [--prefix /PATH] [--version vX.Y.Z] [--no-ffmpeg]";

fn parse(args: &[String]) -> Result<(DoubleConfig, u16), String> {
    let mut config = DoubleConfig::default();
    let mut port = 9999u16;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{name} needs a value\n{USAGE}"))
        };
        match arg.as_str() {
            "--library" => config
                .library_roots
                .push(PathBuf::from(value("--library")?)),
            "--port" => {
                let v = value("--port")?;
                port = v.parse().map_err(|_| {
                    format!("--port: '{v}' is not a port number (0-65535)\n{USAGE}")
                })?;
            }
            "--api-key" => config.api_key = Some(value("--api-key")?),
            "--prefix" => config.path_prefix = value("--prefix")?,
            "--version" => config.version = value("--version")?,
            "--no-ffmpeg" => config.ffmpeg = false,
            "-h" | "--help" => return Err(USAGE.to_owned()),
            other => return Err(format!("unknown argument '{other}'\n{USAGE}")),
        }
    }
    Ok((config, port))
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (config, port) = match parse(&args) {
        Ok(v) => v,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let double = match StashDouble::start_on(config, SocketAddr::from(([127, 0, 0, 1], port))).await
    {
        Ok(d) => d,
        Err(e) => {
            eprintln!(
                "stash-double: cannot listen on 127.0.0.1:{port}: {e}; choose another --port (0 picks a free one)"
            );
            return ExitCode::FAILURE;
        }
    };
    println!("{}", double.graphql_url());
    if let Err(e) = tokio::signal::ctrl_c().await {
        eprintln!("stash-double: cannot wait for Ctrl-C: {e}");
    }
    double.shutdown().await;
    ExitCode::SUCCESS
}
