//! The dry run's plan as a plain-text table: one row per planned change (creator, kind,
//! action, key, Stash id, fields), cells cut to fit. A performer, studio or tag Stash already
//! has is an `adopt` row with its id (nothing is written for it), one it lacks a `create` row. sync-core hands the plan over as data
//! ([`Plan`]); how it looks is the CLI's business.

use std::fmt::Write as _;

use sync_core::Plan;

/// Cuts a cell to `max` characters.
fn cell(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let mut c: String = s.chars().take(max.saturating_sub(1)).collect();
        c.push('…');
        c
    }
}

/// The plan as a plain-text table: one row per change, fields abbreviated.
pub fn render(plan: &Plan) -> String {
    let mut out = String::new();
    if plan.changes.is_empty() {
        out.push_str("Nothing to write: Stash is up to date.\n");
        return out;
    }
    let _ = writeln!(
        out,
        "{:<16} {:<9} {:<7} {:<24} {:<8} fields",
        "creator", "kind", "action", "key", "stash id"
    );
    for c in &plan.changes {
        let _ = writeln!(
            out,
            "{:<16} {:<9} {:<7} {:<24} {:<8} {}",
            cell(&c.creator, 16),
            c.kind.as_str(),
            c.action.as_str(),
            cell(&c.key, 24),
            cell(c.stash_id.as_deref().unwrap_or("-"), 8),
            cell(&c.fields.join("; "), 100)
        );
    }
    let writes = plan.changes.iter().filter(|c| c.action.writes()).count();
    let adopted = plan.changes.len() - writes;
    let _ = writeln!(
        out,
        "{writes} change(s) planned{}; nothing was written.",
        match adopted {
            0 => String::new(),
            n => format!(", {n} existing performer(s), studio(s) or tag(s) to adopt"),
        }
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::ports::EntityKind;
    use sync_core::planner::{Action, PlannedChange};

    #[test]
    fn plan_renders_as_a_table() {
        let plan = Plan {
            changes: vec![PlannedChange {
                creator: "alice".into(),
                kind: EntityKind::Scene,
                action: Action::Update,
                key: "media:77".into(),
                stash_id: Some("12".into()),
                fields: vec!["title = \"x\"".into()],
            }],
        };
        let t = render(&plan);
        assert!(t.lines().next().unwrap().starts_with("creator"));
        assert!(
            t.contains("alice")
                && t.contains("media:77")
                && t.contains("update")
                && t.contains("title")
        );
        assert!(t.contains("1 change(s) planned"));
        assert!(render(&Plan::default()).contains("up to date"));
    }

    #[test]
    fn adoptions_are_rows_but_not_changes() {
        let row = |action, stash_id: Option<&str>| PlannedChange {
            creator: "alice".into(),
            kind: EntityKind::Performer,
            action,
            key: "alice".into(),
            stash_id: stash_id.map(str::to_owned),
            fields: vec!["name = \"Alice\"".into()],
        };
        let plan = Plan {
            changes: vec![row(Action::Adopt, Some("7")), row(Action::Create, None)],
        };
        let t = render(&plan);
        assert!(t.contains("adopt   alice"), "{t}");
        assert!(
            t.ends_with(
                "1 change(s) planned, 1 existing performer(s), studio(s) or tag(s) to adopt; nothing was written.\n"
            ),
            "{t}"
        );
    }
}
