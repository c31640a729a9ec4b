//! Connecting: one version + status query, refusal of unusable servers with actionable
//! messages, API-key handling (401), 403, reverse-proxy prefixes and the wire headers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::Lab;
use domain::ports::{MediaServer, MediaServerError};
use domain::stash::ServerStatus;
use stash_adapter::{ApiKey, StashClient, StashConfig};
use stash_double::{DoubleConfig, Fault, SystemStatusKind};

#[tokio::test]
async fn connect_makes_one_request_and_caches_the_server_info() {
    let lab = Lab::start().await;
    let client = lab.client().await;
    let info = client.server_info().await.unwrap();
    assert_eq!(info.version, "v0.30.1");
    assert_eq!(info.app_schema, 75);
    assert_eq!(info.status, ServerStatus::Ok);
    assert!(info.studio_urls());
    // server_info() is cached: still exactly one request.
    assert_eq!(lab.double.counters().http_requests, 1);
    assert_eq!(client.request_stats().total(), 1);
    assert_eq!(client.request_stats().per_operation["ServerInfoQuery"], 1);
}

#[tokio::test]
async fn a_server_in_setup_or_needing_migration_is_refused_with_what_to_do() {
    let lab = Lab::start_with(DoubleConfig {
        status: SystemStatusKind::Setup,
        ..DoubleConfig::default()
    })
    .await;
    let err = StashClient::connect(lab.config()).await.unwrap_err();
    assert!(matches!(err, MediaServerError::Unsupported(_)), "{err:?}");
    assert!(err.to_string().contains("setup wizard"), "{err}");
    assert!(err.is_fatal());

    lab.double.set_status(SystemStatusKind::NeedsMigration);
    let err = StashClient::connect(lab.config()).await.unwrap_err();
    assert!(err.to_string().contains("migration"), "{err}");
}

#[tokio::test]
async fn too_old_servers_are_refused_and_old_supported_ones_gated() {
    let lab = Lab::start_with(DoubleConfig {
        version: "v0.20.0".into(),
        app_schema: 40,
        ..DoubleConfig::default()
    })
    .await;
    let err = StashClient::connect(lab.config()).await.unwrap_err();
    assert!(err.to_string().contains("upgrade Stash"), "{err}");
    let lab = Lab::start_with(DoubleConfig {
        version: "v0.26.2".into(),
        app_schema: 58,
        ..DoubleConfig::default()
    })
    .await;
    let err = StashClient::connect(lab.config())
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("v0.26.2 (appSchema 58), older than v0.27.0")
            && err.contains("upgrade Stash to v0.27 or newer"),
        "{err}"
    );

    let lab = Lab::start_with(DoubleConfig {
        version: "v0.27.2".into(),
        app_schema: 68,
        ..DoubleConfig::default()
    })
    .await;
    let client = lab.client().await;
    assert!(client.info().performer_urls());
    assert!(!client.info().studio_urls());
}

#[tokio::test]
async fn the_api_key_is_sent_only_when_configured_and_401_says_what_to_do() {
    let lab = Lab::start_with(DoubleConfig {
        api_key: Some("right-key".into()),
        ..DoubleConfig::default()
    })
    .await;
    // No key configured: 401, nothing retried.
    let err = StashClient::connect(lab.config()).await.unwrap_err();
    assert_eq!(err, MediaServerError::Unauthorized);
    assert!(err.to_string().contains("Settings > Security"), "{err}");
    assert_eq!(lab.double.counters().http_requests, 1);

    let mut cfg = lab.config();
    cfg.api_key = Some(ApiKey::new("wrong-key"));
    assert_eq!(
        StashClient::connect(cfg.clone()).await.unwrap_err(),
        MediaServerError::Unauthorized
    );

    cfg.api_key = Some(ApiKey::new("right-key"));
    let client = StashClient::connect(cfg).await.unwrap();
    assert_eq!(client.info().app_schema, 75);
    assert!(!format!("{client:?}").contains("right-key"));

    // A key sent to a server that has none is refused too: so none must be sent by default.
    let open = Lab::start().await;
    let mut cfg = open.config();
    cfg.api_key = Some(ApiKey::new("unexpected"));
    assert_eq!(
        StashClient::connect(cfg).await.unwrap_err(),
        MediaServerError::Unauthorized
    );
    assert!(StashClient::connect(open.config()).await.is_ok());
}

#[tokio::test]
async fn a_reverse_proxy_prefix_is_kept() {
    let lab = Lab::start_with(DoubleConfig {
        path_prefix: "/stash".into(),
        ..DoubleConfig::default()
    })
    .await;
    let base = lab.double.base_url();
    assert!(base.ends_with("/stash"), "{base}");
    let client = StashClient::connect(StashConfig {
        url: format!("{base}/"),
        ..lab.config()
    })
    .await
    .unwrap();
    assert_eq!(client.info().version, "v0.30.1");

    // Without the prefix there is no endpoint: a clear, fatal error, not "not found".
    let root = base.trim_end_matches("/stash").to_owned();
    let err = StashClient::connect(StashConfig {
        url: root,
        ..lab.config()
    })
    .await
    .unwrap_err();
    assert!(err.is_fatal(), "{err:?}");
    assert!(err.to_string().contains("path prefix"), "{err}");
}

#[tokio::test]
async fn forbidden_and_unreachable_servers_are_typed_errors() {
    let lab = Lab::start().await;
    lab.double.faults().inject(None, 1, Fault::Status(403));
    let err = StashClient::connect(lab.config()).await.unwrap_err();
    assert_eq!(err, MediaServerError::Forbidden);

    let addr = lab.double.addr();
    lab.double.shutdown().await;
    let mut cfg = StashConfig::new(format!("http://{addr}"));
    cfg.retry = stash_adapter::RetryPolicy::none();
    let err = StashClient::connect(cfg).await.unwrap_err();
    assert!(
        matches!(err, MediaServerError::Connection { .. }),
        "{err:?}"
    );
    assert!(err.is_fatal() && err.is_transient());
}

#[tokio::test]
async fn validation_errors_carry_the_server_messages() {
    let lab = Lab::start().await;
    let client = lab.client().await;
    lab.double
        .faults()
        .inject(Some("findScenes"), 1, Fault::Status(422));
    let err = client.scenes_by_ids(&["1".into()]).await.unwrap_err();
    match &err {
        MediaServerError::Validation { status, messages } => {
            assert_eq!(*status, 422);
            assert!(!messages.is_empty());
        }
        other => panic!("expected a validation error, got {other:?}"),
    }
    assert!(
        err.to_string()
            .starts_with("Stash rejected the request as invalid (HTTP 422)"),
        "{err}"
    );
    // Not retried: a validation error cannot heal.
    assert_eq!(client.request_stats().per_operation["FindScenesByIds"], 1);
}
