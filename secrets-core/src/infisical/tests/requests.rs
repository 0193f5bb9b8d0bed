//! Logins, listings, retries, the v4/v3 choice and the classification of errors, against
//! the fake server.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures_util::future::join_all;

use super::fake::*;
use super::recordings::{example, raw_recording};
use crate::error::StoreErrorKind;
use crate::source::Folder;
use crate::store::{SecretStore, StoredValue};

#[tokio::test]
async fn universal_auth_login_then_one_v4_list_with_every_flag() {
    let server = Server::start(|r| match r.path.as_str() {
        LOGIN => recorded("v02-ua-login"),
        V4 => json(200, &example("list-secrets-v4-with-imports.json"), &[]),
        _ => json(500, "{}", &[]),
    })
    .await;
    let client = client(&server);
    let folder = client.fetch(&prod("/backend")).await.unwrap();
    assert_eq!(value(&folder, "LOG_LEVEL"), "info");
    assert_eq!(
        value(&folder, "SENTRY_DSN"),
        "https://otherdummy@o0.ingest.example.invalid/2"
    );
    assert!(matches!(
        folder.get("FEATURE_FLAGS_URL").unwrap().stored_value(),
        StoredValue::UnexpandedReference
    ));

    let login = &server.requests(LOGIN)[0];
    let body: serde_json::Value = serde_json::from_str(&login.body).unwrap();
    assert_eq!(body["clientId"], "client-1");
    assert_eq!(body["clientSecret"], SENTINEL);
    let list = &server.requests(V4)[0];
    let token = serde_json::from_str::<serde_json::Value>(
        raw_recording("v02-ua-login")
            .split("\r\n\r\n")
            .nth(1)
            .unwrap(),
    )
    .unwrap()["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(list.bearer(), Some(token.as_str()));
    let expected: HashMap<String, String> = [
        ("projectId", "proj-1"),
        ("environment", "prod"),
        ("secretPath", "/backend"),
        ("expandSecretReferences", "true"),
        ("includeImports", "true"),
        ("include_imports", "true"),
        ("recursive", "false"),
        ("viewSecretValue", "true"),
        ("includePersonalOverrides", "false"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    assert_eq!(list.query, expected);
    assert_eq!(server.count(V3), 0);
    // A lone folder lists at once: its listing shows the API version, no probe is sent.
    assert_eq!(client.stats().probes, 0);
}

#[tokio::test]
async fn concurrent_folders_share_one_login_and_list_once_each() {
    let server = Server::start(|r| match r.path.as_str() {
        LOGIN => Answer::Delayed(Duration::from_millis(50), Box::new(login_ok("tok-1"))),
        V4 => json(200, &listing(&[("K", r.query["secretPath"].as_str())]), &[]),
        _ => json(500, "{}", &[]),
    })
    .await;
    let client = client(&server);
    let folders = [prod("/"), prod("/a"), prod("/b"), Folder::new("dev", "/a")];
    let results = join_all(folders.iter().map(|f| client.fetch(f))).await;
    for (folder, result) in folders.iter().zip(results) {
        assert_eq!(value(&result.unwrap(), "K"), folder.path());
    }
    assert_eq!(server.count(LOGIN), 1);
    // One list per folder, and one probe of the API version without a token, sent while the
    // first folder's login was under way.
    assert_eq!(server.count(V4), 4 + 1);
    assert_eq!(client.stats().probes, 1);
    // A second load through the same client reuses the token.
    client.fetch(&prod("/")).await.unwrap();
    assert_eq!(server.count(LOGIN), 1);
}

#[tokio::test]
async fn a_plain_500_is_retried_then_succeeds() {
    let calls = AtomicUsize::new(0);
    let server = Server::start(move |r| match r.path.as_str() {
        LOGIN => login_ok("tok-1"),
        V4 if calls.fetch_add(1, Ordering::SeqCst) == 0 => json(
            500,
            r#"{"statusCode":500,"message":"Something went wrong","error":"InternalServerError"}"#,
            &[],
        ),
        V4 => json(200, &listing(&[("A", "1")]), &[]),
        _ => json(404, "{}", &[]),
    })
    .await;
    let folder = client(&server).fetch(&prod("/")).await.unwrap();
    assert_eq!(value(&folder, "A"), "1");
    assert_eq!(server.count(V4), 2);
}

#[tokio::test]
async fn a_failed_login_is_never_retried_and_is_shared_by_the_load() {
    let server = Server::start(|r| match r.path.as_str() {
        LOGIN => recorded("v03-ua-login-wrong-client-secret"),
        _ => json(500, "{}", &[]),
    })
    .await;
    let client = client(&server);
    let folders = [prod("/"), prod("/a"), prod("/b")];
    for result in join_all(folders.iter().map(|f| client.fetch(f))).await {
        let error = result.unwrap_err();
        assert_eq!(error.kind(), StoreErrorKind::Unauthorized);
        assert_eq!(error.status(), Some(401));
        assert!(error.to_string().contains("Invalid credentials"), "{error}");
        assert_clean(&error);
    }
    assert_eq!(server.count(LOGIN), 1);
    // Only the probe of the API version, which carries no token: no listing.
    assert_eq!(server.count(V4), 1);
    assert_eq!(client.stats().probes, 1);
    // A later load tries again (once).
    client.fetch(&prod("/")).await.unwrap_err();
    assert_eq!(server.count(LOGIN), 2);
}

#[tokio::test]
async fn unknown_client_id_on_an_old_server_is_unauthorized() {
    let server = Server::start(|_| recorded("v04-ua-login-unknown-client-id")).await;
    let error = client(&server).fetch(&prod("/")).await.unwrap_err();
    assert_eq!(error.kind(), StoreErrorKind::Unauthorized);
    assert_eq!(error.status(), Some(404));
    assert_eq!(server.count(LOGIN), 1);
}

#[tokio::test]
async fn retry_after_and_try_again_hints_are_honoured() {
    let calls = AtomicUsize::new(0);
    let server = Server::start(move |r| match r.path.as_str() {
        LOGIN => login_ok("tok-1"),
        V4 => match calls.fetch_add(1, Ordering::SeqCst) {
            // The 2024-10 rate limit: a 500 with Retry-After.
            0 => json(
                500,
                r#"{"statusCode":500,"message":"Something went wrong","error":"InternalServerError"}"#,
                &[("retry-after", "1")],
            ),
            // Current: 429 with the wait in the message only.
            1 => json(
                429,
                r#"{"statusCode":429,"message":"Rate limit exceeded. Please try again in 1 seconds","error":"RateLimitExceeded"}"#,
                &[],
            ),
            _ => json(200, &listing(&[("A", "1")]), &[]),
        },
        _ => json(500, "{}", &[]),
    })
    .await;
    let folder = client(&server).fetch(&prod("/")).await.unwrap();
    assert_eq!(value(&folder, "A"), "1");
    assert_eq!(server.count(V4), 3);
}

#[tokio::test]
async fn a_wait_past_the_deadline_is_not_attempted() {
    // The recorded 2024-10 rate limit asks for 60 s; the deadline is 5 s.
    let server = Server::start(|r| match r.path.as_str() {
        LOGIN => login_ok("tok-1"),
        _ => recorded("v70-ratelimit-exceeded-returns-500"),
    })
    .await;
    let client = builder(&server)
        .startup_deadline(Duration::from_secs(5))
        .build()
        .unwrap();
    let error = client.fetch(&prod("/")).await.unwrap_err();
    assert_eq!(error.kind(), StoreErrorKind::Throttled);
    assert_eq!(error.status(), Some(500));
    assert!(error.to_string().contains("startup deadline"), "{error}");
    assert_eq!(error.retry_after(), Some(Duration::from_mins(1)));
    assert_eq!(server.count(V4), 1);
}

#[tokio::test]
async fn current_rate_limit_past_the_budget_is_throttled() {
    let server = Server::start(|r| match r.path.as_str() {
        LOGIN => login_ok("tok-1"),
        _ => json(
            429,
            &example("error-429-rate-limited.json"),
            &[("retry-after", "0")],
        ),
    })
    .await;
    let client = builder(&server).max_retries(1).build().unwrap();
    let error = client.fetch(&prod("/")).await.unwrap_err();
    assert_eq!(error.kind(), StoreErrorKind::Throttled);
    assert_eq!(error.name(), Some("RateLimitExceeded"));
    assert_eq!(error.req_id(), Some("req-7LmZ3cVq5tXeG2wB"));
    assert_eq!(server.count(V4), 2);
}

#[tokio::test]
async fn an_old_server_is_detected_once_and_asked_v3() {
    let server = Server::start(|r| match r.path.as_str() {
        LOGIN => recorded("v02-ua-login"),
        V4 => recorded("v50-v4-secrets-list"),
        V3 if r.query["environment"] == "staging" => recorded("v20-list-raw-staging-empty"),
        V3 => recorded("v12-list-raw-prod-root-include-imports"),
        _ => json(500, "{}", &[]),
    })
    .await;
    let client = client(&server);
    let folder = client.fetch(&prod("/")).await.unwrap();
    assert_eq!(value(&folder, "APP_ENV"), "production");
    assert_eq!(
        value(&folder, "SENTRY_DSN"),
        "https://dummy@sentry.invalid/1"
    );
    assert_eq!(
        folder
            .get("SENTRY_DSN")
            .unwrap()
            .import()
            .map(ToString::to_string)
            .as_deref(),
        Some("prod:/shared")
    );
    // A wrong environment on an old server: an empty folder, not an error.
    let empty = client.fetch(&Folder::new("staging", "/")).await.unwrap();
    assert!(empty.is_empty());
    assert_eq!(server.count(V4), 1);
    assert_eq!(server.count(V3), 2);
    let expected: HashMap<String, String> = [
        ("workspaceId", "proj-1"),
        ("environment", "prod"),
        ("secretPath", "/"),
        ("expandSecretReferences", "true"),
        ("include_imports", "true"),
        ("recursive", "false"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    assert_eq!(server.requests(V3)[0].query, expected);
}

#[tokio::test]
async fn a_missing_folder_is_not_found_not_a_missing_route() {
    let server = Server::start(|r| match r.path.as_str() {
        LOGIN => login_ok("tok-1"),
        V4 => json(404, &example("error-404-secret-path-not-found.json"), &[]),
        _ => json(500, "{}", &[]),
    })
    .await;
    let error = client(&server).fetch(&prod("/backnd")).await.unwrap_err();
    assert_eq!(error.kind(), StoreErrorKind::NotFound);
    assert_eq!(error.name(), Some("SecretPathNotFound"));
    assert_eq!(error.req_id(), Some("req-4HkD8sNe1yUbJ6oP"));
    assert_eq!(server.count(V3), 0);
}

#[tokio::test]
async fn errors_are_classified_from_recordings() {
    let cases = [
        (
            "v44-list-raw-missing-environment",
            StoreErrorKind::BadRequest,
        ),
        ("v46-list-raw-unknown-workspace", StoreErrorKind::NotFound),
        ("v47-list-raw-bad-bool-param", StoreErrorKind::BadRequest),
        (
            "v86-create-secret-viewer-forbidden",
            StoreErrorKind::Forbidden,
        ),
    ];
    for (name, kind) in cases {
        let server = Server::start(move |r| match r.path.as_str() {
            LOGIN => login_ok("tok-1"),
            V4 => recorded("v50-v4-secrets-list"),
            _ => recorded(name),
        })
        .await;
        let error = client(&server).fetch(&prod("/")).await.unwrap_err();
        assert_eq!(error.kind(), kind, "{name}: {error}");
        // A validation failure is a request bug: no new login.
        assert_eq!(server.count(LOGIN), 1, "{name}");
        assert_clean(&error);
    }
}
