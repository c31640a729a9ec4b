//! The Stash double as a separate process (the `stash-double` binary), so its CPU time and
//! memory are not counted as ours. Started with the library root and the injected costs,
//! read back its URL, killed when the handle drops.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use super::BenchError;

/// What the double charges, like a real Stash would.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Costs {
    /// Added to every GraphQL request, in milliseconds.
    pub latency_ms: f64,
    /// Added per object a mutation or scan writes, in milliseconds.
    pub write_cost_ms: f64,
}

impl Costs {
    /// The realistic costs: 2 ms per request, 0.5 ms per written object.
    pub const REALISTIC: Costs = Costs {
        latency_ms: 2.0,
        write_cost_ms: 0.5,
    };

    /// `2 ms/request, 0.5 ms/written object`.
    pub fn describe(&self) -> String {
        format!(
            "{} ms/request, {} ms/written object",
            self.latency_ms, self.write_cost_ms
        )
    }

    /// The time the double adds for `requests` requests writing `objects` objects.
    pub fn injected(&self, requests: u64, objects: u64) -> Duration {
        let ms = self.latency_ms * requests as f64 + self.write_cost_ms * objects as f64;
        Duration::from_secs_f64(ms.max(0.0) / 1000.0)
    }
}

/// A running `stash-double` process; killed on drop.
#[derive(Debug)]
pub struct DoubleProcess {
    child: Child,
    base_url: String,
}

/// Where the `stash-double` binary is: `explicit`, else next to the running executable
/// (cargo puts every binary of a profile in the same folder).
pub fn locate_binary(explicit: Option<&Path>) -> Result<PathBuf, BenchError> {
    if let Some(p) = explicit {
        return Ok(p.to_owned());
    }
    let exe = std::env::current_exe()
        .map_err(|e| BenchError(format!("cannot find the running executable: {e}")))?;
    let dir = exe.parent().map(Path::to_owned).unwrap_or_default();
    let candidate = dir.join(format!("stash-double{}", std::env::consts::EXE_SUFFIX));
    if candidate.exists() {
        Ok(candidate)
    } else {
        Err(BenchError(format!(
            "the stash-double binary is not at {}: build it with the same profile (`cargo build \
             --release -p fansly-stash-stash-double`, which `cargo xtask bench` does) or pass \
             --double PATH",
            candidate.display()
        )))
    }
}

impl DoubleProcess {
    /// Starts `binary --library root --port 0` with `costs` and waits for the URL it prints.
    pub fn start(binary: &Path, root: &Path, costs: Costs) -> Result<DoubleProcess, BenchError> {
        let mut child = Command::new(binary)
            .arg("--library")
            .arg(root)
            .args(["--port", "0"])
            .args(["--latency-ms", &costs.latency_ms.to_string()])
            .args(["--write-cost-ms", &costs.write_cost_ms.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| BenchError(format!("cannot start {}: {e}", binary.display())))?;
        let first_line = child.stdout.take().map(|out| {
            let mut line = String::new();
            BufReader::new(out).read_line(&mut line).map(|_| line)
        });
        let url = match first_line {
            Some(Ok(line)) if line.trim().ends_with("/graphql") => line.trim().to_owned(),
            other => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(BenchError(format!(
                    "{} did not print its URL (got {other:?}); run it by hand to see why",
                    binary.display()
                )));
            }
        };
        Ok(DoubleProcess {
            child,
            base_url: url.trim_end_matches("/graphql").to_owned(),
        })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }
}

impl Drop for DoubleProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn injected_cost_adds_requests_and_writes() {
        let d = Costs::REALISTIC.injected(100, 1_000);
        assert_eq!(d, Duration::from_millis(700));
        assert_eq!(
            Costs::REALISTIC.describe(),
            "2 ms/request, 0.5 ms/written object"
        );
    }

    #[test]
    fn a_missing_binary_is_named_with_the_fix() {
        let err = DoubleProcess::start(
            Path::new("/nonexistent/stash-double"),
            Path::new("/tmp"),
            Costs::REALISTIC,
        )
        .unwrap_err();
        assert!(err.0.contains("/nonexistent/stash-double"), "{err}");
    }
}
