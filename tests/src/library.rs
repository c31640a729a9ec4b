//! The synthetic library: a fansly-scraper download as the tool finds it on a user's disk.
//!
//! [`Library::generate`] writes (a) a metadata database (SQLite file, or any URL the metadata
//! store opens) through [`FixtureBuilder::generate_creator`], and (b) one small file per
//! downloaded media under `<root>/<username>_fansly/{Timeline,Messages}/{Pictures,Videos}/`,
//! named exactly as `media.local_filename` says (fansly-scraper's
//! `<YYYY-MM-DD_at_HH-MM_UTC>_id_<mediaId>.<ext>`, `_preview_id_` for previews). Every file has
//! unique bytes (a tiny format header, the media id and the seed), so Stash's scan never merges
//! two of them. [`Library::add_posts`] appends new posts with new media for incremental runs.
//!
//! Everything is deterministic for a given [`LibraryShape`] (ids, names, bytes); files are
//! written by a few threads so 30 creators x 3,800 files take seconds.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{Duration, TimeZone, Utc};
use domain::content::{ContentItem, ItemSource};
use domain::fansly::{ContentKind, MediaKind};
use domain::ids::AccountId;
use domain::ports::MetadataRepository;
use metadata_store::testing::{CreatorShape, FixtureBuilder, GeneratedCreator};
use metadata_store::{MetadataStore, StoreOptions};
use sea_orm::sea_query::{Alias, Query};
use sea_orm::{ConnectionTrait, Statement, Value};

/// Distance between two generated creators' account ids (every derived id stays below it).
pub const CREATOR_ID_STRIDE: i64 = 10_000_000;

/// Where new posts of [`Library::add_posts`] start, relative to the creator's account id (the
/// generator's own ids use offsets below 10,000,000 and counts below 1,000,000 per kind).
const NEW_POST_OFFSET: i64 = 1_500_000;
/// Where new media of [`Library::add_posts`] start, relative to the creator's account id.
const NEW_MEDIA_OFFSET: i64 = 3_500_000;
/// Where new account media of [`Library::add_posts`] start, relative to the account id.
const NEW_ACCOUNT_MEDIA_OFFSET: i64 = 5_500_000;

/// Why a library could not be generated or changed.
#[derive(Debug, thiserror::Error)]
pub enum LibraryError {
    /// Writing a file or folder failed.
    #[error("cannot write {path}: {source}; check free space and permissions of the temp dir")]
    Io {
        /// What was being written.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The metadata database refused something.
    #[error("metadata database: {0}")]
    Database(String),
    /// The shape asks for something the generator cannot make.
    #[error("bad library shape: {0}")]
    Shape(String),
}

fn db_err(what: &str) -> impl Fn(sea_orm::DbErr) -> LibraryError + '_ {
    move |e| LibraryError::Database(format!("{what}: {e}"))
}

/// How big a library is: how many creators, and what each one has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LibraryShape {
    /// Number of creators (`creator00`, `creator01`, ...).
    pub creators: usize,
    /// Posts per creator.
    pub posts: usize,
    /// Messages per creator (one conversation with a fan).
    pub messages: usize,
    /// Bundles per creator (each attached to one of the first posts).
    pub bundles: usize,
    /// Account media per bundle.
    pub bundle_size: usize,
    /// Images per creator.
    pub images: usize,
    /// Videos per creator (each with a preview image).
    pub videos: usize,
    /// Downloaded media no attachment reaches, per creator.
    pub unattached: usize,
    /// Mixed into every file's bytes (two seeds never share a file hash).
    pub seed: u64,
}

impl LibraryShape {
    /// One creator with the given counts, no bundles, no unattached media, seed 1.
    pub fn one_creator(posts: usize, messages: usize, images: usize, videos: usize) -> Self {
        Self {
            creators: 1,
            posts,
            messages,
            bundles: 0,
            bundle_size: 5,
            images,
            videos,
            unattached: 0,
            seed: 1,
        }
    }

    /// Media files one creator has on disk (images, videos, their previews, unattached).
    pub fn files_per_creator(&self) -> usize {
        self.images + 2 * self.videos + self.unattached
    }

    fn check(&self) -> Result<(), LibraryError> {
        let limit = 500_000;
        for (name, n) in [
            ("posts", self.posts),
            ("messages", self.messages),
            ("images + videos", self.images + self.videos),
            ("bundles", self.bundles),
            ("unattached", self.unattached),
        ] {
            if n >= limit {
                return Err(LibraryError::Shape(format!(
                    "{n} {name} per creator; the id scheme allows fewer than {limit}"
                )));
            }
        }
        if self.creators >= 900 {
            return Err(LibraryError::Shape(format!(
                "{} creators; at most 899 fit the id scheme",
                self.creators
            )));
        }
        Ok(())
    }
}

/// One downloaded media file of the library.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaFile {
    /// `media.id`.
    pub media_id: i64,
    /// The absolute path on disk.
    pub path: PathBuf,
    /// Image or video.
    pub kind: MediaKind,
}

/// One generated creator.
#[derive(Debug, Clone)]
pub struct LibraryCreator {
    /// `accounts.id`.
    pub account_id: i64,
    /// `accounts.username`.
    pub username: String,
    /// `<root>/<username>_fansly`.
    pub folder: PathBuf,
    /// The ids the fixture generator made.
    pub generated: GeneratedCreator,
    /// Every file written, by media id.
    pub files: BTreeMap<i64, MediaFile>,
    /// Posts added later by [`Library::add_posts`], in order.
    pub added_posts: Vec<i64>,
}

impl LibraryCreator {
    /// The creator's account id as the domain type.
    pub fn id(&self) -> AccountId {
        AccountId(self.account_id)
    }
}

/// What [`Library::add_posts`] added.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AddedPosts {
    /// New post ids.
    pub posts: Vec<i64>,
    /// New media ids (all images).
    pub media: Vec<i64>,
    /// The new files.
    pub files: Vec<PathBuf>,
}

/// A generated library: download root, metadata database and what is in them.
#[derive(Debug)]
pub struct Library {
    /// The download root (`library_roots` of the double; both sides of the path mapping).
    pub root: PathBuf,
    /// The metadata database URL.
    pub db_url: String,
    /// The creators, in id order.
    pub creators: Vec<LibraryCreator>,
    /// The shape it was generated from.
    pub shape: LibraryShape,
}

/// The usernames of generated creators.
pub fn creator_username(index: usize) -> String {
    format!("creator{index:02}")
}

/// A SQLite URL for a database file in `dir`, created on first open.
pub fn sqlite_url(dir: &Path) -> String {
    format!(
        "sqlite://{}?mode=rwc",
        dir.join("metadata.sqlite3").display()
    )
}

impl Library {
    /// Generates a library under `dir` (`dir/downloads` is the root) with a SQLite database in
    /// `dir`, or in the database at `db_url` (which must be empty).
    pub async fn generate(
        shape: &LibraryShape,
        dir: &Path,
        db_url: Option<&str>,
    ) -> Result<Library, LibraryError> {
        shape.check()?;
        let root = dir.join("downloads");
        mkdir(&root)?;
        let db_url = db_url.map_or_else(|| sqlite_url(dir), str::to_owned);
        let store = open_store(&db_url).await?;
        let mut builder = FixtureBuilder::new();
        let mut creators = Vec::with_capacity(shape.creators);
        for i in 0..shape.creators {
            let account_id = CREATOR_ID_STRIDE * i64::try_from(i + 1).unwrap_or(1);
            let username = creator_username(i);
            let generated = builder.generate_creator(&CreatorShape {
                account_id,
                username: username.clone(),
                posts: shape.posts,
                messages: shape.messages,
                images: shape.images,
                videos: shape.videos,
                bundles: shape.bundles,
                bundle_size: shape.bundle_size,
                unattached: shape.unattached,
            });
            creators.push(LibraryCreator {
                account_id,
                folder: root.join(format!("{username}_fansly")),
                username,
                generated,
                files: BTreeMap::new(),
                added_posts: Vec::new(),
            });
        }
        builder
            .insert(&store)
            .await
            .map_err(db_err("inserting the generated creators"))?;
        let mut jobs = Vec::new();
        for c in &mut creators {
            let placed = place_files(&store, c.id(), &c.folder).await?;
            for f in &placed {
                c.files.insert(
                    f.media_id,
                    MediaFile {
                        media_id: f.media_id,
                        path: f.path.clone(),
                        kind: f.kind,
                    },
                );
            }
            jobs.extend(placed);
        }
        write_files(&jobs, shape.seed)?;
        Ok(Library {
            root,
            db_url,
            creators: creators.into_iter().collect(),
            shape: shape.clone(),
        })
    }

    /// Opens the metadata store (read-only options).
    pub async fn store(&self) -> Result<MetadataStore, LibraryError> {
        open_store(&self.db_url).await
    }

    /// The root as a string (for path mappings and the double's configuration).
    pub fn root_str(&self) -> String {
        self.root.display().to_string()
    }

    /// Every file of every creator.
    pub fn all_files(&self) -> impl Iterator<Item = &MediaFile> {
        self.creators.iter().flat_map(|c| c.files.values())
    }

    /// Adds `count` posts to creator `creator` (an index into [`Library::creators`]), each with
    /// `images_per_post` new images (files written under `Timeline/Pictures`), a caption and a
    /// hashtag. Returns what was added; the double must scan again to see the files.
    pub async fn add_posts(
        &mut self,
        creator: usize,
        count: usize,
        images_per_post: usize,
    ) -> Result<AddedPosts, LibraryError> {
        let seed = self.shape.seed;
        let store = self.store().await?;
        let c = self
            .creators
            .get_mut(creator)
            .ok_or_else(|| LibraryError::Shape(format!("no creator #{creator}")))?;
        let a = c.account_id;
        let db = store.connection();
        let next_attachment = scalar(db, "SELECT COALESCE(MAX(id), 0) + 1 AS n FROM attachments")
            .await?
            .unwrap_or(1);
        let tag_id = scalar(
            db,
            "SELECT CAST(MIN(id) AS BIGINT) AS n FROM hashtags WHERE value = 'tag0'",
        )
        .await?;
        let mut builder = FixtureBuilder::new();
        let mut added = AddedPosts::default();
        let first = c.added_posts.len();
        let mut attachments = Vec::new();
        let mut jobs = Vec::new();
        for k in 0..count {
            let n = i64::try_from(first + k).unwrap_or(0);
            let pid = a + NEW_POST_OFFSET + n;
            let created = Utc
                .with_ymd_and_hms(2024, 6, 1, 0, 0, 0)
                .single()
                .unwrap_or_default()
                + Duration::hours(n);
            builder.post_full(
                pid,
                a,
                Some(&format!("A brand new post {n} #tag0")),
                Some(created),
            );
            for j in 0..images_per_post {
                let j64 = i64::try_from(j).unwrap_or(0);
                let mid = a + NEW_MEDIA_OFFSET + n * 100 + j64;
                let amid = a + NEW_ACCOUNT_MEDIA_OFFSET + n * 100 + j64;
                let name = format!("{}_id_{mid}.jpg", created.format("%Y-%m-%d_at_%H-%M_UTC"));
                builder.media_full(mid, a, Some("image/jpeg"), Some(&name), Some(created), None);
                builder.account_media(amid, a, mid, None);
                attachments.push((pid, i32::try_from(j).unwrap_or(0), amid));
                let path = c.folder.join("Timeline").join("Pictures").join(&name);
                added.media.push(mid);
                added.files.push(path.clone());
                c.files.insert(
                    mid,
                    MediaFile {
                        media_id: mid,
                        path: path.clone(),
                        kind: MediaKind::Image,
                    },
                );
                jobs.push(Placed {
                    media_id: mid,
                    path,
                    kind: MediaKind::Image,
                });
            }
            added.posts.push(pid);
            c.added_posts.push(pid);
        }
        builder
            .insert(&store)
            .await
            .map_err(db_err("inserting the new posts"))?;
        insert_links(db, next_attachment, &attachments, &added.posts, tag_id).await?;
        write_files(&jobs, seed)?;
        Ok(added)
    }

    /// Sets a post's text in the metadata database, as fansly-scraper does when it downloads
    /// an edited post again.
    pub async fn set_post_content(&self, post: i64, content: &str) -> Result<(), LibraryError> {
        let store = self.store().await?;
        let db = store.connection();
        let mut update = Query::update();
        update
            .table(Alias::new("posts"))
            .value(Alias::new("content"), content)
            .and_where(sea_orm::sea_query::Expr::col(Alias::new("id")).eq(post));
        let done = db
            .execute(db.get_database_backend().build(&update))
            .await
            .map_err(db_err("updating a post's content"))?;
        if done.rows_affected() == 1 {
            Ok(())
        } else {
            Err(LibraryError::Shape(format!("no post {post}")))
        }
    }
}

async fn open_store(url: &str) -> Result<MetadataStore, LibraryError> {
    MetadataStore::open(url, StoreOptions::default())
        .await
        .map_err(|e| LibraryError::Database(e.to_string()))
}

async fn scalar<C: ConnectionTrait>(db: &C, sql: &str) -> Result<Option<i64>, LibraryError> {
    let row = db
        .query_one(Statement::from_string(db.get_database_backend(), sql))
        .await
        .map_err(db_err(sql))?;
    match row {
        Some(r) => r.try_get::<Option<i64>>("", "n").map_err(db_err(sql)),
        None => Ok(None),
    }
}

/// Attachments (ids from `first_id`) and hashtag links of added posts: written here because
/// the fixture builder numbers attachments and hashtags from 1.
async fn insert_links<C: ConnectionTrait>(
    db: &C,
    first_id: i64,
    attachments: &[(i64, i32, i64)],
    posts: &[i64],
    tag_id: Option<i64>,
) -> Result<(), LibraryError> {
    let backend = db.get_database_backend();
    if !attachments.is_empty() {
        let mut insert = Query::insert();
        insert.into_table(Alias::new("attachments")).columns(
            [
                "id",
                "postId",
                "messageId",
                "contentId",
                "pos",
                "contentType",
            ]
            .map(Alias::new),
        );
        for (i, (post, pos, content)) in attachments.iter().enumerate() {
            let kind: sea_orm::sea_query::SimpleExpr = match backend {
                sea_orm::DbBackend::Postgres => sea_orm::sea_query::SimpleExpr::Value(
                    ContentKind::AccountMedia.db_name().into(),
                )
                .cast_as(Alias::new("contenttype")),
                _ => ContentKind::AccountMedia.db_name().into(),
            };
            insert
                .values([
                    (first_id + i64::try_from(i).unwrap_or(0)).into(),
                    (*post).into(),
                    Value::BigInt(None).into(),
                    (*content).into(),
                    (*pos).into(),
                    kind,
                ])
                .map_err(|e| LibraryError::Database(format!("attachment row: {e}")))?;
        }
        db.execute(backend.build(&insert))
            .await
            .map_err(db_err("inserting attachments of the new posts"))?;
    }
    if let (Some(tag), false) = (tag_id, posts.is_empty()) {
        let mut insert = Query::insert();
        insert
            .into_table(Alias::new("post_hashtags"))
            .columns(["postId", "hashtagId"].map(Alias::new));
        for p in posts {
            insert
                .values([(*p).into(), i32::try_from(tag).unwrap_or(i32::MAX).into()])
                .map_err(|e| LibraryError::Database(format!("hashtag row: {e}")))?;
        }
        db.execute(backend.build(&insert))
            .await
            .map_err(db_err("linking hashtags of the new posts"))?;
    }
    Ok(())
}

/// A file to write.
#[derive(Debug, Clone)]
struct Placed {
    media_id: i64,
    path: PathBuf,
    kind: MediaKind,
}

/// Decides where each downloaded media of a creator goes: media reached first through a
/// message lives under `Messages/`, everything else under `Timeline/`; images in `Pictures/`,
/// videos in `Videos/`. Reads the creator's content through the store, as sync will.
async fn place_files(
    store: &MetadataStore,
    creator: AccountId,
    folder: &Path,
) -> Result<Vec<Placed>, LibraryError> {
    let mut placed: BTreeMap<i64, Placed> = BTreeMap::new();
    let mut cursor = None;
    loop {
        let page = store
            .content_page(creator, cursor.take(), 2_000)
            .await
            .map_err(|e| LibraryError::Database(e.to_string()))?;
        for item in &page.items {
            place_item(item, folder, &mut placed);
        }
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    Ok(placed.into_values().collect())
}

fn place_item(item: &ContentItem, folder: &Path, placed: &mut BTreeMap<i64, Placed>) {
    let area = match item.source {
        ItemSource::Message { .. } => "Messages",
        _ => "Timeline",
    };
    for m in &item.media {
        let Some(name) = m.media.local_filename.as_deref() else {
            continue;
        };
        let kind = m.media.kind();
        let sub = match kind {
            MediaKind::Video => "Videos",
            _ => "Pictures",
        };
        placed.entry(m.media.id.0).or_insert_with(|| Placed {
            media_id: m.media.id.0,
            path: folder.join(area).join(sub).join(name),
            kind,
        });
    }
}

/// The bytes of a synthetic media file: a few header bytes of the format, then a line naming
/// the media and the seed (unique per file).
pub fn file_bytes(media_id: i64, seed: u64, path: &Path) -> Vec<u8> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let mut bytes: Vec<u8> = match ext.as_str() {
        "jpg" | "jpeg" => vec![0xFF, 0xD8, 0xFF, 0xE0],
        "png" => b"\x89PNG\r\n\x1a\n".to_vec(),
        "mp4" | "m4v" | "mov" => b"\0\0\0\x18ftypmp42".to_vec(),
        _ => Vec::new(),
    };
    bytes.extend_from_slice(
        format!("fansly-stash synthetic media {media_id} seed {seed}\n").as_bytes(),
    );
    bytes
}

fn mkdir(path: &Path) -> Result<(), LibraryError> {
    std::fs::create_dir_all(path).map_err(|source| LibraryError::Io {
        path: path.to_owned(),
        source,
    })
}

/// Writes the files with a few threads (folders first).
fn write_files(files: &[Placed], seed: u64) -> Result<(), LibraryError> {
    let mut dirs: Vec<&Path> = files.iter().filter_map(|f| f.path.parent()).collect();
    dirs.sort();
    dirs.dedup();
    for d in dirs {
        mkdir(d)?;
    }
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .clamp(1, 4);
    let chunk = files.len().div_ceil(threads).max(1);
    std::thread::scope(|s| {
        let handles: Vec<_> = files
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || {
                    for f in part {
                        std::fs::write(&f.path, file_bytes(f.media_id, seed, &f.path)).map_err(
                            |source| LibraryError::Io {
                                path: f.path.clone(),
                                source,
                            },
                        )?;
                    }
                    Ok::<(), LibraryError>(())
                })
            })
            .collect();
        for h in handles {
            h.join().map_err(|_| LibraryError::Io {
                path: PathBuf::from("<writer thread>"),
                source: std::io::Error::other("a file-writing thread panicked"),
            })??;
        }
        Ok(())
    })
}
