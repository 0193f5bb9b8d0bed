//! Resolution order without a secret store: env var, `_FILE`, secrets directory, default; and
//! the report of everything that went wrong.

mod support;

use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;
use std::str::FromStr;

use support::fake::env;

use secrets_core::{Env, Error, ExposeSecret, Lookup, ProblemKind, SecretString, Secrets, Source};

#[derive(Secrets)]
struct Service {
    database_url: SecretString,
    #[secret(default = "8080")]
    port: u16,
    sentry_dsn: Option<SecretString>,
}

async fn load_service(env: Env) -> Result<Service, Error> {
    Service::loader().env(env).load().await
}

#[tokio::test]
async fn env_vars_fill_the_struct_and_defaults_apply() {
    let s = load_service(env(&[("DATABASE_URL", "postgres://db/app")]))
        .await
        .unwrap();
    assert_eq!(s.database_url.expose_secret(), "postgres://db/app");
    assert_eq!(s.port, 8080);
    assert!(s.sentry_dsn.is_none());
}

#[tokio::test]
async fn the_report_names_every_place_looked_in() {
    let err = load_service(env(&[])).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "failed to load Service: 1 problem, 1 key not loaded\n  missing DATABASE_URL (field database_url): \
         env DATABASE_URL not set; DATABASE_URL_FILE not set; no default\n  \
         Infisical is not configured, so only env vars, files and defaults were read: to read from Infisical, \
         set INFISICAL_PROJECT_ID, INFISICAL_ENVIRONMENT and one credential: \
         INFISICAL_UNIVERSAL_AUTH_CLIENT_ID with INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET, INFISICAL_TOKEN, \
         INFISICAL_TOKEN_FILE or INFISICAL_KUBERNETES_IDENTITY_ID (and INFISICAL_DOMAIN for a self-hosted server)"
    );
    // Said once for the report, not once per key, and kept in each key's data.
    assert_eq!(err.report().unwrap().notes().len(), 1);
    let problem = &err.problems()[0];
    assert_eq!(problem.key(), Some("DATABASE_URL"));
    assert_eq!(problem.field(), Some("database_url"));
    assert!(matches!(problem.kind(), ProblemKind::Missing));
    assert_eq!(
        problem.tried(),
        [
            Lookup::StoreNotConfigured,
            Lookup::EnvNotSet("DATABASE_URL".into()),
            Lookup::FileVarNotSet("DATABASE_URL_FILE".into()),
            Lookup::NoDefault,
        ]
    );
}

// Loaded only to fail: its fields are never read.
#[allow(dead_code)]
#[derive(Secrets)]
struct Many {
    anthropic_api_key: SecretString,
    database_url: SecretString,
    jwt_signing_secret: SecretString,
    port: u16,
    debug: bool,
}

#[tokio::test]
async fn every_problem_is_reported_at_once_in_field_order() {
    let err = Many::loader()
        .env(env(&[("PORT", "80a"), ("DEBUG", "perhaps")]))
        .load()
        .await
        .unwrap_err();
    let report = err.to_string();
    let lines: Vec<&str> = report.lines().collect();
    assert_eq!(
        lines[0],
        "failed to load Many: 5 problems, 5 keys not loaded"
    );
    assert!(lines[1].starts_with("  missing ANTHROPIC_API_KEY (field anthropic_api_key): "));
    assert!(lines[2].starts_with("  missing DATABASE_URL (field database_url): "));
    assert!(lines[3].starts_with("  missing JWT_SIGNING_SECRET (field jwt_signing_secret): "));
    assert_eq!(
        lines[4],
        "  invalid PORT (field port) from env PORT: invalid digit found in string"
    );
    assert_eq!(
        lines[5],
        "  invalid DEBUG (field debug) from env DEBUG: expected one of true/false, 1/0, yes/no, on/off"
    );
    // The closing line names what would configure Infisical.
    assert!(
        lines[6].starts_with("  Infisical is not configured"),
        "{report}"
    );
    assert_eq!(lines.len(), 7);
}

#[tokio::test]
async fn a_file_variable_is_read_and_one_trailing_newline_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    std::fs::write(&path, "postgres://from-file\n\n").unwrap();
    let (s, provenance) = Service::loader()
        .env(Env::from_pairs([("DATABASE_URL_FILE", path.as_os_str())]))
        .load_with_provenance()
        .await
        .unwrap();
    assert_eq!(s.database_url.expose_secret(), "postgres://from-file\n");
    let entry = provenance.get("DATABASE_URL").unwrap();
    assert_eq!(
        entry.source(),
        Some(&Source::File {
            var: "DATABASE_URL_FILE".into(),
            path: path.clone()
        })
    );
}

#[tokio::test]
async fn crlf_is_dropped_as_one_newline() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    std::fs::write(&path, "value\r\n").unwrap();
    let s = load_service(Env::from_pairs([("DATABASE_URL_FILE", path.as_os_str())]))
        .await
        .unwrap();
    assert_eq!(s.database_url.expose_secret(), "value");
}

#[tokio::test]
async fn env_var_and_file_variable_together_are_ambiguous() {
    let err = load_service(env(&[
        ("DATABASE_URL", "a"),
        ("DATABASE_URL_FILE", "/nonexistent"),
    ]))
    .await
    .unwrap_err();
    assert_eq!(
        err.problems()[0].to_string(),
        "ambiguous DATABASE_URL (field database_url): both DATABASE_URL and DATABASE_URL_FILE are set; unset one"
    );
}

#[tokio::test]
async fn unreadable_files_are_reported_with_their_path() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope");
    let err = load_service(Env::from_pairs([(
        "DATABASE_URL_FILE",
        missing.as_os_str(),
    )]))
    .await
    .unwrap_err();
    let line = err.problems()[0].to_string();
    assert!(
        line.starts_with("unreadable DATABASE_URL (field database_url): cannot read "),
        "{line}"
    );
    assert!(
        line.contains(&format!("{}: no such file", missing.display())),
        "{line}"
    );

    let err = load_service(Env::from_pairs([(
        "DATABASE_URL_FILE",
        dir.path().as_os_str(),
    )]))
    .await
    .unwrap_err();
    assert!(
        err.problems()[0].to_string().contains("is a directory"),
        "{err}"
    );
}

#[tokio::test]
async fn non_utf8_file_and_env_var_are_invalid_without_echoing_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bin");
    std::fs::write(&path, [0xff, 0xfe, b's', b'e', b'n', b't']).unwrap();
    let err = load_service(Env::from_pairs([("DATABASE_URL_FILE", path.as_os_str())]))
        .await
        .unwrap_err();
    assert!(matches!(
        err.problems()[0].kind(),
        ProblemKind::NotUnicode(Source::File { .. })
    ));
    assert!(err.to_string().contains("not valid UTF-8"));

    let raw = OsString::from_vec(vec![0xff, b's', b'e', b'n', b't', b'1']);
    let err = load_service(Env::from_pairs([("DATABASE_URL", raw)]))
        .await
        .unwrap_err();
    assert!(matches!(
        err.problems()[0].kind(),
        ProblemKind::NotUnicode(Source::Env(_))
    ));
    assert!(!err.to_string().contains("sent1"));
}

#[tokio::test]
async fn secrets_directory_is_read_after_env_and_file_variable() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("DATABASE_URL"), "from-dir\n").unwrap();
    std::fs::write(dir.path().join("PORT"), "9090").unwrap();
    let (s, provenance) = Service::loader()
        .env(env(&[("PORT", "7070")]))
        .secrets_dir(dir.path())
        .load_with_provenance()
        .await
        .unwrap();
    assert_eq!(s.database_url.expose_secret(), "from-dir");
    assert_eq!(s.port, 7070, "the env var comes before the directory");
    assert_eq!(
        provenance.get("DATABASE_URL").unwrap().source(),
        Some(&Source::SecretsDir(dir.path().join("DATABASE_URL")))
    );
    let sentry = provenance.get("SENTRY_DSN").unwrap();
    assert_eq!(sentry.source(), None);
    assert!(
        sentry
            .tried()
            .contains(&Lookup::NoFile(dir.path().join("SENTRY_DSN")))
    );
}

#[tokio::test]
async fn empty_values_are_their_own_problem_and_stop_the_search() {
    let err = load_service(env(&[("DATABASE_URL", ""), ("PORT", "")]))
        .await
        .unwrap_err();
    let report = err.to_string();
    assert!(
        report.contains("\n  empty DATABASE_URL (field database_url) from env DATABASE_URL"),
        "{report}"
    );
    assert!(
        report.contains("\n  empty PORT (field port) from env PORT"),
        "{report}"
    );
    assert_eq!(err.problems().len(), 2);
}

#[tokio::test]
async fn empty_means_none_for_an_optional_field() {
    let s = load_service(env(&[("DATABASE_URL", "x"), ("SENTRY_DSN", "")]))
        .await
        .unwrap();
    assert!(s.sentry_dsn.is_none());
}

#[derive(Secrets)]
struct Empties {
    #[secret(allow_empty)]
    banner: String,
}

#[tokio::test]
async fn allow_empty_accepts_an_empty_value() {
    let s = Empties::loader()
        .env(env(&[("BANNER", "")]))
        .load()
        .await
        .unwrap();
    assert_eq!(s.banner, "");
}

// Loaded only to fail: its field is never read.
#[allow(dead_code)]
#[derive(Secrets)]
struct BadDefault {
    #[secret(default = "eighty")]
    port: u16,
}

#[tokio::test]
async fn an_invalid_default_is_reported_as_coming_from_the_default() {
    let err = BadDefault::loader().env(env(&[])).load().await.unwrap_err();
    assert_eq!(
        err.problems()[0].to_string(),
        "invalid PORT (field port) from default: invalid digit found in string"
    );
}

/// A parser whose error message repeats its input, as many do.
#[derive(Debug)]
struct Region(String);

impl FromStr for Region {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        if s.starts_with("eu-") {
            Ok(Self(s.to_owned()))
        } else {
            Err(format!("unknown region '{s}'"))
        }
    }
}

#[derive(Secrets)]
struct Regional {
    region: Region,
}

#[tokio::test]
async fn parser_messages_are_scrubbed_of_the_value() {
    let err = Regional::loader()
        .env(env(&[("REGION", "SENTINEL-us-east-1")]))
        .load()
        .await
        .unwrap_err();
    let text = format!("{err} {err:?}");
    assert!(!text.contains("SENTINEL"), "{text}");
    assert!(
        err.to_string().contains("unknown region '[REDACTED]'"),
        "{err}"
    );
    let ok = Regional::loader()
        .env(env(&[("REGION", "eu-west-1")]))
        .load()
        .await
        .unwrap();
    assert_eq!(ok.region.0, "eu-west-1");
}

#[tokio::test]
async fn provenance_says_where_each_key_came_from_and_holds_no_value() {
    let (_, provenance) = Service::loader()
        .env(env(&[("DATABASE_URL", "SENTINEL-db")]))
        .load_with_provenance()
        .await
        .unwrap();
    let text = provenance.to_string();
    assert!(!text.contains("SENTINEL"), "{text}");
    assert!(
        text.contains(
            "DATABASE_URL (field database_url): env DATABASE_URL (Infisical not configured)"
        ),
        "{text}"
    );
    assert!(text.contains("PORT (field port): default (Infisical not configured; env PORT not set; PORT_FILE not set)"), "{text}");
    assert!(
        text.contains("SENTRY_DSN (field sentry_dsn): not set, optional ("),
        "{text}"
    );
    assert!(
        provenance.notes()[0].starts_with("Infisical not configured"),
        "{text}"
    );
}

#[tokio::test]
async fn without_store_ignores_infisical_variables() {
    let s = Service::loader()
        .env(env(&[("DATABASE_URL", "x"), ("INFISICAL_TOKEN", "t")]))
        .without_store()
        .load()
        .await
        .unwrap();
    assert_eq!(s.database_url.expose_secret(), "x");

    // Turned off in code, the store is not "not configured": the trail leaves it out.
    let err = Service::loader()
        .env(env(&[("INFISICAL_TOKEN", "t")]))
        .without_store()
        .load()
        .await
        .unwrap_err();
    assert_eq!(
        err.problems()[0].to_string(),
        "missing DATABASE_URL (field database_url): env DATABASE_URL not set; DATABASE_URL_FILE not set; no default"
    );
}

/// A hand-written impl is not checked by the derive: the loader checks its names again.
#[derive(Debug)]
struct HandWritten {
    _token: SecretString,
}

impl Secrets for HandWritten {
    const SPEC: secrets_core::spec::StructSpec = secrets_core::spec::StructSpec::new(
        "HandWritten",
        &[
            secrets_core::spec::KeySpec::new("API TOKEN", "token").with_env_var("PATH"),
            secrets_core::spec::KeySpec::new("API TOKEN", "token2").with_env_var("bad-name"),
        ],
    );

    fn from_resolved(mut resolved: secrets_core::spec::Resolved) -> Result<Self, Error> {
        let token = resolved.take(0, Ok);
        let _ = resolved.take(1, Ok);
        match token {
            Some(token) if resolved.is_ok() => Ok(Self { _token: token }),
            _ => Err(resolved.into_error()),
        }
    }
}

#[tokio::test]
async fn hand_written_specs_are_checked_at_run_time() {
    let err = secrets_core::Loader::<HandWritten>::new()
        .env(env(&[("PATH", "/usr/bin")]))
        .load()
        .await
        .unwrap_err();
    let report = err.to_string();
    for expected in [
        "config: field token: env var `PATH` is reserved for the system",
        "config: field token: invalid secret key `API TOKEN`",
        "config: field token2: invalid env var name `bad-name`",
        "config: field token2: key `API TOKEN` is used by two fields of one folder (token and token2)",
    ] {
        assert!(report.contains(expected), "{expected}\n{report}");
    }
}

#[tokio::test]
async fn main_returning_the_error_prints_the_readable_report() {
    // `fn main() -> Result<(), Error>` prints `Error: {err:?}`.
    let err = load_service(env(&[])).await.unwrap_err();
    assert_eq!(format!("{err:?}"), err.to_string());
    assert!(format!("{err:?}").starts_with(
        "failed to load Service: 1 problem, 1 key not loaded\n  missing DATABASE_URL"
    ));
}
