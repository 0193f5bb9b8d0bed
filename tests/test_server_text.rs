//! What the server sends is checked and cleaned before it is kept or shown: a body of the
//! wrong shape is an unusable response (never secrets, never an empty folder), and server
//! text that echoes what the client sent (a client secret, a token, a value) is scrubbed from
//! every error and log line.

mod support;

use std::time::Duration;

use support::Sink;
use support::fake::{Identity, json_body};

use secrets_core::testing::{
    DEFAULT_PROJECT_ID, FakeInfisical, FakeInfisicalBuilder, Fault, Route,
};
use secrets_core::{
    Env, Error, InfisicalClient, InfisicalClientBuilder, Lookup, ProblemKind, SecretString,
    Secrets,
    store::{StoreCall, StoreError, StoreErrorKind},
};

const ID: Identity = Identity::new("client-id-server-text", "SENTINEL-text-client-secret-5e1c");
const VALUE: &str = "postgres://app:SENTINEL-text-value-d2a7@db.internal/app";
const TOKEN: &str = "eyJhbGciOiJIUzI1NiJ9.SENTINEL-text-token-90fb.c2lnbmF0dXJl";
const JWT: &str = "eyJhbGciOiJSUzI1NiJ9.SENTINEL-text-jwt-4c3e.c2lnbmF0dXJl";
/// What must never be shown: the distinctive part of each secret above.
const TELLS: [&str; 4] = [
    "text-client-secret-5e1c",
    "text-value-d2a7",
    "text-token-90fb",
    "text-jwt-4c3e",
];

/// One folder (`prod:/`).
#[derive(Secrets)]
#[secret(environment = "prod")]
struct App {
    database_url: SecretString,
}

fn fake() -> FakeInfisicalBuilder {
    FakeInfisical::builder()
        .secret("prod", "/", "DATABASE_URL", VALUE)
        .universal_auth(ID.client_id, ID.client_secret)
}

/// Short timeouts and backoff, two retries.
fn fast(url: &str) -> InfisicalClientBuilder {
    ID.client(url)
        .connect_timeout(Duration::from_millis(500))
        .request_timeout(Duration::from_secs(2))
        .startup_deadline(Duration::from_secs(10))
        .retry_backoff(Duration::from_millis(5), Duration::from_millis(20))
        .max_retries(2)
}

/// Loads `App` through `client` with `DATABASE_URL` set in the env, which a key may use only
/// when Infisical listed the folder and the key was not in it.
async fn load(client: &InfisicalClient) -> Result<App, Error> {
    App::loader()
        .env(Env::from_pairs([("DATABASE_URL", "from-env")]))
        .store(client.clone())
        .load()
        .await
}

/// The store error of the one problem of `error`.
fn store_error(error: &Error) -> StoreError {
    let problems = error.problems();
    assert_eq!(problems.len(), 1, "{error}");
    match problems[0].kind() {
        ProblemKind::Store(e) => e.clone(),
        other => panic!("not a store problem: {other:?}\n{error}"),
    }
}

// ---------------------------------------------------------------------------------------
// Shapes

#[tokio::test]
async fn a_listing_that_is_an_array_is_an_invalid_response_not_env() {
    for body in [
        "[[]]",
        r#"[[["DATABASE_URL","V"]]]"#,
        r#"{"secrets":[["DATABASE_URL","V"]]}"#,
        r#"{"secrets":[],"imports":[["/","prod",[["DATABASE_URL","V"]]]]}"#,
    ] {
        let fake = fake().start().await;
        fake.fail_always(Route::ListV4, json_body(200, body));
        let client = fast(fake.url()).build().unwrap();
        let error = load(&client)
            .await
            .err()
            .unwrap_or_else(|| panic!("{body}"));
        let e = store_error(&error);
        assert_eq!(e.kind(), StoreErrorKind::InvalidResponse, "{body}: {error}");
        assert!(
            error.to_string().contains("not understood (line "),
            "{body}: {error}"
        );
    }
}

#[tokio::test]
async fn a_login_reply_that_is_an_array_is_an_invalid_response() {
    let fake = fake().start().await;
    fake.fail_always(
        Route::UniversalAuthLogin,
        json_body(200, r#"["eyJhbGciOiJIUzI1NiJ9.e30.x",7200,86400]"#),
    );
    let client = fast(fake.url()).build().unwrap();
    let error = load(&client).await.err().unwrap();
    let e = store_error(&error);
    assert_eq!(e.kind(), StoreErrorKind::InvalidResponse, "{error}");
    assert_eq!(fake.request_count(Route::ListV4), 0, "{error}");
}

// ---------------------------------------------------------------------------------------
// Echoes

/// Whether one line of `logs` holds every one of `parts`.
fn logged_line(logs: &Sink, parts: &[&str]) -> bool {
    logs.text()
        .lines()
        .any(|line| parts.iter().all(|part| line.contains(part)))
}

/// Panics if `text` holds a secret of this file, without repeating it.
#[track_caller]
fn assert_clean(what: &str, text: &str) {
    for tell in TELLS {
        if let Some(at) = text.find(tell) {
            let context = &text[at.saturating_sub(80)..at];
            panic!("a secret leaked into {what}, after: {context:?}");
        }
    }
}

/// Every way a user can print `error`, and the log lines.
#[track_caller]
fn assert_all_clean(error: &Error, logs: &Sink) {
    assert_clean("Display", &error.to_string());
    assert_clean("Debug", &format!("{error:?}"));
    assert_clean("Debug", &format!("{error:#?}"));
    for problem in error.problems() {
        assert_clean("a problem", &problem.to_string());
        assert_clean("a problem's Debug", &format!("{problem:?}"));
        if let ProblemKind::Store(e) = problem.kind() {
            for part in [e.message(), e.name(), e.req_id()].into_iter().flatten() {
                assert_clean("a store error's part", part);
            }
        }
    }
    assert_clean("the logs", &logs.text());
}

/// An Infisical error body whose message says `message`.
fn echo(status: u16, name: &str, message: &str) -> Fault {
    let body = serde_json::json!({
        "statusCode": status,
        "error": name,
        "message": message,
        "reqId": "req-echo-1",
    });
    json_body(status, &body.to_string())
}

#[tokio::test]
async fn a_login_body_echoed_by_the_server_is_redacted() {
    let logs = Sink::global();
    let fake = fake().start().await;
    let sent =
        serde_json::json!({"clientId": ID.client_id, "clientSecret": ID.client_secret}).to_string();
    // Two 503s, retried and logged, then a 401: each echoes the body it got.
    fake.fail_next(
        Route::UniversalAuthLogin,
        2,
        echo(503, "ServiceUnavailable", &format!("cannot handle {sent}")),
    );
    fake.fail_always(
        Route::UniversalAuthLogin,
        echo(
            401,
            "UnauthorizedError",
            &format!("Invalid credentials in {sent}"),
        ),
    );
    let client = fast(fake.url()).build().unwrap();
    let error = load(&client).await.err().unwrap();
    let e = store_error(&error);
    assert_eq!(e.kind(), StoreErrorKind::Unauthorized, "{error}");
    assert_eq!(fake.request_count(Route::UniversalAuthLogin), 3);
    assert!(
        e.message()
            .unwrap()
            .contains(r#""clientSecret":"[REDACTED]""#),
        "{error}"
    );
    assert!(
        logged_line(logs, &["retrying", "cannot handle", "[REDACTED]"]),
        "{}",
        logs.text()
    );
    assert_all_clean(&error, logs);
}

#[tokio::test]
async fn a_kubernetes_jwt_echoed_by_the_server_is_redacted() {
    let logs = Sink::global();
    let dir = tempfile::tempdir().unwrap();
    let jwt_path = dir.path().join("token");
    std::fs::write(&jwt_path, JWT).unwrap();
    let fake = FakeInfisical::builder()
        .secret("prod", "/", "DATABASE_URL", VALUE)
        .kubernetes_auth("identity-text", JWT)
        .start()
        .await;
    fake.fail_always(
        Route::KubernetesLogin,
        echo(
            401,
            "UnauthorizedError",
            &format!(r#"token review failed for {{"identityId":"identity-text","jwt":"{JWT}"}}"#),
        ),
    );
    let client = InfisicalClient::builder()
        .base_url(fake.url())
        .project_id(DEFAULT_PROJECT_ID)
        .kubernetes_auth("identity-text")
        .kubernetes_token_path(&jwt_path)
        .build()
        .unwrap();
    let error = load(&client).await.err().unwrap();
    let e = store_error(&error);
    assert_eq!(e.kind(), StoreErrorKind::Unauthorized, "{error}");
    assert!(e.message().unwrap().contains("[REDACTED]"), "{error}");
    assert_all_clean(&error, logs);
}

#[tokio::test]
async fn an_authorization_header_echoed_in_a_403_or_a_500_is_redacted() {
    for (status, name, kind) in [
        (403, "PermissionDenied", StoreErrorKind::Forbidden),
        (500, "InternalServerError", StoreErrorKind::Server),
    ] {
        let logs = Sink::global();
        let fake = fake().access_token(TOKEN).start().await;
        fake.fail_always(
            Route::ListV4,
            echo(
                status,
                name,
                &format!("denied: authorization: Bearer {TOKEN}"),
            ),
        );
        let client = fast(fake.url())
            .access_token(SecretString::from(TOKEN))
            .build()
            .unwrap();
        let error = load(&client).await.err().unwrap();
        let e = store_error(&error);
        assert_eq!(e.kind(), kind, "{error}");
        assert!(
            e.message().unwrap().contains("Bearer [REDACTED]"),
            "{error}"
        );
        if status == 500 {
            assert!(
                logged_line(
                    logs,
                    &["retrying", "denied: authorization: Bearer [REDACTED]"]
                ),
                "{}",
                logs.text()
            );
        }
        assert_all_clean(&error, logs);
    }
}

#[tokio::test]
async fn a_value_the_client_holds_echoed_by_the_server_is_redacted() {
    let logs = Sink::global();
    let fake = fake().start().await;
    let client = fast(fake.url()).build().unwrap();
    let app = load(&client).await.unwrap();
    assert_eq!(
        secrets_core::ExposeSecret::expose_secret(&app.database_url),
        VALUE
    );
    fake.fail_always(
        Route::ListV4,
        echo(
            500,
            "InternalServerError",
            &format!("duplicate value {VALUE}"),
        ),
    );
    let error = load(&client).await.err().unwrap();
    assert_eq!(
        store_error(&error).kind(),
        StoreErrorKind::Server,
        "{error}"
    );
    assert!(
        error.to_string().contains("duplicate value [REDACTED]"),
        "{error}"
    );
    assert_all_clean(&error, logs);
}

// ---------------------------------------------------------------------------------------
// Which call failed

const UNIVERSAL_AUTH: StoreCall = StoreCall::Login {
    method: "Universal Auth",
};

#[tokio::test]
async fn a_login_that_keeps_failing_reads_as_the_login_not_the_folder() {
    let fake = fake().start().await;
    fake.fail_always(Route::UniversalAuthLogin, Fault::Status(503));
    let client = fast(fake.url()).build().unwrap();
    let error = load(&client).await.err().unwrap();
    let e = store_error(&error);
    assert_eq!(
        (e.kind(), e.call()),
        (StoreErrorKind::Server, UNIVERSAL_AUTH)
    );
    let shown = error.to_string();
    assert!(
        shown.contains("\n  Infisical Universal Auth login failed: 503"),
        "{shown}"
    );
    assert!(
        shown.contains("\n    not loaded: DATABASE_URL (field database_url)"),
        "{shown}"
    );
    assert!(shown.contains("gave up after 3 attempts"), "{shown}");
    assert!(
        !shown.contains("prod:/"),
        "the folder did not fail: {shown}"
    );
    assert_eq!(fake.request_count(Route::ListV4), 0);
}

#[tokio::test]
async fn a_rejected_login_reads_as_the_login() {
    let fake = fake().start().await;
    let client = fast(fake.url())
        .universal_auth(ID.client_id, SecretString::from("not-the-secret"))
        .build()
        .unwrap();
    let error = load(&client).await.err().unwrap();
    let e = store_error(&error);
    assert_eq!(
        (e.kind(), e.call()),
        (StoreErrorKind::Unauthorized, UNIVERSAL_AUTH)
    );
    assert!(
        e.to_string()
            .starts_with("Infisical Universal Auth login failed: 401"),
        "{e}"
    );
    // The folders it kept from being listed are still known, for code that groups by folder.
    assert_eq!(
        error.problems()[0]
            .folders()
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        ["prod:/"]
    );
}

#[tokio::test]
async fn a_failed_login_in_a_fallback_trail_reads_as_the_login() {
    let fake = fake().start().await;
    fake.fail_always(Route::UniversalAuthLogin, Fault::Status(503));
    let client = fast(fake.url()).build().unwrap();
    let (app, provenance) = App::loader()
        .env(Env::from_pairs([("DATABASE_URL", "from-env")]))
        .store(client)
        .fallback_on_store_error(true)
        .load_with_provenance()
        .await
        .unwrap();
    assert_eq!(
        secrets_core::ExposeSecret::expose_secret(&app.database_url),
        "from-env"
    );
    let entry = provenance.get("DATABASE_URL").unwrap();
    let Lookup::StoreFailed { reason, .. } = &entry.tried()[0] else {
        panic!("{:?}", entry.tried());
    };
    assert!(
        reason.starts_with("Infisical Universal Auth login failed: 503"),
        "{reason}"
    );
    let trail = entry.tried()[0].to_string();
    assert!(
        trail.starts_with("Infisical prod:/ not listed ("),
        "{trail}"
    );
}

#[tokio::test]
async fn a_failed_listing_still_names_the_folder() {
    let fake = fake().start().await;
    fake.fail_always(Route::ListV4, Fault::Status(403));
    let client = fast(fake.url()).build().unwrap();
    let error = load(&client).await.err().unwrap();
    let e = store_error(&error);
    assert_eq!(
        (e.kind(), e.call()),
        (StoreErrorKind::Forbidden, StoreCall::List)
    );
    assert!(
        e.to_string().starts_with("Infisical prod:/ answered 403"),
        "{e}"
    );
}
