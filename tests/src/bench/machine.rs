//! A one-line description of the machine a benchmark ran on (cores, CPU model, memory, OS,
//! compiler), so numbers in BENCHMARKS.md can be compared with the hardware they came from.

use std::process::Command;

/// What the benchmark ran on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Machine {
    /// Logical CPUs available to us.
    pub cores: usize,
    /// `model name` from `/proc/cpuinfo`.
    pub cpu_model: String,
    /// `MemTotal`, in MiB.
    pub memory_mib: u64,
    /// Kernel release.
    pub os: String,
    /// `rustc --version`.
    pub rustc: String,
}

impl Machine {
    /// Reads the description from `/proc` and `rustc`; unknown parts say `unknown`.
    pub fn detect() -> Machine {
        let read = |p: &str| std::fs::read_to_string(p).unwrap_or_default();
        let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
        Machine {
            cores: std::thread::available_parallelism().map_or(0, |n| n.get()),
            cpu_model: cpu_model(&read("/proc/cpuinfo")).unwrap_or_else(|| "unknown".into()),
            memory_mib: super::process_stats::parse_kib_field(&read("/proc/meminfo"), "MemTotal")
                .map_or(0, |kib| kib / 1024),
            os: match read("/proc/sys/kernel/osrelease").trim() {
                "" => std::env::consts::OS.to_owned(),
                release => format!("Linux {release}"),
            },
            rustc: Command::new(rustc)
                .arg("--version")
                .output()
                .ok()
                .and_then(|o| String::from_utf8(o.stdout).ok())
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| "unknown".into()),
        }
    }

    /// `2 cores, Intel Xeon ..., 7,900 MiB RAM, Linux 6.1, rustc 1.88.0`.
    pub fn describe(&self) -> String {
        format!(
            "{} cores ({}), {} MiB RAM, {}, {}",
            self.cores, self.cpu_model, self.memory_mib, self.os, self.rustc
        )
    }
}

/// The first `model name` of a `/proc/cpuinfo` text.
pub fn cpu_model(cpuinfo: &str) -> Option<String> {
    cpuinfo.lines().find_map(|l| {
        let (key, value) = l.split_once(':')?;
        (key.trim() == "model name").then(|| value.trim().to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cpu_model_comes_from_the_first_processor() {
        let info = "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon(R) CPU @ 2.20GHz\n\nprocessor\t: 1\nmodel name\t: other\n";
        assert_eq!(
            cpu_model(info).as_deref(),
            Some("Intel(R) Xeon(R) CPU @ 2.20GHz")
        );
        assert_eq!(cpu_model("processor: 0\n"), None);
    }
}
