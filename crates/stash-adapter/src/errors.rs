//! What Stash's error texts mean: the only place that reads them. A GraphQL answer with
//! errors becomes a typed [`MediaServerError`] variant, so callers (the adapter's own retry
//! and bisection, the sync engine) match variants, never message text.
//!
//! - [`MediaServerError::Busy`]: `database is locked` (SQLite's busy answer while another
//!   writer holds the database): worth retrying.
//! - [`MediaServerError::StaleReference`]: `FOREIGN KEY constraint failed` (an unknown
//!   `performer_ids`, `tag_ids`, `studio_id` or `parent_id` in a write) and
//!   `performer|studio|tag with id N not found`: a remembered id the user deleted.
//! - [`MediaServerError::GraphQl`]: every other refusal (duplicate names, a missing scene or
//!   gallery, values out of range, ...).

use domain::ports::{GraphQlError, MediaServerError};

/// The typed error for a GraphQL answer's `errors`.
pub(crate) fn from_graphql(errors: Vec<GraphQlError>) -> MediaServerError {
    if errors.iter().any(|e| is_busy(&e.message)) {
        MediaServerError::Busy { errors }
    } else if errors.iter().any(|e| is_stale_reference(&e.message)) {
        MediaServerError::StaleReference { errors }
    } else {
        MediaServerError::GraphQl { errors }
    }
}

fn is_busy(message: &str) -> bool {
    message.contains("database is locked")
}

fn is_stale_reference(message: &str) -> bool {
    if message.contains("FOREIGN KEY constraint failed") {
        return true;
    }
    let lower = message.to_ascii_lowercase();
    lower.contains("not found")
        && ["performer with id", "studio with id", "tag with id"]
            .iter()
            .any(|p| lower.contains(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classify(message: &str) -> MediaServerError {
        from_graphql(vec![GraphQlError {
            message: message.into(),
            path: vec!["op0".into()],
        }])
    }

    #[test]
    fn stash_answers_become_typed_errors() {
        assert!(matches!(
            classify("beginning transaction: database is locked"),
            MediaServerError::Busy { .. }
        ));
        for stale in [
            "FOREIGN KEY constraint failed",
            "studio with id 12 not found",
            "Tag with ID 3 not found",
            "performer with id 4 not found",
        ] {
            assert!(classify(stale).is_stale_reference(), "{stale}");
        }
        for refused in [
            "scene with id 12 not found",
            "gallery with id 4 not found",
            "tag with name 'x' already exists",
            "Image # must greater than zero",
        ] {
            assert!(
                matches!(classify(refused), MediaServerError::GraphQl { .. }),
                "{refused}"
            );
        }
        let e = classify("FOREIGN KEY constraint failed");
        assert_eq!(
            e.to_string(),
            "Stash reported: FOREIGN KEY constraint failed"
        );
    }
}
