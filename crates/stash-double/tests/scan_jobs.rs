//! `metadataScan` over real directories and the job lifecycle (`findJob`, `jobQueue`, the
//! last-10 graveyard, FAILED/CANCELLED through faults).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::Env;
use serde_json::{Value, json};
use stash_double::Fault;

async fn start_scan(env: &Env, paths: Option<Vec<String>>) -> String {
    let input = match paths {
        Some(p) => json!({"paths": p}),
        None => json!({}),
    };
    let d = env
        .ok(
            "mutation($i: ScanMetadataInput!){ metadataScan(input: $i) }",
            json!({"i": input}),
        )
        .await;
    d["metadataScan"].as_str().unwrap().to_owned()
}

async fn wait_job(env: &Env, id: &str) -> Value {
    for _ in 0..500 {
        let d = env
            .ok("query($id: ID!){ findJob(input: {id: $id}){ id status progress error description startTime endTime addTime } }", json!({"id": id}))
            .await;
        let status = d["findJob"]["status"].as_str().unwrap_or("").to_owned();
        if ["FINISHED", "FAILED", "CANCELLED"].contains(&status.as_str()) {
            return d["findJob"].clone();
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("job {id} never finished");
}

#[tokio::test]
async fn scan_job_creates_scenes_and_images_by_extension() {
    let env = Env::start().await;
    env.write("creator/VID.MP4");
    env.write("creator/clip.webm");
    env.write("creator/pic.JPEG");
    env.write("creator/pic2.avif");
    env.write("creator/notes.txt");
    common::write_bytes(&env.root().join("creator/empty.mp4"), b"");
    let job = start_scan(&env, None).await;
    assert_eq!(job, "1", "job ids start at 1");
    let j = wait_job(&env, &job).await;
    assert_eq!(j["status"], "FINISHED");
    assert_eq!(j["description"], "Scanning...");
    assert!(j["endTime"].is_string() && j["startTime"].is_string());
    let d = env
        .ok(
            "{ findScenes(filter: {sort: \"path\"}) { count scenes { title files { basename path parent_folder { path parent_folder { path } } fingerprints { type value } } } } findImages { count images { title } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        d["findScenes"]["count"], 2,
        "zero-length and unknown extensions skipped"
    );
    assert_eq!(d["findImages"]["count"], 2);
    let scene = &d["findScenes"]["scenes"][0];
    assert_eq!(
        scene["title"], "",
        "new scenes have no title (read back empty)"
    );
    let file = &scene["files"][0];
    assert_eq!(file["basename"], "VID.MP4");
    let folder = env.root().join("creator").to_string_lossy().into_owned();
    assert_eq!(file["parent_folder"]["path"], folder);
    assert_eq!(
        file["parent_folder"]["parent_folder"]["path"],
        env.root().to_string_lossy().into_owned()
    );
    assert_eq!(file["path"], format!("{folder}/VID.MP4"));
    let types: Vec<&str> = file["fingerprints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, vec!["oshash", "md5"]);
    assert_eq!(d["findImages"]["images"][0]["title"], "");
}

#[tokio::test]
async fn identical_bytes_merge_and_rescans_are_no_ops() {
    let env = Env::start().await;
    let a = env.write("x/a.jpg");
    common::write_bytes(
        &env.root().join("y/a-copy.jpg"),
        &std::fs::read(&a).unwrap(),
    );
    let first = env.double.scan_now(&[]).await;
    assert_eq!((first.images_created, first.files_added), (1, 2));
    let again = env.double.scan_now(&[]).await;
    assert_eq!(
        (
            again.images_created,
            again.files_added,
            again.files_unchanged
        ),
        (0, 0, 2)
    );
    // A new file with known content joins the existing image.
    common::write_bytes(&env.root().join("z/third.jpg"), &std::fs::read(&a).unwrap());
    let third = env.double.scan_now(&[]).await;
    assert_eq!((third.images_created, third.files_added), (0, 1));
    let d = env
        .ok(
            "{ findImages { count images { visual_files { ... on ImageFile { basename } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(d["findImages"]["count"], 1);
    assert_eq!(
        d["findImages"]["images"][0]["visual_files"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
}

#[tokio::test]
async fn a_moved_file_keeps_its_scene() {
    let env = Env::start().await;
    let old = env.scanned(&["old/v.mp4"]).await.remove(0);
    let id = env.scene_id_by_path(&old).await;
    let new = env.root().join("new/v-renamed.mp4");
    std::fs::create_dir_all(new.parent().unwrap()).unwrap();
    std::fs::rename(&old, &new).unwrap();
    let s = env.double.scan_now(&[]).await;
    assert_eq!((s.files_moved, s.scenes_created), (1, 0));
    assert_eq!(env.scene_id_by_path(&new).await, id);
}

#[tokio::test]
async fn scan_paths_must_be_inside_the_library() {
    let env = Env::start().await;
    let outside = tempfile::tempdir().unwrap();
    common::write_unique(&outside.path().join("o.mp4"));
    env.write("in/i.mp4");
    env.write("other/j.mp4");
    let job = start_scan(
        &env,
        Some(vec![
            outside.path().to_string_lossy().into(),
            env.root().join("in").to_string_lossy().into(),
        ]),
    )
    .await;
    assert_eq!(wait_job(&env, &job).await["status"], "FINISHED");
    let d = env
        .ok(
            "{ findScenes { count scenes { files { basename } } } }",
            json!({}),
        )
        .await;
    assert_eq!(d["findScenes"]["count"], 1);
    assert_eq!(
        d["findScenes"]["scenes"][0]["files"][0]["basename"],
        "i.mp4"
    );
    // A single file path works too.
    let job = start_scan(
        &env,
        Some(vec![
            env.root().join("other/j.mp4").to_string_lossy().into(),
        ]),
    )
    .await;
    wait_job(&env, &job).await;
    assert_eq!(
        env.ok("{ findScenes { count } }", json!({})).await["findScenes"]["count"],
        2
    );
}

#[tokio::test]
async fn only_the_last_ten_finished_jobs_are_visible() {
    let env = Env::start().await;
    assert_eq!(
        env.ok("{ jobQueue { id } }", json!({})).await["jobQueue"],
        Value::Null,
        "empty queue is null"
    );
    let mut ids = Vec::new();
    for _ in 0..11 {
        let id = start_scan(&env, None).await;
        wait_job(&env, &id).await;
        ids.push(id);
    }
    let d = env
        .ok(
            "query($id: ID!){ findJob(input: {id: $id}){ id } }",
            json!({"id": ids[0]}),
        )
        .await;
    assert_eq!(d["findJob"], Value::Null);
    let d = env
        .ok(
            "query($id: ID!){ findJob(input: {id: $id}){ status } }",
            json!({"id": ids[1]}),
        )
        .await;
    assert_eq!(d["findJob"]["status"], "FINISHED");
}

#[tokio::test]
async fn faults_make_jobs_fail_or_cancel() {
    let env = Env::start().await;
    env.double.faults().inject(
        Some("metadataScan"),
        1,
        Fault::FailNextJob("scan exploded".into()),
    );
    let j = wait_job(&env, &start_scan(&env, None).await).await;
    assert_eq!(
        (j["status"].as_str(), j["error"].as_str()),
        (Some("FAILED"), Some("scan exploded"))
    );
    env.double
        .faults()
        .inject(Some("metadataScan"), 1, Fault::CancelNextJob);
    let j = wait_job(&env, &start_scan(&env, None).await).await;
    assert_eq!(j["status"], "CANCELLED");
    let j = wait_job(&env, &start_scan(&env, None).await).await;
    assert_eq!(j["status"], "FINISHED", "faults are used up");
}

#[tokio::test]
async fn running_jobs_are_in_the_queue() {
    let env =
        Env::with(|c| c.cost_per_written_object = std::time::Duration::from_millis(300)).await;
    env.write("slow/a.mp4");
    let id = start_scan(&env, None).await;
    let mut seen_running = false;
    for _ in 0..200 {
        let d = env.ok("{ jobQueue { id status } }", json!({})).await;
        let queue = d["jobQueue"].as_array().cloned().unwrap_or_default();
        if queue
            .iter()
            .any(|j| j["id"] == id.as_str() && j["status"] == "RUNNING")
        {
            seen_running = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    assert!(seen_running, "the job was observed RUNNING in jobQueue");
    assert_eq!(wait_job(&env, &id).await["status"], "FINISHED");
    assert_eq!(
        env.ok("{ jobQueue { id } }", json!({})).await["jobQueue"],
        Value::Null
    );
}

#[tokio::test]
async fn changed_content_at_a_known_path_updates_the_file() {
    let env = Env::start().await;
    let p = env.scanned(&["c/v.mp4"]).await.remove(0);
    let before = env.double.dump()["files"][0]["md5"].clone();
    common::write_bytes(&p, b"entirely different and longer content than before");
    let s = env.double.scan_now(&[]).await;
    assert_eq!(
        (s.files_updated, s.scenes_created, s.files_added),
        (1, 0, 0)
    );
    assert_ne!(env.double.dump()["files"][0]["md5"], before);
}
