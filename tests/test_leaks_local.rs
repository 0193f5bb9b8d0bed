//! One sentinel in every local place a secret can come from (an env var, a file, the secrets
//! directory, a default), driven through every error path and every successful report: it
//! must never show in a `Display`, a `Debug`, a log line or a panic message.
//!
//! Every test checks the whole capture of its process (`support/leaks.rs`).

mod support;

use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::str::FromStr;

use support::leaks::{
    SENTINEL, TELL, assert_capture_clean, assert_clean, assert_error_clean, capture,
};

use secrets_core::{Env, ExposeSecret, SecretBox, SecretString, Secrets};

// ---------------------------------------------------------------------------------------
// Env vars, files, the secrets directory and defaults

/// A parser that quotes its input back, as many do: plainly and with `{:?}`.
#[derive(Debug)]
struct Echo;

impl FromStr for Echo {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Err(format!(
            "unknown mode '{s}' (expected one of \"fast\", \"safe\"; got {s:?})"
        ))
    }
}

/// One field per local error path; the sentinel is in every value.
#[allow(dead_code, reason = "only the report is looked at")]
#[derive(Secrets)]
struct Local {
    /// Env var, not a number.
    port: u16,
    /// Env var, a parser that echoes.
    mode: Echo,
    /// Env var with a quote and a backslash, a parser that echoes with `{:?}` (escaped).
    quoted: Echo,
    /// Env var, not a boolean.
    verbose: bool,
    /// Env var, not a number, boxed.
    boxed: SecretBox<u64>,
    /// Env var set to the empty string.
    token: SecretString,
    /// Env var and file variable both set.
    api_key: SecretString,
    /// File variable naming a directory.
    cert: SecretString,
    /// File variable naming a non-UTF-8 file.
    key_pem: SecretString,
    /// Env var that is not UTF-8.
    password: SecretString,
    /// Nowhere.
    missing: SecretString,
    /// A default that does not parse.
    #[secret(default = "SENTINEL-7f3a9c")]
    workers: u32,
    /// A file in the secrets directory that does not parse.
    threads: u8,
}

/// Every local source holding the sentinel, and a successful value from each.
#[allow(dead_code, reason = "only some values are looked at")]
#[derive(Secrets)]
struct LocalOk {
    from_env: SecretString,
    from_file: SecretString,
    from_dir: SecretString,
    #[secret(default = "SENTINEL-7f3a9c-default")]
    from_default: SecretString,
    parsed: String,
    optional: Option<SecretString>,
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> OsString {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path.into_os_string()
}

#[tokio::test(flavor = "current_thread")]
async fn local_error_paths_never_show_the_sentinel() {
    capture();
    let dir = tempfile::tempdir().unwrap();
    let secrets_dir = tempfile::tempdir().unwrap();
    write(
        secrets_dir.path(),
        "THREADS",
        format!("{SENTINEL}\n").as_bytes(),
    );
    let api_key_file = write(dir.path(), "api_key", SENTINEL.as_bytes());
    let mut binary = vec![0xff, 0xfe];
    binary.extend_from_slice(SENTINEL.as_bytes());
    let key_pem_file = write(dir.path(), "key.pem", &binary);
    let raw_password = OsString::from_vec(binary.clone());
    let pairs: Vec<(&str, OsString)> = vec![
        ("PORT", SENTINEL.into()),
        ("MODE", format!("{SENTINEL}-mode").into()),
        ("QUOTED", format!("{SENTINEL}\"with \\ quote\n").into()),
        ("VERBOSE", SENTINEL.into()),
        ("BOXED", SENTINEL.into()),
        ("TOKEN", "".into()),
        ("API_KEY", SENTINEL.into()),
        ("API_KEY_FILE", api_key_file),
        ("CERT_FILE", dir.path().as_os_str().to_owned()),
        ("KEY_PEM_FILE", key_pem_file),
        ("PASSWORD", raw_password),
    ];
    let loader = Local::loader()
        .env(Env::from_pairs(pairs))
        .secrets_dir(secrets_dir.path());
    assert_clean("Debug of the loader", &format!("{loader:?}"));
    let error = loader.load().await.err().unwrap();
    let kinds: Vec<String> = error
        .problems()
        .iter()
        .map(|p| p.to_string().split(' ').next().unwrap().to_owned())
        .collect();
    assert_eq!(
        kinds,
        [
            "invalid",
            "invalid",
            "invalid",
            "invalid",
            "invalid",
            "empty",
            "ambiguous",
            "unreadable",
            "invalid",
            "invalid",
            "missing",
            "invalid",
            "invalid"
        ],
        "{error}"
    );
    assert_error_clean("a local load's error", &error);
    // The echoing parser's message survives, scrubbed.
    assert!(
        error.to_string().contains("unknown mode '[REDACTED]'"),
        "{error}"
    );
    assert_capture_clean();
}

#[tokio::test(flavor = "current_thread")]
async fn successful_local_loads_show_no_value_in_provenance_debug_or_logs() {
    capture();
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "from_file",
        format!("{SENTINEL}-file\n").as_bytes(),
    );
    write(dir.path(), "FROM_DIR", format!("{SENTINEL}-dir").as_bytes());
    let env = Env::from_pairs([
        ("FROM_ENV", OsString::from(format!("{SENTINEL}-env"))),
        ("FROM_FILE_FILE", file),
        ("PARSED", OsString::from(format!("{SENTINEL}-parsed"))),
        ("OPTIONAL", OsString::from(format!("{SENTINEL}-optional"))),
    ]);
    let (secrets, provenance) = LocalOk::loader()
        .env(env)
        .secrets_dir(dir.path())
        .log_provenance(true)
        .load_with_provenance()
        .await
        .unwrap();
    assert!(secrets.from_env.expose_secret().contains(TELL));
    assert!(secrets.from_default.expose_secret().contains(TELL));
    assert!(secrets.parsed.contains(TELL));
    assert_clean("Debug of the struct", &format!("{secrets:?} {secrets:#?}"));
    assert_clean("the provenance", &format!("{provenance} {provenance:?}"));
    for entry in provenance.entries() {
        assert_clean("a provenance entry", &format!("{entry} {entry:?}"));
    }
    // What `unwrap_err` on a loaded struct prints.
    let panicked = catch_unwind(AssertUnwindSafe(|| {
        std::hint::black_box(Ok::<_, ()>(secrets)).expect_err("a loaded struct");
    }));
    assert!(panicked.is_err());
    assert!(
        capture()
            .logs
            .text()
            .contains("FROM_ENV (field from_env): env FROM_ENV"),
        "the provenance was logged"
    );
    assert_capture_clean();
}
