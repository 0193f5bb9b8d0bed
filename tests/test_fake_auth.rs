//! The fake's logins and tokens answer like the real servers': Universal Auth and Kubernetes
//! logins, token errors, renewal and revocation, short TTLs against the October 2024 and June
//! 2025 recordings and the current-API example, then what the recordings do not show: renewal
//! to a new token, expiry with the clock, static and service tokens.

mod support;

use reqwest::header;
use secrets_core::testing::{FakeInfisical, Route, ServerMode};
use serde_json::json;
use std::time::Duration;

use support::datasets::{
    CLIENT_ID, CLIENT_SECRET, LIB, LIST_COMMENT, VIEWER_ID, data_set_2025, example_data_set,
    recorded_data_set, v3_list, v3_list_for, v4_list_2025, v4_list_for,
};
use support::recorded::{
    Recorded, assert_agrees, assert_json_agrees, client, example, get, login, post_json, recorded,
    recorded_2025, send,
};

#[tokio::test]
async fn legacy_logins_match_recordings() {
    let fake = recorded_data_set(ServerMode::Legacy2024).start().await;
    let login_path = "/api/v1/auth/universal-auth/login";

    let got = post_json(
        &fake,
        login_path,
        &json!({ "clientId": CLIENT_ID, "clientSecret": CLIENT_SECRET }),
    )
    .await;
    assert_agrees(&recorded("v02-ua-login"), &got);

    let wrong = json!({ "clientId": CLIENT_ID, "clientSecret": "0".repeat(64) });
    assert_agrees(
        &recorded("v03-ua-login-wrong-client-secret"),
        &post_json(&fake, login_path, &wrong).await,
    );

    let unknown = json!({ "clientId": "6f9d5a44-0000-4000-8000-000000000000", "clientSecret": CLIENT_SECRET });
    assert_agrees(
        &recorded("v04-ua-login-unknown-client-id"),
        &post_json(&fake, login_path, &unknown).await,
    );

    let missing = json!({ "clientId": CLIENT_ID });
    assert_agrees(
        &recorded("v05-ua-login-missing-client-secret"),
        &post_json(&fake, login_path, &missing).await,
    );

    let form = send(
        client()
            .post(format!("{}{login_path}", fake.url()))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(format!("clientId={CLIENT_ID}&clientSecret={CLIENT_SECRET}")),
    )
    .await;
    assert_agrees(&recorded("v06-ua-login-form-encoded"), &form);
}

#[tokio::test]
async fn legacy_token_errors_match_recordings() {
    let fake = recorded_data_set(ServerMode::Legacy2024).start().await;
    let list = v3_list("&secretPath=/");
    token_errors_agree(
        &fake,
        &list,
        recorded,
        [
            "v40-list-raw-garbage-token",
            "v41-list-raw-no-auth",
            "v42-list-raw-forged-jwt",
            "v87-list-raw-no-bearer-prefix",
        ],
    )
    .await;
}

/// A listing with a garbage token, with none, with a forged JWT (the real header and payload
/// of the recording's `v02-ua-login`, a wrong signature) and with a token lacking `Bearer `,
/// each against the recording of that call, in that order.
async fn token_errors_agree(
    fake: &FakeInfisical,
    list: &str,
    recording: fn(&str) -> Recorded,
    [garbage, none, forged_jwt, no_bearer]: [&str; 4],
) {
    assert_agrees(
        &recording(garbage),
        &get(fake, "not-a-real-token", list).await,
    );
    let no_auth = send(client().get(format!("{}{list}", fake.url()))).await;
    assert_agrees(&recording(none), &no_auth);
    let forged = recording("v02-ua-login").json()["accessToken"]
        .as_str()
        .expect("token")
        .to_owned();
    assert_agrees(&recording(forged_jwt), &get(fake, &forged, list).await);
    let token = login(fake).await;
    let no_prefix = send(
        client()
            .get(format!("{}{list}", fake.url()))
            .header(header::AUTHORIZATION, token),
    )
    .await;
    assert_agrees(&recording(no_bearer), &no_prefix);
}

#[tokio::test]
async fn legacy_renew_and_revoke_match_recordings() {
    let fake = recorded_data_set(ServerMode::Legacy2024).start().await;

    // TTL == max TTL (the API default): a renew would pass the max TTL, fails, and deletes
    // the still valid token.
    let token = login(&fake).await;
    let renew = post_json(
        &fake,
        "/api/v1/auth/token/renew",
        &json!({ "accessToken": token }),
    )
    .await;
    assert_agrees(&recorded("v60-token-renew"), &renew);
    let after = get(&fake, &token, &v3_list("&secretPath=/")).await;
    assert_agrees(&recorded("v64-list-raw-after-failed-renew"), &after);

    let again = post_json(
        &fake,
        "/api/v1/auth/universal-auth/login",
        &json!({ "clientId": CLIENT_ID, "clientSecret": CLIENT_SECRET }),
    )
    .await;
    assert_agrees(&recorded("v61-ua-login-for-revoke"), &again);
    let token = again.json()["accessToken"]
        .as_str()
        .expect("token")
        .to_owned();
    let revoke = post_json(
        &fake,
        "/api/v1/auth/token/revoke",
        &json!({ "accessToken": token }),
    )
    .await;
    assert_agrees(&recorded("v62-token-revoke"), &revoke);
    let after = get(&fake, &token, &v3_list("&secretPath=/")).await;
    assert_agrees(&recorded("v63-list-raw-revoked-token"), &after);
}

#[tokio::test]
async fn legacy_short_ttl_tokens_match_recordings() {
    let fake = recorded_data_set(ServerMode::Legacy2024)
        .token_ttl(Duration::from_secs(5))
        .token_max_ttl(Duration::from_hours(1))
        .start()
        .await;
    let got = post_json(
        &fake,
        "/api/v1/auth/universal-auth/login",
        &json!({ "clientId": VIEWER_ID, "clientSecret": CLIENT_SECRET }),
    )
    .await;
    assert_agrees(&recorded("v80-ua-login-short-ttl"), &got);
    let token = got.json()["accessToken"]
        .as_str()
        .expect("token")
        .to_owned();

    let renewed = post_json(
        &fake,
        "/api/v1/auth/token/renew",
        &json!({ "accessToken": token }),
    )
    .await;
    assert_agrees(&recorded("v81-token-renew-ok"), &renewed);
    assert_eq!(
        renewed.json()["accessToken"],
        token.as_str(),
        "2024 renews the same token"
    );

    fake.expire_tokens();
    let list = v3_list("&secretPath=/");
    assert_agrees(
        &recorded("v83-list-raw-expired-token"),
        &get(&fake, &token, &list).await,
    );
    assert_agrees(
        &recorded("v84-list-raw-expired-token-again"),
        &get(&fake, &token, &list).await,
    );
    let renew = post_json(
        &fake,
        "/api/v1/auth/token/renew",
        &json!({ "accessToken": token }),
    )
    .await;
    assert_agrees(&recorded("v85-token-renew-expired"), &renew);
}

#[tokio::test]
async fn current_logins_match_2025_recordings() {
    let fake = data_set_2025().start().await;
    let login_path = "/api/v1/auth/universal-auth/login";
    let good = json!({ "clientId": CLIENT_ID, "clientSecret": CLIENT_SECRET });
    assert_agrees(
        &recorded_2025("v02-ua-login"),
        &post_json(&fake, login_path, &good).await,
    );
    let wrong = json!({ "clientId": CLIENT_ID, "clientSecret": "0".repeat(64) });
    assert_agrees(
        &recorded_2025("v03-ua-login-wrong-client-secret"),
        &post_json(&fake, login_path, &wrong).await,
    );
    let unknown = json!({ "clientId": "6f9d5a44-0000-4000-8000-000000000000", "clientSecret": CLIENT_SECRET });
    assert_agrees(
        &recorded_2025("v04-ua-login-unknown-client-id"),
        &post_json(&fake, login_path, &unknown).await,
    );
    assert_agrees(
        &recorded_2025("v05-ua-login-missing-client-secret"),
        &post_json(&fake, login_path, &json!({ "clientId": CLIENT_ID })).await,
    );
    let form = send(
        client()
            .post(format!("{}{login_path}", fake.url()))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(format!("clientId={CLIENT_ID}&clientSecret={CLIENT_SECRET}")),
    )
    .await;
    assert_agrees(&recorded_2025("v06-ua-login-form-encoded"), &form);
    let status = send(client().get(format!("{}/api/status", fake.url()))).await;
    assert_agrees(&recorded_2025("v01-status"), &status);
}

#[tokio::test]
async fn current_token_errors_match_2025_recordings() {
    let fake = data_set_2025().start().await;
    let list = v4_list_2025(&format!("&environment=prod&secretPath=/&{LIB}"));
    token_errors_agree(
        &fake,
        &list,
        recorded_2025,
        [
            "v50-list-garbage-token",
            "v51-list-no-auth",
            "v52-list-forged-jwt",
            "v53-list-no-bearer-prefix",
        ],
    )
    .await;

    // TTL == max TTL: the renew is refused and the token deleted.
    let token = login(&fake).await;
    let renew = post_json(
        &fake,
        "/api/v1/auth/token/renew",
        &json!({ "accessToken": token }),
    )
    .await;
    assert_agrees(&recorded_2025("v60-token-renew-ttl-equals-max"), &renew);
    assert_agrees(
        &recorded_2025("v61-list-after-failed-renew"),
        &get(&fake, &token, &list).await,
    );

    let again = post_json(
        &fake,
        "/api/v1/auth/universal-auth/login",
        &json!({ "clientId": CLIENT_ID, "clientSecret": CLIENT_SECRET }),
    )
    .await;
    assert_agrees(&recorded_2025("v62-ua-login-for-revoke"), &again);
    let token = again.json()["accessToken"]
        .as_str()
        .expect("token")
        .to_owned();
    let revoke = post_json(
        &fake,
        "/api/v1/auth/token/revoke",
        &json!({ "accessToken": token }),
    )
    .await;
    assert_agrees(&recorded_2025("v63-token-revoke"), &revoke);
    assert_agrees(
        &recorded_2025("v64-list-revoked-token"),
        &get(&fake, &token, &list).await,
    );
}

#[tokio::test]
async fn current_short_ttl_tokens_match_2025_recordings() {
    let fake = data_set_2025()
        .token_ttl(Duration::from_secs(5))
        .token_max_ttl(Duration::from_hours(1))
        .start()
        .await;
    let got = post_json(
        &fake,
        "/api/v1/auth/universal-auth/login",
        &json!({ "clientId": VIEWER_ID, "clientSecret": CLIENT_SECRET }),
    )
    .await;
    assert_agrees(&recorded_2025("v80-ua-login-short-ttl"), &got);
    let token = got.json()["accessToken"]
        .as_str()
        .expect("token")
        .to_owned();
    let renewed = post_json(
        &fake,
        "/api/v1/auth/token/renew",
        &json!({ "accessToken": token }),
    )
    .await;
    assert_agrees(&recorded_2025("v81-token-renew-ok"), &renewed);
    let fresh = renewed.json()["accessToken"]
        .as_str()
        .expect("token")
        .to_owned();
    assert_ne!(fresh, token, "2025 renews to a new token");

    let list = v4_list_2025(&format!("&environment=prod&secretPath=/&{LIB}"));
    assert_agrees(
        &recorded_2025("v82-v4-list-prod-root-viewer-role"),
        &get(&fake, &fresh, &list).await,
    );
    fake.expire_tokens();
    assert_agrees(
        &recorded_2025("v83-list-expired-token"),
        &get(&fake, &fresh, &list).await,
    );
    assert_agrees(
        &recorded_2025("v84-list-expired-token-again"),
        &get(&fake, &fresh, &list).await,
    );
    let renew = post_json(
        &fake,
        "/api/v1/auth/token/renew",
        &json!({ "accessToken": fresh }),
    )
    .await;
    assert_agrees(&recorded_2025("v85-token-renew-expired"), &renew);
}

#[tokio::test]
async fn current_login_matches_example() {
    let fake = example_data_set(LIST_COMMENT).start().await;
    let got = post_json(
        &fake,
        "/api/v1/auth/universal-auth/login",
        &json!({ "clientId": CLIENT_ID, "clientSecret": CLIENT_SECRET }),
    )
    .await;
    assert_eq!(got.status, 200);
    assert_json_agrees(
        "universal-auth-login",
        &example("universal-auth-login"),
        &got.json(),
    );
}

#[tokio::test]
async fn current_tokens_renew_to_a_new_token() {
    let fake = FakeInfisical::builder()
        .universal_auth("id", "secret")
        .token_ttl(Duration::from_mins(1))
        .token_max_ttl(Duration::from_hours(1))
        .secret("prod", "/", "K", "v")
        .start()
        .await;
    let login = post_json(
        &fake,
        "/api/v1/auth/universal-auth/login",
        &json!({ "clientId": "id", "clientSecret": "secret" }),
    )
    .await;
    assert_eq!(login.json()["expiresIn"], 60);
    assert_eq!(login.json()["accessTokenMaxTTL"], 3600);
    let token = login.json()["accessToken"].as_str().unwrap().to_owned();
    let renewed = post_json(
        &fake,
        "/api/v1/auth/token/renew",
        &json!({ "accessToken": token }),
    )
    .await;
    assert_eq!(renewed.status, 200);
    let fresh = renewed.json()["accessToken"].as_str().unwrap().to_owned();
    assert_ne!(fresh, token);
    let list = v4_list_for(fake.project_id(), "");
    assert_eq!(get(&fake, &fresh, &list).await.status, 200);
    assert_eq!(fake.live_tokens(), 1);

    let revoke = post_json(
        &fake,
        "/api/v1/auth/token/revoke",
        &json!({ "accessToken": fresh }),
    )
    .await;
    assert_eq!(
        revoke.json(),
        json!({ "message": "Successfully revoked access token" })
    );
    let after = get(&fake, &fresh, &list).await;
    assert_eq!(after.status, 401);
    assert_eq!(after.json()["message"], "No identity access token found");
    assert_eq!(fake.live_tokens(), 0);
}

#[tokio::test]
async fn tokens_expire_with_the_clock() {
    for mode in [ServerMode::Legacy2024, ServerMode::Current] {
        let fake = FakeInfisical::builder()
            .mode(mode)
            .universal_auth("id", "secret")
            .token_ttl(Duration::from_secs(1))
            .secret("prod", "/", "K", "v")
            .start()
            .await;
        let login = post_json(
            &fake,
            "/api/v1/auth/universal-auth/login",
            &json!({ "clientId": "id", "clientSecret": "secret" }),
        )
        .await;
        let token = login.json()["accessToken"].as_str().unwrap().to_owned();
        let list = v3_list_for(fake.project_id(), "");
        assert_eq!(get(&fake, &token, &list).await.status, 200);
        tokio::time::sleep(Duration::from_millis(1100)).await;
        let expired = get(&fake, &token, &list).await;
        if mode == ServerMode::Legacy2024 {
            assert_eq!(expired.status, 401);
            assert_eq!(
                expired.json()["message"],
                "Failed to renew MI access token due to TTL expiration"
            );
        } else {
            assert_eq!(expired.status, 403);
            assert_eq!(expired.json()["error"], "TokenError");
        }
    }
}

#[tokio::test]
async fn static_and_service_tokens() {
    let fake = FakeInfisical::builder()
        .access_token("static-token")
        .service_token("st.abc.s3cret.0123abcd")
        .secret("prod", "/", "K", "v")
        .start()
        .await;
    let list = v4_list_for(fake.project_id(), "");
    assert_eq!(get(&fake, "static-token", &list).await.status, 200);
    assert_eq!(get(&fake, "st.abc.s3cret", &list).await.status, 200);
    assert_eq!(
        get(&fake, "st.abc.s3cret.0123abcd", &list).await.status,
        200
    );
    let wrong = get(&fake, "st.abc.other", &list).await;
    assert_eq!(
        (wrong.status, wrong.json()["message"].clone()),
        (401, json!("Invalid service token"))
    );
    assert_eq!(get(&fake, "st.zzz.s3cret", &list).await.status, 404);

    assert!(fake.expire_token("static-token"));
    assert!(!fake.expire_token("never-issued"));
    let expired = get(&fake, "static-token", &list).await;
    assert_eq!(expired.status, 403);
    assert_eq!(
        expired.json()["message"],
        "Your token has expired. Please re-authenticate."
    );
}

#[tokio::test]
async fn kubernetes_login() {
    let fake = FakeInfisical::builder()
        .kubernetes_auth("identity-id", "service-account-jwt")
        .start()
        .await;
    let path = "/api/v1/auth/kubernetes-auth/login";
    let ok = post_json(
        &fake,
        path,
        &json!({ "identityId": "identity-id", "jwt": "service-account-jwt" }),
    )
    .await;
    assert_eq!(ok.status, 200);
    assert_json_agrees("kubernetes login", &example("universal-auth-login"), &{
        let mut body = ok.json();
        body["expiresIn"] = json!(7200);
        body["accessTokenMaxTTL"] = json!(86_400);
        body
    });
    let wrong = post_json(
        &fake,
        path,
        &json!({ "identityId": "identity-id", "jwt": "other" }),
    )
    .await;
    assert_eq!(wrong.status, 401);
    let unknown = post_json(&fake, path, &json!({ "identityId": "nobody", "jwt": "x" })).await;
    assert_eq!(unknown.status, 404);
    let missing = post_json(&fake, path, &json!({ "jwt": 3 })).await;
    assert_eq!(missing.status, 422);
    assert_eq!(missing.json()["message"].as_array().unwrap().len(), 2);
    assert_eq!(fake.request_count(Route::KubernetesLogin), 4);
}
