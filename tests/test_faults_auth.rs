//! The fault matrix of SECURITY.md, authentication: logins and tokens that fail, expire or
//! come back malformed, driven through a derived struct's `load()` against the fake server,
//! asserting what the user sees and how many requests the fault cost.
//!
//! Timeouts, backoff and the startup deadline are short so the suite stays fast; every loop of
//! requests is bounded by the retry budget and the deadline. The app, its data and the checks
//! of a failed load are in `support/faults.rs`.

mod support;

use std::time::Duration;

use support::fake::{json_body, list_route};
use support::faults::{ID, assert_clean, assert_loaded, data, fast, load, store_error};

use secrets_core::testing::{Fault, Route, ServerMode};
use secrets_core::{SecretString, store::StoreErrorKind};

// ---------------------------------------------------------------------------------------
// Authentication

#[tokio::test]
async fn an_unknown_client_id_is_unauthorized_on_old_and_new_servers() {
    // 404 "No identity with specified client ID was found" on 2024-10 and on June 2025
    // (recording v04 of both).
    for (mode, status) in [(ServerMode::Legacy2024, 404), (ServerMode::Current, 404)] {
        let fake = data(mode).start().await;
        let client = fast(fake.url())
            .universal_auth("no-such-client", SecretString::from(ID.client_secret))
            .build()
            .unwrap();
        let error = load(client).await.err().unwrap();
        let e = store_error(&error);
        assert_eq!(e.kind(), StoreErrorKind::Unauthorized, "{mode:?}: {error}");
        assert_eq!(e.status(), Some(status), "{mode:?}");
        assert!(
            error
                .to_string()
                .contains(&format!("Infisical Universal Auth login failed: {status}")),
            "{error}"
        );
        assert_eq!(
            fake.request_count(Route::UniversalAuthLogin),
            1,
            "never retried"
        );
        assert_eq!(fake.request_count(Route::ListV4), 0);
        assert_clean(&error);
    }
}

/// The recorded Universal Auth login reply (2024-10, v02) with `expiresIn` and
/// `accessTokenMaxTTL` replaced, and its access token.
fn recorded_login(expires_in: u64, max_ttl: u64) -> (String, String) {
    let path = format!(
        "{}/secrets-core/tests/fixtures/infisical-2024-10/v02-ua-login.http",
        env!("CARGO_MANIFEST_DIR")
    );
    let raw = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let (_, body) = raw.split_once("\r\n\r\n").expect("headers, then the body");
    let mut login: serde_json::Value = serde_json::from_str(body).unwrap();
    login["expiresIn"] = expires_in.into();
    login["accessTokenMaxTTL"] = max_ttl.into();
    let token = login["accessToken"].as_str().unwrap().to_owned();
    (login.to_string(), token)
}

#[tokio::test]
async fn token_lifetimes_up_to_u64_max_do_not_panic_later_loads() {
    // Any number a login reply holds is the server's to choose; `Instant + Duration` panics
    // past the clock's range, which took down the load after the login.
    let month = 2_592_000;
    for (expires_in, max_ttl) in [
        (u64::MAX, u64::MAX),
        (u64::MAX, 0),
        (0, u64::MAX),
        (u64::MAX, month),
        (month, u64::MAX),
        (u64::MAX - 1, u64::MAX / 2),
    ] {
        let (body, token) = recorded_login(expires_in, max_ttl);
        let fake = data(ServerMode::Current).access_token(token).start().await;
        fake.fail_always(Route::UniversalAuthLogin, json_body(200, &body));
        let client = fast(fake.url()).build().unwrap();
        for _ in 0..3 {
            let loaded = tokio::spawn(load(client.clone()))
                .await
                .unwrap_or_else(|e| panic!("({expires_in}, {max_ttl}): {e}"));
            assert_loaded(&loaded.unwrap());
        }
        // The token lives long: one login, no renewal.
        assert_eq!(fake.request_count(Route::UniversalAuthLogin), 1);
        assert_eq!(fake.request_count(Route::TokenRenew), 0);
        assert_eq!(fake.request_count(Route::ListV4), 3);
    }
}

#[tokio::test]
async fn a_login_token_that_cannot_be_a_header_is_refused_at_once() {
    // The token goes into the `Authorization` header of every request; a CR or LF (or any
    // control byte) cannot, and must not be retried as if the server were unreachable.
    for token in [
        "SENTINEL-token\r\nX-Injected: 1",
        "SENTINEL-token\n",
        "SENTINEL\u{0}token",
        "SENTINEL\u{7f}token",
    ] {
        let body = serde_json::json!({
            "accessToken": token,
            "expiresIn": 2_592_000,
            "accessTokenMaxTTL": 2_592_000,
            "tokenType": "Bearer",
        })
        .to_string();
        let fake = data(ServerMode::Current).start().await;
        fake.fail_always(Route::UniversalAuthLogin, json_body(200, &body));
        let error = load(fast(fake.url()).build().unwrap()).await.err().unwrap();
        let e = store_error(&error);
        assert_eq!(
            e.kind(),
            StoreErrorKind::InvalidResponse,
            "{token:?}: {error}"
        );
        assert!(
            error
                .to_string()
                .contains("Universal Auth login response held an invalid access token"),
            "{error}"
        );
        assert_eq!(fake.total_requests(), 1, "{token:?}: the login only, once");
        assert_clean(&error);
    }
}

#[tokio::test]
async fn a_request_that_cannot_be_built_is_not_retried() {
    // A token given in code with a control byte in it: the request cannot be built, and
    // building it again would fail the same way.
    let fake = data(ServerMode::Current).start().await;
    let client = fast(fake.url())
        .access_token(SecretString::from("SENTINEL\u{1}token"))
        .build()
        .unwrap();
    let error = load(client).await.err().unwrap();
    let e = store_error(&error);
    assert_eq!(e.kind(), StoreErrorKind::Unreachable, "{error}");
    assert!(!error.to_string().contains("gave up after"), "{error}");
    assert_eq!(fake.total_requests(), 0);
    assert_clean(&error);
}

#[tokio::test]
async fn a_token_expiring_between_login_and_list_costs_one_new_login() {
    for mode in [ServerMode::Current, ServerMode::Legacy2024] {
        let fake = data(mode).start().await;
        let client = fast(fake.url()).build().unwrap();
        let route = list_route(mode);
        if mode == ServerMode::Legacy2024 {
            load(client.clone()).await.unwrap();
            fake.clear_requests();
        }
        // The token is expired while the list request is on its way.
        fake.fail_next(route, 1, Fault::Delay(Duration::from_millis(500)));
        let expire = async {
            for _ in 0..1000 {
                if fake.request_count(route) > 0 {
                    fake.expire_tokens();
                    return;
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            panic!("the list request never arrived");
        };
        let (loaded, ()) = tokio::join!(load(client), expire);
        assert_loaded(&loaded.unwrap_or_else(|e| panic!("{mode:?}: {e}")));
        let logins = fake.request_count(Route::UniversalAuthLogin);
        let expected = if mode == ServerMode::Legacy2024 { 1 } else { 2 };
        assert_eq!(logins, expected, "{mode:?}: exactly one new login");
        assert_eq!(fake.request_count(route), 2, "{mode:?}");
    }
}

#[tokio::test]
async fn a_token_rejected_again_after_a_new_login_fails_without_a_loop() {
    let fake = data(ServerMode::Current).start().await;
    fake.fail_always(Route::ListV4, Fault::Status(401));
    let error = load(fast(fake.url()).build().unwrap()).await.err().unwrap();
    let e = store_error(&error);
    assert_eq!(e.kind(), StoreErrorKind::Unauthorized, "{error}");
    assert!(
        error.to_string().contains("access token rejected"),
        "{error}"
    );
    assert_eq!(fake.request_count(Route::UniversalAuthLogin), 2);
    assert_eq!(fake.request_count(Route::ListV4), 2);
}

#[tokio::test]
async fn a_401_validation_failure_is_a_bad_request_not_a_new_login() {
    // The 2024-10 server answered schema errors with 401 ValidationFailure.
    let fake = data(ServerMode::Current).start().await;
    fake.fail_always(
        Route::ListV4,
        json_body(
            401,
            r#"{"statusCode":401,"error":"ValidationFailure","message":[{"code":"invalid_enum_value","path":["expandSecretReferences"],"message":"Invalid enum value"}]}"#,
        ),
    );
    let error = load(fast(fake.url()).build().unwrap()).await.err().unwrap();
    let e = store_error(&error);
    assert_eq!(e.kind(), StoreErrorKind::BadRequest, "{error}");
    assert_eq!(e.name(), Some("ValidationFailure"));
    assert!(
        error
            .to_string()
            .contains("expandSecretReferences: Invalid enum value"),
        "{error}"
    );
    assert_eq!(fake.request_count(Route::UniversalAuthLogin), 1);
    assert_eq!(fake.request_count(Route::ListV4), 1);
}
