//! The app of the fault matrix (`test_faults_*`): one folder, its identity and values (each
//! holding `SENTINEL`, so an echo is caught), a client with short timeouts and a small retry
//! budget, and what a failed load must look like.

use std::time::Duration;

use secrets_core::testing::{FakeInfisical, FakeInfisicalBuilder, ServerMode};
use secrets_core::{
    Error, ExposeSecret, InfisicalClient, InfisicalClientBuilder, ProblemKind, SecretString,
    Secrets, store::StoreError,
};

use super::fake::{Identity, no_env};

pub(crate) const ID: Identity =
    Identity::new("client-id-faults", "SENTINEL-faults-client-secret-3b9d");
pub(crate) const VALUE: &str = "postgres://app:SENTINEL-faults-value-81ce@db.internal/app";

/// One folder (`prod:/`), so every load lists exactly once when nothing fails.
#[derive(Secrets)]
#[secret(environment = "prod")]
pub(crate) struct App {
    pub(crate) database_url: SecretString,
    #[secret(default = "8080")]
    pub(crate) port: u16,
}

pub(crate) fn data(mode: ServerMode) -> FakeInfisicalBuilder {
    ID.allow(
        FakeInfisical::builder()
            .mode(mode)
            .secret("prod", "/", "DATABASE_URL", VALUE)
            .secret("prod", "/", "PORT", "9090"),
    )
}

/// Short timeouts and backoff; three retries; a 5 s startup deadline.
pub(crate) fn fast(url: &str) -> InfisicalClientBuilder {
    ID.client(url)
        .connect_timeout(Duration::from_millis(500))
        .request_timeout(Duration::from_secs(2))
        .startup_deadline(Duration::from_secs(5))
        .retry_backoff(Duration::from_millis(10), Duration::from_millis(40))
        .max_retries(3)
}

/// Loads `App` through `client`, with no env var set (nothing to fall back to).
pub(crate) async fn load(client: InfisicalClient) -> Result<App, Error> {
    App::loader().env(no_env()).store(client).load().await
}

pub(crate) fn assert_loaded(app: &App) {
    assert_eq!(app.database_url.expose_secret(), VALUE);
    assert_eq!(app.port, 9090);
}

/// The one store error that kept both keys from loading: one problem for the one cause, naming
/// both keys; panics on any other kind of problem.
pub(crate) fn store_error(error: &Error) -> StoreError {
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
pub(crate) fn assert_clean(error: &Error) {
    for shown in [
        error.to_string(),
        format!("{error:?}"),
        format!("{error:#?}"),
    ] {
        for secret in [ID.client_secret, VALUE, "SENTINEL"] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
    }
}

pub(crate) fn listing() -> String {
    serde_json::json!({
        "secrets": [
            {"secretKey": "DATABASE_URL", "secretValue": VALUE, "type": "shared"},
            {"secretKey": "PORT", "secretValue": "9090", "type": "shared"},
        ],
        "imports": [],
    })
    .to_string()
}
