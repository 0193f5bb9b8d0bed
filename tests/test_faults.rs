//! The fault matrix of SECURITY.md: every way the Infisical side can fail, driven through a
//! derived struct's `load()` against the fake server (or, for a one-off shape, a raw listener
//! on 127.0.0.1), asserting what the user sees and how many requests the fault cost.
//!
//! Timeouts, backoff and the startup deadline are short so the suite stays fast; every loop of
//! requests is bounded by the retry budget and the deadline.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use secrets_core::testing::{
    DEFAULT_PROJECT_ID, FakeInfisical, FakeInfisicalBuilder, Fault, Route, ServerMode,
};
use secrets_core::{
    Env, Error, ExposeSecret, InfisicalClient, InfisicalClientBuilder, ProblemKind, SecretString,
    Secrets, StoreError, StoreErrorKind,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

const CLIENT_ID: &str = "client-id-faults";
const CLIENT_SECRET: &str = "SENTINEL-faults-client-secret-3b9d";
const VALUE: &str = "postgres://app:SENTINEL-faults-value-81ce@db.internal/app";

/// One folder (`prod:/`), so every load lists exactly once when nothing fails.
#[derive(Secrets)]
#[secret(environment = "prod")]
struct App {
    database_url: SecretString,
    #[secret(default = "8080")]
    port: u16,
}

fn data(mode: ServerMode) -> FakeInfisicalBuilder {
    FakeInfisical::builder()
        .mode(mode)
        .secret("prod", "/", "DATABASE_URL", VALUE)
        .secret("prod", "/", "PORT", "9090")
        .universal_auth(CLIENT_ID, CLIENT_SECRET)
}

/// The route a listing goes to on a server of `mode` once the client knows it.
fn list_route(mode: ServerMode) -> Route {
    match mode {
        ServerMode::Legacy2024 => Route::ListV3,
        _ => Route::ListV4,
    }
}

/// Short timeouts and backoff; three retries; a 5 s startup deadline.
fn fast(url: &str) -> InfisicalClientBuilder {
    InfisicalClient::builder()
        .base_url(url)
        .project_id(DEFAULT_PROJECT_ID)
        .universal_auth(CLIENT_ID, SecretString::from(CLIENT_SECRET))
        .connect_timeout(Duration::from_millis(500))
        .request_timeout(Duration::from_secs(2))
        .startup_deadline(Duration::from_secs(5))
        .retry_backoff(Duration::from_millis(10), Duration::from_millis(40))
        .max_retries(3)
}

/// Loads `App` through `client`, with no env var set (nothing to fall back to).
async fn load(client: InfisicalClient) -> Result<App, Error> {
    App::loader()
        .env(Env::from_pairs(Vec::<(String, String)>::new()))
        .infisical(client)
        .load()
        .await
}

fn assert_loaded(app: &App) {
    assert_eq!(app.database_url.expose_secret(), VALUE);
    assert_eq!(app.port, 9090);
}

/// The one store error that kept both keys from loading: one problem for the one cause, naming
/// both keys; panics on any other kind of problem.
fn store_error(error: &Error) -> StoreError {
    let problems = error.problems();
    assert_eq!(problems.len(), 1, "{error}");
    let keys: Vec<(&str, &str)> = problems[0].keys().collect();
    assert_eq!(
        keys,
        [("DATABASE_URL", "database_url"), ("PORT", "port")],
        "{error}"
    );
    assert!(
        error
            .to_string()
            .starts_with("failed to load App: 1 problem, 2 keys not loaded\n"),
        "{error}"
    );
    match problems[0].kind() {
        ProblemKind::Store(e) => e.clone(),
        other => panic!("not a store problem: {other:?}\n{error}"),
    }
}

/// No secret of this file in what a user can print of `error`.
fn assert_clean(error: &Error) {
    for shown in [
        error.to_string(),
        format!("{error:?}"),
        format!("{error:#?}"),
    ] {
        for secret in [CLIENT_SECRET, VALUE, "SENTINEL"] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
    }
}

// ---------------------------------------------------------------------------------------
// A raw HTTP/1.1 listener for one-off shapes (a body cut short, a redirect target).

/// What a raw listener does with the n-th connection (from 0).
enum Raw {
    /// Write these bytes, then close in order.
    Answer(Vec<u8>),
    /// Write these bytes, then reset the connection (`SO_LINGER` 0).
    ResetAfter(Vec<u8>),
}

struct RawServer {
    url: String,
    connections: Arc<AtomicUsize>,
    authorizations: Arc<AtomicUsize>,
    task: JoinHandle<()>,
}

impl Drop for RawServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl RawServer {
    async fn start(answer: impl Fn(usize) -> Raw + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let connections = Arc::new(AtomicUsize::new(0));
        let authorizations = Arc::new(AtomicUsize::new(0));
        let (count, auth) = (Arc::clone(&connections), Arc::clone(&authorizations));
        let task = tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let n = count.fetch_add(1, Ordering::SeqCst);
                if read_head(&mut stream)
                    .await
                    .is_some_and(|head| head.to_ascii_lowercase().contains("\r\nauthorization:"))
                {
                    auth.fetch_add(1, Ordering::SeqCst);
                }
                match answer(n) {
                    Raw::Answer(bytes) => {
                        let _ = stream.write_all(&bytes).await;
                        let _ = stream.shutdown().await;
                    }
                    Raw::ResetAfter(bytes) => {
                        let _ = stream.write_all(&bytes).await;
                        let _ = stream.set_zero_linger();
                    }
                }
            }
        });
        Self {
            url,
            connections,
            authorizations,
            task,
        }
    }
}

/// The request head, read up to the blank line (bounded: 64 KiB, 5 s).
async fn read_head(stream: &mut TcpStream) -> Option<String> {
    let mut head = Vec::new();
    let read = async {
        let mut chunk = [0_u8; 1024];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 64 * 1024 {
            let n = stream.read(&mut chunk).await.ok()?;
            if n == 0 {
                return None;
            }
            head.extend_from_slice(&chunk[..n]);
        }
        Some(())
    };
    tokio::time::timeout(Duration::from_secs(5), read)
        .await
        .ok()??;
    Some(String::from_utf8_lossy(&head).into_owned())
}

fn http_json(status: &str, body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

fn listing() -> String {
    serde_json::json!({
        "secrets": [
            {"secretKey": "DATABASE_URL", "secretValue": VALUE, "type": "shared"},
            {"secretKey": "PORT", "secretValue": "9090", "type": "shared"},
        ],
        "imports": [],
    })
    .to_string()
}

/// A fake `Fault::Body` answer of `status` with a JSON content type.
fn json_body(status: u16, body: &str) -> Fault {
    Fault::Body {
        status,
        content_type: "application/json; charset=utf-8".to_owned(),
        body: body.as_bytes().to_vec(),
    }
}

// ---------------------------------------------------------------------------------------
// Transport

#[tokio::test]
async fn connection_refused_is_unreachable_after_the_retry_budget() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
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
    let server = RawServer::start(move |n| {
        let full = http_json("200 OK", &body);
        if n == 0 {
            // Headers promise the whole body; half of it arrives, then a reset.
            Raw::ResetAfter(full[..full.len() - body.len() / 2].to_vec())
        } else {
            Raw::Answer(full)
        }
    })
    .await;
    let client = fast(&server.url)
        .access_token(SecretString::from("SENTINEL-faults-token"))
        .build()
        .unwrap();
    let app = load(client).await.unwrap();
    assert_loaded(&app);
    assert_eq!(server.connections.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_connection_reset_mid_body_every_time_is_unreachable() {
    let body = listing();
    let server = RawServer::start(move |_| {
        let full = http_json("200 OK", &body);
        Raw::ResetAfter(full[..full.len() - 10].to_vec())
    })
    .await;
    let client = fast(&server.url)
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
    assert_eq!(server.connections.load(Ordering::SeqCst), 4);
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

// ---------------------------------------------------------------------------------------
// Authentication

#[tokio::test]
async fn an_unknown_client_id_is_unauthorized_on_old_and_new_servers() {
    // 404 "No identity with specified client ID was found" on 2024-10 and on June 2025
    // (recording v04 of both).
    for (mode, status) in [(ServerMode::Legacy2024, 404), (ServerMode::Current, 404)] {
        let fake = data(mode).start().await;
        let client = fast(fake.url())
            .universal_auth("no-such-client", SecretString::from(CLIENT_SECRET))
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
    let elsewhere = RawServer::start(|_| Raw::Answer(http_json("200 OK", &listing()))).await;
    let port = elsewhere.url.rsplit(':').next().unwrap().to_owned();
    for (location, host) in [
        (
            format!("http://localhost:{port}/api/v4/secrets"),
            "localhost",
        ),
        (
            format!("{}/api/v4/secrets?token=x", elsewhere.url),
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
    assert_eq!(elsewhere.connections.load(Ordering::SeqCst), 0);
    assert_eq!(elsewhere.authorizations.load(Ordering::SeqCst), 0);
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
        .infisical(fast(fake.url()).build().unwrap())
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
        .env(Env::from_pairs(Vec::<(String, String)>::new()))
        .infisical(client)
        .watch(Duration::MAX)
        .jitter(1.0)
        .max_backoff(Duration::MAX)
        .start()
        .await
        .unwrap();
    assert_loaded(&live.current());
}
