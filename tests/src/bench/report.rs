//! Turns measured runs into the Markdown that goes into BENCHMARKS.md: the libraries, the
//! results table, the targets with met / missed, and the requests per operation.

use std::fmt::Write as _;

use super::double_process::Costs;
use super::machine::Machine;
use super::measure::Mode;
use super::measurement::Measurement;
use super::scenario::{Role, Scenario};

/// Which run of a scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// The first sync into a Stash that has only scanned the files.
    First,
    /// A second sync with nothing changed.
    Resync,
    /// A sync after 1% new content (new posts with new images, scanned).
    Incremental,
}

impl Phase {
    /// As shown in the table.
    pub fn label(self) -> &'static str {
        match self {
            Phase::First => "first sync",
            Phase::Resync => "no-change re-sync",
            Phase::Incremental => "incremental (+1%)",
        }
    }
}

/// One measured run.
#[derive(Debug, Clone)]
pub struct Row {
    /// The scenario's name.
    pub scenario: String,
    /// What it checks.
    pub role: Role,
    /// Which run.
    pub phase: Phase,
    /// Batched or naive.
    pub mode: Mode,
    /// Media items of the library (the per-item denominator).
    pub media_items: u64,
    /// The double's costs.
    pub costs: Costs,
    /// What it cost.
    pub m: Measurement,
}

impl Row {
    /// Requests per media item.
    pub fn requests_per_item(&self) -> f64 {
        self.m.requests() as f64 / self.media_items.max(1) as f64
    }

    /// Our CPU milliseconds per media item.
    pub fn cpu_ms_per_item(&self) -> f64 {
        self.m.cpu_secs * 1000.0 / self.media_items.max(1) as f64
    }

    /// Peak RSS in MB (10^6 bytes).
    pub fn peak_rss_mb(&self) -> f64 {
        self.m.peak_rss_kib as f64 * 1024.0 / 1e6
    }
}

/// One of the targets, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetCheck {
    /// The target, as the issue states it.
    pub target: String,
    /// What was measured.
    pub measured: String,
    /// Met, missed, or `None` when the run needed was not measured.
    pub met: Option<bool>,
}

fn find(rows: &[Row], role: Role, phase: Phase, mode: Mode) -> Option<&Row> {
    rows.iter()
        .find(|r| r.role == role && r.phase == phase && r.mode == mode)
}

/// Checks the targets against the rows.
pub fn check_targets(rows: &[Row]) -> Vec<TargetCheck> {
    let mut out = Vec::new();
    let first = find(rows, Role::TypicalFan, Phase::First, Mode::Batched);
    let naive = find(rows, Role::TypicalFan, Phase::First, Mode::Naive);
    let resync = find(rows, Role::TypicalFan, Phase::Resync, Mode::Batched);
    let many = rows
        .iter()
        .filter(|r| r.role == Role::ManyCreators && r.mode == Mode::Batched)
        .max_by_key(|r| r.m.peak_rss_kib);
    let missing = |target: &str| TargetCheck {
        target: target.to_owned(),
        measured: "not measured".to_owned(),
        met: None,
    };

    let t = "first sync: at most 0.05 requests per media item";
    out.push(first.map_or_else(
        || missing(t),
        |r| TargetCheck {
            target: t.into(),
            measured: format!(
                "{:.4} ({} requests / {} media items)",
                r.requests_per_item(),
                r.m.requests(),
                r.media_items
            ),
            met: Some(r.requests_per_item() <= 0.05),
        },
    ));

    let t = "first sync: at least 20 times fewer requests than the naive baseline";
    out.push(match (first, naive) {
        (Some(b), Some(n)) => {
            let ratio = n.m.requests() as f64 / b.m.requests().max(1) as f64;
            TargetCheck {
                target: t.into(),
                measured: format!(
                    "{ratio:.1}× ({} naive / {} batched)",
                    n.m.requests(),
                    b.m.requests()
                ),
                met: Some(ratio >= 20.0),
            }
        }
        _ => missing(t),
    });

    let t = "no-change re-sync: 0 mutations and at most 5 requests";
    out.push(resync.map_or_else(
        || missing(t),
        |r| TargetCheck {
            target: t.into(),
            measured: format!(
                "{} mutations, {} requests",
                r.m.mutation_requests(),
                r.m.requests()
            ),
            met: Some(r.m.mutation_requests() == 0 && r.m.requests() <= 5),
        },
    ));

    let t = "peak RSS at most 150 MB for 30 typical fans in one run";
    out.push(many.map_or_else(
        || missing(t),
        |r| TargetCheck {
            target: t.into(),
            measured: format!("{:.1} MB ({})", r.peak_rss_mb(), r.scenario),
            met: Some(r.peak_rss_mb() <= 150.0),
        },
    ));

    let t = "our CPU time at most 1 ms per media item";
    let cpu_rows: Vec<&Row> = rows
        .iter()
        .filter(|r| {
            r.mode == Mode::Batched && r.phase == Phase::First && r.role != Role::Informational
        })
        .collect();
    out.push(if cpu_rows.is_empty() {
        missing(t)
    } else {
        TargetCheck {
            target: t.into(),
            measured: cpu_rows
                .iter()
                .map(|r| format!("{:.3} ms ({}, first sync)", r.cpu_ms_per_item(), r.scenario))
                .collect::<Vec<_>>()
                .join("; "),
            met: Some(cpu_rows.iter().all(|r| r.cpu_ms_per_item() <= 1.0)),
        }
    });
    out
}

/// The results table (also what `--quick` prints).
pub fn results_table(rows: &[Row]) -> String {
    let mut s = String::from(
        "| scenario | run | adapter | requests | requests / media item | mutation requests | objects written | wall s | our CPU s | our CPU ms / media item | peak RSS MB | DB queries |\n\
         |---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for r in rows {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {:.4} | {} | {} | {:.2} | {:.2} | {:.3} | {:.1} | {} |",
            r.scenario,
            r.phase.label(),
            r.mode.as_str(),
            r.m.requests(),
            r.requests_per_item(),
            r.m.mutation_requests(),
            r.m.written_objects,
            r.m.wall_secs,
            r.m.cpu_secs,
            r.cpu_ms_per_item(),
            r.peak_rss_mb(),
            r.m.db_queries
        );
    }
    s
}

/// The targets table.
pub fn targets_table(checks: &[TargetCheck]) -> String {
    let mut s = String::from("| target | measured | met |\n|---|---|---|\n");
    for c in checks {
        let met = match c.met {
            Some(true) => "yes",
            Some(false) => "**NO**",
            None => "not measured",
        };
        let _ = writeln!(s, "| {} | {} | {met} |", c.target, c.measured);
    }
    s
}

/// Requests per operation of the typical-fan runs, one line each.
pub fn operations(rows: &[Row]) -> String {
    let mut s = String::new();
    for r in rows.iter().filter(|r| r.role == Role::TypicalFan) {
        let ops: Vec<String> =
            r.m.per_operation
                .iter()
                .map(|(op, n)| format!("{op} {n}"))
                .collect();
        let _ = writeln!(
            s,
            "- {}, {} ({}): {}",
            r.phase.label(),
            r.mode.as_str(),
            r.m.summary,
            ops.join(", ")
        );
    }
    s
}

/// Everything the bench knows about the run, for the section.
#[derive(Debug, Clone)]
pub struct RunInfo {
    /// The machine.
    pub machine: Machine,
    /// When it ran (UTC date).
    pub date: String,
    /// `--quick` or not.
    pub quick: bool,
    /// The whole bench's wall time, in seconds.
    pub total_secs: f64,
}

/// The sync section of BENCHMARKS.md (between the markers the xtask keeps).
pub fn section(info: &RunInfo, scenarios: &[Scenario], rows: &[Row]) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "## Sync\n");
    let _ = writeln!(
        s,
        "Measured by `cargo xtask bench{}` on {}, in {:.0} s.\n\nMachine: {}.\n",
        if info.quick { " --quick" } else { "" },
        info.date,
        info.total_secs,
        info.machine.describe()
    );
    if info.quick {
        let _ = writeln!(
            s,
            "**Quick mode**: small libraries; the targets are defined for the typical fan and \
             30 typical fans, so these checks are indicative only.\n"
        );
    }
    let _ = writeln!(
        s,
        "Each run is a separate process (the bench re-executes itself) that opens the metadata \
         database, connects to Stash and syncs every creator, as `fansly-stash sync --all` wires \
         it (without the check for absent creator folders: every creator here has its folder, \
         so it would only add one `stat` per creator); the Stash double runs in another process, with injected costs, after scanning \
         the library. Requests are the adapter's HTTP requests (connect included); media items \
         are images + videos (preview clips and unattached media are extra files, not counted); \
         CPU time and peak RSS are the measuring process's own (`/proc/self`); DB queries are \
         statements on the metadata database. The naive baseline is the same adapter with \
         `BatchLimits::batching = false`: one request per lookup, one mutation per object.\n"
    );
    let _ = writeln!(
        s,
        "| scenario | library | files | metadata DB | double costs |\n|---|---|---:|---|---|"
    );
    for sc in scenarios {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} |",
            sc.name,
            sc.describe_library(),
            sc.files(),
            sc.backend.label(),
            sc.costs.describe()
        );
    }
    let _ = writeln!(s, "\n### Results\n\n{}", results_table(rows));
    let _ = writeln!(s, "### Targets\n\n{}", targets_table(&check_targets(rows)));
    let _ = writeln!(s, "### Requests by operation\n\n{}", operations(rows));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(role: Role, phase: Phase, mode: Mode, requests: u64, mutations: u64) -> Row {
        let mut m = Measurement {
            cpu_secs: 1.9,
            peak_rss_kib: 60_000,
            ..Measurement::default()
        };
        m.per_operation
            .insert("ListSceneFiles".into(), requests - mutations);
        if mutations > 0 {
            m.per_operation.insert("ScenesUpdate".into(), mutations);
        }
        Row {
            scenario: "s".into(),
            role,
            phase,
            mode,
            media_items: 3_800,
            costs: Costs::REALISTIC,
            m,
        }
    }

    #[test]
    fn targets_are_met_or_missed_by_the_numbers() {
        let rows = vec![
            row(Role::TypicalFan, Phase::First, Mode::Batched, 100, 40),
            row(Role::TypicalFan, Phase::First, Mode::Naive, 2_500, 2_000),
            row(Role::TypicalFan, Phase::Resync, Mode::Batched, 4, 0),
        ];
        let checks = check_targets(&rows);
        assert_eq!(checks.len(), 5);
        assert_eq!(checks[0].met, Some(true), "{:?}", checks[0]); // 100 / 3800
        assert_eq!(checks[1].met, Some(true), "{:?}", checks[1]); // 25x
        assert_eq!(checks[2].met, Some(true), "{:?}", checks[2]);
        assert_eq!(checks[3].met, None); // no 30-creator run
        assert_eq!(checks[4].met, Some(true), "{:?}", checks[4]); // 0.5 ms per item

        let rows = vec![
            row(Role::TypicalFan, Phase::First, Mode::Batched, 200, 40),
            row(Role::TypicalFan, Phase::First, Mode::Naive, 2_500, 2_000),
            row(Role::TypicalFan, Phase::Resync, Mode::Batched, 4, 1),
        ];
        let checks = check_targets(&rows);
        assert_eq!(checks[0].met, Some(false)); // 0.053
        assert_eq!(checks[1].met, Some(false)); // 12.5x
        assert_eq!(checks[2].met, Some(false)); // a mutation
        assert!(targets_table(&checks).contains("**NO**"));
    }

    #[test]
    fn the_table_has_one_line_per_run() {
        let rows = vec![
            row(Role::TypicalFan, Phase::First, Mode::Batched, 100, 40),
            row(
                Role::ManyCreators,
                Phase::First,
                Mode::Batched,
                3_000,
                1_200,
            ),
        ];
        let t = results_table(&rows);
        assert_eq!(t.lines().count(), 4);
        assert!(
            t.contains("| s | first sync | batched | 100 | 0.0263 | 40 |"),
            "{t}"
        );
        let checks = check_targets(&rows);
        assert_eq!(checks[3].met, Some(true)); // 61.4 MB
    }
}
