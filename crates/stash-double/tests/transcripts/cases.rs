//! Every transcript file and how the suite covers it: the double's configuration and the state
//! its exchanges need (made with setup requests and scans that are not part of the
//! recording), plus waits between exchanges where the real server's jobs ran meanwhile.
//!
//! To cover a new observation, add a [`Case`] to [`CASES`] (a file without one fails the
//! suite); every case is replayed.

use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::time::{Duration, Instant};

use serde_json::json;
use stash_double::{DoubleConfig, StashVersion};

use crate::common::write_unique;
use crate::replay::{API_KEY, Replay};

/// State set up before the first exchange.
pub type Prepare = for<'a> fn(&'a mut Replay) -> Pin<Box<dyn Future<Output = ()> + 'a>>;

/// How one transcript is covered.
pub enum Coverage {
    /// Every exchange is replayed and must match.
    Replayed {
        /// Configures the double (version, API key, library roots).
        config: fn(&mut DoubleConfig),
        /// Sets up the objects the exchanges refer to.
        prepare: Prepare,
        /// Waits before the exchange with this (0-based) index.
        hooks: &'static [(usize, Hook)],
    },
}

/// One transcript file (`<version folder>/<file>`) and its coverage.
pub struct Case {
    pub file: &'static str,
    pub coverage: Coverage,
}

/// Something to wait for between exchanges.
#[derive(Debug, Clone, Copy)]
pub enum Hook {
    /// Until `jobQueue` holds exactly this many jobs, the first RUNNING (0: `null`).
    QueueLen(usize),
    /// Lets the jobs held by [`stash_double::StashDouble::hold_job`] go on.
    Release,
}

impl Hook {
    /// Waits; an error says what never happened.
    pub async fn run(self, replay: &Replay) -> Result<(), String> {
        match self {
            Hook::Release => {
                replay.double.release_jobs();
                Ok(())
            }
            Hook::QueueLen(n) => {
                let deadline = Instant::now() + Duration::from_secs(10);
                loop {
                    let q = replay.gql("{ jobQueue { id status } }", json!({})).await;
                    let queue = &q["jobQueue"];
                    let done = match queue.as_array() {
                        None => n == 0,
                        Some(jobs) => jobs.len() == n && jobs[0]["status"] == "RUNNING",
                    };
                    if done {
                        return Ok(());
                    }
                    if Instant::now() > deadline {
                        return Err(format!(
                            "waited in vain for {n} jobs in the queue (the first running): {queue}"
                        ));
                    }
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            }
        }
    }
}

fn nothing(_: &mut DoubleConfig) {}

fn none(_: &mut Replay) -> Pin<Box<dyn Future<Output = ()> + '_>> {
    Box::pin(async {})
}

fn with_key(c: &mut DoubleConfig) {
    c.api_key = Some(API_KEY.to_owned());
}

fn v0_27_2(c: &mut DoubleConfig) {
    let v = StashVersion::V0_27_2;
    c.version = v.version().into();
    c.hash = v.hash().into();
    c.app_schema = v.app_schema();
}

fn library_paths(c: &mut DoubleConfig) {
    c.library_roots = vec!["/data/library/lib1".into(), "/data/library/lib2".into()];
}

/// Writes `n` files with unique bytes named `<stem><i>.<ext>` and scans them (ids follow).
async fn scanned(replay: &Replay, stem: &str, ext: &str, n: usize) {
    write_files(replay.lib.path(), stem, ext, n);
    replay.double.scan_now(&[]).await;
}

fn write_files(root: &Path, stem: &str, ext: &str, n: usize) {
    for i in 1..=n {
        write_unique(&root.join(format!("{stem}{i:03}.{ext}")));
    }
}

fn one_scene(r: &mut Replay) -> Pin<Box<dyn Future<Output = ()> + '_>> {
    Box::pin(async move { scanned(r, "scene", "mp4", 1).await })
}

fn two_scenes_and_a_tag(r: &mut Replay) -> Pin<Box<dyn Future<Output = ()> + '_>> {
    Box::pin(async move {
        scanned(r, "scene", "mp4", 2).await;
        r.gql(
            "mutation { tagCreate(input:{name:\"Beach\"}){ id } }",
            json!({}),
        )
        .await;
    })
}

fn tag_beach(r: &mut Replay) -> Pin<Box<dyn Future<Output = ()> + '_>> {
    Box::pin(async move {
        r.gql(
            "mutation { tagCreate(input:{name:\"Beach\"}){ id } }",
            json!({}),
        )
        .await;
    })
}

fn some_files(r: &mut Replay) -> Pin<Box<dyn Future<Output = ()> + '_>> {
    Box::pin(async move { write_files(r.lib.path(), "photo", "jpg", 3) })
}

/// Jobs 4, 5, 6 of the transcript are the double's 1, 2, 3: the second stays running (held)
/// while the third waits, as the real server's did.
fn second_job_held(r: &mut Replay) -> Pin<Box<dyn Future<Output = ()> + '_>> {
    Box::pin(async move {
        write_files(r.lib.path(), "photo", "jpg", 3);
        r.double.hold_job(2);
    })
}

/// The real scan imported 51 images before it was stopped: here they are scanned before, more
/// files wait unscanned, and the job is held running until the stop.
fn fifty_one_images_and_a_held_scan(r: &mut Replay) -> Pin<Box<dyn Future<Output = ()> + '_>> {
    Box::pin(async move {
        scanned(r, "photo", "jpg", 51).await;
        write_files(r.lib.path(), "later", "jpg", 20);
        r.double.hold_job(1);
    })
}

fn auth_library(r: &mut Replay) -> Pin<Box<dyn Future<Output = ()> + '_>> {
    Box::pin(async move {
        write_files(r.lib.path(), "clip", "mp4", 3);
        write_files(r.lib.path(), "photo", "jpg", 5);
        r.double.scan_now(&[]).await;
    })
}

/// Gallery "58" of the transcript: a gallery with two images.
fn gallery_with_two_images(r: &mut Replay) -> Pin<Box<dyn Future<Output = ()> + '_>> {
    Box::pin(async move {
        scanned(r, "photo", "jpg", 2).await;
        let g = r
            .gql(
                "mutation { galleryCreate(input:{title:\"Two images\"}){ id } }",
                json!({}),
            )
            .await;
        let gallery = g["galleryCreate"]["id"].as_str().expect("an id").to_owned();
        r.gql(
            "mutation($g:ID!){ addGalleryImages(input:{gallery_id:$g, image_ids:[\"1\",\"2\"]}) }",
            json!({"g": gallery}),
        )
        .await;
        r.ids.unify("58", &gallery).expect("a fresh map");
    })
}

/// Image 3 is the file of the transcript (no title), scene 3 exists.
fn v27_images(r: &mut Replay) -> Pin<Box<dyn Future<Output = ()> + '_>> {
    Box::pin(async move {
        scanned(r, "clip", "mp4", 3).await;
        scanned(r, "photo", "jpg", 2).await;
        write_unique(
            &r.lib
                .path()
                .join("2024-09-23_at_20-44_UTC_id_694702275553652657.jpeg"),
        );
        r.double.scan_now(&[]).await;
        let found = r
            .gql(
                "{ findImages(ids:[\"3\"]){ images { visual_files { ... on ImageFile { basename } } } } }",
                json!({}),
            )
            .await;
        assert_eq!(
            found["findImages"]["images"][0]["visual_files"][0]["basename"],
            "2024-09-23_at_20-44_UTC_id_694702275553652657.jpeg",
            "image 3 is the transcript's file"
        );
    })
}

fn four_scenes(r: &mut Replay) -> Pin<Box<dyn Future<Output = ()> + '_>> {
    Box::pin(async move { scanned(r, "clip", "mp4", 4).await })
}

/// The plugin's settings as the transcript set them beforehand with `configurePlugin`, and a
/// logged-in user whose `session` cookie stands for the transcript's `<value>`.
fn plugin_settings(r: &mut Replay) -> Pin<Box<dyn Future<Output = ()> + '_>> {
    Box::pin(async move {
        r.gql(
            "mutation { configurePlugin(plugin_id:\"factcheck\", input:{metadata_db:\"postgres://x\", batch_size: 100}) }",
            json!({}),
        )
        .await;
        r.session = Some(r.double.log_in());
    })
}

/// Every transcript, in file order.
pub const CASES: &[Case] = &[
    Case {
        file: "v0.27.2/a_image_title_falls_back_to_basename.txt",
        coverage: Coverage::Replayed {
            config: v0_27_2,
            prepare: v27_images,
            hooks: &[],
        },
    },
    Case {
        file: "v0.27.2/b_version_studio_url_dates.txt",
        coverage: Coverage::Replayed {
            config: v0_27_2,
            prepare: four_scenes,
            hooks: &[],
        },
    },
    Case {
        file: "v0.30.1/a_unknown_field.txt",
        coverage: Coverage::Replayed {
            config: nothing,
            prepare: none,
            hooks: &[],
        },
    },
    Case {
        file: "v0.30.1/b_variables_type_error.txt",
        coverage: Coverage::Replayed {
            config: nothing,
            prepare: none,
            hooks: &[],
        },
    },
    Case {
        file: "v0.30.1/c_tag_create_duplicate.txt",
        coverage: Coverage::Replayed {
            config: nothing,
            prepare: none,
            hooks: &[],
        },
    },
    Case {
        file: "v0.30.1/d_performer_create_duplicate.txt",
        coverage: Coverage::Replayed {
            config: nothing,
            prepare: none,
            hooks: &[],
        },
    },
    Case {
        file: "v0.30.1/e_studio_create_duplicate.txt",
        coverage: Coverage::Replayed {
            config: nothing,
            prepare: none,
            hooks: &[],
        },
    },
    Case {
        file: "v0.30.1/f_find_scenes_nonexistent_id.txt",
        coverage: Coverage::Replayed {
            config: nothing,
            prepare: one_scene,
            hooks: &[],
        },
    },
    Case {
        file: "v0.30.1/g_scene_update_organized_null.txt",
        coverage: Coverage::Replayed {
            config: nothing,
            prepare: one_scene,
            hooks: &[],
        },
    },
    Case {
        file: "v0.30.1/h_scenes_update_partial_bad_tag.txt",
        coverage: Coverage::Replayed {
            config: nothing,
            prepare: two_scenes_and_a_tag,
            hooks: &[],
        },
    },
    Case {
        file: "v0.30.1/i_gallery_create_same_title.txt",
        coverage: Coverage::Replayed {
            config: nothing,
            prepare: none,
            hooks: &[],
        },
    },
    Case {
        file: "v0.30.1/j_find_tags_equals_like.txt",
        coverage: Coverage::Replayed {
            config: nothing,
            prepare: tag_beach,
            hooks: &[],
        },
    },
    Case {
        file: "v0.30.1/k_configuration_stashes.txt",
        coverage: Coverage::Replayed {
            config: library_paths,
            prepare: none,
            hooks: &[],
        },
    },
    Case {
        file: "v0.30.1/l_scan_outside_library.txt",
        coverage: Coverage::Replayed {
            config: nothing,
            prepare: some_files,
            hooks: &[(1, Hook::QueueLen(0))],
        },
    },
    Case {
        file: "v0.30.1/m2_job_queue_and_stop.txt",
        coverage: Coverage::Replayed {
            config: nothing,
            prepare: second_job_held,
            // Job 5 had finished by the time it was asked to stop (it ended FINISHED).
            hooks: &[
                (3, Hook::QueueLen(2)),
                (6, Hook::Release),
                (6, Hook::QueueLen(0)),
            ],
        },
    },
    Case {
        file: "v0.30.1/m3_stop_running_scan.txt",
        coverage: Coverage::Replayed {
            config: nothing,
            prepare: fifty_one_images_and_a_held_scan,
            hooks: &[(1, Hook::QueueLen(1)), (2, Hook::QueueLen(0))],
        },
    },
    Case {
        file: "v0.30.1/m_job_status_values.txt",
        coverage: Coverage::Replayed {
            config: nothing,
            prepare: some_files,
            hooks: &[(1, Hook::QueueLen(0))],
        },
    },
    Case {
        file: "v0.30.1/n_auth.txt",
        coverage: Coverage::Replayed {
            config: with_key,
            prepare: auth_library,
            hooks: &[],
        },
    },
    Case {
        file: "v0.30.1/o_strings_trimmed.txt",
        coverage: Coverage::Replayed {
            config: nothing,
            prepare: one_scene,
            hooks: &[],
        },
    },
    Case {
        file: "v0.30.1/p_gallery_chapter_index.txt",
        coverage: Coverage::Replayed {
            config: nothing,
            prepare: gallery_with_two_images,
            hooks: &[],
        },
    },
    Case {
        file: "v0.30.1/q_performer_duplicate_alias.txt",
        coverage: Coverage::Replayed {
            config: nothing,
            prepare: none,
            hooks: &[],
        },
    },
    Case {
        file: "v0.30.1/r_plugin_raw_task.txt",
        coverage: Coverage::Replayed {
            config: with_key,
            prepare: plugin_settings,
            hooks: &[],
        },
    },
];

/// The case of a transcript file.
pub fn case(file: &str) -> Option<&'static Case> {
    CASES.iter().find(|c| c.file == file)
}
