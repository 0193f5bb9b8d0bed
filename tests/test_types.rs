//! Every kind of field type a struct can hold, loaded from env vars and from the fake Infisical:
//! durations, encoded bytes, lists, JSON, a parser of one's own and nested groups, and the
//! reasons each gives for a bad value, none of which shows the value.

use std::time::Duration;

use secrets_core::testing::{DEFAULT_PROJECT_ID, FakeInfisical, Route};
use secrets_core::{
    Env, Error, ExposeSecret, InfisicalClient, ProblemKind, SecretBox, SecretString, Secrets,
};

#[derive(Debug, PartialEq, Eq, serde::Deserialize)]
struct ServiceAccount {
    client_email: String,
    private_key_id: String,
}

#[derive(Debug, PartialEq, Eq)]
enum Level {
    Info,
    Debug,
}

fn level(text: &str) -> Result<Level, String> {
    match text {
        "info" => Ok(Level::Info),
        "debug" => Ok(Level::Debug),
        // Quotes its input, as parsers do: the report must not.
        other => Err(format!("unknown level {other:?}")),
    }
}

/// A group shared by services.
#[derive(Secrets)]
struct DatabaseSecrets {
    host: String,
    password: SecretString,
    #[secret(default = "5432")]
    port: u16,
    #[secret(name = "DB_POOL_SIZE")]
    pool_size: Option<u32>,
}

#[derive(Secrets)]
#[secret(environment = "prod")]
struct Everything {
    request_timeout: Duration,
    idle_timeout: Option<Duration>,
    #[secret(decode = "base64")]
    encryption_key: SecretBox<[u8; 32]>,
    #[secret(decode = "base64url")]
    jwt_secret: SecretBox<Vec<u8>>,
    #[secret(decode = "hex")]
    salt: [u8; 4],
    #[secret(decode = "hex")]
    nonce: Vec<u8>,
    allowed_origins: Vec<String>,
    #[secret(split = ";")]
    ports: Vec<u16>,
    api_tokens: Option<Vec<SecretString>>,
    #[secret(json)]
    gcp_service_account: SecretBox<String>,
    #[secret(json)]
    service_account: ServiceAccount,
    #[secret(with = "level")]
    log_level: Level,
    #[secret(with = "level", split = ",")]
    trace_levels: Vec<Level>,
    #[secret(flatten, prefix = "PRIMARY_")]
    primary: DatabaseSecrets,
    #[secret(flatten)]
    db: DatabaseSecrets2,
}

/// A second group, unprefixed, whose keys are its own names.
#[derive(Secrets)]
#[secret(prefix = "REPLICA_")]
struct DatabaseSecrets2 {
    host: String,
    #[secret(env = "REPLICA_PASSWORD_VAR")]
    password: SecretString,
}

const KEY_B64: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

fn values() -> Vec<(&'static str, &'static str)> {
    vec![
        ("REQUEST_TIMEOUT", "1m30s"),
        ("ENCRYPTION_KEY", KEY_B64),
        ("JWT_SECRET", "_-8"),
        ("SALT", "00ff10Ab"),
        ("NONCE", "0102"),
        ("ALLOWED_ORIGINS", "https://a.example, https://b.example"),
        ("PORTS", "80;443"),
        ("API_TOKENS", "t1,t2"),
        ("GCP_SERVICE_ACCOUNT", "\"-----BEGIN PRIVATE KEY-----\""),
        (
            "SERVICE_ACCOUNT",
            r#"{"client_email": "a@b.iam", "private_key_id": "k1"}"#,
        ),
        ("LOG_LEVEL", "debug"),
        ("TRACE_LEVELS", "info, debug"),
        ("PRIMARY_HOST", "db1.internal"),
        ("PRIMARY_PASSWORD", "pw1"),
        ("DB_POOL_SIZE", "7"),
        ("REPLICA_HOST", "db2.internal"),
    ]
}

fn check(s: &Everything) {
    assert_eq!(s.request_timeout, Duration::from_secs(90));
    assert_eq!(s.idle_timeout, None);
    let key: Vec<u8> = (0..32).collect();
    assert_eq!(s.encryption_key.expose_secret()[..], key[..]);
    assert_eq!(s.jwt_secret.expose_secret()[..], [0xff, 0xef]);
    assert_eq!(s.salt, [0, 255, 16, 171]);
    assert_eq!(s.nonce, [1, 2]);
    assert_eq!(
        s.allowed_origins,
        ["https://a.example", "https://b.example"]
    );
    assert_eq!(s.ports, [80, 443]);
    let tokens = s.api_tokens.as_ref().unwrap();
    assert_eq!(tokens[1].expose_secret(), "t2");
    assert_eq!(
        s.gcp_service_account.expose_secret(),
        "-----BEGIN PRIVATE KEY-----"
    );
    assert_eq!(s.service_account.private_key_id, "k1");
    assert_eq!(s.log_level, Level::Debug);
    assert_eq!(s.trace_levels, [Level::Info, Level::Debug]);
    assert_eq!(s.primary.host, "db1.internal");
    assert_eq!(s.primary.password.expose_secret(), "pw1");
    assert_eq!(s.primary.port, 5432);
    // `name` is not prefixed.
    assert_eq!(s.primary.pool_size, Some(7));
    assert_eq!(s.db.host, "db2.internal");
    assert_eq!(s.db.password.expose_secret(), "pw-replica");
}

#[tokio::test]
async fn a_struct_of_every_kind_loads_from_env_vars() {
    let mut pairs = values();
    pairs.push(("REPLICA_PASSWORD_VAR", "pw-replica"));
    let s = Everything::loader()
        .env(Env::from_pairs(pairs))
        .load()
        .await
        .unwrap();
    check(&s);
}

#[tokio::test]
async fn a_struct_of_every_kind_loads_from_infisical_in_one_listing() {
    let mut fake = FakeInfisical::builder().universal_auth("id", "secret");
    for (key, value) in values() {
        fake = fake.secret("prod", "/", key, value);
    }
    let fake = fake
        .secret("prod", "/", "REPLICA_PASSWORD", "pw-replica")
        .start()
        .await;
    let client = InfisicalClient::builder()
        .base_url(fake.url())
        .project_id(DEFAULT_PROJECT_ID)
        .universal_auth("id", SecretString::from("secret"))
        .build()
        .unwrap();
    let (s, provenance) = Everything::loader()
        .env(Env::from_pairs(Vec::<(String, String)>::new()))
        .store(client)
        .load_with_provenance()
        .await
        .unwrap();
    check(&s);
    // One folder, listed once, for the struct and both groups; one provenance with every key.
    assert_eq!(fake.request_count(Route::ListV4), 1);
    assert!(provenance.get("PRIMARY_HOST").is_some());
    assert!(provenance.get("REPLICA_PASSWORD").is_some());
}

/// The key table holds the nested keys, prefixed where they came from field names.
#[test]
fn flattened_keys_are_part_of_the_outer_table() {
    let keys: Vec<_> = Everything::SPEC
        .keys()
        .iter()
        .map(|k| (k.key(), k.field(), k.env_var(), k.file_var()))
        .collect();
    assert_eq!(keys.len(), 19);
    assert_eq!(
        &keys[15..],
        [
            (
                "PRIMARY_PORT",
                "port",
                Some("PRIMARY_PORT"),
                Some("PRIMARY_PORT_FILE")
            ),
            (
                "DB_POOL_SIZE",
                "pool_size",
                Some("DB_POOL_SIZE"),
                Some("DB_POOL_SIZE_FILE")
            ),
            (
                "REPLICA_HOST",
                "host",
                Some("REPLICA_HOST"),
                Some("REPLICA_HOST_FILE")
            ),
            (
                "REPLICA_PASSWORD",
                "password",
                Some("REPLICA_PASSWORD_VAR"),
                Some("REPLICA_PASSWORD_VAR_FILE")
            ),
        ]
    );
}

#[test]
fn debug_of_a_flattened_group_redacts_its_secrets() {
    let shown = format!(
        "{:?}",
        DatabaseSecrets {
            host: "h".into(),
            password: SecretString::from("pw-sentinel"),
            port: 1,
            pool_size: None,
        }
    );
    assert_eq!(
        shown,
        "DatabaseSecrets { host: [REDACTED], password: [REDACTED], port: [REDACTED], pool_size: None }"
    );
}

/// The reason of every problem of a failed load, by key.
async fn reasons(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut all = values();
    all.push(("REPLICA_PASSWORD_VAR", "pw-replica"));
    all.retain(|(k, _)| !pairs.iter().any(|(p, _)| p == k));
    all.extend_from_slice(pairs);
    let Err(Error::Load(report)) = Everything::loader().env(Env::from_pairs(all)).load().await
    else {
        panic!("the load should fail");
    };
    report
        .problems()
        .iter()
        .map(|p| {
            let reason = match p.kind() {
                ProblemKind::Invalid { reason, .. } => reason.clone(),
                other => format!("{other:?}"),
            };
            (p.key().unwrap_or("").to_owned(), reason)
        })
        .collect()
}

#[tokio::test]
async fn bad_values_of_each_kind_have_reasons_without_the_value() {
    let bad = [
        ("REQUEST_TIMEOUT", "30"),
        ("IDLE_TIMEOUT", "5 sentinelunits"),
        (
            "ENCRYPTION_KEY",
            "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHg",
        ),
        ("JWT_SECRET", "sentinel+/"),
        ("SALT", "sentinel"),
        ("NONCE", "abc"),
        ("PORTS", "80;sentinel;443"),
        ("API_TOKENS", "t1,,t3"),
        ("GCP_SERVICE_ACCOUNT", "{\"sentinel\": 1}"),
        ("SERVICE_ACCOUNT", "{\"client_email\": \"sentinel\"}"),
        ("LOG_LEVEL", "sentinel-level"),
        ("TRACE_LEVELS", "info,sentinel-level"),
        ("PRIMARY_PORT", "sentinel"),
    ];
    let got = reasons(&bad).await;
    let expected = [
        (
            "REQUEST_TIMEOUT",
            "a duration needs a unit: `30s`, `5m`, `1h30m` or `250ms`",
        ),
        (
            "IDLE_TIMEOUT",
            "not a duration: unknown unit at bytes 2..15 (units: ns, us, ms, s, m, h, d, w, M, y)",
        ),
        ("ENCRYPTION_KEY", "decoded 31 bytes, expected 32"),
        (
            "JWT_SECRET",
            "not base64url: the character at byte 8 is not in its alphabet (text with `+` and `/` needs `decode = \"base64\"`)",
        ),
        (
            "SALT",
            "not hex: the character at byte 0 is not a hex digit",
        ),
        (
            "NONCE",
            "not hex: 3 characters, an odd number (two hex digits per byte)",
        ),
        ("PORTS", "item 2 of 3: invalid digit found in string"),
        ("API_TOKENS", "item 2 of 3 is empty"),
        (
            "GCP_SERVICE_ACCOUNT",
            "JSON of the wrong shape: expected a string (line 1, column 0)",
        ),
        (
            "SERVICE_ACCOUNT",
            "JSON of the wrong shape: missing field `private_key_id` (line 1, column 28)",
        ),
        ("LOG_LEVEL", "unknown level \"[REDACTED]\""),
        ("TRACE_LEVELS", "item 2 of 2: unknown level \"[REDACTED]\""),
        ("PRIMARY_PORT", "invalid digit found in string"),
    ];
    let got: Vec<(&str, &str)> = got.iter().map(|(k, r)| (k.as_str(), r.as_str())).collect();
    assert_eq!(got, expected);
    for (_, reason) in &got {
        assert!(!reason.contains("sentinel"), "{reason}");
    }
}

#[tokio::test]
async fn an_empty_list_follows_the_rules_for_empty_values() {
    let got = reasons(&[("ALLOWED_ORIGINS", "")]).await;
    assert_eq!(
        got,
        [(
            "ALLOWED_ORIGINS".to_owned(),
            "Empty(Env(\"ALLOWED_ORIGINS\"))".to_owned()
        )]
    );
}

#[test]
fn debug_of_the_outer_struct_shows_the_group_redacted() {
    let s = Everything {
        request_timeout: Duration::from_secs(1),
        idle_timeout: None,
        encryption_key: SecretBox::new(Box::new([7; 32])),
        jwt_secret: SecretBox::new(Box::new(vec![7])),
        salt: [7; 4],
        nonce: vec![7],
        allowed_origins: vec!["o-sentinel".into()],
        ports: vec![1],
        api_tokens: None,
        gcp_service_account: SecretBox::new(Box::new("g-sentinel".into())),
        service_account: ServiceAccount {
            client_email: "e-sentinel".into(),
            private_key_id: "k-sentinel".into(),
        },
        log_level: Level::Info,
        trace_levels: vec![],
        primary: DatabaseSecrets {
            host: "h-sentinel".into(),
            password: SecretString::from("p-sentinel"),
            port: 1,
            pool_size: Some(1),
        },
        db: DatabaseSecrets2 {
            host: "h-sentinel".into(),
            password: SecretString::from("p-sentinel"),
        },
    };
    let shown = format!("{s:?}");
    assert!(!shown.contains("sentinel"), "{shown}");
    assert!(
        shown.contains(
            "primary: DatabaseSecrets { host: [REDACTED], password: [REDACTED], port: [REDACTED], pool_size: Some([REDACTED]) }"
        ),
        "{shown}"
    );
}

/// Items of any loadable type, each read by its own rules.
#[derive(Secrets)]
struct Lists {
    flags: Vec<bool>,
    timeouts: Vec<Duration>,
    #[secret(split = " ")]
    numbers: Vec<u8>,
    #[secret(decode = "hex", split = ",")]
    keys: Vec<[u8; 2]>,
    #[secret(allow_empty)]
    extra: Vec<String>,
}

#[tokio::test]
async fn list_items_are_read_by_the_rules_of_their_type() {
    let s = Lists::loader()
        .env(Env::from_pairs([
            ("FLAGS", "yes, off,1"),
            ("TIMEOUTS", "1s,2m"),
            ("NUMBERS", "1 2 255"),
            ("KEYS", "0001, ffff"),
            ("EXTRA", ""),
        ]))
        .load()
        .await
        .unwrap();
    assert_eq!(s.flags, [true, false, true]);
    assert_eq!(s.timeouts, [Duration::from_secs(1), Duration::from_mins(2)]);
    assert_eq!(s.numbers, [1, 2, 255]);
    assert_eq!(s.keys, [[0, 1], [255, 255]]);
    assert!(s.extra.is_empty());
}

/// A group with its own folder keeps it when flattened.
#[allow(dead_code)]
#[derive(Secrets)]
#[secret(path = "/db")]
struct InFolder {
    url: SecretString,
    #[secret(path = "/other")]
    other: SecretString,
}

#[allow(dead_code)]
#[derive(Secrets)]
#[secret(path = "/app")]
struct Outer {
    token: SecretString,
    #[secret(flatten, prefix = "DB_")]
    db: InFolder,
}

#[test]
fn a_flattened_group_keeps_its_folders() {
    let keys: Vec<_> = Outer::SPEC
        .keys()
        .iter()
        .map(|k| (k.key(), k.folder()))
        .collect();
    assert_eq!(
        keys,
        [
            ("TOKEN", None),
            ("DB_URL", Some("/db")),
            ("DB_OTHER", Some("/other"))
        ]
    );
    assert_eq!(Outer::SPEC.folder(), Some("/app"));
}

#[tokio::test]
async fn a_problem_in_a_group_is_reported_with_the_prefixed_key() {
    let Err(Error::Load(report)) = Outer::loader()
        .env(Env::from_pairs([("TOKEN", "t"), ("DB_OTHER", "o")]))
        .load()
        .await
    else {
        panic!("DB_URL is missing");
    };
    let problems: Vec<_> = report
        .problems()
        .iter()
        .map(|p| (p.key(), p.field(), p.kind().to_string()))
        .collect();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].0, Some("DB_URL"));
    assert_eq!(problems[0].1, Some("url"));
}
