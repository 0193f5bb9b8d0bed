//! `Loader::dotenv`: a `.env` file for local development, read only when asked.

mod support;

use std::path::Path;
use std::process::Command;

use support::fake::no_env;

use secrets_core::{Env, Error, ExposeSecret, Loader, SecretString, Secrets, Source};

#[derive(Secrets)]
struct AppSecrets {
    database_url: SecretString,
    api_key: SecretString,
    #[secret(default = "8080")]
    port: u16,
}

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

async fn load(
    loader: Loader<AppSecrets>,
) -> Result<(AppSecrets, secrets_core::provenance::Provenance), Error> {
    loader.load_with_provenance().await
}

#[tokio::test]
async fn values_come_from_the_dotenv_file_with_their_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        ".env",
        "# local development\n\nDATABASE_URL=postgres://localhost/app\nAPI_KEY=\"dev-key\"\nPORT=9090\n",
    );
    let (secrets, provenance) = load(AppSecrets::loader().env(no_env()).dotenv(&path))
        .await
        .unwrap();
    assert_eq!(
        secrets.database_url.expose_secret(),
        "postgres://localhost/app"
    );
    assert_eq!(secrets.api_key.expose_secret(), "dev-key");
    assert_eq!(secrets.port, 9090, ".env comes before the default");
    let source = provenance.get("API_KEY").unwrap().source().unwrap();
    assert_eq!(
        source,
        &Source::DotEnv {
            var: "API_KEY".to_owned(),
            path: path.clone(),
            line: 4,
        }
    );
    assert_eq!(source.to_string(), format!("{}:4", path.display()));
    let text = format!("{provenance}");
    assert!(!text.contains("dev-key"), "{text}");
}

#[tokio::test]
async fn the_process_environment_wins_over_the_dotenv_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), ".env", "DATABASE_URL=from-dotenv\nAPI_KEY=k\n");
    let env = Env::from_pairs([("DATABASE_URL", "from-env")]);
    let (secrets, provenance) = load(AppSecrets::loader().env(env).dotenv(&path))
        .await
        .unwrap();
    assert_eq!(secrets.database_url.expose_secret(), "from-env");
    let source = provenance.get("DATABASE_URL").unwrap().source().unwrap();
    assert_eq!(source, &Source::Env("DATABASE_URL".to_owned()));
}

#[tokio::test]
async fn a_dotenv_file_variable_names_a_secret_file() {
    let dir = tempfile::tempdir().unwrap();
    let key = write(dir.path(), "api_key", "key-from-file\n");
    let path = write(
        dir.path(),
        ".env",
        &format!("DATABASE_URL=db\nAPI_KEY_FILE={}\n", key.display()),
    );
    let (secrets, provenance) = load(AppSecrets::loader().env(no_env()).dotenv(&path))
        .await
        .unwrap();
    assert_eq!(secrets.api_key.expose_secret(), "key-from-file");
    let source = provenance.get("API_KEY").unwrap().source().unwrap();
    assert!(matches!(source, Source::File { var, .. } if var == "API_KEY_FILE"));
}

#[tokio::test]
async fn a_missing_dotenv_file_is_fine_and_said_once() {
    let dir = tempfile::tempdir().unwrap();
    let env = Env::from_pairs([("DATABASE_URL", "db"), ("API_KEY", "k")]);
    let missing = dir.path().join(".env");
    let (_, provenance) = load(AppSecrets::loader().env(env).dotenv(&missing))
        .await
        .unwrap();
    let notes: Vec<_> = provenance
        .notes()
        .iter()
        .filter(|note| note.contains(".env"))
        .collect();
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(
        notes[0].contains(&missing.display().to_string()),
        "{notes:?}"
    );
}

#[tokio::test]
async fn a_malformed_line_is_reported_with_its_number_never_its_value() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        ".env",
        "DATABASE_URL=db\n# fine\nAPI_KEY hunter2-secret\n",
    );
    let Err(error) = load(AppSecrets::loader().env(no_env()).dotenv(&path)).await else {
        panic!("a malformed .env loaded");
    };
    let text = format!("{error}\n{error:?}");
    assert!(
        text.contains(&format!("{} line 3", path.display())),
        "{text}"
    );
    assert!(!text.contains("hunter2"), "{text}");
}

#[tokio::test]
async fn a_dotenv_path_that_is_not_a_regular_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let env = Env::from_pairs([("DATABASE_URL", "db"), ("API_KEY", "k")]);
    let Err(error) = load(AppSecrets::loader().env(env).dotenv(dir.path())).await else {
        panic!("a directory was read as a .env file");
    };
    let text = error.to_string();
    assert!(text.contains("is a directory"), "{text}");
}

const CHILD: &str = "SECRETS_TEST_DOTENV_CHILD";

/// Runs `name` again in a child process whose working directory is `dir`.
fn run_child_in(dir: &Path, name: &str) {
    let output = Command::new(std::env::current_exe().unwrap())
        .args([name, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD, "1")
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("1 passed"),
        "the child ran no test"
    );
}

#[test]
fn an_unread_dotenv_in_the_working_directory_is_named_when_keys_are_missing() {
    if std::env::var_os(CHILD).is_none() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), ".env", "DATABASE_URL=db\n");
        run_child_in(
            dir.path(),
            "an_unread_dotenv_in_the_working_directory_is_named_when_keys_are_missing",
        );
        return;
    }
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let Err(error) = runtime.block_on(AppSecrets::loader().env(no_env()).without_store().load())
    else {
        panic!("loaded without any value");
    };
    let text = error.to_string();
    let last = text.lines().last().unwrap();
    assert!(last.contains(".env"), "{text}");
    assert!(last.contains(".dotenv(\".env\")"), "{text}");
    assert_eq!(text.matches(".env file").count(), 1, "{text}");
    // Read when asked: the same directory, and the note is gone.
    let Err(error) = runtime.block_on(
        AppSecrets::loader()
            .env(no_env())
            .without_store()
            .dotenv(".env")
            .load(),
    ) else {
        panic!("loaded without API_KEY");
    };
    let text = error.to_string();
    assert!(!text.contains("was not read"), "{text}");
    assert!(!text.contains("DATABASE_URL"), "{text}");
}
