//! The report a service prints when it refuses to start, pinned line for line: one problem per
//! cause, each naming what failed, how to fix it and the keys it kept from loading.

mod support;

use std::time::Duration;

use support::fake::Identity;
use support::server::refused_port;

use secrets_core::testing::{FakeInfisical, FakeInfisicalBuilder, Route};
use secrets_core::{
    Env, Error, InfisicalClient, Loader, ProblemKind, SecretString, Secrets,
    store::{
        BoxFuture, Folder, FolderSecrets, SecretStore, StoreError, StoreErrorKind, StoredSecret,
    },
};

const ID: Identity = Identity::new("client-id-1", "SENTINEL-client-secret-77aa");

/// What the fix lines say about falling back, under every store failure.
const FALLBACK: &str = "    to start from env vars, files and defaults when the store fails, opt in: Loader::fallback_on_store_error(true), or #[secret(fallback_on_store_error)] on a field";

// Loaded only to fail: its fields are never read.
#[allow(dead_code)]
#[derive(Secrets)]
#[secret(environment = "prod")]
struct Agent {
    anthropic_api_key: SecretString,
    database_url: SecretString,
    #[secret(path = "/openfga")]
    openfga_api_token: SecretString,
    #[secret(default = "8080")]
    port: u16,
    sentry_dsn: Option<SecretString>,
}

fn fake() -> FakeInfisicalBuilder {
    FakeInfisical::builder()
        .secret("prod", "/", "ANTHROPIC_API_KEY", "sk-ant-SENTINEL")
        .secret("prod", "/", "DATABASE_URL", "postgres://SENTINEL@db/app")
        .secret("prod", "/openfga", "OPENFGA_API_TOKEN", "fga-SENTINEL")
        .universal_auth(ID.client_id, ID.client_secret)
}

/// The variables that point a loader at `url` with Universal Auth as `client_id`, plus `extra`.
fn env(url: &str, project: &str, client_id: &str, extra: &[(&str, &str)]) -> Env {
    let mut pairs: Vec<(String, String)> = [
        ("INFISICAL_DOMAIN", url),
        ("INFISICAL_PROJECT_ID", project),
        ("INFISICAL_UNIVERSAL_AUTH_CLIENT_ID", client_id),
        ("INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET", ID.client_secret),
        ("INFISICAL_STARTUP_TIMEOUT", "3"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    pairs.extend(
        extra
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    );
    Env::from_pairs(pairs)
}

/// The report of `error` with the parts that change from run to run replaced: request ids
/// and the fake's port.
fn report(error: &Error, port: Option<u16>) -> String {
    let mut text = error.to_string();
    if let Some(port) = port {
        text = text.replace(&port.to_string(), "PORT");
    }
    let mut out = String::new();
    let mut rest = text.as_str();
    while let Some(at) = rest.find("req-") {
        out.push_str(&rest[..at]);
        out.push_str("req-ID");
        rest = rest[at..].trim_start_matches(|c: char| c.is_ascii_alphanumeric() || c == '-');
    }
    out.push_str(rest);
    assert!(!out.contains("SENTINEL"), "{out}");
    out
}

const NOT_LOADED: &str = "    not loaded: ANTHROPIC_API_KEY (field anthropic_api_key), DATABASE_URL (field database_url), OPENFGA_API_TOKEN (field openfga_api_token), PORT (field port), SENTRY_DSN (field sentry_dsn) (5 keys)";

#[tokio::test]
async fn an_unknown_client_id_is_one_problem_naming_the_variables() {
    let fake = fake().start().await;
    let error = Agent::loader()
        .env(env(fake.url(), fake.project_id(), "no-such-client", &[]))
        .load()
        .await
        .unwrap_err();
    assert_eq!(
        report(&error, None),
        [
            "failed to load Agent: 1 problem, 5 keys not loaded",
            "  Infisical Universal Auth login failed: 404 NotFound: No identity with specified client ID was found (reqId req-ID)",
            "    check INFISICAL_UNIVERSAL_AUTH_CLIENT_ID and INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET",
            FALLBACK,
            NOT_LOADED,
        ]
        .join("\n")
    );
    // Still data: one problem, every key and field it kept from loading.
    let keys: Vec<_> = error.problems()[0].keys().map(|(key, _)| key).collect();
    assert_eq!(
        keys,
        [
            "ANTHROPIC_API_KEY",
            "DATABASE_URL",
            "OPENFGA_API_TOKEN",
            "PORT",
            "SENTRY_DSN"
        ]
    );
    assert_eq!(fake.request_count(Route::UniversalAuthLogin), 1);
}

#[tokio::test]
async fn an_unreachable_server_is_one_problem_not_one_per_key() {
    // A port nothing listens on.
    let port = refused_port();
    let client = InfisicalClient::builder()
        .base_url(format!("http://127.0.0.1:{port}"))
        .project_id("p")
        .universal_auth(ID.client_id, SecretString::from(ID.client_secret))
        .retry_backoff(Duration::from_millis(5), Duration::from_millis(10))
        .build()
        .unwrap();
    let error = Agent::loader()
        .env(Env::from_pairs(Vec::<(String, String)>::new()))
        .store(client)
        .load()
        .await
        .unwrap_err();
    assert_eq!(
        report(&error, Some(port)),
        [
            "failed to load Agent: 1 problem, 5 keys not loaded",
            "  Infisical Universal Auth login failed: could not connect to 127.0.0.1:PORT: Connection refused (os error 111) (gave up after 5 attempts)",
            "    check INFISICAL_DOMAIN (http://127.0.0.1:PORT) and that this host can reach it",
            FALLBACK,
            NOT_LOADED,
        ]
        .join("\n")
    );
}

/// A store of the service's own: `/` answers, `/openfga` is forbidden.
#[derive(Debug)]
struct OwnStore;

impl SecretStore for OwnStore {
    fn name(&self) -> &'static str {
        "Vault mirror"
    }

    fn environment(&self) -> Option<&str> {
        None
    }

    fn fetch<'a>(&'a self, folder: &'a Folder) -> BoxFuture<'a, Result<FolderSecrets, StoreError>> {
        Box::pin(async move {
            if folder.path() == "/openfga" {
                return Err(StoreError::new(
                    StoreErrorKind::Forbidden,
                    "policy agent-read does not cover openfga",
                )
                .with_fix("add openfga to the agent-read policy"));
            }
            let mut listing = FolderSecrets::new();
            listing.insert(
                "ANTHROPIC_API_KEY",
                StoredSecret::value("sk-ant-SENTINEL".into()),
            );
            Ok(listing)
        })
    }
}

#[tokio::test]
async fn a_store_failure_and_problems_of_single_keys_are_each_said_once() {
    // A custom store named as itself, its own fix, and the key problems beside it.
    let error = Agent::loader()
        .store(OwnStore)
        .env(Env::from_pairs([("PORT", "80a")]))
        .load()
        .await
        .unwrap_err();
    assert_eq!(
        report(&error, None),
        [
            "failed to load Agent: 3 problems, 3 keys not loaded",
            "  missing DATABASE_URL (field database_url): not in Vault mirror prod:/; env DATABASE_URL not set; DATABASE_URL_FILE not set; no default",
            "  Vault mirror prod:/openfga refused access: policy agent-read does not cover openfga",
            "    add openfga to the agent-read policy",
            FALLBACK,
            "    not loaded: OPENFGA_API_TOKEN (field openfga_api_token)",
            "  invalid PORT (field port) from env PORT: invalid digit found in string",
        ]
        .join("\n"),
    );
}

#[tokio::test]
async fn require_store_makes_a_missing_configuration_a_problem() {
    let error = Agent::loader()
        .env(Env::from_pairs([
            ("ANTHROPIC_API_KEY", "k"),
            ("DATABASE_URL", "d"),
            ("OPENFGA_API_TOKEN", "t"),
        ]))
        .require_store()
        .load()
        .await
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "failed to load Agent: 1 problem\n  config: Infisical is not configured, and this loader requires a secret store (require_store): set INFISICAL_PROJECT_ID, INFISICAL_ENVIRONMENT and one credential: INFISICAL_UNIVERSAL_AUTH_CLIENT_ID with INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET, INFISICAL_TOKEN, INFISICAL_TOKEN_FILE or INFISICAL_KUBERNETES_IDENTITY_ID (and INFISICAL_DOMAIN for a self-hosted server)"
    );
    // Without it, the same environment starts env-only.
    Agent::loader()
        .env(Env::from_pairs([
            ("ANTHROPIC_API_KEY", "k"),
            ("DATABASE_URL", "d"),
            ("OPENFGA_API_TOKEN", "t"),
        ]))
        .load()
        .await
        .unwrap();
}

#[tokio::test]
async fn half_a_configuration_reaches_the_user_the_same_way_from_either_call() {
    let half = Env::from_pairs([("INFISICAL_UNIVERSAL_AUTH_CLIENT_ID", ID.client_id)]);
    let from_env = InfisicalClient::from_env(&half).unwrap_err();
    let from_load = Loader::<Agent>::new().env(half).load().await.unwrap_err();
    let configs = |error: &Error| -> Vec<String> {
        error
            .problems()
            .iter()
            .filter_map(|p| match p.kind() {
                ProblemKind::Config(message) => Some(message.clone()),
                _ => None,
            })
            .collect()
    };
    assert!(!configs(&from_env).is_empty(), "{from_env}");
    assert_eq!(configs(&from_env), configs(&from_load), "{from_load}");
    assert!(
        configs(&from_env)
            .iter()
            .any(|m| m.contains("INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET")),
        "{from_env}"
    );
}
