//! One sentinel in every place Infisical gives a secret (a value, an access token, a client
//! secret, a token file, a configuration variable), driven through every error path and every
//! successful report: it must never show in a `Display`, a `Debug`, a log line or a panic
//! message.
//!
//! Every test checks the whole capture of its process (`support/leaks.rs`).

mod support;

use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;
use std::time::Duration;

use support::fake::Identity;
use support::leaks::{
    SENTINEL, TELL, assert_capture_clean, assert_clean, assert_error_clean, capture,
};
use support::server::refused_url;

use secrets_core::testing::{FakeInfisical, FakeInfisicalBuilder, FakeSecret, Fault, Route};
use secrets_core::{
    Env, Error, ExposeSecret, InfisicalClient, InfisicalClientBuilder, Loader, ProblemKind,
    SecretString, Secrets, store::StoreErrorKind,
};

/// The identity of this file: its client secret is the sentinel itself.
const ID: Identity = Identity::new("client-id-leaks", SENTINEL);

// ---------------------------------------------------------------------------------------
// Infisical

/// Keys in two folders of `prod`; the sentinel is in every value Infisical holds.
#[allow(dead_code, reason = "only the report is looked at")]
#[derive(Secrets)]
#[secret(environment = "prod")]
struct Remote {
    database_url: SecretString,
    withheld: SecretString,
    unexpanded: SecretString,
    port: u16,
    #[secret(path = "/agent")]
    agent_key: SecretString,
}

fn data() -> FakeInfisicalBuilder {
    FakeInfisical::builder()
        .secret(
            "prod",
            "/",
            "DATABASE_URL",
            format!("postgres://u:{SENTINEL}@db/app"),
        )
        .hidden_secret("prod", "/", "WITHHELD", SENTINEL)
        .secret("prod", "/", "UNEXPANDED", format!("{SENTINEL}-${{NOPE}}"))
        .secret("prod", "/", "PORT", SENTINEL)
        .secret("prod", "/agent", "AGENT_KEY", format!("{SENTINEL}-agent"))
        .universal_auth(ID.client_id, SENTINEL)
        .access_token(format!("{SENTINEL}-token"))
        .service_token("st.id.the-right-secret")
}

fn fast(url: &str) -> InfisicalClientBuilder {
    ID.client(url)
        .request_timeout(Duration::from_millis(500))
        .startup_deadline(Duration::from_secs(3))
        .retry_backoff(Duration::from_millis(5), Duration::from_millis(10))
        .max_retries(1)
}

/// Env vars that hold the sentinel too, for fallbacks.
fn env() -> Env {
    Env::from_pairs([
        ("DATABASE_URL", format!("{SENTINEL}-env")),
        ("AGENT_KEY", format!("{SENTINEL}-env")),
    ])
}

async fn load_remote(client: InfisicalClient) -> Error {
    let loader = Remote::loader().env(env()).store(client);
    assert_clean("Debug of the loader", &format!("{loader:?}"));
    loader.load().await.err().unwrap()
}

/// The store error kind of every problem.
/// The store failure of each key that one kept from loading (a problem per cause names
/// every key it hit).
fn store_kinds(error: &Error) -> Vec<StoreErrorKind> {
    error
        .problems()
        .iter()
        .filter_map(|p| match p.kind() {
            ProblemKind::Store(e) => Some(p.keys().map(|_| e.kind())),
            _ => None,
        })
        .flatten()
        .collect()
}

#[tokio::test(flavor = "current_thread")]
async fn infisical_value_problems_never_show_the_sentinel() {
    capture();
    let fake = data().start().await;
    let error = load_remote(fast(fake.url()).build().unwrap()).await;
    let shown = error.to_string();
    assert!(
        shown.contains("withheld WITHHELD"),
        "{}",
        shown.replace(TELL, "…")
    );
    assert!(
        shown.contains("unexpanded UNEXPANDED"),
        "{}",
        shown.replace(TELL, "…")
    );
    assert!(
        shown.contains("invalid PORT"),
        "{}",
        shown.replace(TELL, "…")
    );
    assert_eq!(error.problems().len(), 3);
    assert_error_clean("an Infisical value problem", &error);
    assert_capture_clean();
}

/// A failure the fake is made to answer with, and the store error it must become.
type FailureCase = (&'static str, Vec<(Route, Fault)>, StoreErrorKind);

#[tokio::test(flavor = "current_thread")]
#[allow(clippy::too_many_lines, reason = "one case per store failure")]
async fn infisical_failures_never_show_the_sentinel() {
    capture();
    let html = |status| Fault::Body {
        status,
        content_type: "text/html".to_owned(),
        body: format!("<html>{SENTINEL}</html>").into_bytes(),
    };
    let json = |status, body: String| Fault::Body {
        status,
        content_type: "application/json".to_owned(),
        body: body.into_bytes(),
    };
    let cases: Vec<FailureCase> = vec![
        (
            "forbidden",
            vec![(Route::ListV4, Fault::Status(403))],
            StoreErrorKind::Forbidden,
        ),
        (
            "throttled",
            vec![(
                Route::ListV4,
                Fault::RateLimited {
                    retry_after_secs: 60,
                },
            )],
            StoreErrorKind::Throttled,
        ),
        (
            "unavailable",
            vec![(Route::ListV4, Fault::Status(503))],
            StoreErrorKind::Server,
        ),
        (
            "server error",
            vec![(Route::ListV4, Fault::Status(500))],
            StoreErrorKind::Server,
        ),
        (
            "token rejected",
            vec![(Route::ListV4, Fault::Status(401))],
            StoreErrorKind::Unauthorized,
        ),
        (
            "malformed",
            vec![(
                Route::ListV4,
                json(200, format!("{{\"secrets\": [{SENTINEL}")),
            )],
            StoreErrorKind::InvalidResponse,
        ),
        (
            "wrong shape",
            vec![(
                Route::ListV4,
                json(200, format!("{{\"secrets\": {{\"{SENTINEL}\": 1}}}}")),
            )],
            StoreErrorKind::InvalidResponse,
        ),
        (
            "no such route",
            vec![(Route::ListV4, html(404)), (Route::ListV3, html(404))],
            StoreErrorKind::InvalidResponse,
        ),
        (
            "redirect",
            vec![(
                Route::ListV4,
                Fault::Redirect {
                    location: format!("http://localhost:1/{SENTINEL}?token={SENTINEL}"),
                },
            )],
            StoreErrorKind::InvalidResponse,
        ),
        (
            "reset",
            vec![(Route::ListV4, Fault::ResetConnection)],
            StoreErrorKind::Unreachable,
        ),
        (
            "login refused",
            vec![(Route::UniversalAuthLogin, Fault::Status(401))],
            StoreErrorKind::Unauthorized,
        ),
        (
            "bad request",
            vec![(Route::ListV4, Fault::Status(422))],
            StoreErrorKind::BadRequest,
        ),
    ];
    for (what, faults, kind) in cases {
        let fake = data().start().await;
        for (route, fault) in faults {
            fake.fail_always(route, fault);
        }
        let error = load_remote(fast(fake.url()).build().unwrap()).await;
        assert_eq!(store_kinds(&error), [kind; 5], "{what}");
        assert_error_clean(what, &error);
    }

    // Past the startup deadline.
    let fake = data().latency(Duration::from_secs(2)).start().await;
    let client = fast(fake.url())
        .startup_deadline(Duration::from_millis(300))
        .build()
        .unwrap();
    let error = load_remote(client).await;
    assert_eq!(store_kinds(&error), [StoreErrorKind::DeadlineExceeded; 5]);
    assert_error_clean("deadline", &error);

    // A missing folder, as servers after June 2025 answer it (that one lists it as empty).
    let fake = FakeInfisical::builder()
        .secret("prod", "/", "DATABASE_URL", SENTINEL)
        .universal_auth(ID.client_id, SENTINEL)
        .start()
        .await;
    fake.fail_always(
        Route::ListV4,
        Fault::Body {
            status: 404,
            content_type: "application/json; charset=utf-8".to_owned(),
            body: br#"{"reqId":"req-1","statusCode":404,"message":"Folder with path '/agent' in environment 'prod' was not found. Please ensure the environment slug and secret path is correct.","error":"SecretPathNotFound"}"#.to_vec(),
        },
    );
    let error = load_remote(fast(fake.url()).build().unwrap()).await;
    assert!(store_kinds(&error).contains(&StoreErrorKind::NotFound));
    assert_error_clean("not found", &error);

    // Nobody listening.
    let url = refused_url();
    let error = load_remote(fast(&url).build().unwrap()).await;
    assert_eq!(store_kinds(&error), [StoreErrorKind::Unreachable; 5]);
    assert_error_clean("unreachable", &error);
    assert_capture_clean();
}

#[tokio::test(flavor = "current_thread")]
async fn credentials_never_show_when_rejected() {
    capture();
    let fake = data().start().await;
    let wrong_secret = fast(fake.url())
        .universal_auth(
            ID.client_id,
            SecretString::from(format!("{SENTINEL}-wrong")),
        )
        .build()
        .unwrap();
    let unknown_token = fast(fake.url())
        .access_token(SecretString::from(format!("{SENTINEL}-unknown-token")))
        .build()
        .unwrap();
    let service_token = fast(fake.url())
        .access_token(SecretString::from(format!("st.id.{SENTINEL}.{SENTINEL}")))
        .build()
        .unwrap();
    for (what, client) in [
        ("wrong client secret", wrong_secret),
        ("unknown access token", unknown_token),
        ("unknown service token", service_token),
    ] {
        assert_clean(what, &format!("{client:?} {:?}", client.clone()));
        let error = load_remote(client).await;
        assert_eq!(
            store_kinds(&error),
            [StoreErrorKind::Unauthorized; 5],
            "{what}"
        );
        assert_error_clean(what, &error);
    }

    // A token expired between loads is replaced; neither token shows.
    let client = fast(fake.url()).build().unwrap();
    let _ = load_remote(client.clone()).await;
    fake.expire_tokens();
    let _ = load_remote(client).await;
    assert_eq!(fake.request_count(Route::UniversalAuthLogin), 3);
    assert_capture_clean();
}

#[tokio::test(flavor = "current_thread")]
async fn successful_infisical_loads_and_fallbacks_show_no_value() {
    #[derive(Secrets)]
    #[secret(environment = "prod")]
    struct Found {
        database_url: SecretString,
        #[secret(path = "/agent")]
        agent_key: SecretString,
    }

    capture();
    let fake = data().start().await;
    let given = fast(fake.url())
        .access_token(SecretString::from(format!("{SENTINEL}-token")))
        .build()
        .unwrap();
    for client in [fast(fake.url()).build().unwrap(), given] {
        let (secrets, provenance) = Found::loader()
            .env(env())
            .store(client)
            .log_provenance(true)
            .load_with_provenance()
            .await
            .unwrap();
        assert!(secrets.database_url.expose_secret().contains(TELL));
        assert_clean("Debug of the struct", &format!("{secrets:?}"));
        assert_clean("the provenance", &format!("{provenance} {provenance:?}"));
    }

    // The folder fails; every key falls back to env vars holding the sentinel.
    fake.fail_always(Route::ListV4, Fault::Status(403));
    let (secrets, provenance) = Found::loader()
        .env(env())
        .store(fast(fake.url()).build().unwrap())
        .fallback_on_store_error(true)
        .log_provenance(true)
        .load_with_provenance()
        .await
        .unwrap();
    assert!(secrets.agent_key.expose_secret().contains(TELL));
    assert!(provenance.to_string().contains("fell back"), "{provenance}");
    // The capture reaches down to TRACE and into the HTTP stack's `log` records.
    let logs = capture().logs.text();
    assert!(
        logs.contains("TRACE reqwest::"),
        "TRACE records are captured"
    );
    assert!(
        logs.contains("fell back from Infisical prod:/"),
        "the notes are logged"
    );
    assert_clean(
        "a fallback's provenance",
        &format!("{provenance} {provenance:?}"),
    );
    assert_capture_clean();
}

// ---------------------------------------------------------------------------------------
// Configuration

#[tokio::test(flavor = "current_thread")]
async fn configuration_problems_never_show_the_sentinel() {
    capture();
    let dir = tempfile::tempdir().unwrap();
    let mut not_utf8 = vec![0xff];
    not_utf8.extend_from_slice(SENTINEL.as_bytes());
    let cases: Vec<Vec<(&str, OsString)>> = vec![
        // Half a configuration.
        vec![("INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET", SENTINEL.into())],
        vec![("INFISICAL_TOKEN", SENTINEL.into())],
        vec![("INFISICAL_UNIVERSAL_AUTH_ACCESS_TOKEN", SENTINEL.into())],
        // Credentials in the URL, which are refused.
        vec![
            (
                "INFISICAL_DOMAIN",
                format!("https://admin:{SENTINEL}@infisical.example.com").into(),
            ),
            ("INFISICAL_TOKEN", SENTINEL.into()),
            ("INFISICAL_PROJECT_ID", "p".into()),
        ],
        vec![
            (
                "INFISICAL_API_URL",
                format!("admin:{SENTINEL}@infisical.example.com/api").into(),
            ),
            ("INFISICAL_TOKEN", SENTINEL.into()),
            ("INFISICAL_PROJECT_ID", "p".into()),
        ],
        vec![
            ("INFISICAL_DOMAIN", format!("https://{SENTINEL}@").into()),
            ("INFISICAL_TOKEN", SENTINEL.into()),
            ("INFISICAL_PROJECT_ID", "p".into()),
        ],
        // A credential that is not UTF-8.
        vec![
            ("INFISICAL_UNIVERSAL_AUTH_ID.client_id", ID.client_id.into()),
            (
                "INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET",
                OsString::from_vec(not_utf8.clone()),
            ),
            ("INFISICAL_PROJECT_ID", "p".into()),
        ],
        // A token file that is a directory.
        vec![
            ("INFISICAL_TOKEN_FILE", dir.path().as_os_str().to_owned()),
            ("INFISICAL_PROJECT_ID", "p".into()),
        ],
    ];
    for pairs in cases {
        let env = Env::from_pairs(pairs);
        let error = Remote::loader()
            .env(env.clone())
            .load()
            .await
            .err()
            .unwrap();
        assert!(
            error
                .problems()
                .iter()
                .any(|p| matches!(p.kind(), ProblemKind::Config(_))),
            "{}",
            error.to_string().replace(TELL, "…")
        );
        assert_error_clean("a configuration problem", &error);
        let error = InfisicalClient::from_env(&env).err().unwrap();
        assert_error_clean("InfisicalClient::from_env", &error);
    }

    // The builder refuses credentials in the URL without repeating them.
    for url in [
        format!("https://admin:{SENTINEL}@infisical.example.com"),
        format!("http://{SENTINEL}:{SENTINEL}@infisical.example.com"),
        format!("ftp://x:{SENTINEL}@infisical.example.com"),
    ] {
        let error = InfisicalClient::builder()
            .base_url(url)
            .project_id("p")
            .access_token(SecretString::from(SENTINEL))
            .build()
            .err()
            .unwrap();
        assert_error_clean("the builder", &error);
    }
    assert_capture_clean();
}

#[test]
fn debug_of_clients_builders_and_fake_secrets_shows_no_secret() {
    capture();
    let token_file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(token_file.path(), SENTINEL).unwrap();
    let builders = [
        InfisicalClient::builder()
            .project_id("p")
            .universal_auth(ID.client_id, SecretString::from(SENTINEL)),
        InfisicalClient::builder()
            .project_id("p")
            .access_token(SecretString::from(SENTINEL)),
        InfisicalClient::builder()
            .project_id("p")
            .access_token(SecretString::from(format!("st.id.{SENTINEL}.{SENTINEL}"))),
        InfisicalClient::builder()
            .project_id("p")
            .token_file(token_file.path()),
        InfisicalClient::builder()
            .project_id("p")
            .kubernetes_auth("identity")
            .kubernetes_token_path(token_file.path()),
    ];
    for builder in builders {
        assert_clean("Debug of a builder", &format!("{builder:?} {builder:#?}"));
        let client = builder.build().unwrap();
        assert_clean("Debug of a client", &format!("{client:?} {client:#?}"));
        let loader: Loader<Remote> = Remote::loader().env(env()).store(client);
        assert_clean("Debug of a loader", &format!("{loader:?} {loader:#?}"));
    }
    let secret = FakeSecret::new("prod", "/", "K", SENTINEL);
    assert_clean("Debug of a FakeSecret", &format!("{secret:?}"));
    assert_clean("Debug of an Env", &format!("{:?}", env()));
    assert_capture_clean();
}
