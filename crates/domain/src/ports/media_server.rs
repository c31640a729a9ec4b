//! The media-server port: where labelled metadata leaves the system, into Stash.

use std::collections::HashMap;
use std::time::Duration;

use async_trait::async_trait;

use crate::ids::{GalleryId, ImageId, JobId, SceneId};
use crate::stash::{
    BatchOutcome, Chapter, EntityLookup, FileCursor, FilePage, FoundEntities, Gallery,
    GalleryImages, GalleryPatch, Image, ImagePatch, JobOutcome, LibraryPath, NewChapter,
    NewGallery, Performer, PerformerSpec, RequestStats, Resolved, ScanRequest, Scene, ScenePatch,
    ServerInfo, Studio, StudioSpec, Tag, TagSpec,
};

/// One GraphQL error as the server reported it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphQlError {
    /// The server's message, verbatim.
    pub message: String,
    /// The response path (`["performerCreate"]`, `["op3", "id"]`, ...).
    pub path: Vec<String>,
}

/// Why a media-server call failed. A failure is never reported as "not found" or "empty".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MediaServerError {
    /// The server could not be reached (refused, reset, DNS, TLS).
    #[error("cannot reach Stash at {url}: {message}")]
    Connection {
        /// The endpoint (never with credentials).
        url: String,
        /// What went wrong.
        message: String,
    },
    /// No answer in time.
    #[error("Stash did not answer within {after:?} ({operation})")]
    Timeout {
        /// The operation that timed out.
        operation: String,
        /// The limit that was hit.
        after: Duration,
    },
    /// HTTP 401: the API key is wrong, missing, or sent to a server that has none.
    #[error(
        "Stash refused the API key (HTTP 401): check the key in Stash under Settings > Security, or remove it if Stash has no credentials configured"
    )]
    Unauthorized,
    /// HTTP 403: Stash's security tripwire (no credentials configured, request from a public address).
    #[error(
        "Stash refused the request (HTTP 403): set up credentials in Stash or connect from a private address"
    )]
    Forbidden,
    /// HTTP 422/400: the request did not validate against the server's schema.
    #[error("Stash rejected the request as invalid (HTTP {status}): {}", messages.join("; "))]
    Validation {
        /// 422, or 400 on newer servers with a permissive `Accept`.
        status: u16,
        /// The server's messages.
        messages: Vec<String>,
    },
    /// HTTP 429 or 5xx.
    #[error("Stash answered HTTP {status}: {body}")]
    Server {
        /// The status code.
        status: u16,
        /// The start of the body.
        body: String,
    },
    /// The request ran but Stash refused it (a resolver failed) for a reason not told apart
    /// below: the input is at fault (a duplicate name, an object that does not exist, a value
    /// out of range, ...). Trying the same input again fails the same way.
    #[error("Stash reported: {}", messages(errors))]
    GraphQl {
        /// The errors, with their paths.
        errors: Vec<GraphQlError>,
    },
    /// The request referred to a performer, studio or tag Stash no longer has (the user
    /// deleted it): a remembered id is stale. Finding the object again by its natural key
    /// heals it.
    #[error("Stash reported: {}", messages(errors))]
    StaleReference {
        /// The errors, with their paths.
        errors: Vec<GraphQlError>,
    },
    /// Stash could not run the request now (its database was locked by another writer):
    /// trying again may succeed.
    #[error("Stash reported: {}", messages(errors))]
    Busy {
        /// The errors, with their paths.
        errors: Vec<GraphQlError>,
    },
    /// The answer could not be decoded.
    #[error("cannot decode Stash's answer to {operation}: {message}")]
    Decode {
        /// The operation.
        operation: String,
        /// What went wrong.
        message: String,
    },
    /// The server cannot be used as it is (setup not done, migration needed, too old).
    #[error("{0}")]
    Unsupported(String),
    /// Waiting for a job passed its deadline.
    #[error("job {job} did not finish within {after:?}")]
    JobDeadline {
        /// The job.
        job: JobId,
        /// The deadline.
        after: Duration,
    },
}

fn messages(errors: &[GraphQlError]) -> String {
    errors
        .iter()
        .map(|e| e.message.as_str())
        .collect::<Vec<_>>()
        .join("; ")
}

impl MediaServerError {
    /// Whether trying the same request again may succeed: connection errors, timeouts, 429,
    /// 5xx and [`MediaServerError::Busy`]. (Whether it is *safe* to retry is the caller's
    /// call: a create is never retried blindly.)
    pub fn is_transient(&self) -> bool {
        match self {
            MediaServerError::Connection { .. }
            | MediaServerError::Timeout { .. }
            | MediaServerError::Busy { .. } => true,
            MediaServerError::Server { status, .. } => *status == 429 || *status >= 500,
            _ => false,
        }
    }

    /// Whether the request referred to a performer, studio or tag Stash no longer has.
    pub fn is_stale_reference(&self) -> bool {
        matches!(self, MediaServerError::StaleReference { .. })
    }

    /// Whether the failure means the server as a whole is unusable (stop the run rather than
    /// fail item by item).
    pub fn is_fatal(&self) -> bool {
        matches!(
            self,
            MediaServerError::Connection { .. }
                | MediaServerError::Unauthorized
                | MediaServerError::Forbidden
                | MediaServerError::Unsupported(_)
        )
    }
}

/// The Stash operations sync needs, batched.
///
/// # Example
///
/// ```
/// use domain::ports::{MediaServer, MediaServerError};
/// use domain::stash::ScenePatch;
/// use domain::Patch;
///
/// /// Sets the code of many scenes in as few requests as the adapter can manage.
/// async fn set_codes(
///     stash: &dyn MediaServer,
///     codes: &[(domain::ids::SceneId, String)],
/// ) -> Result<usize, MediaServerError> {
///     let patches: Vec<ScenePatch> = codes
///         .iter()
///         .map(|(id, code)| ScenePatch { code: Patch::Set(code.clone()), ..ScenePatch::new(id.clone()) })
///         .collect();
///     let outcome = stash.update_scenes(&patches).await?;
///     for (id, err) in &outcome.failed {
///         eprintln!("scene {id}: {err}");
///     }
///     Ok(outcome.applied.len())
/// }
/// ```
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait MediaServer: Send + Sync {
    /// Version and status, asked once at connect (the adapter caches it).
    async fn server_info(&self) -> Result<ServerInfo, MediaServerError>;

    /// Finds or creates performers; the map is keyed by [`PerformerSpec::key`].
    async fn find_or_create_performers(
        &self,
        specs: &[PerformerSpec],
    ) -> Result<HashMap<String, Resolved<Performer>>, MediaServerError>;

    /// Finds or creates studios; the map is keyed by [`StudioSpec::name`].
    async fn find_or_create_studios(
        &self,
        specs: &[StudioSpec],
    ) -> Result<HashMap<String, Resolved<Studio>>, MediaServerError>;

    /// Finds or creates tags; the map is keyed by [`TagSpec::name`]. A tag not found and not to
    /// be created is absent.
    async fn find_or_create_tags(
        &self,
        specs: &[TagSpec],
    ) -> Result<HashMap<String, Resolved<Tag>>, MediaServerError>;

    /// Looks performers, studios and tags up exactly as the find-or-create methods do (the
    /// same batched lookups, the same matching), but creates nothing: what a dry run asks so
    /// its plan can say "adopt" or "create". At most one request per kind (per chunk of names).
    async fn find_entities(&self, lookup: &EntityLookup)
    -> Result<FoundEntities, MediaServerError>;

    /// One page of the video and image files under a Stash-side path prefix (a folder; matched
    /// as `prefix/`), with their owning scenes and images, in a stable order.
    async fn list_files(
        &self,
        prefix: &str,
        cursor: Option<FileCursor>,
    ) -> Result<FilePage, MediaServerError>;

    /// Scenes by id; ids that do not exist are absent from the map.
    async fn scenes_by_ids(
        &self,
        ids: &[SceneId],
    ) -> Result<HashMap<SceneId, Scene>, MediaServerError>;

    /// Images by id; ids that do not exist are absent from the map.
    async fn images_by_ids(
        &self,
        ids: &[ImageId],
    ) -> Result<HashMap<ImageId, Image>, MediaServerError>;

    /// Galleries by id; ids that do not exist are absent from the map.
    async fn galleries_by_ids(
        &self,
        ids: &[GalleryId],
    ) -> Result<HashMap<GalleryId, Gallery>, MediaServerError>;

    /// Galleries whose `code` is exactly one of `codes` (verified client-side), by code.
    async fn galleries_by_codes(
        &self,
        codes: &[String],
    ) -> Result<HashMap<String, Vec<Gallery>>, MediaServerError>;

    /// Applies scene patches in chunks; a failing item is isolated and reported, the rest
    /// applied. A chunk refused over a stale reference is reported whole (each of its items
    /// with [`MediaServerError::StaleReference`]): heal the reference, then send them again.
    async fn update_scenes(
        &self,
        patches: &[ScenePatch],
    ) -> Result<BatchOutcome<SceneId>, MediaServerError>;

    /// Applies image patches in chunks, like [`MediaServer::update_scenes`].
    async fn update_images(
        &self,
        patches: &[ImagePatch],
    ) -> Result<BatchOutcome<ImageId>, MediaServerError>;

    /// Applies gallery patches in chunks, like [`MediaServer::update_scenes`].
    async fn update_galleries(
        &self,
        patches: &[GalleryPatch],
    ) -> Result<BatchOutcome<GalleryId>, MediaServerError>;

    /// Creates galleries; the map is keyed by [`NewGallery::key`], each entry its own result.
    /// Never retried blindly: on an unclear failure the adapter looks the code up first.
    async fn create_galleries(
        &self,
        galleries: &[NewGallery],
    ) -> Result<HashMap<String, Result<Gallery, MediaServerError>>, MediaServerError>;

    /// Adds images to user-created galleries (idempotent).
    async fn add_gallery_images(
        &self,
        links: &[GalleryImages],
    ) -> Result<BatchOutcome<GalleryId>, MediaServerError>;

    /// The chapters of galleries, by gallery.
    async fn gallery_chapters(
        &self,
        galleries: &[GalleryId],
    ) -> Result<HashMap<GalleryId, Vec<Chapter>>, MediaServerError>;

    /// The images of each gallery, in the order Stash shows a gallery's images (its gallery
    /// viewer, whose positions a chapter's `image_index` counts: by file path, naturally and
    /// ignoring case, then by title). A gallery without images, or that does not exist, is
    /// absent.
    async fn gallery_images(
        &self,
        galleries: &[GalleryId],
    ) -> Result<HashMap<GalleryId, Vec<ImageId>>, MediaServerError>;

    /// Creates gallery chapters (after the images are linked: the index must exist).
    async fn create_gallery_chapters(
        &self,
        chapters: &[NewChapter],
    ) -> Result<Vec<Result<Chapter, MediaServerError>>, MediaServerError>;

    /// Stash's library paths (Settings > Library), in Stash's order: one read. A scan path
    /// outside all of them is silently skipped by Stash (see [`crate::library`]).
    async fn library_paths(&self) -> Result<Vec<LibraryPath>, MediaServerError>;

    /// Starts a scan and returns its job.
    async fn start_scan(&self, request: &ScanRequest) -> Result<JobId, MediaServerError>;

    /// Waits until the job ends or `deadline` passes.
    async fn wait_for_job(
        &self,
        job: &JobId,
        deadline: Duration,
    ) -> Result<JobOutcome, MediaServerError>;

    /// Waits until each of `names` is the file name of a scene's or an image's file somewhere
    /// under the folder `prefix` (matched as `prefix/`, at any depth), or `deadline` passes;
    /// returns the names still not visible, in the order given (empty = all there).
    ///
    /// Use it after a scan instead of a blind sleep: Stash's index commits can trail the job's
    /// FINISHED. Names are compared exactly (Stash keeps file names as they are on disk).
    ///
    /// The default looks once, without waiting (the domain has no timer), by paging through
    /// [`MediaServer::list_files`]: it costs O(files under `prefix`) requests. Adapters
    /// override it with a lookup by name that polls until the deadline.
    async fn wait_for_files(
        &self,
        prefix: &str,
        names: &[String],
        deadline: Duration,
    ) -> Result<Vec<String>, MediaServerError> {
        let _ = deadline;
        let mut seen = std::collections::HashSet::new();
        let mut missing: Vec<String> = names
            .iter()
            .filter(|n| seen.insert(n.as_str()))
            .cloned()
            .collect();
        let mut cursor = None;
        while !missing.is_empty() {
            let page = self.list_files(prefix, cursor.take()).await?;
            let visible: std::collections::HashSet<&str> = page
                .files
                .iter()
                .filter(|f| !f.owners.is_empty())
                .map(|f| f.basename.as_str())
                .collect();
            missing.retain(|n| !visible.contains(n.as_str()));
            match page.next {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        Ok(missing)
    }

    /// HTTP requests made so far, per operation.
    fn request_stats(&self) -> RequestStats;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transient_errors_are_the_retryable_ones() {
        let locked = MediaServerError::Busy {
            errors: vec![GraphQlError {
                message: "beginning transaction: database is locked".into(),
                path: vec!["scenesUpdate".into()],
            }],
        };
        assert!(locked.is_transient());
        assert_eq!(
            locked.to_string(),
            "Stash reported: beginning transaction: database is locked"
        );
        assert!(
            MediaServerError::Server {
                status: 503,
                body: String::new()
            }
            .is_transient()
        );
        assert!(
            MediaServerError::Server {
                status: 429,
                body: String::new()
            }
            .is_transient()
        );
        assert!(!MediaServerError::Unauthorized.is_transient());
        let dup = MediaServerError::GraphQl {
            errors: vec![GraphQlError {
                message: "tag with name 'x' already exists".into(),
                path: vec![],
            }],
        };
        assert!(!dup.is_transient() && !dup.is_stale_reference());
        let stale = MediaServerError::StaleReference {
            errors: vec![GraphQlError {
                message: "FOREIGN KEY constraint failed".into(),
                path: vec![],
            }],
        };
        assert!(stale.is_stale_reference() && !stale.is_transient() && !stale.is_fatal());
        assert!(MediaServerError::Unauthorized.is_fatal());
    }

    #[test]
    fn messages_say_what_to_do() {
        let msg = MediaServerError::Unauthorized.to_string();
        assert!(msg.contains("401") && msg.contains("Settings"), "{msg}");
        let v = MediaServerError::Validation {
            status: 422,
            messages: vec!["a".into(), "b".into()],
        };
        assert_eq!(
            v.to_string(),
            "Stash rejected the request as invalid (HTTP 422): a; b"
        );
    }
}
