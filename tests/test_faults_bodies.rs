//! The fault matrix of SECURITY.md, bodies: listings of the wrong shape, oversized or
//! duplicated, redirects and unexpanded references, driven through a derived struct's
//! `load()` against the fake server (or a raw listener on 127.0.0.1), asserting what the user
//! sees and how many requests the fault cost.
//!
//! Timeouts, backoff and the startup deadline are short so the suite stays fast; every loop of
//! requests is bounded by the retry budget and the deadline. The app, its data and the checks
//! of a failed load are in `support/faults.rs`.

mod support;

use std::time::Duration;

use support::fake::{json_body, no_env};
use support::faults::{
    App, VALUE, assert_clean, assert_loaded, data, fast, listing, load, store_error,
};
use support::server::{Reply, Server, http_json};

use secrets_core::testing::{Fault, Route, ServerMode};
use secrets_core::{Env, ProblemKind, store::StoreErrorKind};

// ---------------------------------------------------------------------------------------
// Bodies

/// A listing answered with `body` (status 200) fails every key as an invalid response, after
/// one request, without quoting the body.
async fn assert_unusable_listing(body: &str) {
    let fake = data(ServerMode::Current).start().await;
    fake.fail_always(Route::ListV4, json_body(200, body));
    let error = load(fast(fake.url()).build().unwrap()).await.err().unwrap();
    let e = store_error(&error);
    assert_eq!(e.kind(), StoreErrorKind::InvalidResponse, "{body}: {error}");
    assert_eq!(e.status(), Some(200));
    assert!(
        error.to_string().contains("not understood (line "),
        "{error}"
    );
    assert_eq!(fake.request_count(Route::ListV4), 1, "not retried");
    assert_clean(&error);
}

#[tokio::test]
async fn malformed_json_is_an_invalid_response() {
    for body in [
        "{not json SENTINEL",
        "",
        "\u{0}\u{1}",
        r#"{"secrets":[{"secretKey":"DATABASE_URL","secretValue":"SENTINEL"},]}"#,
    ] {
        assert_unusable_listing(body).await;
    }
}

#[tokio::test]
async fn truncated_json_is_an_invalid_response() {
    let full = listing();
    for cut in [1, full.len() / 3, full.len() - 1] {
        assert_unusable_listing(&full[..cut]).await;
    }
}

#[tokio::test]
async fn json_of_the_wrong_shape_is_an_invalid_response() {
    for body in [
        "null",
        "[]",
        "{}",
        r#"{"data":[]}"#,
        r#"{"secrets":{"DATABASE_URL":"SENTINEL"}}"#,
        r#"{"secrets":[{"secretKey":"DATABASE_URL"}]}"#,
        r#"{"secrets":[{"secretKey":7,"secretValue":"SENTINEL"}]}"#,
        r#"{"secrets":[],"imports":{"x":1}}"#,
    ] {
        assert_unusable_listing(body).await;
    }
}

#[tokio::test]
async fn a_body_over_the_size_cap_is_refused() {
    let fake = data(ServerMode::Current).start().await;
    let huge = serde_json::json!({
        "secrets": [{"secretKey": "DATABASE_URL", "secretValue": "x".repeat(64 * 1024)}],
    })
    .to_string();
    fake.fail_always(Route::ListV4, json_body(200, &huge));
    let client = fast(fake.url()).max_response_bytes(4096).build().unwrap();
    let error = load(client).await.err().unwrap();
    let e = store_error(&error);
    assert_eq!(e.kind(), StoreErrorKind::InvalidResponse, "{error}");
    assert!(
        error
            .to_string()
            .contains("response larger than 4096 bytes"),
        "{error}"
    );
    assert_eq!(fake.request_count(Route::ListV4), 1, "not retried");
}

#[tokio::test]
async fn an_html_404_page_means_an_old_server_then_fails_if_v3_is_missing_too() {
    let html = Fault::Body {
        status: 404,
        content_type: "text/html; charset=utf-8".to_owned(),
        body: b"<!DOCTYPE html><html><body><h1>404</h1>This page could not be found.</body></html>"
            .to_vec(),
    };
    // Only v4 missing: the client moves to /api/v3/secrets/raw and loads.
    let fake = data(ServerMode::Current).start().await;
    fake.fail_always(Route::ListV4, html.clone());
    assert_loaded(&load(fast(fake.url()).build().unwrap()).await.unwrap());
    assert_eq!(fake.request_count(Route::ListV4), 1);
    assert_eq!(fake.request_count(Route::ListV3), 1);

    // Neither route: a wrong URL (a web site, not Infisical's API).
    let fake = data(ServerMode::Current).start().await;
    fake.fail_always(Route::ListV4, html.clone());
    fake.fail_always(Route::ListV3, html);
    let error = load(fast(fake.url()).build().unwrap()).await.err().unwrap();
    let e = store_error(&error);
    assert_eq!(e.kind(), StoreErrorKind::InvalidResponse, "{error}");
    assert_eq!(e.status(), Some(404));
    assert!(
        error
            .to_string()
            .contains("has neither /api/v4/secrets nor /api/v3/secrets/raw"),
        "{error}"
    );
}

#[tokio::test]
async fn a_redirect_to_another_host_is_not_followed_and_gets_no_token() {
    let elsewhere = Server::start(|_| Reply::Answer(http_json("200 OK", &listing()))).await;
    let port = elsewhere.url().rsplit(':').next().unwrap().to_owned();
    for (location, host) in [
        (
            format!("http://localhost:{port}/api/v4/secrets"),
            "localhost",
        ),
        (
            format!("{}/api/v4/secrets?token=x", elsewhere.url()),
            "127.0.0.1",
        ),
    ] {
        let fake = data(ServerMode::Current).start().await;
        fake.fail_always(Route::ListV4, Fault::Redirect { location });
        let error = load(fast(fake.url()).build().unwrap()).await.err().unwrap();
        let e = store_error(&error);
        assert_eq!(e.kind(), StoreErrorKind::InvalidResponse, "{error}");
        assert_eq!(e.status(), Some(302));
        let shown = error.to_string();
        assert!(shown.contains(&format!("redirected to {host}")), "{shown}");
        assert!(!shown.contains("token=x"), "{shown}");
        assert_eq!(fake.request_count(Route::ListV4), 1, "not retried");
    }
    assert_eq!(elsewhere.connections(), 0);
    assert_eq!(elsewhere.authorizations(), 0);
}

#[tokio::test]
async fn duplicate_keys_in_one_listing_resolve_like_the_server() {
    // The first of two shared entries wins; a personal override beats the shared entry.
    let fake = data(ServerMode::Current).start().await;
    let body = serde_json::json!({
        "secrets": [
            {"secretKey": "DATABASE_URL", "secretValue": VALUE, "type": "shared"},
            {"secretKey": "DATABASE_URL", "secretValue": "second", "type": "shared"},
            {"secretKey": "PORT", "secretValue": "1111", "type": "shared"},
            {"secretKey": "PORT", "secretValue": "9090", "type": "personal"},
            {"secretKey": "PORT", "secretValue": "2222", "type": "shared"},
        ],
        "imports": [],
    })
    .to_string();
    fake.fail_always(Route::ListV4, json_body(200, &body));
    let app = load(fast(fake.url()).build().unwrap()).await.unwrap();
    assert_loaded(&app);
}

#[tokio::test]
async fn an_unexpanded_reference_is_a_problem_not_a_value_or_a_fallback() {
    let fake = data(ServerMode::Current)
        .secret(
            "prod",
            "/",
            "DATABASE_URL",
            "postgres://${MISSING_HOST}/app",
        )
        .start()
        .await;
    let error = App::loader()
        .env(Env::from_pairs([("DATABASE_URL", "from-env")]))
        .store(fast(fake.url()).build().unwrap())
        .load()
        .await
        .err()
        .unwrap();
    let problems = error.problems();
    assert_eq!(problems.len(), 1, "{error}");
    assert_eq!(problems[0].key(), Some("DATABASE_URL"));
    assert!(
        matches!(problems[0].kind(), ProblemKind::UnexpandedReference(_)),
        "{error}"
    );
    let shown = error.to_string();
    assert!(shown.contains("unexpanded ${...} reference"), "{shown}");
    assert!(!shown.contains("MISSING_HOST"), "{shown}");
}

#[tokio::test]
async fn durations_meaning_forever_do_not_panic() {
    // `Duration::MAX` is a natural way to say "no deadline" or "never refresh on my account";
    // adding it to a clock overflows, which must not take the service down.
    let fake = data(ServerMode::Current).start().await;
    fake.fail_next(Route::ListV4, 1, Fault::Status(503));
    let client = fast(fake.url())
        .startup_deadline(Duration::MAX)
        .retry_backoff(Duration::from_millis(10), Duration::MAX)
        .build()
        .unwrap();
    assert_loaded(&load(client.clone()).await.unwrap());

    let live = App::loader()
        .env(no_env())
        .store(client)
        .watch(Duration::MAX)
        .jitter(1.0)
        .max_backoff(Duration::MAX)
        .start()
        .await
        .unwrap();
    assert_loaded(&live.current());
}
