//! Our own process's CPU time and peak memory, read from `/proc/self` (Linux), so a benchmark
//! can report what the sync cost us, apart from the Stash double running in its own process;
//! also another process's (the `watch` benchmark reads the running `fansly-stash watch`).

use std::time::Duration;

/// CPU time (user + system, all threads) and peak resident set size of this process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ProcessStats {
    /// User plus system CPU time so far.
    pub cpu: Duration,
    /// Peak resident set size (`VmHWM`), in KiB.
    pub peak_rss_kib: u64,
}

impl ProcessStats {
    /// Reads the current values; `None` where `/proc` is not available (not Linux).
    pub fn read() -> Option<ProcessStats> {
        Self::read_from("self").map(|(s, _)| s)
    }

    /// The values of another process, with its current resident set size (`VmRSS`, KiB).
    pub fn read_pid(pid: u32) -> Option<(ProcessStats, u64)> {
        Self::read_from(&pid.to_string())
    }

    fn read_from(pid: &str) -> Option<(ProcessStats, u64)> {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
        let ticks = parse_cpu_ticks(&stat)?;
        let hz = clock_ticks_per_second();
        Some((
            ProcessStats {
                cpu: Duration::from_secs_f64(ticks as f64 / hz as f64),
                peak_rss_kib: parse_kib_field(&status, "VmHWM")?,
            },
            parse_kib_field(&status, "VmRSS")?,
        ))
    }
}

/// `utime + stime` in clock ticks from the text of `/proc/<pid>/stat`.
///
/// The command name (field 2) is in parentheses and may hold spaces, so fields are counted
/// after the last `)`: there `state` is the first field, `utime` the 12th and `stime` the 13th.
pub fn parse_cpu_ticks(stat: &str) -> Option<u64> {
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(utime + stime)
}

/// A `Name:   1234 kB` line of `/proc/<pid>/status`, in KiB.
pub fn parse_kib_field(status: &str, name: &str) -> Option<u64> {
    status.lines().find_map(|line| {
        let value = line.strip_prefix(name)?.strip_prefix(':')?;
        value.split_whitespace().next()?.parse().ok()
    })
}

/// `sysconf(_SC_CLK_TCK)` through `getconf` (no libc binding needed); 100, the value of every
/// common Linux build, when `getconf` is missing.
fn clock_ticks_per_second() -> u64 {
    static HZ: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *HZ.get_or_init(|| {
        std::process::Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .and_then(|s| s.trim().parse().ok())
            .filter(|hz| *hz > 0)
            .unwrap_or(100)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_ticks_are_counted_after_the_command_name() {
        // A command name with spaces and a ')' inside must not shift the fields.
        let stat = "4242 (my (odd) name) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 37 0 0 20 0 3 0";
        assert_eq!(parse_cpu_ticks(stat), Some(287));
        assert_eq!(parse_cpu_ticks("garbage"), None);
        assert_eq!(parse_cpu_ticks("1 (x) S 1 2"), None);
    }

    #[test]
    fn kib_fields_are_read_by_name() {
        let status = "Name:\tbench\nVmPeak:\t  900 kB\nVmHWM:\t   51234 kB\nVmRSS:\t 40000 kB\n";
        assert_eq!(parse_kib_field(status, "VmHWM"), Some(51_234));
        assert_eq!(parse_kib_field(status, "VmRSS"), Some(40_000));
        assert_eq!(parse_kib_field(status, "VmSwap"), None);
    }

    #[test]
    fn this_process_has_used_some_memory() {
        if let Some(s) = ProcessStats::read() {
            assert!(s.peak_rss_kib > 100, "{s:?}");
        }
    }
}
