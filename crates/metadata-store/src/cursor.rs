//! The content cursor: which phase (posts, messages, unattached media) and the last id
//! delivered. Encoded as `v1:<phase>:<id>` inside [`ContentCursor`].

use domain::ports::{ContentCursor, RepositoryError};

/// The three phases of a creator's content, in delivery order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Phase {
    /// Posts authored by the creator, by id.
    Posts,
    /// Messages in the creator's conversations, by id.
    Messages,
    /// Downloaded media of the creator no attachment reaches, by media id.
    Unattached,
}

impl Phase {
    fn tag(self) -> &'static str {
        match self {
            Phase::Posts => "p",
            Phase::Messages => "m",
            Phase::Unattached => "u",
        }
    }

    /// The phase after this one.
    pub fn next(self) -> Option<Phase> {
        match self {
            Phase::Posts => Some(Phase::Messages),
            Phase::Messages => Some(Phase::Unattached),
            Phase::Unattached => None,
        }
    }
}

/// A decoded position: the phase and the last id delivered in it (exclusive lower bound).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    /// Current phase.
    pub phase: Phase,
    /// Items with an id greater than this come next.
    pub after: i64,
}

impl Position {
    /// The very beginning.
    pub const START: Position = Position {
        phase: Phase::Posts,
        after: i64::MIN,
    };

    /// Encodes the position.
    pub fn encode(self) -> ContentCursor {
        ContentCursor(format!("v1:{}:{}", self.phase.tag(), self.after))
    }

    /// Decodes a cursor made by [`Position::encode`].
    pub fn decode(cursor: &ContentCursor) -> Result<Position, RepositoryError> {
        let bad = || RepositoryError::BadCursor(cursor.0.clone());
        let mut parts = cursor.0.splitn(3, ':');
        if parts.next() != Some("v1") {
            return Err(bad());
        }
        let phase = match parts.next() {
            Some("p") => Phase::Posts,
            Some("m") => Phase::Messages,
            Some("u") => Phase::Unattached,
            _ => return Err(bad()),
        };
        let after = parts
            .next()
            .and_then(|s| s.parse::<i64>().ok())
            .ok_or_else(bad)?;
        Ok(Position { phase, after })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        for phase in [Phase::Posts, Phase::Messages, Phase::Unattached] {
            for after in [i64::MIN, -1, 0, 737_344_486_891_335_683] {
                let p = Position { phase, after };
                assert_eq!(Position::decode(&p.encode()).ok(), Some(p));
            }
        }
    }

    #[test]
    fn rejects_foreign_cursors() {
        for bad in ["", "v1", "v2:p:1", "v1:x:1", "v1:p:", "v1:p:abc", "p:1"] {
            let err = Position::decode(&ContentCursor(bad.into()));
            assert_eq!(err, Err(RepositoryError::BadCursor(bad.into())), "{bad}");
        }
    }
}
