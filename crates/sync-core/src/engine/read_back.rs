//! After a scan: confirm that Stash sees the files the metadata says were downloaded, instead
//! of sleeping blindly (Stash's index commits can trail the scan job's FINISHED).
//!
//! Only a bounded sample is asked for: the newest downloaded media the sync state has never
//! matched (the files this scan most likely added). So the read-back costs O(1) requests per
//! poll whatever the creator's size, and it stops at a deadline. Files still not visible are
//! reported once, with the reason, and counted as skipped where the items phase meets them.

use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

use domain::content::ContentItem;
use domain::fansly::MediaKind;
use domain::ids::MediaId;
use domain::ports::EntityKind;

use super::run::CreatorRun;
use crate::error::CreatorError;
use crate::state::{StateKey, SyncState};

/// How many file names one read-back asks for at most.
pub(crate) const READ_BACK_SAMPLE: usize = 200;
/// The longest read-back wait: a file that is not there by then (moved, deleted, outside the
/// creator's folder) costs at most this much per creator and run.
pub(crate) const READ_BACK_CAP: Duration = Duration::from_secs(5);

/// The newest downloaded media of a creator that the sync state has never matched to a scene
/// or an image, by media id (Fansly ids grow with time), at most `limit` of them.
#[derive(Debug)]
pub(crate) struct ReadBackSample {
    newest: BTreeMap<MediaId, String>,
    limit: usize,
}

impl ReadBackSample {
    pub(crate) fn new(limit: usize) -> Self {
        Self {
            newest: BTreeMap::new(),
            limit,
        }
    }

    /// Considers the media of one item.
    pub(crate) fn offer(&mut self, item: &ContentItem, state: &SyncState) {
        for m in &item.media {
            let media = &m.media;
            let kind = match media.kind() {
                MediaKind::Video => EntityKind::Scene,
                MediaKind::Image => EntityKind::Image,
                _ => continue,
            };
            let Some(name) = media.local_filename.as_deref().filter(|n| !n.is_empty()) else {
                continue;
            };
            if state.stash_id(kind, &StateKey::Media(media.id)).is_some() {
                continue;
            }
            if self.newest.len() == self.limit
                && self
                    .newest
                    .first_key_value()
                    .is_none_or(|(oldest, _)| *oldest >= media.id)
            {
                continue;
            }
            self.newest.insert(media.id, name.to_owned());
            if self.newest.len() > self.limit {
                self.newest.pop_first();
            }
        }
    }

    /// The file names to confirm, distinct.
    pub(crate) fn names(&self) -> Vec<String> {
        let mut seen = HashSet::new();
        self.newest
            .values()
            .filter(|n| seen.insert(n.as_str()))
            .cloned()
            .collect()
    }
}

impl CreatorRun<'_> {
    /// Waits (at most `deadline`) until Stash shows the sample's files under the creator's
    /// folder; returns the names it still does not show, each noted with the reason. A failing
    /// read-back is noted and the sync goes on with what Stash lists; only a fatal error stops.
    pub(crate) async fn read_back(
        &mut self,
        sample: &ReadBackSample,
        deadline: Duration,
    ) -> Result<HashSet<String>, CreatorError> {
        let names = sample.names();
        if names.is_empty() {
            return Ok(HashSet::new());
        }
        let root = self.root.clone();
        let mut step = self.outcome.fresh();
        let unseen = match self
            .engine
            .stash
            .wait_for_files(&root, &names, deadline)
            .await
        {
            Ok(missing) => {
                tracing::info!(
                    asked = names.len(),
                    missing = missing.len(),
                    "scanned files read back"
                );
                for name in &missing {
                    step.note(
                        name,
                        &format!(
                            "not visible in Stash {deadline:?} after the scan finished: the file \
                             is not under {root} on the Stash side (moved, deleted, or a wrong \
                             path mapping) or Stash is still indexing it; it is looked for again \
                             next run"
                        ),
                    );
                }
                missing.into_iter().collect()
            }
            Err(e) if e.is_fatal() => return Err(e.into()),
            Err(e) => {
                step.note(
                    &root,
                    &format!(
                        "could not confirm that the scanned files are visible ({e}); syncing \
                         what Stash lists now"
                    ),
                );
                HashSet::new()
            }
        };
        self.absorb(step);
        Ok(unseen)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use domain::content::{ItemMedia, ItemSource, MediaRole};
    use domain::fansly::{Account, Media};
    use domain::ids::AccountId;

    fn item(ids: &[(i64, &str, Option<&str>)]) -> ContentItem {
        ContentItem {
            source: ItemSource::Unattached(MediaId(ids[0].0)),
            owner: Account {
                id: AccountId(1),
                username: "alice".into(),
                display_name: None,
                about: None,
                created_at: None,
                stash_id: None,
            },
            content: String::new(),
            created_at: None,
            media: ids
                .iter()
                .map(|(id, mime, name)| ItemMedia {
                    media: Media {
                        id: MediaId(*id),
                        account_id: AccountId(1),
                        mimetype: Some((*mime).to_owned()),
                        local_filename: name.map(str::to_owned),
                        width: None,
                        height: None,
                        duration: None,
                        created_at: None,
                        is_downloaded: name.is_some(),
                        variants: Vec::new(),
                        stash_id: None,
                    },
                    role: MediaRole::Main,
                    account_media_id: None,
                    via_aggregated: None,
                })
                .collect(),
            aggregated: Vec::new(),
            hashtags: Vec::new(),
            mentions: Vec::new(),
            stash_id: None,
        }
    }

    #[test]
    fn the_sample_keeps_the_newest_unmatched_downloaded_media() {
        let record = domain::ports::SyncRecord {
            creator: AccountId(1),
            kind: EntityKind::Image,
            key: "media:5".into(),
            stash_id: Some("77".into()),
            fingerprint: Some(1),
            written_at: Some(Utc::now()),
            last_error: None,
            field_hashes: None,
        };
        let state = SyncState::new(AccountId(1), vec![record]);
        let mut sample = ReadBackSample::new(2);
        sample.offer(
            &item(&[
                (1, "image/jpeg", Some("1.jpg")),
                (5, "image/jpeg", Some("5.jpg")), // matched before
                (6, "video/mp4", None),           // not downloaded
                (7, "audio/mp3", Some("7.mp3")),  // neither scene nor image
            ]),
            &state,
        );
        sample.offer(
            &item(&[
                (3, "video/mp4", Some("3.mp4")),
                (2, "image/jpeg", Some("2.jpg")),
            ]),
            &state,
        );
        assert_eq!(sample.names(), ["2.jpg", "3.mp4"]);
        sample.offer(&item(&[(9, "image/jpeg", Some("3.mp4"))]), &state);
        assert_eq!(
            sample.names(),
            ["3.mp4"],
            "a shared file name is asked once"
        );
    }
}
