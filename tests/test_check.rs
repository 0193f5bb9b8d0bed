//! `describe()`, `Loader::check()` and the manifest, against the fake Infisical.

mod support;

use support::fake::fake_env;

use secrets_core::testing::{FakeInfisical, Fault, Route};
use secrets_core::{Env, SecretString, Secrets};

// Only checked and described, never read.
#[allow(dead_code)]
#[derive(Secrets)]
#[secret(path = "/api", environment = "prod")]
struct ApiSecrets {
    /// The Postgres URL, with the password.
    database_url: SecretString,
    /// The port to listen on.
    #[secret(default = "8080")]
    port: u16,
    #[secret(name = "OPENFGA_API_TOKEN")]
    openfga_token: SecretString,
    /// Error reporting; off when unset.
    sentry_dsn: Option<SecretString>,
}

const DB_VALUE: &str = "postgres://app:s3cr3t-db-pass@db/app";
const FGA_VALUE: &str = "fga-t0ken-value-123";

async fn fake_with(extra: &[(&str, &str, &str)]) -> FakeInfisical {
    let mut builder = FakeInfisical::builder()
        .universal_auth("check-id", "check-secret")
        .secret("prod", "/api", "DATABASE_URL", DB_VALUE)
        .secret("prod", "/api", "OPENFGA_API_TOKEN", FGA_VALUE);
    for (environment, path, key) in extra {
        builder = builder.secret(*environment, *path, *key, "some-value-9");
    }
    builder.start().await
}

fn assert_no_values(text: &str) {
    for value in [DB_VALUE, FGA_VALUE, "some-value-9", "s3cr3t"] {
        assert!(!text.contains(value), "a value leaked:\n{text}");
    }
}

#[test]
fn describe_lists_every_key_with_folder_default_and_doc() {
    let description = ApiSecrets::describe();
    let keys: Vec<_> = description
        .keys()
        .iter()
        .map(secrets_core::describe::KeyDescription::key)
        .collect();
    assert_eq!(
        keys,
        ["DATABASE_URL", "PORT", "OPENFGA_API_TOKEN", "SENTRY_DSN"]
    );
    let db = &description.keys()[0];
    assert_eq!(db.doc(), Some("The Postgres URL, with the password."));
    assert_eq!((db.environment(), db.folder()), (Some("prod"), "/api"));
    assert!(db.is_required());
    assert_eq!(description.keys()[1].default(), Some("8080"));
    assert!(!description.keys()[1].is_required());
    assert!(description.keys()[3].is_optional());

    let example = description.env_example();
    assert!(
        example.contains(
            "# The Postgres URL, with the password.\n# Infisical prod:/api\nDATABASE_URL=\n"
        ),
        "{example}"
    );
    assert!(
        example.contains("# The port to listen on.\n# Infisical prod:/api\nPORT=8080\n"),
        "{example}"
    );
    assert!(
        example.contains("# Infisical prod:/api (optional)\n# SENTRY_DSN=\n"),
        "{example}"
    );

    let table = description.markdown();
    assert!(
        table.contains("| `PORT` | `port` | `PORT` | `PORT_FILE` | `prod:/api` | no (default) | `8080` | The port to listen on. |"),
        "{table}"
    );
    assert!(table.contains("| `SENTRY_DSN` | `sentry_dsn` |"), "{table}");
    assert!(table.contains("| optional |"), "{table}");
}

#[tokio::test]
async fn check_of_a_complete_store_is_ok_and_names_each_source() {
    let fake = fake_with(&[]).await;
    let report = ApiSecrets::loader().env(fake_env(&fake, &[])).check().await;
    assert!(report.is_ok(), "{report}");
    let db = report.get("DATABASE_URL").expect("key");
    assert_eq!(
        db.source().expect("found").to_string(),
        "Infisical prod:/api"
    );
    assert_eq!(
        report.get("PORT").unwrap().source().unwrap().to_string(),
        "default"
    );
    assert!(report.get("SENTRY_DSN").unwrap().source().is_none());
    assert!(report.get("SENTRY_DSN").unwrap().is_ok());
    assert_eq!(report.requests(), 1);
    let text = report.to_string();
    assert!(
        text.starts_with("check of ApiSecrets against Infisical: 1 folder listing(s)"),
        "{text}"
    );
    assert!(text.contains("ok: 4 key(s) would load"), "{text}");
    assert_no_values(&text);
    assert_no_values(&format!("{report:?}"));
}

#[tokio::test]
async fn check_reports_missing_invalid_and_stale_keys_without_values() {
    let fake = fake_with(&[
        ("prod", "/api", "OPENFGA_TOKEN"),
        ("prod", "/api", "OLD_FLAG"),
    ])
    .await;
    fake.remove_secret("prod", "/api", "OPENFGA_API_TOKEN");
    let report = ApiSecrets::loader()
        .env(fake_env(&fake, &[("PORT", "80a")]))
        .check()
        .await;
    assert!(!report.is_ok());
    let missing = report
        .get("OPENFGA_API_TOKEN")
        .unwrap()
        .problem()
        .expect("missing");
    assert!(matches!(missing.kind(), secrets_core::ProblemKind::Missing));
    let invalid = report.get("PORT").unwrap().problem().expect("invalid");
    assert!(
        matches!(invalid.kind(), secrets_core::ProblemKind::Invalid { .. }),
        "{invalid}"
    );
    let stale: Vec<_> = report
        .stale()
        .iter()
        .map(|s| (s.key(), s.folder().to_string()))
        .collect();
    assert_eq!(
        stale,
        [
            ("OLD_FLAG", "prod:/api".to_owned()),
            ("OPENFGA_TOKEN", "prod:/api".to_owned())
        ]
    );
    let text = report.to_string();
    assert!(
        text.contains("invalid PORT (field port) from env PORT"),
        "{text}"
    );
    assert!(
        text.contains("stale keys (in the store, used by no field):"),
        "{text}"
    );
    assert!(text.contains("FAILED: 2 problem(s)"), "{text}");
    assert!(text.contains("2 stale key(s) (warning)"), "{text}");
    assert_no_values(&text);
    assert!(!text.contains("80a"), "the invalid value is shown:\n{text}");
}

#[tokio::test]
async fn stale_keys_are_warnings_and_imports_are_marked() {
    let fake = FakeInfisical::builder()
        .universal_auth("check-id", "check-secret")
        .secret("prod", "/api", "DATABASE_URL", DB_VALUE)
        .secret("prod", "/api", "OPENFGA_API_TOKEN", FGA_VALUE)
        .secret("prod", "/shared", "LOG_LEVEL", "info")
        .import("prod", "/api", "prod", "/shared")
        .start()
        .await;
    let report = ApiSecrets::loader().env(fake_env(&fake, &[])).check().await;
    assert!(report.is_ok(), "stale keys fail the check:\n{report}");
    let stale = &report.stale()[0];
    assert_eq!(stale.key(), "LOG_LEVEL");
    assert_eq!(
        stale.import().map(ToString::to_string).as_deref(),
        Some("prod:/shared")
    );
    assert!(
        report
            .to_string()
            .contains("LOG_LEVEL  prod:/api (imported from prod:/shared)"),
        "{report}"
    );
}

#[tokio::test]
async fn check_reports_a_withheld_value() {
    let fake = FakeInfisical::builder()
        .universal_auth("check-id", "check-secret")
        .secret("prod", "/api", "DATABASE_URL", DB_VALUE)
        .hidden_secret("prod", "/api", "OPENFGA_API_TOKEN", FGA_VALUE)
        .start()
        .await;
    let report = ApiSecrets::loader().env(fake_env(&fake, &[])).check().await;
    assert!(!report.is_ok());
    let problem = report
        .get("OPENFGA_API_TOKEN")
        .unwrap()
        .problem()
        .expect("withheld");
    assert!(
        matches!(problem.kind(), secrets_core::ProblemKind::Withheld(_)),
        "{problem}"
    );
    assert!(report.to_string().contains("withheld"), "{report}");
    assert_no_values(&report.to_string());
}

#[tokio::test]
async fn a_store_failure_is_an_entry_not_an_error_and_fallbacks_are_said() {
    let fake = fake_with(&[]).await;
    fake.fail_always(Route::ListV4, Fault::Status(403));
    fake.fail_always(Route::ListV3, Fault::Status(403));
    let report = ApiSecrets::loader().env(fake_env(&fake, &[])).check().await;
    assert!(!report.is_ok());
    let db = report.get("DATABASE_URL").unwrap();
    assert!(matches!(
        db.problem().unwrap().kind(),
        secrets_core::ProblemKind::Store(_)
    ));
    assert!(report.folders()[0].1.is_err());
    assert!(
        report
            .manifest()
            .contains("# [prod:/api] could not be listed")
    );

    let report = ApiSecrets::loader()
        .env(fake_env(
            &fake,
            &[
                ("DATABASE_URL", "postgres://fallback"),
                ("OPENFGA_API_TOKEN", "t"),
            ],
        ))
        .fallback_on_store_error(true)
        .check()
        .await;
    assert!(report.is_ok(), "{report}");
    let db = report.get("DATABASE_URL").unwrap();
    assert_eq!(db.source().unwrap().to_string(), "env DATABASE_URL");
    assert!(
        db.fallback().is_some_and(|reason| reason.contains("403")),
        "{report}"
    );
    assert!(report.to_string().contains("fallback"), "{report}");
    assert!(!report.to_string().contains("postgres://fallback"));
}

#[tokio::test]
async fn a_store_that_is_down_is_reported_per_key_and_in_the_table() {
    let fake = fake_with(&[]).await;
    fake.fail_always(Route::ListV4, Fault::Status(503));
    fake.fail_always(Route::ListV3, Fault::Status(503));
    let report = ApiSecrets::loader().env(fake_env(&fake, &[])).check().await;
    assert!(!report.is_ok());
    for key in ["DATABASE_URL", "OPENFGA_API_TOKEN"] {
        let problem = report.get(key).unwrap().problem().expect("store failure");
        assert!(
            matches!(problem.kind(), secrets_core::ProblemKind::Store(_)),
            "{problem}"
        );
    }
    let text = report.to_string();
    assert!(text.contains("503"), "{text}");
    assert!(text.contains("FAILED"), "{text}");
}

#[tokio::test]
async fn without_a_store_the_check_says_so_and_lists_nothing() {
    let report = ApiSecrets::loader()
        .env(Env::from_pairs([
            ("DATABASE_URL", "x"),
            ("OPENFGA_API_TOKEN", "y"),
        ]))
        .check()
        .await;
    assert!(report.is_ok(), "{report}");
    assert_eq!(report.requests(), 0);
    assert!(report.stale().is_empty());
    assert!(
        report
            .to_string()
            .starts_with("check of ApiSecrets against no secret store: 0 folder listing(s)"),
        "{report}"
    );
}

#[tokio::test]
async fn drift_between_two_environments_names_the_key() {
    let fake = FakeInfisical::builder()
        .universal_auth("check-id", "check-secret")
        .secret("prod", "/api", "DATABASE_URL", DB_VALUE)
        .secret("staging", "/api", "DATABASE_URL", DB_VALUE)
        .secret("staging", "/api", "NEW_FLAG", "on")
        .start()
        .await;
    let staging = ApiSecrets::loader()
        .env(fake_env(&fake, &[("INFISICAL_ENVIRONMENT", "staging")]))
        .check()
        .await;
    let prod = ApiSecrets::loader().env(fake_env(&fake, &[])).check().await;
    let drift = staging.drift(&prod);
    assert_eq!(drift.len(), 1, "{drift:?}");
    assert_eq!(
        drift[0].to_string(),
        "NEW_FLAG is in staging:/api but not in prod:/api"
    );
    assert_eq!(prod.drift(&staging), drift);
}

#[tokio::test]
async fn the_manifest_lists_key_names_per_folder_and_no_value() {
    let fake = fake_with(&[("prod", "/api", "OLD_FLAG")]).await;
    let report = ApiSecrets::loader().env(fake_env(&fake, &[])).check().await;
    let manifest = report.manifest();
    assert!(
        manifest.ends_with("\n[prod:/api]\nDATABASE_URL\nOLD_FLAG\nOPENFGA_API_TOKEN\n"),
        "{manifest}"
    );
    assert_no_values(&manifest);
}

#[allow(dead_code)]
#[path = "../examples/quickstart/secrets.rs"]
mod quickstart_secrets;

/// The quickstart's `.env.example` and table, generated from its struct, are the files next
/// to it: a change to the struct that forgets them fails here. Regenerate with
/// `UPDATE_QUICKSTART=1 cargo test --test test_check`.
#[test]
fn the_quickstart_env_example_and_table_are_in_step() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let description = quickstart_secrets::AppSecrets::describe();
    for (file, generated) in [
        ("quickstart.env.example", description.env_example()),
        ("quickstart.secrets.md", description.markdown()),
    ] {
        let path = dir.join(file);
        if std::env::var_os("UPDATE_QUICKSTART").is_some() {
            std::fs::write(&path, &generated).expect("write");
        }
        let on_disk = std::fs::read_to_string(&path).expect("the file next to the quickstart");
        assert_eq!(
            on_disk, generated,
            "{file} is out of step with the quickstart's struct"
        );
    }
}
