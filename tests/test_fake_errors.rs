//! The fake's errors answer like the real servers': rate limits (October 2024 and June 2025
//! recordings), the current API's error examples and `422` validation failures, the status
//! route, and the loud `500` for what it does not know, hostile requests included.

mod support;

use reqwest::header;
use secrets_core::testing::{Fault, Route, ServerMode};
use serde_json::{Value, json};

use support::datasets::{
    CLIENT_ID, CLIENT_SECRET, LIB, LIST_COMMENT, SECRETS_2025, VIEWER_ID, data_set_2025,
    example_data_set, recorded_data_set, simple_fake, v3_list, v4_list, v4_list_2025, v4_list_for,
};
use support::recorded::{
    assert_agrees, assert_json_agrees, client, example, get, login, login_as, post_json, recorded,
    recorded_2025, send,
};

#[tokio::test]
async fn legacy_rate_limit_matches_recordings() {
    let fake = recorded_data_set(ServerMode::Legacy2024)
        .enforce_rate_limits(true)
        .start()
        .await;
    let token = login(&fake).await;
    let list = v3_list("&secretPath=/");
    for _ in 0..39 {
        assert_eq!(get(&fake, &token, &list).await.status, 200);
    }
    let fortieth = get(&fake, &token, &list).await;
    assert_agrees(
        &recorded("v70-ratelimit-last-allowed-remaining-0"),
        &fortieth,
    );
    assert_eq!(fortieth.header("x-ratelimit-remaining"), Some("0"));

    let over = get(&fake, &token, &list).await;
    let fixture = recorded("v70-ratelimit-exceeded-returns-500");
    assert_agrees(&fixture, &over);
    assert_eq!(over.header("x-ratelimit-remaining"), Some("0"));
    assert_eq!(over.header("retry-after"), over.header("x-ratelimit-reset"));

    // The bucket is per client, not per identity.
    let viewer = login_as(&fake, VIEWER_ID).await;
    let other = get(&fake, &viewer, &list).await;
    assert_agrees(
        &recorded("v71-ratelimit-500-with-other-identity-same-ip"),
        &other,
    );

    // The injected fault answers exactly like the recorded limiter.
    let faulted = recorded_data_set(ServerMode::Legacy2024).start().await;
    let token = login(&faulted).await;
    faulted.fail_next(
        Route::ListV3,
        1,
        Fault::RateLimited {
            retry_after_secs: 60,
        },
    );
    let got = get(&faulted, &token, &list).await;
    assert_agrees(&fixture, &got);
    for header in [
        "x-ratelimit-limit",
        "x-ratelimit-remaining",
        "x-ratelimit-reset",
        "retry-after",
    ] {
        assert_eq!(got.header(header), fixture.header(header), "{header}");
    }
}

#[tokio::test]
async fn status_route_matches_recording() {
    let fake = recorded_data_set(ServerMode::Legacy2024).start().await;
    let got = send(client().get(format!("{}/api/status", fake.url()))).await;
    assert_agrees(&recorded("v01-status"), &got);
}

#[tokio::test]
async fn current_rate_limits_match_2025_recordings() {
    // Cloud mode: the limiter is on (a self-hosted server without a licence has none, v95).
    let fake = data_set_2025().enforce_rate_limits(true).start().await;
    let login = post_json(
        &fake,
        "/api/v1/auth/universal-auth/login",
        &json!({ "clientId": CLIENT_ID, "clientSecret": CLIENT_SECRET }),
    )
    .await;
    assert_agrees(&recorded_2025("v90-cloudmode-ua-login"), &login);
    let token = login.json()["accessToken"]
        .as_str()
        .expect("token")
        .to_owned();
    // `DATABASE_URL` had been changed twice by the time of these calls.
    for value in ["changed-once", SECRETS_2025[12].3] {
        fake.set_secret("prod", "/", "DATABASE_URL", value);
    }
    let list = v4_list_2025(&format!("&environment=prod&secretPath=/&{LIB}"));
    for _ in 0..39 {
        assert_eq!(get(&fake, &token, &list).await.status, 200);
    }
    let fortieth = get(&fake, &token, &list).await;
    assert_agrees(
        &recorded_2025("v91-cloudmode-ratelimit-last-allowed"),
        &fortieth,
    );
    assert_eq!(fortieth.header("x-ratelimit-remaining"), Some("0"));
    let mut over = get(&fake, &token, &list).await;
    // The wait is what is left of the minute: the fake's own, said alike in both places.
    let wait = over.header("retry-after").expect("retry-after").to_owned();
    let wait_secs: u64 = wait.parse().expect("seconds");
    assert!((1..=60).contains(&wait_secs), "{wait}");
    let said = format!("try again in {wait} seconds");
    assert!(over.body.contains(&said), "{}", over.body);
    over.body = over.body.replace(&said, "try again in 58 seconds");
    assert_agrees(&recorded_2025("v92-cloudmode-ratelimit-exceeded"), &over);
    let viewer = login_as(&fake, VIEWER_ID).await;
    let mut other = get(&fake, &viewer, &list).await;
    let wait = other.header("retry-after").expect("retry-after").to_owned();
    other.body = other.body.replace(
        &format!("try again in {wait} seconds"),
        "try again in 58 seconds",
    );
    assert_agrees(
        &recorded_2025("v93-cloudmode-ratelimit-other-identity-same-ip"),
        &other,
    );

    // Self-hosted: no limiter, no headers, however many lists.
    let fake = data_set_2025().start().await;
    let token = login_as(&fake, CLIENT_ID).await;
    for _ in 0..45 {
        assert_eq!(get(&fake, &token, &list).await.status, 200);
    }
    assert_agrees(
        &recorded_2025("v95-selfhosted-list-after-399-lists-no-ratelimit"),
        &get(&fake, &token, &list).await,
    );
}

#[tokio::test]
async fn current_errors_match_examples() {
    let fake = example_data_set(LIST_COMMENT).start().await;
    let token = login(&fake).await;

    // A missing folder is an empty `200` on the June 2025 server (recordings v23, v24), not the
    // example's `404 SecretPathNotFound` of later servers.
    let missing = get(&fake, &token, &v4_list("&secretPath=/backnd")).await;
    assert_eq!(missing.status, 200);
    assert_eq!(missing.json(), json!({ "secrets": [], "imports": [] }));

    fake.fail_next(
        Route::ListV4,
        1,
        Fault::RateLimited {
            retry_after_secs: 42,
        },
    );
    let limited = get(&fake, &token, &v4_list("&secretPath=/backend")).await;
    assert_eq!(limited.status, 429);
    assert_eq!(limited.header("retry-after"), Some("42"));
    assert_json_agrees(
        "error-429-rate-limited",
        &example("error-429-rate-limited"),
        &limited.json(),
    );

    fake.expire_tokens();
    let expired = get(&fake, &token, &v4_list("&secretPath=/backend")).await;
    assert_eq!(expired.status, 403);
    assert_json_agrees(
        "error-403-token-expired",
        &example("error-403-token-expired"),
        &expired.json(),
    );
    // A JWT past `exp` keeps failing the same way (it is never looked up).
    assert_eq!(
        get(&fake, &token, &v4_list("&secretPath=/backend"))
            .await
            .status,
        403
    );
}

/// The 2024 validation failure (fixture v47) as the current server sends it: `422`, `reqId`.
#[tokio::test]
async fn current_validation_failures_are_422() {
    let fake = recorded_data_set(ServerMode::Current).start().await;
    let token = login(&fake).await;
    let got = get(
        &fake,
        &token,
        &v3_list("&secretPath=/&expandSecretReferences=yes"),
    )
    .await;
    assert_eq!(got.status, 422);
    let mut expected = recorded("v47-list-raw-bad-bool-param").json();
    expected["statusCode"] = json!(422);
    expected["reqId"] = json!("req-x");
    assert_json_agrees("v47 as 422", &expected, &got.json());

    let missing = post_json(
        &fake,
        "/api/v1/auth/universal-auth/login",
        &json!({ "clientId": CLIENT_ID }),
    )
    .await;
    assert_eq!(missing.status, 422);
    assert_eq!(
        missing.json()["message"][0]["path"],
        json!(["clientSecret"])
    );

    // The June 2025 server still tells an unknown client id apart (recording v04).
    let unknown = post_json(
        &fake,
        "/api/v1/auth/universal-auth/login",
        &json!({ "clientId": "nobody", "clientSecret": "x" }),
    )
    .await;
    assert_eq!(unknown.status, 404);
    assert_eq!(
        unknown.json()["message"],
        "No identity with specified client ID was found"
    );
}

#[tokio::test]
async fn unknown_routes_fail_loudly() {
    let fake = simple_fake().await;
    let got = send(
        client()
            .post(format!("{}/api/v3/secrets/raw/SHOULD_FAIL", fake.url()))
            .bearer_auth("t")
            .json(&json!({ "secretValue": "x" })),
    )
    .await;
    assert_eq!(got.status, 500);
    let message = got.json()["message"].as_str().unwrap().to_owned();
    assert!(
        message.contains("POST /api/v3/secrets/raw/SHOULD_FAIL"),
        "{message}"
    );
    let got = send(client().get(format!("{}/api/v1/folders?path=/", fake.url()))).await;
    assert_eq!(got.status, 500);
    assert!(
        got.body.contains("GET /api/v1/folders?path=/"),
        "{}",
        got.body
    );
    assert_eq!(fake.request_count(Route::Other), 2);
}

#[tokio::test]
async fn hostile_requests_get_answers() {
    let fake = simple_fake().await;
    let pid = fake.project_id().to_owned();
    let odd_queries = [
        "/api/v4/secrets?projectId=%ff%fe&environment=%00".to_owned(),
        format!(
            "/api/v4/secrets?projectId={pid}&environment=prod&secretPath=%2F..%2F..&recursive=true"
        ),
        format!("/api/v4/secrets?projectId={pid}&projectId={pid}&environment=prod"),
        format!(
            "/api/v4/secrets?projectId={pid}&environment=prod&expandSecretReferences=true&expandSecretReferences=false"
        ),
        format!("/api/v4/secrets/%E2%82%AC%zz?projectId={pid}&environment=prod&version=abc"),
        format!(
            "/api/v4/secrets?projectId={pid}&environment=prod&secretPath={}",
            "/a".repeat(2000)
        ),
        "/api/v3/secrets/raw?".to_owned(),
        "/api/v3/secrets/raw/%20?workspaceId=x".to_owned(),
    ];
    for path in &odd_queries {
        let got = get(&fake, "t", path).await;
        assert!((200..600).contains(&got.status), "{path}");
        assert!(
            serde_json::from_str::<Value>(&got.body).is_ok(),
            "{path}: {}",
            got.body
        );
    }
    let headers = [
        vec![0xff_u8, 0xfe],
        b"Bearer".to_vec(),
        b"Bearer \xc3\xa9\xc3\xa9".to_vec(),
        Vec::new(),
    ];
    for value in headers {
        let value = header::HeaderValue::from_bytes(&value).unwrap();
        let got = send(
            client()
                .get(format!("{}{}", fake.url(), v4_list_for(&pid, "")))
                .header(header::AUTHORIZATION, value),
        )
        .await;
        assert_eq!(got.status, 403, "{}", got.body);
    }
    for (content_type, body) in [
        ("application/json", &b"{not json"[..]),
        ("application/json", b"[1,2]"),
        ("text/plain", b"clientId=a"),
        ("application/x-www-form-urlencoded", b"%zz=%ff&&=="),
    ] {
        let got = send(
            client()
                .post(format!("{}/api/v1/auth/universal-auth/login", fake.url()))
                .header(header::CONTENT_TYPE, content_type)
                .body(body.to_vec()),
        )
        .await;
        assert!(
            (400..500).contains(&got.status),
            "{content_type}: {}",
            got.body
        );
    }
    // Still serving.
    assert_eq!(get(&fake, "t", &v4_list_for(&pid, "")).await.status, 200);
}
