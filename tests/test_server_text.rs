//! What the server sends is checked and cleaned before it is kept or shown: a body of the
//! wrong shape is an unusable response (never secrets, never an empty folder), and server
//! text that echoes what the client sent (a client secret, a token, a value) is scrubbed from
//! every error and log line.

use std::time::Duration;

use secrets_core::testing::{
    DEFAULT_PROJECT_ID, FakeInfisical, FakeInfisicalBuilder, Fault, Route,
};
use secrets_core::{
    Env, Error, InfisicalClient, InfisicalClientBuilder, ProblemKind, SecretString, Secrets,
    StoreError, StoreErrorKind,
};

const CLIENT_ID: &str = "client-id-server-text";
const CLIENT_SECRET: &str = "SENTINEL-text-client-secret-5e1c";
const VALUE: &str = "postgres://app:SENTINEL-text-value-d2a7@db.internal/app";

/// One folder (`prod:/`).
#[derive(Secrets)]
#[secret(environment = "prod")]
struct App {
    database_url: SecretString,
}

fn fake() -> FakeInfisicalBuilder {
    FakeInfisical::builder()
        .secret("prod", "/", "DATABASE_URL", VALUE)
        .universal_auth(CLIENT_ID, CLIENT_SECRET)
}

/// Short timeouts and backoff, two retries.
fn fast(url: &str) -> InfisicalClientBuilder {
    InfisicalClient::builder()
        .base_url(url)
        .project_id(DEFAULT_PROJECT_ID)
        .universal_auth(CLIENT_ID, SecretString::from(CLIENT_SECRET))
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
        .infisical(client.clone())
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

fn json_body(status: u16, body: &str) -> Fault {
    Fault::Body {
        status,
        content_type: "application/json; charset=utf-8".to_owned(),
        body: body.as_bytes().to_vec(),
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
