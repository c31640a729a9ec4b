//! Fixtures: a small creator with posts, a message, an aggregated post, a preview, a shared
//! media and an unattached media, its files in a fake Stash, and a harness that runs the
//! engine against them repeatedly.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::sync::{Arc, Mutex};

use chrono::{TimeZone, Utc};
use domain::content::{AggregatedPost, ContentItem, ItemMedia, ItemSource, MediaRole};
use domain::fansly::{Account, Hashtag, Media, Mention};
use domain::ids::{AccountId, GroupId, MediaId, MessageId, PostId};
use sync_core::{
    CancelFlag, EventLog, PathMapping, SyncEngine, SyncError, SyncMonitor, SyncOptions, SyncReport,
};

use super::{FakeStash, StateMap, StoreStats, media_server, repository, state_store};

pub const ROOT: &str = "/stash/alice_fansly";

pub fn alice() -> Account {
    Account {
        id: AccountId(1),
        username: "alice".into(),
        display_name: Some("Alice A".into()),
        about: Some("Hi, I'm Alice".into()),
        created_at: None,
        stash_id: None,
    }
}

pub fn media(id: i64, mime: &str, role: MediaRole) -> ItemMedia {
    let ext = if mime.starts_with("video") {
        "mp4"
    } else {
        "jpg"
    };
    let marker = if role == MediaRole::Preview {
        "preview_id"
    } else {
        "id"
    };
    ItemMedia {
        media: Media {
            id: MediaId(id),
            account_id: AccountId(1),
            mimetype: Some(mime.into()),
            local_filename: Some(format!("2024-03-01_at_10-00_UTC_{marker}_{id}.{ext}")),
            width: None,
            height: None,
            duration: None,
            created_at: None,
            is_downloaded: true,
            variants: vec![],
            stash_id: None,
        },
        role,
        account_media_id: None,
        via_aggregated: None,
    }
}

pub fn file_of(m: &ItemMedia) -> String {
    m.media.local_filename.clone().unwrap()
}

pub fn post(
    owner: &Account,
    id: i64,
    content: &str,
    day: u32,
    media: Vec<ItemMedia>,
) -> ContentItem {
    ContentItem {
        source: ItemSource::Post(PostId(id)),
        owner: owner.clone(),
        content: content.into(),
        created_at: Some(Utc.with_ymd_and_hms(2024, 3, day, 12, 0, 0).unwrap()),
        media,
        aggregated: vec![],
        hashtags: vec![],
        mentions: vec![],
        stash_id: None,
    }
}

/// The standard creator: see the module doc.
pub fn standard_items() -> Vec<ContentItem> {
    let a = alice();
    let mut p100 = post(
        &a,
        100,
        "Morning walk on the beach #summer",
        1,
        vec![
            media(1001, "image/jpeg", MediaRole::Main),
            media(1002, "video/mp4", MediaRole::Main),
            media(1003, "image/jpeg", MediaRole::Preview),
        ],
    );
    p100.hashtags = vec![Hashtag::new("summer")];
    p100.mentions = vec![Mention {
        handle: "bob".into(),
        account: None,
    }];
    let mut quoted = media(1005, "image/jpeg", MediaRole::Main);
    quoted.via_aggregated = Some(PostId(90));
    let mut p101 = post(
        &a,
        101,
        "hi",
        2,
        vec![
            media(1001, "image/jpeg", MediaRole::Main),
            media(1004, "image/jpeg", MediaRole::Main),
            quoted,
        ],
    );
    p101.aggregated = vec![AggregatedPost {
        id: PostId(90),
        content: "Quoted post text here".into(),
        created_at: None,
    }];
    let mut m200 = post(
        &a,
        0,
        "A message with a picture",
        3,
        vec![media(1006, "image/jpeg", MediaRole::Main)],
    );
    m200.source = ItemSource::Message {
        id: MessageId(200),
        group_id: Some(GroupId(300)),
    };
    let mut u = post(
        &a,
        0,
        "",
        4,
        vec![media(1007, "image/jpeg", MediaRole::Main)],
    );
    u.source = ItemSource::Unattached(MediaId(1007));
    vec![p100, p101, m200, u]
}

/// Shared state of a test: survives engine runs.
pub struct World {
    pub stash: Arc<Mutex<FakeStash>>,
    pub records: StateMap,
    pub store_stats: Arc<Mutex<StoreStats>>,
    pub items: Arc<Mutex<Vec<ContentItem>>>,
    pub repo_pages: Arc<Mutex<u64>>,
    pub opts: SyncOptions,
}

impl World {
    /// The standard creator with every downloaded media present in Stash, plus an unrelated file.
    pub fn standard() -> Self {
        let items = standard_items();
        let mut fake = FakeStash::default();
        let mut seen = std::collections::HashSet::new();
        for item in &items {
            for m in &item.media {
                if seen.insert(m.media.id) {
                    fake.add_file(&format!("{ROOT}/Timeline"), &file_of(m));
                }
            }
        }
        fake.add_file(&format!("{ROOT}/Timeline"), "holiday.jpg");
        fake.add_file("/stash/other_fansly", "2024-03-01_at_10-00_UTC_id_1001.jpg");
        let mut opts = SyncOptions::new(PathMapping {
            local_root: "/home/me/dl".into(),
            stash_root: "/stash".into(),
        });
        opts.batch_size = 2;
        Self {
            stash: Arc::new(Mutex::new(fake)),
            records: Arc::default(),
            store_stats: Arc::default(),
            items: Arc::new(Mutex::new(items)),
            repo_pages: Arc::default(),
            opts,
        }
    }

    pub fn engine(&self, persist_saves: Option<u64>) -> SyncEngine {
        SyncEngine::new(
            Arc::new(repository(self.items.clone(), self.repo_pages.clone())),
            Arc::new(media_server(self.stash.clone())),
            Arc::new(state_store(
                self.records.clone(),
                self.store_stats.clone(),
                persist_saves,
            )),
            self.opts.clone(),
        )
    }

    /// One run over alice; calls are counted from zero for each run.
    pub async fn run(&self) -> (SyncReport, EventLog) {
        self.run_with(None, &CancelFlag::new()).await.unwrap()
    }

    pub async fn run_with(
        &self,
        persist_saves: Option<u64>,
        cancel: &CancelFlag,
    ) -> Result<(SyncReport, EventLog), SyncError> {
        self.stash.lock().unwrap().reset_calls();
        let (monitor, log) = SyncMonitor::collecting();
        let report = self
            .engine(persist_saves)
            .sync_creators(&[alice()], &monitor, cancel)
            .await?;
        Ok((report, log))
    }

    pub fn fake(&self) -> std::sync::MutexGuard<'_, FakeStash> {
        self.stash.lock().unwrap()
    }

    pub fn record(
        &self,
        kind: domain::ports::EntityKind,
        key: &str,
    ) -> Option<domain::ports::SyncRecord> {
        self.records
            .lock()
            .unwrap()
            .get(&(1, kind, key.to_owned()))
            .cloned()
    }
}
