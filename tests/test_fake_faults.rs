//! The fake's test controls: injected faults (statuses, raw bodies, redirects, resets,
//! trickled bodies), delays and latency, and its bookkeeping: the request log (without
//! tokens), `ETag`s and `If-None-Match`, concurrent requests, and stopping when dropped.

mod support;

use reqwest::header;
use secrets_core::testing::{FakeInfisical, Fault, Route, ServerMode};
use std::time::{Duration, Instant};

use support::datasets::{CLIENT_SECRET, PID, recorded_data_set, simple_fake, v3_list, v4_list_for};
use support::recorded::{client, get, login, send};

#[tokio::test]
async fn status_faults_have_infisical_bodies() {
    let fake = simple_fake().await;
    let list = v4_list_for(fake.project_id(), "");
    fake.fail_next(Route::ListV4, 2, Fault::Status(503));
    for _ in 0..2 {
        let got = get(&fake, "t", &list).await;
        assert_eq!(got.status, 503);
        let body = got.json();
        assert_eq!(body["statusCode"], 503);
        assert_eq!(body["error"], "ServiceUnavailable");
        assert!(body["reqId"].is_string() && body["message"].is_string());
    }
    assert_eq!(get(&fake, "t", &list).await.status, 200);

    fake.fail_always(Route::ListV4, Fault::Status(500));
    fake.fail_next(Route::ListV4, 1, Fault::Status(502));
    assert_eq!(
        get(&fake, "t", &list).await.status,
        502,
        "queued faults come first"
    );
    assert_eq!(get(&fake, "t", &list).await.status, 500);
    assert_eq!(get(&fake, "t", &list).await.status, 500);
    // Other routes are not affected.
    let single = format!(
        "/api/v4/secrets/DATABASE_URL?projectId={}&environment=prod",
        fake.project_id()
    );
    assert_eq!(get(&fake, "t", &single).await.status, 200);
    fake.clear_faults();
    assert_eq!(get(&fake, "t", &list).await.status, 200);
    assert_eq!(fake.request_count(Route::ListV4), 7);
    assert_eq!(fake.request_count(Route::GetV4), 1);

    // Faults come before authentication.
    fake.fail_next(Route::ListV4, 1, Fault::Status(504));
    assert_eq!(get(&fake, "bad-token", &list).await.status, 504);
}

#[tokio::test]
async fn raw_body_and_redirect_faults() {
    let fake = simple_fake().await;
    let list = v4_list_for(fake.project_id(), "");
    fake.fail_next(
        Route::ListV4,
        1,
        Fault::Body {
            status: 200,
            content_type: "application/json".to_owned(),
            body: b"{\"secrets\": [".to_vec(),
        },
    );
    let got = get(&fake, "t", &list).await;
    assert_eq!((got.status, got.body.as_str()), (200, "{\"secrets\": ["));
    assert_eq!(got.header("content-type"), Some("application/json"));

    fake.fail_next(
        Route::ListV4,
        1,
        Fault::Redirect {
            location: "http://127.0.0.1:9/elsewhere".to_owned(),
        },
    );
    let got = get(&fake, "t", &list).await;
    assert_eq!(got.status, 302);
    assert_eq!(got.header("location"), Some("http://127.0.0.1:9/elsewhere"));
}

#[tokio::test]
async fn reset_connection_fault_drops_the_connection() {
    let fake = simple_fake().await;
    let list = v4_list_for(fake.project_id(), "");
    fake.fail_next(Route::ListV4, 1, Fault::ResetConnection);
    let err = client()
        .get(format!("{}{list}", fake.url()))
        .bearer_auth("t")
        .send()
        .await
        .expect_err("the connection was dropped");
    assert!(err.is_request() || err.is_connect(), "{err:?}");
    assert_eq!(
        fake.request_count(Route::ListV4),
        1,
        "not retried by the client"
    );
    assert_eq!(fake.requests()[0].status(), None);
    // The server keeps serving.
    assert_eq!(get(&fake, "t", &list).await.status, 200);
}

#[tokio::test]
async fn trickle_fault_outlasts_a_client_timeout() {
    let fake = simple_fake().await;
    let list = v4_list_for(fake.project_id(), "");
    fake.fail_next(
        Route::ListV4,
        1,
        Fault::Trickle {
            chunk_delay: Duration::from_millis(100),
        },
    );
    let started = Instant::now();
    let result = async {
        client()
            .get(format!("{}{list}", fake.url()))
            .bearer_auth("t")
            .timeout(Duration::from_millis(400))
            .send()
            .await?
            .text()
            .await
    }
    .await;
    let err = result.expect_err("the body arrives too slowly");
    assert!(err.is_timeout(), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(3));

    // Without a timeout the trickled body arrives whole.
    let fake = FakeInfisical::builder()
        .access_token("t")
        .secret("prod", "/", "K", "v")
        .start()
        .await;
    fake.fail_next(
        Route::ListV4,
        1,
        Fault::Trickle {
            chunk_delay: Duration::from_millis(1),
        },
    );
    let got = get(&fake, "t", &v4_list_for(fake.project_id(), "")).await;
    assert_eq!(got.json()["secrets"][0]["secretValue"], "v");
}

#[tokio::test]
async fn delays_and_latency() {
    let fake = simple_fake().await;
    let list = v4_list_for(fake.project_id(), "");
    fake.fail_next(Route::ListV4, 1, Fault::Delay(Duration::from_millis(300)));
    let started = Instant::now();
    assert_eq!(get(&fake, "t", &list).await.status, 200);
    assert!(started.elapsed() >= Duration::from_millis(300));

    fake.set_latency(Duration::from_millis(150));
    let started = Instant::now();
    assert_eq!(get(&fake, "t", &list).await.status, 200);
    assert!(started.elapsed() >= Duration::from_millis(150));

    let slow = FakeInfisical::builder()
        .latency(Duration::from_millis(100))
        .start()
        .await;
    let started = Instant::now();
    send(client().get(format!("{}/api/status", slow.url()))).await;
    assert!(started.elapsed() >= Duration::from_millis(100));
}

#[tokio::test]
async fn requests_are_logged_without_tokens() {
    let fake = recorded_data_set(ServerMode::Current).start().await;
    let token = login(&fake).await;
    get(&fake, &token, &v3_list("&secretPath=/")).await;
    get(
        &fake,
        &token,
        &format!("/api/v4/secrets?projectId={PID}&environment=prod&secretPath=/langgraph-agent"),
    )
    .await;
    assert_eq!(fake.total_requests(), 3);
    assert_eq!(fake.request_count(Route::UniversalAuthLogin), 1);
    assert_eq!(fake.request_count(Route::ListV3), 1);
    assert_eq!(fake.request_count(Route::ListV4), 1);
    assert_eq!(fake.request_count(Route::TokenRenew), 0);

    let log = fake.requests();
    assert_eq!(log[0].method(), "POST");
    assert_eq!(log[0].path(), "/api/v1/auth/universal-auth/login");
    assert!(!log[0].has_authorization());
    assert_eq!(log[0].status(), Some(200));
    assert_eq!(log[2].route(), Route::ListV4);
    assert!(log[2].has_authorization());
    assert_eq!(
        log[2].query_param("secretPath").as_deref(),
        Some("/langgraph-agent")
    );
    let dump = format!("{log:?}");
    assert!(
        !dump.contains(&token) && !dump.contains(CLIENT_SECRET),
        "{dump}"
    );

    fake.clear_requests();
    assert_eq!(fake.total_requests(), 0);
    assert_eq!(fake.request_count(Route::ListV3), 0);
}

#[tokio::test]
async fn etag_and_if_none_match() {
    let fake = simple_fake().await;
    let list = v4_list_for(fake.project_id(), "");
    let first = get(&fake, "t", &list).await;
    let tag = first.header("etag").expect("etag").to_owned();
    assert!(tag.starts_with('"') && tag.ends_with('"'));
    assert_eq!(
        get(&fake, "t", &list).await.header("etag"),
        Some(tag.as_str())
    );

    let cached = send(
        client()
            .get(format!("{}{list}", fake.url()))
            .bearer_auth("t")
            .header(header::IF_NONE_MATCH, &tag),
    )
    .await;
    assert_eq!(cached.status, 304);
    assert!(cached.body.is_empty());
    assert_eq!(cached.header("etag"), Some(tag.as_str()));

    fake.set_secret("prod", "/", "DATABASE_URL", "changed");
    let changed = send(
        client()
            .get(format!("{}{list}", fake.url()))
            .bearer_auth("t")
            .header(header::IF_NONE_MATCH, &tag),
    )
    .await;
    assert_eq!(changed.status, 200);
    assert_ne!(changed.header("etag"), Some(tag.as_str()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_requests() {
    let fake = simple_fake().await;
    let list = v4_list_for(fake.project_id(), "");
    let url = format!("{}{list}", fake.url());
    let tasks: Vec<_> = (0..32)
        .map(|i| {
            let url = url.clone();
            tokio::spawn(async move {
                let got = send(client().get(url).bearer_auth("t")).await;
                (i, got.status)
            })
        })
        .collect();
    for task in tasks {
        let (i, status) = task.await.unwrap();
        assert_eq!(status, 200, "request {i}");
    }
    assert_eq!(fake.request_count(Route::ListV4), 32);
}

#[tokio::test]
async fn dropping_the_fake_stops_it() {
    let fake = simple_fake().await;
    let url = format!("{}/api/status", fake.url());
    assert_eq!(send(client().get(&url)).await.status, 200);
    drop(fake);
    tokio::task::yield_now().await;
    let err = client().get(&url).send().await.expect_err("server is gone");
    assert!(err.is_connect() || err.is_request(), "{err:?}");
}
