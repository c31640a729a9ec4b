//! `stash-double`: runs the Stash double by hand or for the demo, printing its URL and
//! serving until Ctrl-C.
//!
//! `cargo run -p fansly-stash-stash-double -- --library /path --port 9999 [--api-key K]
//! [--prefix /stash] [--no-ffmpeg] [--latency-ms 2] [--write-cost-ms 0.5]`
//!
//! `--latency-ms` and `--write-cost-ms` set [`DoubleConfig::latency_per_request`] and
//! [`DoubleConfig::cost_per_written_object`] (fractions allowed), so benchmarks can give the
//! double the costs of a real Stash while it runs in its own process.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use stash_double::{DoubleConfig, StashDouble, StashVersion};

const USAGE: &str = "usage: stash-double [--library DIR]... [--port N] [--api-key KEY] [--prefix /PATH] [--version vX.Y.Z] [--no-ffmpeg] [--latency-ms MS] [--write-cost-ms MS]";

/// A non-negative number of milliseconds (fractions allowed) as a duration.
fn millis(flag: &str, v: &str) -> Result<Duration, String> {
    match v.parse::<f64>() {
        Ok(ms) if ms.is_finite() && (0.0..3_600_000.0).contains(&ms) => {
            Ok(Duration::from_secs_f64(ms / 1000.0))
        }
        _ => Err(format!(
            "{flag}: '{v}' is not a number of milliseconds (e.g. 2 or 0.5)\n{USAGE}"
        )),
    }
}

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
            "--version" => {
                // A supported release is impersonated whole (hash, appSchema, schema).
                let v = value("--version")?;
                match StashVersion::ALL.into_iter().find(|r| r.version() == v) {
                    Some(release) => {
                        let known = DoubleConfig::impersonating(release);
                        config.version = known.version;
                        config.hash = known.hash;
                        config.app_schema = known.app_schema;
                    }
                    None => config.version = v,
                }
            }
            "--no-ffmpeg" => config.ffmpeg = false,
            "--latency-ms" => {
                config.latency_per_request = millis("--latency-ms", &value("--latency-ms")?)?;
            }
            "--write-cost-ms" => {
                config.cost_per_written_object =
                    millis("--write-cost-ms", &value("--write-cost-ms")?)?;
            }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn cost_flags_set_the_performance_knobs() {
        let (config, port) = parse(&args(&[
            "--port",
            "0",
            "--latency-ms",
            "2",
            "--write-cost-ms",
            "0.5",
        ]))
        .unwrap();
        assert_eq!(port, 0);
        assert_eq!(config.latency_per_request, Duration::from_millis(2));
        assert_eq!(config.cost_per_written_object, Duration::from_micros(500));
    }

    #[test]
    fn bad_cost_values_are_refused_with_the_flag_named() {
        for bad in ["-1", "abc", "NaN"] {
            let err = parse(&args(&["--latency-ms", bad])).unwrap_err();
            assert!(err.contains("--latency-ms") && err.contains(bad), "{err}");
        }
        let (config, _) = parse(&args(&[])).unwrap();
        assert_eq!(config.latency_per_request, Duration::ZERO);
    }
}
