//! Accounts to performers, creators to studios, hashtags to tags: the find-or-create specs of
//! the entities every item refers to. An account known only by its id (see
//! [`Account::is_unnamed`]) names nothing: its mentions are left out and, as a creator, it is
//! not synced.

use domain::fansly::{Account, Mention};
use domain::ids::{AccountId, StudioId};
use domain::stash::{PerformerSpec, StudioSpec, TagSpec};

/// The tag previews get.
pub const TRAILER_TAG: &str = "Trailer";

/// The key a performer is known by in specs, labels and the sync state: the username, lowercased
/// (Fansly handles are case-insensitive).
pub fn performer_key(username: &str) -> String {
    username.trim().trim_start_matches('@').to_lowercase()
}

/// A name as Stash compares names for duplicates: lowercased rune by rune, as Go's
/// `strings.ToLower` does (no context rules such as a final sigma, one rune for one rune).
pub fn name_fold(name: &str) -> String {
    name.chars()
        .map(|c| c.to_lowercase().next().unwrap_or(c))
        .collect()
}

/// The aliases Stash will accept for a performer called `name`: each trimmed (as Stash stores
/// it), none empty, none equal to the name ignoring case, no two equal ignoring case (Stash
/// refuses such a performer: "performer contains duplicate alias '...'").
pub fn performer_aliases<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Vec<String> {
    let mut seen = vec![name_fold(name.trim())];
    let mut out = Vec::new();
    for alias in candidates.into_iter().map(str::trim) {
        let folded = name_fold(alias);
        if alias.is_empty() || seen.contains(&folded) {
            continue;
        }
        seen.push(folded);
        out.push(alias.to_owned());
    }
    out
}

/// An account as a performer: name = display name or username, alias = username (unless it
/// is the name), url = `https://fansly.com/<username>`, details = about; all as Stash stores
/// them (trimmed).
pub fn performer_spec(account: &Account) -> PerformerSpec {
    let details = account
        .about
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned);
    let name = account.performer_name().trim().to_owned();
    PerformerSpec {
        key: performer_key(&account.username),
        aliases: performer_aliases(&name, [account.username.as_str()]),
        name,
        disambiguation: None,
        urls: vec![account.profile_url()],
        details,
    }
}

/// A mentioned account as a performer: like [`performer_spec`] when the account is known,
/// else from the handle alone; `None` for an account known only by its id (it would make a
/// performer named by a number; see [`unnamed_mention`]).
pub fn mention_spec(mention: &Mention) -> Option<PerformerSpec> {
    match &mention.account {
        Some(account) if account.is_unnamed() => None,
        Some(account) => Some(performer_spec(account)),
        None => {
            let handle = mention
                .handle
                .trim()
                .trim_start_matches('@')
                .trim()
                .to_owned();
            Some(PerformerSpec {
                key: performer_key(&handle),
                aliases: performer_aliases(&handle, [handle.as_str()]),
                name: handle.clone(),
                disambiguation: None,
                urls: vec![format!("https://fansly.com/{handle}")],
                details: None,
            })
        }
    }
}

/// The account of a mention that is left out because it is known only by its id.
pub fn unnamed_mention(mention: &Mention) -> Option<AccountId> {
    mention
        .account
        .as_ref()
        .filter(|a| a.is_unnamed())
        .map(|a| a.id)
}

/// Why the mentions of an account known only by its id are left out, and what to do.
pub fn unnamed_mention_reason(id: AccountId) -> String {
    format!(
        "account {id} is known only by its id; import a response containing it, e.g. an \
         account lookup, to name it (until then its mentions are left out rather than made a \
         performer named '{id}')"
    )
}

/// Why a creator known only by its id is not synced, and what to do.
pub fn unnamed_creator_reason(account: &Account) -> String {
    let id = account.id;
    format!(
        "account {id} is known only by its id (its username is its id: the JSON importer made \
         it for an account it saw referenced but not described), so it has no name for its \
         performer and studio; import a response containing it, e.g. an account lookup, to \
         name it, then sync it again"
    )
}

/// The name of a creator's studio: `<username> (Fansly)`.
pub fn creator_studio_name(username: &str) -> String {
    format!("{} (Fansly)", username.trim())
}

/// The network studio every creator studio hangs under.
pub fn network_studio_spec(name: &str) -> StudioSpec {
    StudioSpec {
        name: name.to_owned(),
        parent_id: None,
        urls: Vec::new(),
    }
}

/// A creator's studio, under the network studio, with the profile url.
pub fn creator_studio_spec(account: &Account, parent: Option<StudioId>) -> StudioSpec {
    StudioSpec {
        name: creator_studio_name(&account.username),
        parent_id: parent,
        urls: vec![account.profile_url()],
    }
}

/// A tag to find or create.
pub fn tag_spec(name: &str) -> TagSpec {
    TagSpec {
        name: name.to_owned(),
        create_if_missing: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::ids::AccountId;
    use proptest::prelude::*;

    fn account(username: &str, display: Option<&str>, about: Option<&str>) -> Account {
        Account {
            id: AccountId(1),
            username: username.into(),
            display_name: display.map(Into::into),
            about: about.map(Into::into),
            created_at: None,
            stash_id: None,
        }
    }

    #[test]
    fn account_becomes_performer_with_alias_url_and_details() {
        let spec = performer_spec(&account("Alice_X", Some("Alice"), Some("hi there")));
        assert_eq!(spec.key, "alice_x");
        assert_eq!(spec.name, "Alice");
        assert_eq!(spec.aliases, ["Alice_X"]);
        let same = performer_spec(&account("alice", Some("ALICE"), None));
        assert!(
            same.aliases.is_empty(),
            "a username equal to the name ignoring case is no alias: Stash refuses it"
        );
        assert_eq!(spec.urls, ["https://fansly.com/Alice_X"]);
        assert_eq!(spec.details.as_deref(), Some("hi there"));
        let plain = performer_spec(&account("bob", None, Some("  ")));
        assert_eq!((plain.name.as_str(), plain.details), ("bob", None));
    }

    #[test]
    fn mentions_become_performers_the_same_way() {
        let known = Mention {
            handle: "@carol".into(),
            account: Some(account("carol", Some("Carol C"), None)),
        };
        assert_eq!(
            mention_spec(&known),
            Some(performer_spec(&account("carol", Some("Carol C"), None)))
        );
        let unknown = Mention {
            handle: "@Dave".into(),
            account: None,
        };
        let spec = mention_spec(&unknown).unwrap();
        assert_eq!((spec.key.as_str(), spec.name.as_str()), ("dave", "Dave"));
        assert!(spec.aliases.is_empty(), "the handle is the name");
        assert_eq!(spec.urls, ["https://fansly.com/Dave"]);
    }

    #[test]
    fn creator_studio_hangs_under_the_network() {
        let net = network_studio_spec("My Net");
        assert_eq!((net.name.as_str(), net.parent_id.clone()), ("My Net", None));
        let s = creator_studio_spec(&account("alice", None, None), Some(StudioId::new("7")));
        assert_eq!(s.name, "alice (Fansly)");
        assert_eq!(s.parent_id, Some(StudioId::new("7")));
        assert_eq!(s.urls, ["https://fansly.com/alice"]);
    }

    fn placeholder(id: i64, display: Option<&str>) -> Account {
        Account {
            id: AccountId(id),
            ..account(&id.to_string(), display, None)
        }
    }

    #[test]
    fn a_mention_of_an_account_known_only_by_its_id_is_left_out_with_a_reason() {
        let id = 412_345_678_901_234_567;
        let mention = Mention {
            handle: "bestie".into(),
            account: Some(placeholder(id, None)),
        };
        assert_eq!(mention_spec(&mention), None);
        assert_eq!(unnamed_mention(&mention), Some(AccountId(id)));
        let reason = unnamed_mention_reason(AccountId(id));
        assert!(
            reason.contains("account 412345678901234567 is known only by its id")
                && reason.contains("import a response containing it, e.g. an account lookup"),
            "{reason}"
        );
        // A display name is a name: the performer is named by it.
        let named = Mention {
            handle: "bestie".into(),
            account: Some(placeholder(id, Some("Bestie"))),
        };
        assert_eq!(mention_spec(&named).unwrap().name, "Bestie");
        assert_eq!(unnamed_mention(&named), None);
        let creator = unnamed_creator_reason(&placeholder(id, None));
        assert!(
            creator.contains("known only by its id")
                && creator.contains("no name for its performer and studio")
                && creator.contains("then sync it again"),
            "{creator}"
        );
    }

    #[test]
    fn aliases_are_trimmed_distinct_and_never_the_name() {
        assert_eq!(
            performer_aliases("Alice", [" alice ", "Al", "AL", "", "  ", "Ally"]),
            ["Al", "Ally"]
        );
        // Compared as Go compares them, rune by rune (no final-sigma rule).
        assert_eq!(name_fold("AΣ"), "aσ", "Latin A, Greek sigma: no final ς");
        assert!(performer_aliases("aσ", ["AΣ"]).is_empty());
        assert_eq!(name_fold("İx"), "ix");
    }

    /// Stash's check (pkg/performer/validate.go): the name and each alias, lowercased, must
    /// all differ.
    fn stash_accepts(name: &str, aliases: &[String]) -> bool {
        let mut seen = vec![name_fold(name)];
        aliases.iter().all(|a| {
            let f = name_fold(a);
            let fresh = !seen.contains(&f);
            seen.push(f);
            fresh
        })
    }

    proptest! {
        /// No performer we ask Stash to create carries an alias it refuses: none equal to the
        /// name ignoring case, no two equal ignoring case, none blank, all trimmed.
        #[test]
        fn no_spec_carries_an_alias_stash_refuses(
            username in "[ \\t]{0,2}[a-zA-Z0-9_ΣσςİiIK]{1,10}[ \\t]{0,2}",
            display in proptest::option::of("[ \\t]{0,2}[a-zA-Z0-9_ ΣσςİiIK]{0,10}[ \\t]{0,2}"),
            handle in "@?[ ]{0,2}[a-zA-Z0-9_ΣσςİiIK]{1,10}[ ]{0,2}",
        ) {
            let specs = [
                performer_spec(&account(&username, display.as_deref(), None)),
                mention_spec(&Mention { handle, account: None }).unwrap(),
            ];
            for spec in specs {
                prop_assert!(stash_accepts(&spec.name, &spec.aliases), "{spec:?}");
                prop_assert_eq!(spec.name.trim(), spec.name.as_str());
                for a in &spec.aliases {
                    prop_assert!(!a.is_empty() && a.trim() == a, "{spec:?}");
                }
            }
        }

        /// Whatever an account is called, a mention of it either names a performer that is
        /// not its bare id, or is left out because the account is known only by its id.
        #[test]
        fn no_mention_makes_a_performer_named_by_its_id(
            id in any::<i64>(),
            username in prop_oneof![Just(None), "[a-z0-9_]{1,12}".prop_map(Some)],
            display in proptest::option::of("\\PC{0,8}"),
        ) {
            let username = username.unwrap_or_else(|| id.to_string());
            let a = Account { id: AccountId(id), ..account(&username, display.as_deref(), None) };
            let mention = Mention { handle: "h".into(), account: Some(a.clone()) };
            match mention_spec(&mention) {
                Some(spec) => {
                    prop_assert!(!a.is_unnamed());
                    // Named by its id only when that is what its display name says.
                    let shown = display.as_deref().map(str::trim).unwrap_or_default();
                    prop_assert!(spec.name != id.to_string() || shown == spec.name);
                    prop_assert_eq!(unnamed_mention(&mention), None);
                }
                None => {
                    prop_assert!(a.is_unnamed());
                    prop_assert_eq!(unnamed_mention(&mention), Some(AccountId(id)));
                }
            }
        }

        #[test]
        fn performer_name_is_display_name_or_username(user in "[a-zA-Z0-9_]{1,20}", display in proptest::option::of("\\PC{0,20}")) {
            let spec = performer_spec(&account(&user, display.as_deref(), None));
            let trimmed = display.as_deref().map(str::trim).filter(|d| !d.is_empty());
            prop_assert_eq!(spec.name.as_str(), trimmed.unwrap_or(&user));
            prop_assert_eq!(spec.key, user.to_lowercase());
            prop_assert_eq!(spec.urls, vec![format!("https://fansly.com/{user}")]);
        }
    }
}
