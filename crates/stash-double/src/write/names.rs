//! Name uniqueness as Stash checks it (with `LIKE`: ASCII case-insensitive, `_`/`%`
//! wildcards), and its exact duplicate-name error texts.

use crate::model::{Id, State};
use crate::query::like::Like;

/// Performer name + disambiguation must be unique.
pub(crate) fn check_performer(
    st: &State,
    name: &str,
    disambiguation: Option<&str>,
) -> Result<(), String> {
    let name_like = Like::new(name);
    let clash = st.performers.values().any(|p| {
        name_like.matches(&p.name)
            && match disambiguation {
                Some(d) => p
                    .disambiguation
                    .as_deref()
                    .is_some_and(|pd| Like::new(d).matches(pd)),
                None => p
                    .disambiguation
                    .as_deref()
                    .is_none_or(|pd| pd.trim().is_empty()),
            }
    });
    if !clash {
        return Ok(());
    }
    Err(match disambiguation {
        Some(d) => format!("performer with name '{name}' and disambiguation '{d}' already exists"),
        None => format!("performer with name '{name}' already exists"),
    })
}

/// Aliases must differ from the name and from each other (case-insensitive).
pub(crate) fn check_performer_aliases(name: &str, aliases: &[String]) -> Result<(), String> {
    let mut seen: Vec<String> = vec![name.to_lowercase()];
    for a in aliases {
        let lower = a.to_lowercase();
        if seen.contains(&lower) {
            return Err(format!("performer contains duplicate alias '{a}'"));
        }
        seen.push(lower);
    }
    Ok(())
}

/// Which kind of named object is checked (studios and tags share the rules).
#[derive(Clone, Copy)]
pub(crate) enum Named {
    Studio,
    Tag,
}

impl Named {
    fn label(self) -> &'static str {
        match self {
            Self::Studio => "studio",
            Self::Tag => "tag",
        }
    }

    fn rows(self, st: &State) -> Vec<(Id, &str, &[String])> {
        match self {
            Self::Studio => st
                .studios
                .values()
                .map(|s| (s.id, s.name.as_str(), s.aliases.as_slice()))
                .collect(),
            Self::Tag => st
                .tags
                .values()
                .map(|t| (t.id, t.name.as_str(), t.aliases.as_slice()))
                .collect(),
        }
    }
}

/// `name` must not equal another object's name or alias (`own` is the object itself).
pub(crate) fn check_named(
    st: &State,
    kind: Named,
    own: Option<Id>,
    name: &str,
) -> Result<(), String> {
    let like = Like::new(name);
    let rows = kind.rows(st);
    if rows
        .iter()
        .any(|(id, n, _)| Some(*id) != own && like.matches(n))
    {
        return Err(format!(
            "{} with name '{name}' already exists",
            kind.label()
        ));
    }
    if let Some((_, other, _)) = rows
        .iter()
        .find(|(id, _, aliases)| Some(*id) != own && aliases.iter().any(|a| like.matches(a)))
    {
        return Err(format!("name '{name}' is used as alias for '{other}'"));
    }
    Ok(())
}

/// Name and aliases of a new or updated studio/tag.
pub(crate) fn check_named_with_aliases(
    st: &State,
    kind: Named,
    own: Option<Id>,
    name: &str,
    aliases: &[String],
) -> Result<(), String> {
    if name.is_empty() {
        return Err(format!("{} name must not be blank", kind.label()));
    }
    check_named(st, kind, own, name)?;
    for a in aliases {
        if a.is_empty() {
            return Err(format!(
                "{} alias must not be an empty string",
                kind.label()
            ));
        }
        check_named(st, kind, own, a)?;
    }
    Ok(())
}
