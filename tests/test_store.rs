//! The secret store comes first, folder by folder, with fail-closed errors and opt-in fallback.
//! A small in-memory store stands in for Infisical (which has its own tests).

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use secrets_core::{
    Env, ExposeSecret, Lookup, ProblemKind, SecretString, Secrets, Source,
    store::{
        BoxFuture, Folder, FolderSecrets, SecretStore, StoreError, StoreErrorKind, StoredSecret,
    },
};

#[derive(Debug, Default)]
struct MemoryStore {
    folders: HashMap<Folder, Vec<(&'static str, Entry)>>,
    failing: HashMap<Folder, StoreErrorKind>,
    environment: Option<&'static str>,
    fetches: AtomicUsize,
    fetched: Mutex<Vec<Folder>>,
}

#[derive(Debug, Clone, Copy)]
enum Entry {
    Value(&'static str),
    Withheld,
    Unexpanded,
}

impl MemoryStore {
    fn with(mut self, env: &str, path: &str, key: &'static str, entry: Entry) -> Self {
        self.folders
            .entry(Folder::new(env, path))
            .or_default()
            .push((key, entry));
        self
    }

    fn failing(mut self, env: &str, path: &str, kind: StoreErrorKind) -> Self {
        self.failing.insert(Folder::new(env, path), kind);
        self
    }
}

impl SecretStore for MemoryStore {
    fn name(&self) -> &'static str {
        "Memory store"
    }

    fn environment(&self) -> Option<&str> {
        self.environment
    }

    fn fetch<'a>(&'a self, folder: &'a Folder) -> BoxFuture<'a, Result<FolderSecrets, StoreError>> {
        Box::pin(async move {
            self.fetches.fetch_add(1, Ordering::SeqCst);
            self.fetched.lock().unwrap().push(folder.clone());
            if let Some(kind) = self.failing.get(folder) {
                return Err(
                    StoreError::new(*kind, "You are not allowed to read on secrets")
                        .with_status(403)
                        .with_name("PermissionDenied")
                        .with_req_id("req-1"),
                );
            }
            let mut listing = FolderSecrets::new();
            for (key, entry) in self.folders.get(folder).into_iter().flatten() {
                let secret = match entry {
                    Entry::Value(v) => StoredSecret::value(SecretString::from(*v)),
                    Entry::Withheld => StoredSecret::withheld(),
                    Entry::Unexpanded => StoredSecret::unexpanded(),
                };
                listing.insert(*key, secret);
            }
            Ok(listing)
        })
    }
}

#[derive(Secrets)]
#[secret(path = "/agent", environment = "prod")]
struct Agent {
    anthropic_api_key: SecretString,
    database_url: SecretString,
    #[secret(path = "/shared")]
    sentry_dsn: Option<SecretString>,
    #[secret(path = "/shared", default = "info")]
    log_level: String,
}

#[tokio::test]
async fn the_store_comes_before_env_and_each_folder_is_listed_once() {
    let store = MemoryStore::default()
        .with(
            "prod",
            "/agent",
            "ANTHROPIC_API_KEY",
            Entry::Value("from-store"),
        )
        .with("prod", "/shared", "SENTRY_DSN", Entry::Value("dsn"));
    let shared = std::sync::Arc::new(store);
    let (s, provenance) = Agent::loader()
        .store(ArcStore(shared.clone()))
        .env(Env::from_pairs([
            ("ANTHROPIC_API_KEY", "from-env"),
            ("DATABASE_URL", "db-env"),
        ]))
        .load_with_provenance()
        .await
        .unwrap();
    assert_eq!(s.anthropic_api_key.expose_secret(), "from-store");
    assert_eq!(s.database_url.expose_secret(), "db-env");
    assert_eq!(s.sentry_dsn.unwrap().expose_secret(), "dsn");
    assert_eq!(s.log_level, "info");
    assert_eq!(
        shared.fetches.load(Ordering::SeqCst),
        2,
        "one list per folder"
    );
    let mut fetched = shared.fetched.lock().unwrap().clone();
    fetched.sort();
    assert_eq!(
        fetched,
        [
            Folder::new("prod", "/agent"),
            Folder::new("prod", "/shared")
        ]
    );

    let db = provenance.get("DATABASE_URL").unwrap();
    assert_eq!(db.source(), Some(&Source::Env("DATABASE_URL".into())));
    assert_eq!(
        db.tried()[0],
        Lookup::NotInStore {
            store: "Memory store",
            folder: Folder::new("prod", "/agent"),
            folder_empty: false
        }
    );
}

/// Shares one store between the loader and the test's assertions.
#[derive(Debug)]
struct ArcStore(std::sync::Arc<MemoryStore>);

impl SecretStore for ArcStore {
    fn name(&self) -> &'static str {
        self.0.name()
    }
    fn environment(&self) -> Option<&str> {
        self.0.environment()
    }
    fn fetch<'a>(&'a self, folder: &'a Folder) -> BoxFuture<'a, Result<FolderSecrets, StoreError>> {
        self.0.fetch(folder)
    }
}

#[tokio::test]
async fn store_errors_fail_closed_for_every_key_of_the_folder() {
    let store = MemoryStore::default()
        .with("prod", "/shared", "SENTRY_DSN", Entry::Value("dsn"))
        .failing("prod", "/agent", StoreErrorKind::Forbidden);
    let err = Agent::loader()
        .store(store)
        .env(Env::from_pairs([
            ("ANTHROPIC_API_KEY", "env-value"),
            ("DATABASE_URL", "db"),
        ]))
        .load()
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "failed to load Agent: 1 problem, 2 keys not loaded\n  \
         Memory store prod:/agent answered 403 PermissionDenied: You are not allowed to read on secrets (reqId req-1)\n    \
         to start from env vars, files and defaults when the store fails, opt in: Loader::fallback_on_store_error(true), or #[secret(fallback_on_store_error)] on a field\n    \
         not loaded: ANTHROPIC_API_KEY (field anthropic_api_key), DATABASE_URL (field database_url) (2 keys)"
    );
    let keys: Vec<_> = err.problems()[0].keys().collect();
    assert_eq!(
        keys,
        [
            ("ANTHROPIC_API_KEY", "anthropic_api_key"),
            ("DATABASE_URL", "database_url")
        ]
    );
    match err.problems()[0].kind() {
        ProblemKind::Store(e) => {
            assert_eq!(e.kind(), StoreErrorKind::Forbidden);
            assert_eq!(e.status(), Some(403));
            assert_eq!(e.req_id(), Some("req-1"));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn fallback_on_store_error_is_opt_in_and_shows_in_provenance() {
    let store = MemoryStore::default().failing("prod", "/agent", StoreErrorKind::Unreachable);
    let (s, provenance) = Agent::loader()
        .store(store)
        .env(Env::from_pairs([
            ("ANTHROPIC_API_KEY", "k"),
            ("DATABASE_URL", "db"),
        ]))
        .fallback_on_store_error(true)
        .load_with_provenance()
        .await
        .unwrap();
    assert_eq!(s.anthropic_api_key.expose_secret(), "k");
    let entry = provenance.get("ANTHROPIC_API_KEY").unwrap();
    assert!(
        matches!(&entry.tried()[0], Lookup::StoreFailed { folder, .. } if *folder == Folder::new("prod", "/agent"))
    );
    assert!(
        provenance
            .notes()
            .iter()
            .any(|n| n.starts_with("fell back from Memory store prod:/agent")),
        "{provenance}"
    );
}

// Loaded only to fail: its fields are never read.
#[allow(dead_code)]
#[derive(Secrets)]
#[secret(environment = "prod")]
struct PartlyTolerant {
    #[secret(fallback_on_store_error)]
    feature_flags: String,
    api_key: SecretString,
}

#[tokio::test]
async fn a_field_can_opt_in_to_fallback_alone() {
    let store = MemoryStore::default().failing("prod", "/", StoreErrorKind::Server);
    let err = PartlyTolerant::loader()
        .store(store)
        .env(Env::from_pairs([
            ("FEATURE_FLAGS", "a,b"),
            ("API_KEY", "k"),
        ]))
        .load()
        .await
        .unwrap_err();
    assert_eq!(err.problems().len(), 1);
    let keys: Vec<_> = err.problems()[0].keys().collect();
    assert_eq!(keys, [("API_KEY", "api_key")]);
}

#[tokio::test]
async fn withheld_and_unexpanded_values_are_problems_not_values() {
    let store = MemoryStore::default()
        .with("prod", "/agent", "ANTHROPIC_API_KEY", Entry::Withheld)
        .with("prod", "/agent", "DATABASE_URL", Entry::Unexpanded);
    let err = Agent::loader()
        .store(store)
        .env(Env::from_pairs([
            ("ANTHROPIC_API_KEY", "env"),
            ("DATABASE_URL", "env"),
        ]))
        .load()
        .await
        .unwrap_err();
    let kinds: Vec<_> = err.problems().iter().map(|p| p.kind().clone()).collect();
    assert!(matches!(&kinds[0], ProblemKind::Withheld(f) if *f == Folder::new("prod", "/agent")));
    assert!(matches!(&kinds[1], ProblemKind::UnexpandedReference(_)));
    assert!(err.to_string().contains("withheld ANTHROPIC_API_KEY (field anthropic_api_key): the store withholds the value in prod:/agent"));
}

#[tokio::test]
async fn an_empty_folder_is_called_out_in_missing_key_problems() {
    let err = Agent::loader()
        .store(MemoryStore::default())
        .env(Env::from_pairs([("DATABASE_URL", "db")]))
        .load()
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains(
            "missing ANTHROPIC_API_KEY (field anthropic_api_key): not in Memory store prod:/agent (the folder was empty: check environment and path); env ANTHROPIC_API_KEY not set"
        ),
        "{err}"
    );
}

// Loaded only to fail: its field is never read.
#[allow(dead_code)]
#[derive(Secrets)]
struct NoEnvironment {
    token: SecretString,
}

#[tokio::test]
async fn a_store_without_an_environment_is_a_configuration_problem() {
    let err = NoEnvironment::loader()
        .store(MemoryStore::default())
        .env(Env::from_pairs([("TOKEN", "t")]))
        .load()
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "failed to load NoEnvironment: 1 problem\n  config: no Memory store environment: set INFISICAL_ENVIRONMENT or #[secret(environment = \"...\")] on NoEnvironment"
    );
}

#[tokio::test]
async fn the_store_environment_overrides_the_struct_default() {
    let store = MemoryStore {
        environment: Some("staging"),
        ..MemoryStore::default()
    }
    .with(
        "staging",
        "/agent",
        "ANTHROPIC_API_KEY",
        Entry::Value("staging-key"),
    )
    .with(
        "staging",
        "/agent",
        "DATABASE_URL",
        Entry::Value("staging-db"),
    );
    let s = Agent::loader()
        .store(store)
        .env(Env::from_pairs::<&str, &str>([]))
        .load()
        .await
        .unwrap();
    assert_eq!(s.anthropic_api_key.expose_secret(), "staging-key");
}

#[tokio::test]
async fn a_folder_is_not_called_empty_once_its_keys_were_taken() {
    let store = MemoryStore::default().with(
        "prod",
        "/agent",
        "ANTHROPIC_API_KEY",
        Entry::Value("from-store"),
    );
    let err = Agent::loader()
        .store(store)
        .env(Env::from_pairs::<&str, &str>([]))
        .load()
        .await
        .unwrap_err();
    let report = err.to_string();
    assert!(
        report.contains("missing DATABASE_URL (field database_url): not in Memory store prod:/agent; env DATABASE_URL not set"),
        "{report}"
    );
    assert!(!report.contains("the folder was empty"), "{report}");
}
