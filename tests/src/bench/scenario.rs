//! The benchmark's scenarios: which synthetic library, with which costs, measured how (the
//! naive baseline beside ours, an incremental run after 1% new content), and which of the
//! issue's targets each one checks.

use crate::library::LibraryShape;

use super::double_process::Costs;

/// What a scenario is there to check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The "typical fan" library: requests per media item, ratio to naive, re-sync, CPU.
    TypicalFan,
    /// Many typical fans in one run: peak memory.
    ManyCreators,
    /// Measured for information (e.g. the PostgreSQL store).
    Informational,
}

/// Which metadata database holds the library.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A SQLite file written by our own migrations.
    Sqlite,
    /// A PostgreSQL database with the real upstream schema.
    Postgres,
}

impl Backend {
    /// `SQLite` or `PostgreSQL`.
    pub fn label(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }
}

/// One library and the runs measured on it.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Shown in the tables.
    pub name: String,
    /// The library.
    pub shape: LibraryShape,
    /// Where its metadata lives.
    pub backend: Backend,
    /// The double's injected costs.
    pub costs: Costs,
    /// Also measure the naive baseline (on a second, fresh double).
    pub naive: bool,
    /// Also measure an incremental run after 1% new content.
    pub incremental: bool,
    /// The targets it checks.
    pub role: Role,
}

/// Images per post that the incremental run adds.
pub const IMAGES_PER_NEW_POST: usize = 3;

impl Scenario {
    /// Media items: images and videos of every creator (their preview clips and unattached
    /// media are extra files, not counted, so per-item figures are on the strict side).
    pub fn media_items(&self) -> u64 {
        u64::try_from(self.shape.creators * (self.shape.images + self.shape.videos))
            .unwrap_or(u64::MAX)
    }

    /// Files on disk (and in Stash after the scan).
    pub fn files(&self) -> u64 {
        u64::try_from(self.shape.creators * self.shape.files_per_creator()).unwrap_or(u64::MAX)
    }

    /// New posts per creator for "1% new content": enough posts of
    /// [`IMAGES_PER_NEW_POST`] images to reach 1% of the creator's media items.
    pub fn new_posts_per_creator(&self) -> usize {
        let one_percent = (self.shape.images + self.shape.videos).div_ceil(100);
        one_percent.div_ceil(IMAGES_PER_NEW_POST).max(1)
    }

    /// `1 × (1,200 posts, 300 messages, ...)`.
    pub fn describe_library(&self) -> String {
        let s = &self.shape;
        format!(
            "{} × ({} posts, {} messages, {} bundles of {}, {} images, {} videos with previews, {} unattached)",
            s.creators,
            s.posts,
            s.messages,
            s.bundles,
            s.bundle_size,
            s.images,
            s.videos,
            s.unattached
        )
    }
}

/// The shape of the issue's "typical fan" library: 1,200 posts, 3,000 images, 800 videos; plus
/// messages, bundles and a few unattached media so every path of the sync is exercised.
pub fn typical_fan(creators: usize) -> LibraryShape {
    LibraryShape {
        creators,
        posts: 1_200,
        messages: 300,
        bundles: 60,
        bundle_size: 5,
        images: 3_000,
        videos: 800,
        unattached: 20,
        seed: 9,
    }
}

/// A tenth of the typical fan, for `--quick`.
pub fn small_fan(creators: usize) -> LibraryShape {
    LibraryShape {
        creators,
        posts: 120,
        messages: 30,
        bundles: 6,
        bundle_size: 5,
        images: 300,
        videos: 80,
        unattached: 2,
        seed: 9,
    }
}

/// The scenarios of a run.
pub fn scenarios(quick: bool, pg: bool) -> Vec<Scenario> {
    let (fan, many, label, many_creators) = if quick {
        (small_fan(1), small_fan(3), "small fan (--quick)", 3)
    } else {
        (typical_fan(1), typical_fan(30), "typical fan", 30)
    };
    let mut out = vec![
        Scenario {
            name: label.to_owned(),
            shape: fan.clone(),
            backend: Backend::Sqlite,
            costs: Costs::REALISTIC,
            naive: true,
            incremental: true,
            role: Role::TypicalFan,
        },
        Scenario {
            name: format!("{many_creators} × {label}"),
            shape: many,
            backend: Backend::Sqlite,
            costs: Costs::REALISTIC,
            naive: false,
            incremental: false,
            role: Role::ManyCreators,
        },
    ];
    if pg {
        out.push(Scenario {
            name: format!("{label}, PostgreSQL"),
            shape: fan,
            backend: Backend::Postgres,
            costs: Costs::REALISTIC,
            naive: false,
            // `Library::add_posts` cannot yet add posts to the upstream PostgreSQL schema
            // (it reads `hashtags.id`, an INT4 there, as an i64).
            incremental: false,
            role: Role::Informational,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_typical_fan_is_the_issues_library() {
        let s = &scenarios(false, false)[0];
        assert_eq!(s.role, Role::TypicalFan);
        assert_eq!(
            (
                s.shape.creators,
                s.shape.images,
                s.shape.videos,
                s.shape.posts
            ),
            (1, 3_000, 800, 1_200)
        );
        assert_eq!(s.media_items(), 3_800);
        // 1% of 3,800 media is 38 images: 13 posts of 3.
        assert_eq!(s.new_posts_per_creator(), 13);
        let many = &scenarios(false, false)[1];
        assert_eq!((many.role, many.shape.creators), (Role::ManyCreators, 30));
    }

    #[test]
    fn pg_adds_a_scenario_and_quick_shrinks_them() {
        assert_eq!(scenarios(false, true).len(), 3);
        assert_eq!(scenarios(false, true)[2].backend, Backend::Postgres);
        let quick = scenarios(true, false);
        assert!(quick.iter().all(|s| s.media_items() < 3_800 * 3));
        assert_eq!(quick[0].new_posts_per_creator(), 2);
    }
}
