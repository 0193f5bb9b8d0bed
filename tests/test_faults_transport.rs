//! The fault matrix of SECURITY.md, transport and server answers: refused connections,
//! resets mid-body, slow bodies, server errors and rate limits, driven through a derived
//! struct's `load()` against the fake server (or, for a one-off shape, a raw listener on
//! 127.0.0.1), asserting what the user sees and how many requests the fault cost.
//!
//! Timeouts, backoff and the startup deadline are short so the suite stays fast; every loop of
//! requests is bounded by the retry budget and the deadline. The app, its data and the checks
//! of a failed load are in `support/faults.rs`.

mod support;

use std::time::{Duration, Instant};

use support::fake::list_route;
use support::faults::{assert_clean, assert_loaded, data, fast, listing, load, store_error};
use support::server::{Reply, Server, http_json, refused_url};

use secrets_core::testing::{Fault, Route, ServerMode};
use secrets_core::{SecretString, store::StoreErrorKind};

// ---------------------------------------------------------------------------------------
// Transport

#[tokio::test]
async fn connection_refused_is_unreachable_after_the_retry_budget() {
    let url = refused_url();
    let started = Instant::now();
    let error = load(fast(&url).build().unwrap()).await.err().unwrap();
    let e = store_error(&error);
    assert_eq!(e.kind(), StoreErrorKind::Unreachable, "{error}");
    assert_eq!(e.status(), None);
    let shown = error.to_string();
    assert!(shown.contains("could not connect to 127.0.0.1"), "{shown}");
    assert!(shown.contains("gave up after 4 attempts"), "{shown}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "within the deadline"
    );
    assert_clean(&error);
}

#[tokio::test]
async fn a_connection_reset_mid_body_is_retried_then_loads() {
    let body = listing();
    let server = Server::start(move |n| {
        let full = http_json("200 OK", &body);
        if n == 0 {
            // Headers promise the whole body; half of it arrives, then a reset.
            Reply::ResetAfter(full[..full.len() - body.len() / 2].to_vec())
        } else {
            Reply::Answer(full)
        }
    })
    .await;
    let client = fast(server.url())
        .access_token(SecretString::from("SENTINEL-faults-token"))
        .build()
        .unwrap();
    let app = load(client).await.unwrap();
    assert_loaded(&app);
    assert_eq!(server.connections(), 2);
}

#[tokio::test]
async fn a_connection_reset_mid_body_every_time_is_unreachable() {
    let body = listing();
    let server = Server::start(move |_| {
        let full = http_json("200 OK", &body);
        Reply::ResetAfter(full[..full.len() - 10].to_vec())
    })
    .await;
    let client = fast(server.url())
        .access_token(SecretString::from("SENTINEL-faults-token"))
        .build()
        .unwrap();
    let error = load(client).await.err().unwrap();
    let e = store_error(&error);
    assert_eq!(e.kind(), StoreErrorKind::Unreachable, "{error}");
    assert!(
        error.to_string().contains("gave up after 4 attempts"),
        "{error}"
    );
    assert_eq!(server.connections(), 4);
    assert_clean(&error);
}

#[tokio::test]
async fn a_body_slower_than_the_request_timeout_is_unreachable() {
    let fake = data(ServerMode::Current).start().await;
    fake.fail_always(
        Route::ListV4,
        Fault::Trickle {
            chunk_delay: Duration::from_millis(100),
        },
    );
    let client = fast(fake.url())
        .request_timeout(Duration::from_millis(300))
        .max_retries(1)
        .build()
        .unwrap();
    let started = Instant::now();
    let error = load(client).await.err().unwrap();
    let e = store_error(&error);
    assert_eq!(e.kind(), StoreErrorKind::Unreachable, "{error}");
    assert!(error.to_string().contains("within 0.3 s"), "{error}");
    assert_eq!(fake.request_count(Route::ListV4), 2);
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_clean(&error);
}

// ---------------------------------------------------------------------------------------
// Server errors and rate limits

#[tokio::test]
async fn server_errors_then_success_recover_within_the_retry_budget() {
    for status in [500, 502, 503, 504] {
        let fake = data(ServerMode::Current).start().await;
        fake.fail_next(Route::ListV4, 3, Fault::Status(status));
        let app = load(fast(fake.url()).build().unwrap())
            .await
            .unwrap_or_else(|e| panic!("{status}: {e}"));
        assert_loaded(&app);
        assert_eq!(fake.request_count(Route::ListV4), 4, "{status}");
        assert_eq!(fake.request_count(Route::UniversalAuthLogin), 1);
    }
}

#[tokio::test]
async fn server_errors_forever_fail_naming_the_status() {
    for status in [500, 502, 503, 504] {
        let fake = data(ServerMode::Current).start().await;
        fake.fail_always(Route::ListV4, Fault::Status(status));
        let started = Instant::now();
        let error = load(fast(fake.url()).build().unwrap()).await.err().unwrap();
        let e = store_error(&error);
        assert_eq!(e.kind(), StoreErrorKind::Server, "{error}");
        assert_eq!(e.status(), Some(status));
        let shown = error.to_string();
        assert!(shown.contains(&format!("answered {status}")), "{shown}");
        assert!(shown.contains("gave up after 4 attempts"), "{shown}");
        assert_eq!(
            fake.request_count(Route::ListV4),
            4,
            "budget: 1 + 3 retries"
        );
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "within the deadline"
        );
    }
}

#[tokio::test]
async fn retries_stop_at_the_startup_deadline_whatever_the_budget() {
    let fake = data(ServerMode::Current).start().await;
    fake.fail_always(Route::ListV4, Fault::Status(503));
    let client = fast(fake.url())
        .max_retries(1000)
        .retry_backoff(Duration::from_millis(50), Duration::from_millis(100))
        .startup_deadline(Duration::from_millis(800))
        .build()
        .unwrap();
    let started = Instant::now();
    let error = load(client).await.err().unwrap();
    let e = store_error(&error);
    assert!(
        matches!(
            e.kind(),
            StoreErrorKind::Server | StoreErrorKind::DeadlineExceeded
        ),
        "{error}"
    );
    // Generous for a loaded machine; a run through the budget would take 50 s.
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    // At most one request per 50 ms backoff step within 800 ms.
    assert!(fake.request_count(Route::ListV4) <= 17);
}

#[tokio::test]
async fn rate_limits_wait_as_long_as_the_server_asks() {
    // Current: 429 with Retry-After; 2024-10: a 500 "Something went wrong" with Retry-After.
    for mode in [ServerMode::Current, ServerMode::Legacy2024] {
        let fake = data(mode).start().await;
        let client = fast(fake.url()).build().unwrap();
        // On the old server, learn the v3 route first so the fault lands where it is meant.
        load(client.clone()).await.unwrap();
        let route = list_route(mode);
        let before = fake.request_count(route);
        fake.fail_next(
            route,
            1,
            Fault::RateLimited {
                retry_after_secs: 1,
            },
        );
        let started = Instant::now();
        let app = load(client).await.unwrap();
        assert_loaded(&app);
        assert!(
            started.elapsed() >= Duration::from_millis(950),
            "{mode:?}: waited only {:?}",
            started.elapsed()
        );
        assert_eq!(fake.request_count(route), before + 2, "{mode:?}");
    }
}

#[tokio::test]
async fn an_absurd_retry_after_is_reported_not_a_panic() {
    // A hostile or broken server asks for u64::MAX seconds, in the header and the message.
    for mode in [ServerMode::Current, ServerMode::Legacy2024] {
        let fake = data(mode).start().await;
        let client = fast(fake.url()).build().unwrap();
        load(client.clone()).await.unwrap();
        let route = list_route(mode);
        fake.fail_always(
            route,
            Fault::RateLimited {
                retry_after_secs: u64::MAX,
            },
        );
        let started = Instant::now();
        let error = load(client).await.err().unwrap();
        let e = store_error(&error);
        assert_eq!(e.kind(), StoreErrorKind::Throttled, "{mode:?}: {error}");
        assert!(error.to_string().contains("startup deadline"), "{error}");
        // Reported at once, not after the 5 s deadline ran out.
        assert!(started.elapsed() < Duration::from_secs(4));
    }
}
