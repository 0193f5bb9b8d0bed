//! Every file the library reads goes through one capped, non-blocking reader: secret files
//! (`_FILE` variables, the secrets directory), token files (`INFISICAL_TOKEN_FILE`, the
//! Kubernetes service-account token) and the CA bundle. A path naming a device, a FIFO, a
//! socket or a huge file is refused promptly, naming the path and what it is, before any of
//! it is read; a `_FILE` variable holding a pasted value is reported without showing it.
//!
//! Each load runs on a thread of its own and is awaited under a generous bound, so that a
//! regression (a read that never ends, a blocking open) fails the test instead of hanging it.

#![cfg(unix)]

mod support;

use std::future::Future;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use support::fake::env;

use secrets_core::testing::{FakeInfisical, ServerMode};
use secrets_core::{Env, Error, InfisicalClient, Loader, ProblemKind, SecretString, Secrets};

/// Far beyond what any refusal takes, short enough that a hang fails the run.
const BOUND: Duration = Duration::from_secs(20);
/// A value pasted where a path belongs: no `/`.
const PASTED: &str = "sk-live-SENTINEL-pasted-7c2e9a";

#[derive(Secrets)]
struct App {
    database_url: SecretString,
}

/// Runs `make()`'s future on a thread of its own (with its own runtime), so that even a
/// synchronous read that never ends cannot stall the test: the wait is bounded.
async fn within<T, F, Fut>(what: &str, make: F) -> T
where
    T: Send + 'static,
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future<Output = T>,
{
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let _ = tx.send(runtime.block_on(make()));
    });
    tokio::time::timeout(BOUND, rx)
        .await
        .unwrap_or_else(|_| panic!("{what}: no answer within {} s", BOUND.as_secs()))
        .expect("the load panicked")
}

/// The one problem of an env-only load of [`App`] with `pairs` and an optional secrets
/// directory, as the operator reads it.
async fn load_error(pairs: &[(&str, &str)], dir: Option<&Path>) -> (ProblemKind, String) {
    let env = env(pairs);
    let dir = dir.map(Path::to_owned);
    let what = format!("{pairs:?}");
    let error = within(&what, move || async move {
        let mut loader = Loader::<App>::new().env(env).without_store();
        if let Some(dir) = dir {
            loader = loader.secrets_dir(dir);
        }
        loader.load().await.err()
    })
    .await
    .unwrap_or_else(|| panic!("{what}: loaded"));
    one_problem(&error)
}

fn one_problem(error: &Error) -> (ProblemKind, String) {
    let problems = error.problems();
    assert_eq!(problems.len(), 1, "{error}");
    (problems[0].kind().clone(), problems[0].to_string())
}

/// A `_FILE` variable naming `path` is refused as unreadable, with the path and `reason`.
async fn assert_secret_file_refused(path: &Path, reason: &str) {
    let file = path.to_str().unwrap();
    let (kind, text) = load_error(&[("DATABASE_URL_FILE", file)], None).await;
    assert!(
        matches!(&kind, ProblemKind::UnreadableFile { path: p, .. } if p == path),
        "{kind:?}"
    );
    assert!(text.contains(file) && text.contains(reason), "{text}");
}

fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(status.success(), "mkfifo {}", path.display());
}

/// A sparse file of 512 MB: instant to create, a long read if anything read it whole.
fn huge_file(dir: &Path) -> PathBuf {
    let path = dir.join("huge");
    std::fs::File::create(&path)
        .unwrap()
        .set_len(512 << 20)
        .unwrap();
    path
}

/// The resident memory of this process, in bytes (Linux); `None` elsewhere.
fn resident_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

#[tokio::test]
async fn endless_devices_are_refused_before_reading() {
    let before = resident_bytes();
    for device in ["/dev/zero", "/dev/urandom"] {
        assert_secret_file_refused(Path::new(device), "is a character device").await;
    }
    // Nothing was read: memory did not grow by anything like a read of the device would.
    if let (Some(before), Some(after)) = (before, resident_bytes()) {
        assert!(
            after < before + (256 << 20),
            "resident memory grew from {before} to {after} bytes"
        );
    }
}

#[tokio::test]
async fn a_fifo_without_a_writer_is_refused_without_waiting() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    mkfifo(&fifo);
    assert_secret_file_refused(&fifo, "is a FIFO").await;
}

#[tokio::test]
async fn a_fifo_streaming_64_mib_is_refused_not_taken_as_the_value() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    mkfifo(&fifo);
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            // Blocks until someone opens the FIFO for reading.
            let mut sink = std::fs::OpenOptions::new().write(true).open(&fifo).unwrap();
            let chunk = vec![b'x'; 1 << 20];
            for _ in 0..64 {
                if sink.write_all(&chunk).is_err() {
                    break;
                }
            }
        })
    };
    assert_secret_file_refused(&fifo, "is a FIFO").await;
    // Release the writer: open the reading end (it is waiting for one) and close it, so its
    // writes fail.
    drop(std::fs::File::open(&fifo).unwrap());
    writer.join().unwrap();
}

#[tokio::test]
async fn directories_and_sockets_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    assert_secret_file_refused(dir.path(), "is a directory").await;
    let socket = dir.path().join("socket");
    let _listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
    assert_secret_file_refused(&socket, "is a socket").await;
}

#[tokio::test]
async fn a_file_over_one_mib_is_refused_as_too_large() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big");
    std::fs::write(&path, vec![b'x'; 2 << 20]).unwrap();
    assert_secret_file_refused(&path, "larger than 1048576 bytes").await;
}

#[tokio::test]
async fn a_secrets_directory_entry_linked_to_a_device_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let entry = dir.path().join("DATABASE_URL");
    std::os::unix::fs::symlink("/dev/zero", &entry).unwrap();
    let (kind, text) = load_error(&[], Some(dir.path())).await;
    assert!(
        matches!(&kind, ProblemKind::UnreadableFile { path, .. } if *path == entry),
        "{kind:?}"
    );
    assert!(
        text.contains(entry.to_str().unwrap()) && text.contains("is a character device"),
        "{text}"
    );
}

#[tokio::test]
async fn regular_secret_files_still_load() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    std::fs::write(&path, "postgres://db/app\r\n").unwrap();
    let env = env(&[("DATABASE_URL_FILE", path.to_str().unwrap())]);
    let app = within("regular file", move || async move {
        Loader::<App>::new().env(env).without_store().load().await
    })
    .await
    .unwrap();
    assert_eq!(
        secrets_core::ExposeSecret::expose_secret(&app.database_url),
        "postgres://db/app"
    );
}

#[tokio::test]
async fn a_value_pasted_into_a_file_variable_is_not_shown() {
    let (kind, text) = load_error(&[("DATABASE_URL_FILE", PASTED)], None).await;
    assert!(
        matches!(&kind, ProblemKind::NotAPath { file_var } if file_var == "DATABASE_URL_FILE"),
        "{kind:?}"
    );
    assert!(
        text.contains(
            "DATABASE_URL_FILE does not hold a path (no `/` and no such file): it looks like a value pasted by mistake"
        ),
        "{text}"
    );
    assert!(!text.contains(PASTED), "{text}");
    assert!(!format!("{kind:?}").contains(PASTED));
    // A missing file at a real path is still reported with its path.
    let (_, text) = load_error(&[("DATABASE_URL_FILE", "/nonexistent/db")], None).await;
    assert!(
        text.contains("/nonexistent/db") && text.contains("no such file"),
        "{text}"
    );
}

/// The configuration problems of the `INFISICAL_*` variables `pairs` (with a project id), as
/// one text; the load must fail on them promptly.
async fn config_problems(pairs: &[(&str, &str)]) -> String {
    let mut pairs: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    pairs.push(("INFISICAL_PROJECT_ID".into(), "p".into()));
    let what = format!("{pairs:?}");
    let error = within(&what, move || async move {
        Loader::<App>::new()
            .env(Env::from_pairs(pairs))
            .load()
            .await
            .err()
    })
    .await
    .unwrap_or_else(|| panic!("{what}: loaded"));
    let texts: Vec<String> = error
        .problems()
        .iter()
        .filter(|p| matches!(p.kind(), ProblemKind::Config(_)))
        .map(ToString::to_string)
        .collect();
    assert!(!texts.is_empty(), "{error}");
    texts.join("\n")
}

/// Each variable that names a token or a CA bundle, with the other variables it needs.
fn file_variables(path: &str) -> [(&'static str, Vec<(&'static str, String)>); 3] {
    [
        (
            "INFISICAL_TOKEN_FILE",
            vec![("INFISICAL_TOKEN_FILE", path.to_owned())],
        ),
        (
            "INFISICAL_KUBERNETES_SERVICE_ACCOUNT_TOKEN_PATH",
            vec![
                ("INFISICAL_MACHINE_IDENTITY_ID", "id-1".to_owned()),
                (
                    "INFISICAL_KUBERNETES_SERVICE_ACCOUNT_TOKEN_PATH",
                    path.to_owned(),
                ),
            ],
        ),
        (
            "INFISICAL_CA_BUNDLE",
            vec![
                ("INFISICAL_TOKEN", "tok".to_owned()),
                ("INFISICAL_CA_BUNDLE", path.to_owned()),
            ],
        ),
    ]
}

async fn assert_config_refuses(path: &Path, reason_for: impl Fn(&str) -> String) {
    let file = path.to_str().unwrap();
    for (var, pairs) in file_variables(file) {
        let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let text = config_problems(&pairs).await;
        let reason = reason_for(var);
        assert!(
            text.contains(file) && text.contains(&reason),
            "{var}={file}: {reason} not in {text}"
        );
    }
}

#[tokio::test]
async fn token_and_ca_files_that_are_devices_are_refused_in_configuration() {
    assert_config_refuses(Path::new("/dev/zero"), |_| "is a character device".into()).await;
}

#[tokio::test]
async fn token_and_ca_files_that_are_fifos_are_refused_in_configuration() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    mkfifo(&fifo);
    assert_config_refuses(&fifo, |_| "is a FIFO".into()).await;
}

#[tokio::test]
async fn huge_token_and_ca_files_are_refused_without_reading_them() {
    let dir = tempfile::tempdir().unwrap();
    let huge = huge_file(dir.path());
    assert_config_refuses(&huge, |var| {
        let cap = if var == "INFISICAL_CA_BUNDLE" {
            4 << 20
        } else {
            64 << 10
        };
        format!("larger than {cap} bytes")
    })
    .await;
}

#[tokio::test]
async fn a_value_pasted_into_a_token_file_variable_is_not_shown() {
    for (var, pairs) in file_variables(PASTED).into_iter().take(2) {
        let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let text = config_problems(&pairs).await;
        assert!(
            text.contains(&format!(
                "{var} does not hold a path (no `/` and no such file): it looks like a value pasted by mistake"
            )),
            "{text}"
        );
        assert!(!text.contains(PASTED), "{text}");
    }
}

/// The token file is read again at login, off the runtime's threads: a FIFO swapped in after
/// the client was built is refused at once, naming it, instead of waiting out the deadline.
#[tokio::test]
async fn a_token_file_turned_fifo_after_configuration_is_refused_at_login() {
    let fake = FakeInfisical::builder()
        .mode(ServerMode::Current)
        .secret("prod", "/", "DATABASE_URL", "postgres://db/app")
        .access_token("issued-token-1")
        .start()
        .await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("token");
    std::fs::write(&path, "issued-token-1\n").unwrap();
    let client = InfisicalClient::builder()
        .base_url(fake.url())
        .project_id(fake.project_id())
        .environment("prod")
        .token_file(&path)
        .startup_deadline(Duration::from_mins(1))
        .build()
        .unwrap();
    std::fs::remove_file(&path).unwrap();
    mkfifo(&path);
    let error = within("login with a FIFO token file", move || async move {
        Loader::<App>::new()
            .env(Env::from_pairs::<String, String>([]))
            .store(client)
            .load()
            .await
            .err()
    })
    .await
    .expect("loaded");
    let (_, text) = one_problem(&error);
    assert!(
        text.contains(path.to_str().unwrap()) && text.contains("is a FIFO"),
        "{text}"
    );
}
