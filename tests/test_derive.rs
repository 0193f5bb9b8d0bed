//! What `#[derive(Secrets)]` does at run time: which keys and variables a struct reads, how
//! values become field types, and what a failed load says. Env vars come from a map; the
//! process environment is never touched.

mod support;

use std::fs;
use std::str::FromStr;
use std::sync::Mutex;

use support::fake::env;

use secrets_core::{
    ExposeSecret, ProblemKind, SecretBox, SecretString, Secrets,
    store::{
        BoxFuture, Folder, FolderSecrets, SecretStore, StoreError, StoreErrorKind, StoredSecret,
    },
};

#[derive(Secrets)]
struct Keys {
    anthropic_api_key: SecretString,
    r#type: String,
    api_key2: String,
    #[secret(name = "OPENFGA_API_TOKEN")]
    openfga_token: SecretString,
}

#[tokio::test]
async fn keys_are_field_names_in_screaming_snake_case_unless_named() {
    let s: Keys = Keys::loader()
        .env(env(&[
            ("ANTHROPIC_API_KEY", "sk-ant"),
            ("TYPE", "worker"),
            ("API_KEY2", "k2"),
            ("OPENFGA_API_TOKEN", "fga"),
        ]))
        .load()
        .await
        .unwrap();
    assert_eq!(s.anthropic_api_key.expose_secret(), "sk-ant");
    assert_eq!(s.r#type, "worker");
    assert_eq!(s.api_key2, "k2");
    assert_eq!(s.openfga_token.expose_secret(), "fga");

    let keys: Vec<_> = Keys::SPEC
        .keys()
        .iter()
        .map(|k| (k.key(), k.field()))
        .collect();
    assert_eq!(
        keys,
        [
            ("ANTHROPIC_API_KEY", "anthropic_api_key"),
            ("TYPE", "type"),
            ("API_KEY2", "api_key2"),
            ("OPENFGA_API_TOKEN", "openfga_token"),
        ]
    );
}

/// The prefix applies to keys derived from field names; a `name` is taken verbatim.
#[derive(Secrets)]
#[secret(prefix = "AGENT_")]
struct Prefixed {
    database_url: SecretString,
    #[secret(name = "OPENFGA_API_TOKEN")]
    openfga_token: SecretString,
}

#[tokio::test]
async fn the_prefix_applies_to_derived_keys_only() {
    let s = Prefixed::loader()
        .env(env(&[
            ("AGENT_DATABASE_URL", "postgres://db/app"),
            ("OPENFGA_API_TOKEN", "fga"),
            ("DATABASE_URL", "not this one"),
            ("AGENT_OPENFGA_API_TOKEN", "nor this one"),
        ]))
        .load()
        .await
        .unwrap();
    assert_eq!(s.database_url.expose_secret(), "postgres://db/app");
    assert_eq!(s.openfga_token.expose_secret(), "fga");
}

#[derive(Secrets)]
struct OtherVar {
    #[secret(env = "PG_URL")]
    database_url: SecretString,
}

#[tokio::test]
async fn env_reads_another_variable_and_its_file_variable() {
    let s = OtherVar::loader()
        .env(env(&[
            ("PG_URL", "from PG_URL"),
            ("DATABASE_URL", "ignored"),
        ]))
        .load()
        .await
        .unwrap();
    assert_eq!(s.database_url.expose_secret(), "from PG_URL");

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("pg_url");
    fs::write(&file, "from a file\n").unwrap();
    let s = OtherVar::loader()
        .env(env(&[("PG_URL_FILE", file.to_str().unwrap())]))
        .load()
        .await
        .unwrap();
    assert_eq!(s.database_url.expose_secret(), "from a file");

    // The key stays DATABASE_URL; the report names the variables that were read.
    let err = OtherVar::loader()
        .env(env(&[("DATABASE_URL", "ignored")]))
        .load()
        .await
        .unwrap_err();
    let report = err.to_string();
    assert_eq!(
        report.lines().take(2).collect::<Vec<_>>(),
        [
            "failed to load OtherVar: 1 problem, 1 key not loaded",
            "  missing DATABASE_URL (field database_url): env PG_URL not set; PG_URL_FILE not set; no default"
        ]
    );
}

#[derive(Secrets)]
struct StoreOnly {
    #[secret(no_env, default = "from the default")]
    signing_key: SecretString,
    #[secret(no_env)]
    webhook_secret: Option<SecretString>,
}

#[tokio::test]
async fn no_env_ignores_env_and_file_variables() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("key");
    fs::write(&file, "from a file").unwrap();
    let s = StoreOnly::loader()
        .env(env(&[
            ("SIGNING_KEY", "from env"),
            ("SIGNING_KEY_FILE", file.to_str().unwrap()),
            ("WEBHOOK_SECRET", "from env"),
        ]))
        .load()
        .await
        .unwrap();
    assert_eq!(s.signing_key.expose_secret(), "from the default");
    assert!(s.webhook_secret.is_none());
    assert_eq!(StoreOnly::SPEC.keys()[0].env_var(), None);
    assert_eq!(StoreOnly::SPEC.keys()[0].file_var(), None);
}

#[tokio::test]
async fn no_env_keys_still_come_from_the_secrets_directory() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("WEBHOOK_SECRET"), "from the secrets dir\n").unwrap();
    let s = StoreOnly::loader()
        .env(env(&[]))
        .secrets_dir(dir.path())
        .load()
        .await
        .unwrap();
    assert_eq!(
        s.webhook_secret
            .as_ref()
            .map(|v| v.expose_secret().to_owned()),
        Some("from the secrets dir".to_owned())
    );
}

#[derive(Secrets)]
struct Defaults {
    #[secret(default = "8080")]
    port: u16,
    #[secret(default = "0.5")]
    ratio: f64,
    #[secret(default = "", allow_empty)]
    suffix: String,
}

#[tokio::test]
async fn defaults_are_parsed_and_env_vars_override_them() {
    let s = Defaults::loader().env(env(&[])).load().await.unwrap();
    assert_eq!((s.port, s.ratio, s.suffix.as_str()), (8080, 0.5, ""));

    let s = Defaults::loader()
        .env(env(&[("PORT", "9090"), ("SUFFIX", "-eu")]))
        .load()
        .await
        .unwrap();
    assert_eq!((s.port, s.suffix.as_str()), (9090, "-eu"));
}

// The paths are the point here: `Option` is recognised however it is written.
#[allow(unused_qualifications)]
#[derive(Secrets)]
struct Optional {
    sentry_dsn: Option<SecretString>,
    max_connections: std::option::Option<u32>,
    #[secret(allow_empty)]
    label: core::option::Option<String>,
}

#[tokio::test]
async fn option_fields_are_none_when_absent() {
    let s = Optional::loader().env(env(&[])).load().await.unwrap();
    assert!(s.sentry_dsn.is_none());
    assert_eq!(s.max_connections, None);
    assert_eq!(s.label, None);

    let s = Optional::loader()
        .env(env(&[
            ("SENTRY_DSN", "https://sentry.invalid/1"),
            ("MAX_CONNECTIONS", "16"),
            ("LABEL", ""),
        ]))
        .load()
        .await
        .unwrap();
    assert_eq!(
        s.sentry_dsn.as_ref().map(ExposeSecret::expose_secret),
        Some("https://sentry.invalid/1")
    );
    assert_eq!(s.max_connections, Some(16));
    // `allow_empty` keeps an empty value of an optional field instead of making it `None`.
    assert_eq!(s.label.as_deref(), Some(""));

    let err = Optional::loader()
        .env(env(&[("MAX_CONNECTIONS", "many")]))
        .load()
        .await
        .unwrap_err();
    assert_eq!(err.problems().len(), 1);
    assert_eq!(err.problems()[0].key(), Some("MAX_CONNECTIONS"));
}

#[allow(clippy::struct_excessive_bools)] // as many as the spellings under test
#[derive(Secrets)]
struct Flags {
    a: bool,
    b: bool,
    c: bool,
    d: bool,
}

#[tokio::test]
async fn bools_accept_the_usual_spellings() {
    let s = Flags::loader()
        .env(env(&[
            ("A", "yes"),
            ("B", "Off"),
            ("C", "1"),
            ("D", "FALSE"),
        ]))
        .load()
        .await
        .unwrap();
    assert_eq!((s.a, s.b, s.c, s.d), (true, false, true, false));

    let err = Flags::loader()
        .env(env(&[("A", "maybe"), ("B", "on"), ("C", "0"), ("D", "no")]))
        .load()
        .await
        .unwrap_err();
    let problem = &err.problems()[0];
    assert_eq!(problem.field(), Some("a"));
    assert!(
        matches!(problem.kind(), ProblemKind::Invalid { reason, .. }
            if reason == "expected one of true/false, 1/0, yes/no, on/off"),
        "{problem}"
    );
}

/// A user type: any `FromStr` works, and its error message is the reason in the report.
#[derive(Debug, PartialEq)]
struct Level(u8);

impl FromStr for Level {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.parse() {
            Ok(n @ 1..=5) => Ok(Self(n)),
            _ => Err("a level is a number from 1 to 5".to_owned()),
        }
    }
}

#[derive(Secrets)]
struct Custom {
    level: Level,
    fallback_level: Option<Level>,
}

#[tokio::test]
async fn a_from_str_type_needs_no_wrapper_and_its_error_is_the_reason() {
    let s = Custom::loader()
        .env(env(&[("LEVEL", "3")]))
        .load()
        .await
        .unwrap();
    assert_eq!(s.level, Level(3));
    assert_eq!(s.fallback_level, None);

    let err = Custom::loader()
        .env(env(&[("LEVEL", "9"), ("FALLBACK_LEVEL", "0")]))
        .load()
        .await
        .unwrap_err();
    let report = err.to_string();
    assert!(
        report.starts_with("failed to load Custom: 2 problems, 2 keys not loaded\n"),
        "{report}"
    );
    assert!(
        report.contains(
            "invalid LEVEL (field level) from env LEVEL: a level is a number from 1 to 5"
        ),
        "{report}"
    );
    assert!(
        report.contains(
            "invalid FALLBACK_LEVEL (field fallback_level) from env FALLBACK_LEVEL: a level is a number from 1 to 5"
        ),
        "{report}"
    );
}

#[derive(Secrets)]
struct Boxed {
    pin: SecretBox<u64>,
}

#[tokio::test]
async fn secret_box_of_a_parsed_type_works() {
    let s = Boxed::loader()
        .env(env(&[("PIN", "4242")]))
        .load()
        .await
        .unwrap();
    assert_eq!(*s.pin.expose_secret(), 4242);
    assert_eq!(format!("{s:?}"), "Boxed { pin: [REDACTED] }");
}

#[allow(dead_code)] // only its `Debug` output is under test
#[derive(Secrets)]
#[secret(prefix = "APP_")]
struct Redacted {
    database_url: SecretString,
    #[secret(default = "8080")]
    port: u16,
    r#type: String,
    sentry_dsn: Option<SecretString>,
}

#[tokio::test]
async fn debug_shows_every_field_and_no_value() {
    let s = Redacted::loader()
        .env(env(&[
            ("APP_DATABASE_URL", "postgres://user:hunter2@db/app"),
            ("APP_PORT", "4321"),
            ("APP_TYPE", "visible-type"),
            ("APP_SENTRY_DSN", "https://sentry.invalid/1"),
        ]))
        .load()
        .await
        .unwrap();
    let debug = format!("{s:?}");
    assert_eq!(
        debug,
        "Redacted { database_url: [REDACTED], port: [REDACTED], type: [REDACTED], sentry_dsn: Some([REDACTED]) }"
    );
    for value in ["hunter2", "4321", "visible-type", "sentry.invalid"] {
        assert!(!debug.contains(value), "{debug}");
        assert!(!format!("{s:#?}").contains(value));
    }
}

#[allow(dead_code)] // only its `Debug` output is under test
#[derive(Secrets)]
struct PartlyPublic {
    token: SecretString,
    #[secret(public, default = "8080")]
    port: u16,
    #[secret(public)]
    log_level: Option<String>,
    sentry_dsn: Option<SecretString>,
}

#[tokio::test]
async fn debug_tells_none_from_some_and_shows_public_fields() {
    let s = PartlyPublic::loader()
        .env(env(&[("TOKEN", "hunter2")]))
        .load()
        .await
        .unwrap();
    assert_eq!(
        format!("{s:?}"),
        "PartlyPublic { token: [REDACTED], port: 8080, log_level: None, sentry_dsn: None }"
    );
    let s = PartlyPublic::loader()
        .env(env(&[
            ("TOKEN", "hunter2"),
            ("PORT", "9090"),
            ("LOG_LEVEL", "debug"),
            ("SENTRY_DSN", "https://sentry.invalid/1"),
        ]))
        .load()
        .await
        .unwrap();
    let debug = format!("{s:?}");
    assert_eq!(
        debug,
        "PartlyPublic { token: [REDACTED], port: 9090, log_level: Some(\"debug\"), sentry_dsn: Some([REDACTED]) }"
    );
    assert!(!format!("{s:#?}").contains("hunter2") && !debug.contains("sentry.invalid"));
}

#[allow(dead_code)] // only the report is under test
#[derive(Secrets)]
struct Many {
    anthropic_api_key: SecretString,
    database_url: SecretString,
    #[secret(default = "8080")]
    port: u16,
    verbose: bool,
}

#[tokio::test]
async fn every_problem_is_reported_at_once() {
    let err = Many::loader()
        .env(env(&[("PORT", "eighty"), ("VERBOSE", "loud")]))
        .load()
        .await
        .unwrap_err();
    let problems: Vec<_> = err
        .problems()
        .iter()
        .map(|p| (p.field().unwrap(), p.kind().clone()))
        .collect();
    assert_eq!(problems.len(), 4, "{err}");
    assert!(matches!(
        problems[0],
        ("anthropic_api_key", ProblemKind::Missing)
    ));
    assert!(matches!(
        problems[1],
        ("database_url", ProblemKind::Missing)
    ));
    assert!(matches!(problems[2], ("port", ProblemKind::Invalid { .. })));
    assert!(matches!(
        problems[3],
        ("verbose", ProblemKind::Invalid { .. })
    ));
    assert!(!err.to_string().contains("eighty") && !err.to_string().contains("loud"));
}

/// Environment, path and the secrets of one folder.
type FixedFolder = (
    &'static str,
    &'static str,
    Vec<(&'static str, &'static str)>,
);

/// A store that serves fixed folders and fails for every other one.
#[derive(Debug, Default)]
struct FixedStore {
    folders: Vec<FixedFolder>,
    asked: Mutex<Vec<String>>,
}

impl SecretStore for FixedStore {
    fn name(&self) -> &'static str {
        "Fixed"
    }

    fn fetch<'a>(&'a self, folder: &'a Folder) -> BoxFuture<'a, Result<FolderSecrets, StoreError>> {
        self.asked.lock().unwrap().push(folder.to_string());
        let found = self
            .folders
            .iter()
            .find(|(env, path, _)| *env == folder.environment() && *path == folder.path());
        let result = match found {
            Some((_, _, secrets)) => {
                let mut listing = FolderSecrets::new();
                for (key, value) in secrets {
                    listing.insert(*key, StoredSecret::value(SecretString::from(*value)));
                }
                Ok(listing)
            }
            None => Err(StoreError::new(
                StoreErrorKind::Unreachable,
                "down for the test",
            )),
        };
        Box::pin(async move { result })
    }
}

#[derive(Secrets)]
#[secret(path = "/agent", environment = "staging")]
struct Folders {
    api_key: SecretString,
    #[secret(path = "/db")]
    database_url: SecretString,
    #[secret(path = "/flaky", fallback_on_store_error)]
    flaky: String,
}

#[tokio::test]
async fn container_and_field_folders_and_environment_reach_the_store() {
    let store = FixedStore {
        folders: vec![
            ("staging", "/agent", vec![("API_KEY", "from /agent")]),
            ("staging", "/db", vec![("DATABASE_URL", "from /db")]),
        ],
        ..FixedStore::default()
    };
    let s = Folders::loader()
        .env(env(&[("FLAKY", "from env after the store failed")]))
        .store(store)
        .load()
        .await
        .unwrap();
    assert_eq!(s.api_key.expose_secret(), "from /agent");
    assert_eq!(s.database_url.expose_secret(), "from /db");
    assert_eq!(s.flaky, "from env after the store failed");

    assert_eq!(Folders::SPEC.folder(), Some("/agent"));
    assert_eq!(Folders::SPEC.default_environment(), Some("staging"));
    assert_eq!(Folders::SPEC.keys()[1].folder(), Some("/db"));
    assert!(Folders::SPEC.keys()[2].is_fallback_on_store_error());
    assert!(!Folders::SPEC.keys()[1].is_fallback_on_store_error());
}

#[tokio::test]
async fn without_fallback_on_store_error_a_failing_folder_fails_closed() {
    let store = FixedStore {
        folders: vec![("staging", "/agent", vec![("API_KEY", "from /agent")])],
        ..FixedStore::default()
    };
    let err = Folders::loader()
        .env(env(&[("DATABASE_URL", "from env"), ("FLAKY", "from env")]))
        .store(store)
        .load()
        .await
        .unwrap_err();
    let fields: Vec<_> = err
        .problems()
        .iter()
        .flat_map(|p| p.keys().map(|(_, field)| field))
        .collect();
    assert_eq!(fields, ["database_url"], "{err}");
}

#[derive(Secrets)]
struct Empty {}

#[tokio::test]
async fn a_struct_without_fields_loads() {
    let _ = Empty::loader().env(env(&[])).load().await.unwrap();
    assert_eq!(format!("{:?}", Empty {}), "Empty");
}
