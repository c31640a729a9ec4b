//! Test helpers: a started double, a GraphQL client over real HTTP, and media fixtures with
//! unique bytes in temporary library directories.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::{Value, json};
use stash_double::{DoubleConfig, StashDouble};

/// A double plus a client pointed at it.
pub struct Env {
    pub double: StashDouble,
    pub http: reqwest::Client,
    pub lib: tempfile::TempDir,
}

impl Env {
    pub async fn start() -> Self {
        Self::with(|_| {}).await
    }

    pub async fn with(tweak: impl FnOnce(&mut DoubleConfig)) -> Self {
        let lib = tempfile::tempdir().unwrap();
        let mut cfg = DoubleConfig {
            library_roots: vec![lib.path().to_path_buf()],
            ..DoubleConfig::default()
        };
        tweak(&mut cfg);
        let double = StashDouble::start(cfg).await.unwrap();
        Self {
            double,
            http: reqwest::Client::new(),
            lib,
        }
    }

    pub fn root(&self) -> &Path {
        self.lib.path()
    }

    /// POSTs a request body; returns status and parsed body (Null when empty/not JSON).
    pub async fn post_raw(&self, body: &Value) -> (u16, Value) {
        let r = self
            .http
            .post(self.double.graphql_url())
            .header("Accept", "application/json")
            .json(body)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let text = r.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// Runs a GraphQL document with variables; asserts HTTP 200.
    pub async fn gql(&self, query: &str, variables: Value) -> Value {
        let (status, body) = self
            .post_raw(&json!({"query": query, "variables": variables}))
            .await;
        assert_eq!(status, 200, "unexpected status, body {body}");
        body
    }

    /// Runs a document that must succeed without errors; returns `data`.
    pub async fn ok(&self, query: &str, variables: Value) -> Value {
        let body = self.gql(query, variables).await;
        assert!(body.get("errors").is_none(), "unexpected errors: {body}");
        body["data"].clone()
    }

    /// The first error message of a document that must fail.
    pub async fn err(&self, query: &str, variables: Value) -> String {
        let body = self.gql(query, variables).await;
        body["errors"][0]["message"]
            .as_str()
            .unwrap_or_else(|| panic!("expected an error, got {body}"))
            .to_owned()
    }

    /// Writes a file with unique content under the library.
    pub fn write(&self, rel: &str) -> PathBuf {
        write_unique(&self.root().join(rel))
    }

    /// Writes `rel` with unique content and scans it (no job).
    pub async fn scanned(&self, rels: &[&str]) -> Vec<PathBuf> {
        let paths: Vec<PathBuf> = rels.iter().map(|r| self.write(r)).collect();
        self.double.scan_now(&[]).await;
        paths
    }

    pub async fn scene_id_by_path(&self, path: &Path) -> String {
        let d = self
            .ok(
                "query($p:String!){findScenes(scene_filter:{path:{value:$p,modifier:EQUALS}}){scenes{id}}}",
                json!({"p": path.to_string_lossy()}),
            )
            .await;
        d["findScenes"]["scenes"][0]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    pub async fn image_id_by_path(&self, path: &Path) -> String {
        let d = self
            .ok(
                "query($p:String!){findImages(image_filter:{path:{value:$p,modifier:EQUALS}}){images{id}}}",
                json!({"p": path.to_string_lossy()}),
            )
            .await;
        d["findImages"]["images"][0]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    pub async fn create(&self, mutation: &str, input: Value) -> String {
        let q = format!(
            "mutation($i:{}!){{{mutation}(input:$i){{id}}}}",
            input_type(mutation)
        );
        let d = self.ok(&q, json!({"i": input})).await;
        d[mutation]["id"].as_str().unwrap().to_owned()
    }
}

fn input_type(mutation: &str) -> &'static str {
    match mutation {
        "performerCreate" => "PerformerCreateInput",
        "studioCreate" => "StudioCreateInput",
        "tagCreate" => "TagCreateInput",
        "galleryCreate" => "GalleryCreateInput",
        "galleryChapterCreate" => "GalleryChapterCreateInput",
        other => panic!("no input type for {other}"),
    }
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// Writes a file whose bytes are unique across the test process.
pub fn write_unique(path: &Path) -> PathBuf {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    write_bytes(
        path,
        format!("fixture {n} {} {}", std::process::id(), path.display()).as_bytes(),
    )
}

pub fn write_bytes(path: &Path, bytes: &[u8]) -> PathBuf {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
    path.to_path_buf()
}
