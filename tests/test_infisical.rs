//! Loading through Infisical end to end: the loader, the Infisical client configured from
//! `INFISICAL_*` variables, and the fake server of `secrets_core::testing`.

mod support;

use std::time::Duration;

use support::fake::{Identity, client_from_env, fake_env, fake_env_without_credentials};

use secrets_core::testing::{FakeInfisical, FakeInfisicalBuilder, Fault, Route, ServerMode};
use secrets_core::{
    Error, ExposeSecret, InfisicalClient, Loader, Lookup, ProblemKind, SecretString, Secrets,
    Source,
    spec::{KeySpec, Resolved, StructSpec},
    store::{Folder, StoreErrorKind},
};

const ID: Identity = Identity::new("client-id-1", "SENTINEL-client-secret-5e1f");
const VALUE_SENTINEL: &str = "SENTINEL-value-9a7c";

/// Three keys in two folders of `prod`: `/` (which imports `/shared`) and `/agent`.
struct App {
    database_url: SecretString,
    sentry_dsn: SecretString,
    agent_key: SecretString,
}

impl Secrets for App {
    const SPEC: StructSpec = StructSpec::new(
        "App",
        &[
            KeySpec::new("DATABASE_URL", "database_url").with_env_var("DATABASE_URL"),
            KeySpec::new("SENTRY_DSN", "sentry_dsn").with_env_var("SENTRY_DSN"),
            KeySpec::new("AGENT_KEY", "agent_key")
                .with_env_var("AGENT_KEY")
                .with_folder("/agent"),
        ],
    )
    .with_default_environment("prod");

    fn from_resolved(mut resolved: Resolved) -> Result<Self, Error> {
        let database_url = resolved.take(0, Ok);
        let sentry_dsn = resolved.take(1, Ok);
        let agent_key = resolved.take(2, Ok);
        match (database_url, sentry_dsn, agent_key) {
            (Some(database_url), Some(sentry_dsn), Some(agent_key)) if resolved.is_ok() => {
                Ok(Self {
                    database_url,
                    sentry_dsn,
                    agent_key,
                })
            }
            _ => Err(resolved.into_error()),
        }
    }
}

fn data(mode: ServerMode) -> FakeInfisicalBuilder {
    FakeInfisical::builder()
        .mode(mode)
        .secret("prod", "/", "DATABASE_URL", "postgres://db.internal/app")
        .secret("prod", "/shared", "DATABASE_URL", "postgres://shadowed")
        .secret(
            "prod",
            "/shared",
            "SENTRY_DSN",
            "https://dsn@sentry.invalid/1",
        )
        .import("prod", "/", "prod", "/shared")
        .secret("prod", "/agent", "AGENT_KEY", VALUE_SENTINEL)
        .universal_auth(ID.client_id, ID.client_secret)
}

fn assert_loaded(app: &App) {
    assert_eq!(
        app.database_url.expose_secret(),
        "postgres://db.internal/app"
    );
    assert_eq!(
        app.sentry_dsn.expose_secret(),
        "https://dsn@sentry.invalid/1"
    );
    assert_eq!(app.agent_key.expose_secret(), VALUE_SENTINEL);
}

/// The store error of every problem, which must all be store errors.
/// Each problem of `error` as the store failure it is and the keys it kept from loading: one
/// problem per cause, not one per key.
fn store_errors(error: &Error) -> Vec<(StoreErrorKind, Vec<&str>)> {
    error
        .problems()
        .iter()
        .map(|p| match p.kind() {
            ProblemKind::Store(e) => (e.kind(), p.keys().map(|(key, _)| key).collect()),
            other => panic!("not a store problem: {other:?}"),
        })
        .collect()
}

/// All three keys of `App`, in field order.
const ALL_KEYS: [&str; 3] = ["DATABASE_URL", "SENTRY_DSN", "AGENT_KEY"];

fn assert_no_secret_in(error: &Error) {
    for shown in [error.to_string(), format!("{error:?}")] {
        assert!(!shown.contains(ID.client_secret), "{shown}");
        assert!(!shown.contains(VALUE_SENTINEL), "{shown}");
    }
}

#[tokio::test]
async fn universal_auth_on_a_current_server_lists_each_folder_once() {
    let fake = data(ServerMode::Current).start().await;
    let (app, provenance) = Loader::<App>::new()
        .env(fake_env(&fake, &[]))
        .load_with_provenance()
        .await
        .unwrap();
    assert_loaded(&app);
    assert_eq!(fake.request_count(Route::UniversalAuthLogin), 1);
    assert_eq!(
        fake.request_count(Route::ListV4),
        2 + 1,
        "one list per folder, and one probe of the API version without a token"
    );
    assert_eq!(
        fake.requests()
            .iter()
            .filter(|r| r.route() == Route::ListV4 && !r.has_authorization())
            .count(),
        1,
        "the probe"
    );
    assert_eq!(fake.request_count(Route::ListV3), 0);
    assert_eq!(
        provenance.get("SENTRY_DSN").unwrap().source(),
        Some(&Source::Store {
            store: "Infisical",
            folder: Folder::new("prod", "/"),
            import: Some(Folder::new("prod", "/shared")),
        })
    );
    assert_eq!(
        provenance.get("DATABASE_URL").unwrap().source(),
        Some(&Source::Store {
            store: "Infisical",
            folder: Folder::new("prod", "/"),
            import: None,
        })
    );
}

#[tokio::test]
async fn an_old_server_is_read_through_v3_and_remembered() {
    let fake = data(ServerMode::Legacy2024).start().await;
    let client = InfisicalClient::from_env(&fake_env(&fake, &[]))
        .unwrap()
        .unwrap();
    let app = Loader::<App>::new()
        .store(client.clone())
        .load()
        .await
        .unwrap();
    assert_loaded(&app);
    assert_eq!(fake.request_count(Route::ListV3), 2);
    let v4_probes = fake.request_count(Route::ListV4);
    assert!((1..=2).contains(&v4_probes), "{v4_probes}");
    // The same client does not ask v4 again.
    Loader::<App>::new().store(client).load().await.unwrap();
    assert_eq!(fake.request_count(Route::ListV4), v4_probes);
    assert_eq!(fake.request_count(Route::ListV3), 4);
    assert_eq!(fake.request_count(Route::UniversalAuthLogin), 1);
}

#[tokio::test]
async fn kubernetes_auth_reads_the_service_account_token() {
    let jwt = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(jwt.path(), "k8s-jwt-1\n").unwrap();
    let fake = data(ServerMode::Current)
        .kubernetes_auth("identity-1", "k8s-jwt-1")
        .start()
        .await;
    let path = jwt.path().to_str().unwrap();
    let env = fake_env_without_credentials(
        &fake,
        &[
            ("INFISICAL_MACHINE_IDENTITY_ID", "identity-1"),
            ("INFISICAL_KUBERNETES_SERVICE_ACCOUNT_TOKEN_PATH", path),
        ],
    );
    let app = Loader::<App>::new().env(env).load().await.unwrap();
    assert_loaded(&app);
    assert_eq!(fake.request_count(Route::KubernetesLogin), 1);
    assert_eq!(fake.request_count(Route::UniversalAuthLogin), 0);
}

#[tokio::test]
async fn given_tokens_need_no_login() {
    let fake = data(ServerMode::Current)
        .access_token("issued-token-1")
        .service_token("st.token-id.token-secret.0123abcd")
        .start()
        .await;
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), "issued-token-1\n").unwrap();
    let cases = [
        ("INFISICAL_UNIVERSAL_AUTH_ACCESS_TOKEN", "issued-token-1"),
        ("INFISICAL_TOKEN", "issued-token-1"),
        ("INFISICAL_TOKEN", "st.token-id.token-secret.0123abcd"),
        ("INFISICAL_TOKEN_FILE", file.path().to_str().unwrap()),
    ];
    for (var, value) in cases {
        let env = fake_env_without_credentials(&fake, &[(var, value)]);
        let app = Loader::<App>::new()
            .env(env)
            .load()
            .await
            .unwrap_or_else(|e| panic!("{var}: {e}"));
        assert_loaded(&app);
    }
    assert_eq!(fake.request_count(Route::UniversalAuthLogin), 0);
}

#[tokio::test]
async fn the_folder_wins_over_imports_and_the_last_import_wins() {
    let fake = data(ServerMode::Current)
        .secret(
            "prod",
            "/common",
            "SENTRY_DSN",
            "https://dsn@sentry.invalid/2",
        )
        .import("prod", "/", "prod", "/common")
        .start()
        .await;
    let (app, provenance) = Loader::<App>::new()
        .env(fake_env(&fake, &[]))
        .load_with_provenance()
        .await
        .unwrap();
    assert_eq!(
        app.database_url.expose_secret(),
        "postgres://db.internal/app"
    );
    assert_eq!(
        app.sentry_dsn.expose_secret(),
        "https://dsn@sentry.invalid/2"
    );
    assert_eq!(
        provenance.get("SENTRY_DSN").unwrap().source(),
        Some(&Source::Store {
            store: "Infisical",
            folder: Folder::new("prod", "/"),
            import: Some(Folder::new("prod", "/common")),
        })
    );
}

#[tokio::test]
async fn a_withheld_value_is_a_problem_not_a_fallback() {
    let fake = data(ServerMode::Current)
        .hidden_secret("prod", "/agent", "AGENT_KEY", VALUE_SENTINEL)
        .start()
        .await;
    let error = Loader::<App>::new()
        .env(fake_env(&fake, &[("AGENT_KEY", "from-env")]))
        .load()
        .await
        .err()
        .unwrap();
    let problems = error.problems();
    assert_eq!(problems.len(), 1, "{error}");
    assert_eq!(problems[0].key(), Some("AGENT_KEY"));
    assert!(
        matches!(problems[0].kind(), ProblemKind::Withheld(_)),
        "{error}"
    );
    assert_no_secret_in(&error);
}

#[tokio::test]
async fn a_forbidden_folder_fails_its_keys_closed() {
    let fake = data(ServerMode::Current).start().await;
    fake.fail_always(Route::ListV4, Fault::Status(403));
    let error = Loader::<App>::new()
        .env(fake_env(&fake, &[("DATABASE_URL", "from-env")]))
        .load()
        .await
        .err()
        .unwrap();
    // One problem per folder: each folder answered for itself.
    assert_eq!(
        store_errors(&error),
        [
            (
                StoreErrorKind::Forbidden,
                vec!["DATABASE_URL", "SENTRY_DSN"]
            ),
            (StoreErrorKind::Forbidden, vec!["AGENT_KEY"]),
        ],
        "{error}"
    );
    let report = error.to_string();
    assert!(
        report.contains("give the machine identity of INFISICAL_UNIVERSAL_AUTH_CLIENT_ID a project role that may read secrets (and their values) in `prod:/agent`"),
        "{report}"
    );
    assert!(
        report.contains("Loader::fallback_on_store_error(true)"),
        "{report}"
    );
    assert_no_secret_in(&error);
}

#[tokio::test]
async fn store_errors_fall_back_when_opted_in() {
    let fake = data(ServerMode::Current).start().await;
    fake.fail_always(Route::ListV4, Fault::Status(403));
    let (app, provenance) = Loader::<App>::new()
        .env(fake_env(
            &fake,
            &[
                ("DATABASE_URL", "db-env"),
                ("SENTRY_DSN", "dsn-env"),
                ("AGENT_KEY", "agent-env"),
            ],
        ))
        .fallback_on_store_error(true)
        .load_with_provenance()
        .await
        .unwrap();
    assert_eq!(app.database_url.expose_secret(), "db-env");
    assert_eq!(app.agent_key.expose_secret(), "agent-env");
    let entry = provenance.get("DATABASE_URL").unwrap();
    assert_eq!(entry.source(), Some(&Source::Env("DATABASE_URL".into())));
    assert!(
        matches!(entry.tried()[0], Lookup::StoreFailed { .. }),
        "{:?}",
        entry.tried()
    );
}

#[tokio::test]
async fn a_missing_folder_on_a_current_server_is_not_found() {
    let fake = FakeInfisical::builder()
        .secret("prod", "/", "DATABASE_URL", "postgres://db.internal/app")
        .secret("prod", "/", "SENTRY_DSN", "https://dsn@sentry.invalid/1")
        .universal_auth(ID.client_id, ID.client_secret)
        .start()
        .await;
    // The June 2025 server lists a missing folder as empty (recording v24): the key is missing
    // and the report says the folder was empty.
    let error = Loader::<App>::new()
        .env(fake_env(&fake, &[]))
        .load()
        .await
        .err()
        .unwrap();
    assert_eq!(error.problems().len(), 1, "{error}");
    assert_eq!(error.problems()[0].key(), Some("AGENT_KEY"));
    assert!(
        matches!(error.problems()[0].kind(), ProblemKind::Missing),
        "{error}"
    );
    assert!(
        error.to_string().contains("the folder was empty"),
        "{error}"
    );

    // Later servers answer `404 SecretPathNotFound`: the folder's keys are not found.
    fake.fail_always(
        Route::ListV4,
        Fault::Body {
            status: 404,
            content_type: "application/json; charset=utf-8".to_owned(),
            body: br#"{"reqId":"req-1","statusCode":404,"message":"Folder with path '/agent' in environment 'prod' was not found. Please ensure the environment slug and secret path is correct.","error":"SecretPathNotFound"}"#.to_vec(),
        },
    );
    let error = Loader::<App>::new()
        .env(fake_env(&fake, &[]))
        .load()
        .await
        .err()
        .unwrap();
    // One problem per folder (each answered for itself), naming its keys and what to check.
    assert_eq!(
        store_errors(&error),
        [
            (StoreErrorKind::NotFound, vec!["DATABASE_URL", "SENTRY_DSN"]),
            (StoreErrorKind::NotFound, vec!["AGENT_KEY"]),
        ],
        "{error}"
    );
    assert!(
        error.to_string().contains(
            "check INFISICAL_PROJECT_ID, the environment `prod` (INFISICAL_ENVIRONMENT or #[secret(environment)]) and the folder `/agent` (INFISICAL_SECRET_PATH or #[secret(path)])"
        ),
        "{error}"
    );
}

#[tokio::test]
async fn a_wrong_environment_on_an_old_server_is_an_empty_folder() {
    let fake = data(ServerMode::Legacy2024).start().await;
    let error = Loader::<App>::new()
        .env(fake_env(&fake, &[("INFISICAL_ENVIRONMENT", "staging")]))
        .load()
        .await
        .err()
        .unwrap();
    assert_eq!(error.problems().len(), 3, "{error}");
    for problem in error.problems() {
        assert!(matches!(problem.kind(), ProblemKind::Missing), "{error}");
        assert!(problem.tried().iter().any(|l| matches!(
            l,
            Lookup::NotInStore {
                folder_empty: true,
                ..
            }
        )));
    }
    assert!(
        error.to_string().contains("the folder was empty"),
        "{error}"
    );
}

#[tokio::test]
async fn rate_limits_are_waited_out() {
    for mode in [ServerMode::Current, ServerMode::Legacy2024] {
        let fake = data(mode).start().await;
        let route = match mode {
            ServerMode::Legacy2024 => Route::ListV3,
            _ => Route::ListV4,
        };
        let client = client_from_env(&fake_env(&fake, &[]));
        // On the old server, learn the v3 route first so the fault lands where it is meant.
        Loader::<App>::new()
            .store(client.clone())
            .load()
            .await
            .unwrap();
        let before = fake.request_count(route);
        fake.fail_next(
            route,
            1,
            Fault::RateLimited {
                retry_after_secs: 1,
            },
        );
        let app = Loader::<App>::new().store(client).load().await.unwrap();
        assert_loaded(&app);
        assert_eq!(fake.request_count(route), before + 3, "{mode:?}");
    }
}

#[tokio::test]
async fn a_rate_limit_longer_than_the_deadline_is_reported_at_once() {
    let fake = data(ServerMode::Current).start().await;
    fake.fail_always(
        Route::ListV4,
        Fault::RateLimited {
            retry_after_secs: 60,
        },
    );
    let error = Loader::<App>::new()
        .env(fake_env(&fake, &[("INFISICAL_STARTUP_TIMEOUT", "5")]))
        .load()
        .await
        .err()
        .unwrap();
    // One cause for both folders, with both request ids for a support ticket.
    assert_eq!(
        store_errors(&error),
        [(StoreErrorKind::Throttled, ALL_KEYS.to_vec())],
        "{error}"
    );
    assert_eq!(
        error.problems()[0].folders(),
        [Folder::new("prod", "/"), Folder::new("prod", "/agent")]
    );
    let ProblemKind::Store(throttled) = error.problems()[0].kind() else {
        unreachable!()
    };
    assert_eq!(throttled.req_id().map(|r| r.split(", ").count()), Some(2));
    // Both folders once, and the probe of the API version (throttled too; it is not retried).
    assert_eq!(fake.request_count(Route::ListV4), 2 + 1);
}

#[tokio::test]
async fn an_expired_token_is_replaced_by_one_login() {
    for mode in [ServerMode::Current, ServerMode::Legacy2024] {
        let fake = data(mode).start().await;
        let client = client_from_env(&fake_env(&fake, &[]));
        Loader::<App>::new()
            .store(client.clone())
            .load()
            .await
            .unwrap();
        assert_eq!(fake.request_count(Route::UniversalAuthLogin), 1);
        fake.expire_tokens();
        // Both folders hit the expired token together and share one new login.
        let app = Loader::<App>::new().store(client).load().await.unwrap();
        assert_loaded(&app);
        assert_eq!(fake.request_count(Route::UniversalAuthLogin), 2, "{mode:?}");
    }
}

#[tokio::test]
async fn wrong_credentials_fail_every_key_after_one_login() {
    let fake = data(ServerMode::Current).start().await;
    let env = fake_env_without_credentials(
        &fake,
        &[
            ("INFISICAL_UNIVERSAL_AUTH_CLIENT_ID", ID.client_id),
            (
                "INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET",
                "SENTINEL-wrong-secret",
            ),
        ],
    );
    let error = Loader::<App>::new().env(env).load().await.err().unwrap();
    assert_eq!(
        store_errors(&error),
        [(StoreErrorKind::Unauthorized, ALL_KEYS.to_vec())],
        "{error}"
    );
    let report = error.to_string();
    let lines: Vec<&str> = report.lines().collect();
    assert_eq!(lines[0], "failed to load App: 1 problem, 3 keys not loaded");
    assert!(
        lines[1].starts_with(
            "  Infisical Universal Auth login failed: 401 UnauthorizedError: Invalid credentials (reqId "
        ),
        "{report}"
    );
    assert_eq!(
        lines[2],
        "    check INFISICAL_UNIVERSAL_AUTH_CLIENT_ID and INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET"
    );
    assert_eq!(
        lines[4],
        "    not loaded: DATABASE_URL (field database_url), SENTRY_DSN (field sentry_dsn), AGENT_KEY (field agent_key) (3 keys)"
    );
    assert_eq!(fake.request_count(Route::UniversalAuthLogin), 1);
    assert!(!format!("{error} {error:?}").contains("SENTINEL-wrong-secret"));
}

#[tokio::test]
async fn a_slow_server_hits_the_startup_deadline() {
    let fake = data(ServerMode::Current)
        .latency(Duration::from_secs(3))
        .start()
        .await;
    let error = Loader::<App>::new()
        .env(fake_env(&fake, &[("INFISICAL_STARTUP_TIMEOUT", "0.5")]))
        .load()
        .await
        .err()
        .unwrap();
    assert_eq!(
        store_errors(&error),
        [(StoreErrorKind::DeadlineExceeded, ALL_KEYS.to_vec())],
        "{error}"
    );
    assert!(
        error.to_string().contains(
            "check the server's health, or give it longer: INFISICAL_STARTUP_TIMEOUT (now 0.5 s)"
        ),
        "{error}"
    );
}

#[tokio::test]
async fn half_a_configuration_is_reported_not_ignored() {
    let fake = data(ServerMode::Current).start().await;
    let env = fake_env_without_credentials(
        &fake,
        &[("INFISICAL_UNIVERSAL_AUTH_CLIENT_ID", ID.client_id)],
    );
    let error = Loader::<App>::new().env(env).load().await.err().unwrap();
    assert!(
        error
            .to_string()
            .contains("INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET"),
        "{error}"
    );
    assert_eq!(fake.total_requests(), 0);
}

#[tokio::test]
async fn no_secret_shows_in_errors_or_debug_output() {
    let fake = data(ServerMode::Current).start().await;
    // One folder fails, the other (holding the sentinel value) succeeds. The first request to
    // the route is the probe of the API version, sent while the login is under way.
    fake.fail_next(Route::ListV4, 2, Fault::Status(403));
    let env = fake_env(&fake, &[]);
    let client = client_from_env(&env);
    assert!(!format!("{client:?}").contains(ID.client_secret));
    let loader = Loader::<App>::new().store(client);
    assert!(!format!("{loader:?}").contains(ID.client_secret));
    let error = loader.load().await.err().unwrap();
    assert_no_secret_in(&error);
}
