//! Loading from any executor, or none: `load()` polled by a non-Tokio executor or by a Tokio
//! runtime without IO and time, `load_blocking()` from plain and async code, and a watch
//! refreshing under a non-Tokio executor.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_executor::block_on;
use secrets_core::testing::FakeInfisical;
use secrets_core::{
    Env, ExposeSecret, SecretString, Secrets,
    store::{BoxFuture, Folder, FolderSecrets, SecretStore, StoreError, StoredSecret},
};

#[derive(Secrets)]
struct AppSecrets {
    database_url: SecretString,
    api_key: SecretString,
    #[secret(default = "8080")]
    port: u16,
}

/// A file holding `API_KEY`'s value, for its `_FILE` variable.
fn api_key_file() -> tempfile::NamedTempFile {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(b"key-from-file\n").unwrap();
    file
}

fn env_only(file: &tempfile::NamedTempFile) -> Env {
    Env::from_pairs([
        ("DATABASE_URL".to_owned(), "postgres://env/app".to_owned()),
        (
            "API_KEY_FILE".to_owned(),
            file.path().to_str().unwrap().to_owned(),
        ),
    ])
}

fn check(secrets: &AppSecrets, database_url: &str) {
    assert_eq!(secrets.database_url.expose_secret(), database_url);
    assert_eq!(secrets.api_key.expose_secret(), "key-from-file");
    assert_eq!(secrets.port, 8080);
}

/// A fake Infisical served by a runtime of its own, so that the load under test is polled
/// by something else entirely.
fn fake_on_own_runtime() -> (tokio::runtime::Runtime, FakeInfisical) {
    let server = tokio::runtime::Runtime::new().unwrap();
    let fake = server.block_on(
        FakeInfisical::builder()
            .secret("prod", "/", "DATABASE_URL", "postgres://infisical/app")
            .universal_auth("client-id", "client-secret")
            .start(),
    );
    (server, fake)
}

fn infisical_env(fake: &FakeInfisical, file: &tempfile::NamedTempFile) -> Env {
    Env::from_pairs(fake.env_vars().into_iter().chain([
        ("INFISICAL_ENVIRONMENT".to_owned(), "prod".to_owned()),
        (
            "API_KEY_FILE".to_owned(),
            file.path().to_str().unwrap().to_owned(),
        ),
    ]))
}

#[test]
fn load_works_under_a_non_tokio_executor() {
    let file = api_key_file();
    let secrets = block_on(AppSecrets::loader().env(env_only(&file)).load()).unwrap();
    check(&secrets, "postgres://env/app");
}

#[test]
fn load_from_infisical_works_under_a_non_tokio_executor() {
    let file = api_key_file();
    let (_server, fake) = fake_on_own_runtime();
    let loader = AppSecrets::loader().env(infisical_env(&fake, &file));
    let (secrets, provenance) = block_on(loader.load_with_provenance()).unwrap();
    check(&secrets, "postgres://infisical/app");
    let source = provenance.get("DATABASE_URL").unwrap().source().unwrap();
    assert_eq!(source.to_string(), "Infisical prod:/");
}

#[test]
fn load_works_under_a_tokio_runtime_without_io_or_time() {
    let file = api_key_file();
    let (_server, fake) = fake_on_own_runtime();
    let bare = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let secrets = bare
        .block_on(AppSecrets::loader().env(env_only(&file)).load())
        .unwrap();
    check(&secrets, "postgres://env/app");
    let secrets = bare
        .block_on(AppSecrets::loader().env(infisical_env(&fake, &file)).load())
        .unwrap();
    check(&secrets, "postgres://infisical/app");
}

#[test]
fn load_blocking_works_outside_any_runtime() {
    let file = api_key_file();
    let (_server, fake) = fake_on_own_runtime();
    let secrets = AppSecrets::loader()
        .env(env_only(&file))
        .load_blocking()
        .unwrap();
    check(&secrets, "postgres://env/app");
    let secrets = AppSecrets::loader()
        .env(infisical_env(&fake, &file))
        .load_blocking()
        .unwrap();
    check(&secrets, "postgres://infisical/app");
}

#[test]
fn load_blocking_works_inside_a_current_thread_runtime() {
    let file = api_key_file();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    // The load blocks this runtime's only thread, so the fake is served by a runtime of its
    // own.
    let (_server, fake) = fake_on_own_runtime();
    runtime.block_on(async {
        let secrets = AppSecrets::loader()
            .env(env_only(&file))
            .load_blocking()
            .unwrap();
        check(&secrets, "postgres://env/app");
        let secrets = AppSecrets::loader()
            .env(infisical_env(&fake, &file))
            .load_blocking()
            .unwrap();
        check(&secrets, "postgres://infisical/app");
    });
}

#[derive(Secrets)]
struct Rotating {
    api_key: SecretString,
}

/// A store whose `API_KEY` the test changes.
#[derive(Debug, Clone, Default)]
struct RotatingStore {
    value: Arc<Mutex<&'static str>>,
}

impl SecretStore for RotatingStore {
    fn name(&self) -> &'static str {
        "Infisical"
    }

    fn environment(&self) -> Option<&str> {
        Some("prod")
    }

    fn fetch<'a>(
        &'a self,
        _folder: &'a Folder,
    ) -> BoxFuture<'a, Result<FolderSecrets, StoreError>> {
        Box::pin(async move {
            let mut listing = FolderSecrets::new();
            let value = *self.value.lock().unwrap();
            listing.insert("API_KEY", StoredSecret::value(SecretString::from(value)));
            Ok(listing)
        })
    }
}

#[test]
fn watch_refreshes_under_a_non_tokio_executor() {
    let store = RotatingStore::default();
    *store.value.lock().unwrap() = "key-1";
    let watch = Rotating::loader()
        .store(store.clone())
        .env(Env::from_pairs::<&str, &str>([]))
        .watch(Duration::from_secs(1))
        .jitter(0.0);
    let mut live = block_on(watch.start()).unwrap();
    assert_eq!(live.current().api_key.expose_secret(), "key-1");
    *store.value.lock().unwrap() = "key-2";
    // `changed()` is awaited by the non-Tokio executor; the refresh runs on the library's
    // runtime. The bound only proves it does not hang.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        block_on(live.changed());
        tx.send(live).unwrap();
    });
    let live = rx
        .recv_timeout(Duration::from_mins(1))
        .expect("the watch never refreshed");
    assert_eq!(live.current().api_key.expose_secret(), "key-2");
    assert!(!live.is_stopped());
}

const CHILD: &str = "SECRETS_TEST_RUNTIME_CHILD";

#[test]
fn the_derived_load_blocking_reads_the_process_environment_from_plain_and_async_code() {
    let name = "the_derived_load_blocking_reads_the_process_environment_from_plain_and_async_code";
    if std::env::var_os(CHILD).is_none() {
        let file = api_key_file();
        let output = std::process::Command::new(std::env::current_exe().unwrap())
            .args([name, "--exact", "--nocapture", "--test-threads=1"])
            .env_clear()
            .env(CHILD, "1")
            .env("DATABASE_URL", "postgres://env/app")
            .env("API_KEY_FILE", file.path())
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success() && stdout.contains("1 passed"),
            "{stdout}{}",
            String::from_utf8_lossy(&output.stderr)
        );
        return;
    }
    check(&AppSecrets::load_blocking().unwrap(), "postgres://env/app");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let secrets = runtime
        .block_on(async { AppSecrets::load_blocking() })
        .unwrap();
    check(&secrets, "postgres://env/app");
}
