//! Resolves every key of a struct: the secret store first, then the env var, then files, then
//! the default; collects every problem before failing.

use std::collections::{BTreeMap, HashMap};
use std::ffi::OsString;
use std::fmt;
use std::marker::PhantomData;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use futures_util::future::join_all;
use secrecy::{ExposeSecret, SecretString};
use zeroize::Zeroize;

use crate::dotenv;
use crate::env::Env;
use crate::error::{Error, Problem, ProblemKind, StoreError};
use crate::file;
use crate::infisical::{self, FromEnv};
use crate::live::Watch;
use crate::names;
use crate::provenance::{Fingerprint, Provenance};
use crate::resolved::{Resolved, Slot};
use crate::runtime;
use crate::secrets::Secrets;
use crate::source::{Folder, Lookup, Source};
use crate::spec::{KeySpec, StructSpec};
use crate::store::{BoxFuture, FolderSecrets, SecretStore, StoredSecret, StoredValue};

/// Loads a [`Secrets`] struct, with the sources and options you choose.
///
/// `AppSecrets::load()` is `AppSecrets::loader().load()`: Infisical configured from the
/// `INFISICAL_*` env vars (or env-only when there are none), the process environment, no
/// secrets directory.
///
/// ```
/// # #[cfg(feature = "derive")] {
/// use secrets_core::{Env, ExposeSecret, SecretString, Secrets};
///
/// #[derive(Secrets)]
/// struct AppSecrets {
///     database_url: SecretString,
///     #[secret(default = "8080")]
///     port: u16,
/// }
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let (secrets, provenance) = AppSecrets::loader()
///     .env(Env::from_pairs([("DATABASE_URL", "postgres://localhost/app")]))
///     .load_with_provenance()
///     .await
///     .unwrap();
/// assert_eq!(secrets.port, 8080);
/// assert_eq!(provenance.get("PORT").unwrap().source().unwrap().to_string(), "default");
/// # });
/// # }
/// ```
pub struct Loader<S> {
    env: Env,
    secrets_dir: Option<PathBuf>,
    dotenv: Option<PathBuf>,
    store: StoreChoice,
    fallback_on_store_error: bool,
    require_store: bool,
    log_provenance: bool,
    marker: PhantomData<fn() -> S>,
}

#[derive(Clone)]
enum StoreChoice {
    /// Infisical, configured from the `INFISICAL_*` variables of the loader's [`Env`].
    FromEnv,
    /// No store: env vars, files and defaults only.
    Disabled,
    /// A store given in code.
    Given(Arc<dyn SecretStore>),
}

impl<S> fmt::Debug for Loader<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let store = match &self.store {
            StoreChoice::FromEnv => "from INFISICAL_* env vars".to_owned(),
            StoreChoice::Disabled => "none".to_owned(),
            StoreChoice::Given(store) => format!("{store:?}"),
        };
        f.debug_struct("Loader")
            .field("env", &self.env)
            .field("secrets_dir", &self.secrets_dir)
            .field("dotenv", &self.dotenv)
            .field("store", &store)
            .field("fallback_on_store_error", &self.fallback_on_store_error)
            .field("require_store", &self.require_store)
            .field("log_provenance", &self.log_provenance)
            .finish()
    }
}

impl<S> Clone for Loader<S> {
    fn clone(&self) -> Self {
        Self {
            env: self.env.clone(),
            secrets_dir: self.secrets_dir.clone(),
            dotenv: self.dotenv.clone(),
            store: self.store.clone(),
            fallback_on_store_error: self.fallback_on_store_error,
            require_store: self.require_store,
            log_provenance: self.log_provenance,
            marker: PhantomData,
        }
    }
}

impl<S: Secrets> Default for Loader<S> {
    fn default() -> Self {
        Self::new()
    }
}

impl<S: Secrets> Loader<S> {
    /// The default loader: Infisical from `INFISICAL_*` env vars when set, the process
    /// environment, no secrets directory, store errors fail closed.
    #[must_use]
    pub fn new() -> Self {
        Self {
            env: Env::process(),
            secrets_dir: None,
            dotenv: None,
            store: StoreChoice::FromEnv,
            fallback_on_store_error: false,
            require_store: false,
            log_provenance: false,
            marker: PhantomData,
        }
    }

    /// Reads env vars (and the `INFISICAL_*` configuration) from `env` instead of the process
    /// environment.
    #[must_use]
    pub fn env(mut self, env: Env) -> Self {
        self.env = env;
        self
    }

    /// Also looks for a file named like the key in `dir` (a Kubernetes secret volume, the
    /// Infisical agent's output), after the env var and its `_FILE` variable.
    #[must_use]
    pub fn secrets_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.secrets_dir = Some(dir.into());
        self
    }

    /// Also reads the `.env` file at `path`, for local development: a variable it sets stands
    /// in for one the process environment does not set (the process environment wins), and
    /// so comes before `_FILE` files, the secrets directory and defaults. Its
    /// `NAME=value` lines are read with `dotenvy`'s parser, through the same capped reader as
    /// every secret file, and never put into the process environment.
    ///
    /// A missing file is fine (said once in the provenance); a line that does not parse is a
    /// problem naming the file and the line number, never the value. A value from the file
    /// shows in the provenance as `.env:LINE`.
    ///
    /// The library does not read `.env` unless asked: a file left in a working directory (a
    /// container image, a deploy checkout) would otherwise quietly feed secrets to a
    /// production service. When keys are missing and a `.env` in the working directory was
    /// not read, the report says so in its closing line.
    ///
    /// ```
    /// # #[cfg(feature = "derive")] {
    /// use secrets_core::{Env, Secrets, SecretString};
    ///
    /// #[derive(Secrets)]
    /// struct AppSecrets {
    ///     database_url: SecretString,
    /// }
    ///
    /// let dir = std::env::temp_dir().join(format!("dotenv-doc-{}", std::process::id()));
    /// std::fs::create_dir_all(&dir).unwrap();
    /// std::fs::write(dir.join(".env"), "# local only\nDATABASE_URL=postgres://localhost/app\n").unwrap();
    ///
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// let (_, provenance) = AppSecrets::loader()
    ///     .env(Env::from_pairs::<&str, &str>([]))
    ///     .dotenv(dir.join(".env"))
    ///     .load_with_provenance()
    ///     .await
    ///     .unwrap();
    /// let source = provenance.get("DATABASE_URL").unwrap().source().unwrap().to_string();
    /// assert!(source.ends_with(".env:2"));
    /// # });
    /// # std::fs::remove_dir_all(&dir).unwrap();
    /// # }
    /// ```
    #[must_use]
    pub fn dotenv(mut self, path: impl Into<PathBuf>) -> Self {
        self.dotenv = Some(path.into());
        self
    }

    /// Uses `store` as the first source instead of Infisical configured from env vars.
    #[must_use]
    pub fn store(mut self, store: impl SecretStore + 'static) -> Self {
        self.store = StoreChoice::Given(Arc::new(store));
        self
    }

    /// Uses the Infisical client `client` as the first source. Share one client between loads
    /// to share its login.
    #[must_use]
    pub fn infisical(self, client: crate::InfisicalClient) -> Self {
        self.store(client)
    }

    /// Uses no secret store at all, whatever the env vars say.
    #[must_use]
    pub fn without_store(mut self) -> Self {
        self.store = StoreChoice::Disabled;
        self
    }

    /// When the store fails for a folder (outage, forbidden, auth failure, deadline), fall back
    /// to env vars, files and defaults for every key of it instead of failing closed. The
    /// provenance says which fallback happened and why.
    #[must_use]
    pub fn fallback_on_store_error(mut self, fallback: bool) -> Self {
        self.fallback_on_store_error = fallback;
        self
    }

    /// Makes a missing secret store a problem: with no `INFISICAL_*` configuration the load
    /// fails, naming the variables to set, instead of starting from env vars, files and
    /// defaults. For production, where a service whose Infisical variables went missing must
    /// not start on whatever the environment holds.
    #[must_use]
    pub fn require_store(mut self) -> Self {
        self.require_store = true;
        self
    }

    /// Logs the provenance report at `tracing` info level after a successful load.
    #[must_use]
    pub fn log_provenance(mut self, log: bool) -> Self {
        self.log_provenance = log;
        self
    }

    /// Keeps the struct fresh: loads now like [`load`](Self::load), then again every
    /// `interval` in the background; see [`Watch`]. An `interval` under one second is taken as
    /// one second (clamped rather than refused, so `watch` cannot fail).
    pub fn watch(self, interval: std::time::Duration) -> Watch<S>
    where
        S: Send + Sync + 'static,
    {
        Watch::new(self, interval)
    }

    /// This loader with its store resolved once, so that repeated loads share one client (one
    /// login, one connection pool) instead of configuring Infisical from env vars each time.
    pub(crate) fn pinned(&self) -> Self {
        let mut pinned = self.clone();
        if let StoreChoice::FromEnv = self.store
            && let FromEnv::Ready(client) = infisical::from_env(&self.env)
        {
            pinned.store = StoreChoice::Given(Arc::new(client));
        }
        pinned
    }

    /// Loads the struct.
    ///
    /// # Errors
    /// [`Error::Load`] with every problem found, when any key is missing, empty, invalid,
    /// ambiguous, unreadable, withheld or failed in the store.
    pub async fn load(&self) -> Result<S, Error> {
        self.load_with_provenance()
            .await
            .map(|(secrets, _)| secrets)
    }

    /// Loads the struct and says where each key came from.
    ///
    /// # Errors
    /// As [`load`](Self::load).
    pub async fn load_with_provenance(&self) -> Result<(S, Provenance), Error> {
        let (resolved, provenance) = if runtime::is_current_usable() {
            self.sources().resolve(S::SPEC).await
        } else {
            // Not polled by a Tokio runtime with IO and time: the lookups run on the
            // library's own runtime, and this future only waits for them.
            let owned = self.owned_sources();
            let task = runtime::spawn(async move { owned.sources().resolve(S::SPEC).await });
            task.await
                .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))
        };
        let secrets = S::from_resolved(resolved)?;
        if self.log_provenance {
            provenance.log();
        }
        Ok((secrets, provenance))
    }

    /// Runs every source the load would, converts every value as the load would, and keeps
    /// neither the struct nor a value: a dry run for a deploy step or a `--check-secrets`
    /// flag. Never an error: a store failure is an entry of the report. It costs what a load
    /// costs, one list per folder.
    ///
    /// Besides each key's source or problem, the report lists the keys of the struct's
    /// folders that no field uses (see [`CheckReport::stale`](crate::CheckReport::stale)),
    /// and writes the store's key names for a manifest.
    pub async fn check(&self) -> crate::CheckReport {
        let (resolved, provenance, (store, listed)) = self.sources().resolve_listed(S::SPEC).await;
        // The conversion is the load's, so a value that would not parse is found; the struct
        // is dropped at once.
        let error = S::from_resolved(resolved).err();
        crate::check::CheckReport::new(S::SPEC, store, &provenance, error.as_ref(), listed)
    }

    /// Loads the struct from synchronous code, blocking this thread until done: for a plain
    /// `fn main()` with no async runtime.
    ///
    /// The load runs on a new thread with its own current-thread Tokio runtime, so this is
    /// also safe to call inside an async context (a `#[tokio::main]`, a current-thread
    /// runtime): it neither panics nor deadlocks there, though it does block that runtime's
    /// thread for the length of the load, as any blocking call would.
    ///
    /// ```
    /// # #[cfg(feature = "derive")] {
    /// use secrets_core::{Env, ExposeSecret, SecretString, Secrets};
    ///
    /// #[derive(Secrets)]
    /// struct AppSecrets {
    ///     database_url: SecretString,
    /// }
    ///
    /// fn main() {
    ///     let secrets = AppSecrets::loader()
    ///         .env(Env::from_pairs([("DATABASE_URL", "postgres://localhost/app")]))
    ///         .load_blocking()
    ///         .unwrap();
    ///     assert_eq!(secrets.database_url.expose_secret(), "postgres://localhost/app");
    /// }
    /// # main();
    /// # }
    /// ```
    ///
    /// # Errors
    /// As [`load`](Self::load).
    pub fn load_blocking(&self) -> Result<S, Error>
    where
        S: Send,
    {
        runtime::block_on(self.load())
    }

    fn sources(&self) -> Sources<'_> {
        Sources {
            env: &self.env,
            secrets_dir: self.secrets_dir.as_deref(),
            dotenv: self.dotenv.as_deref(),
            store: &self.store,
            fallback_on_store_error: self.fallback_on_store_error,
            require_store: self.require_store,
        }
    }

    fn owned_sources(&self) -> OwnedSources {
        OwnedSources {
            env: self.env.clone(),
            secrets_dir: self.secrets_dir.clone(),
            dotenv: self.dotenv.clone(),
            store: self.store.clone(),
            fallback_on_store_error: self.fallback_on_store_error,
            require_store: self.require_store,
        }
    }
}

/// [`Sources`] that own their parts, to be moved onto another runtime.
struct OwnedSources {
    env: Env,
    secrets_dir: Option<PathBuf>,
    dotenv: Option<PathBuf>,
    store: StoreChoice,
    fallback_on_store_error: bool,
    require_store: bool,
}

impl OwnedSources {
    fn sources(&self) -> Sources<'_> {
        Sources {
            env: &self.env,
            secrets_dir: self.secrets_dir.as_deref(),
            dotenv: self.dotenv.as_deref(),
            store: &self.store,
            fallback_on_store_error: self.fallback_on_store_error,
            require_store: self.require_store,
        }
    }
}

/// What a load reads from its [`Loader`], without the struct's type. The resolution is not
/// generic, so it is compiled once, here, instead of once per `Secrets` type in every crate
/// that loads one (it was most of the build time of such a crate).
struct Sources<'a> {
    env: &'a Env,
    secrets_dir: Option<&'a Path>,
    dotenv: Option<&'a Path>,
    store: &'a StoreChoice,
    fallback_on_store_error: bool,
    require_store: bool,
}

impl Sources<'_> {
    /// Looks up every key of `spec`: the values found and every problem, not yet converted.
    ///
    /// Boxed so that the state machine is compiled here: a future awaited only by generic
    /// code would be compiled again in each crate that instantiates that code.
    fn resolve(&self, spec: StructSpec) -> BoxFuture<'_, (Resolved, Provenance)> {
        Box::pin(async move {
            let (resolved, provenance, _) = self.lookup_all(spec, false).await;
            (resolved, provenance)
        })
    }

    /// As [`resolve`](Self::resolve), with the key names of every folder listed.
    fn resolve_listed(
        &self,
        spec: StructSpec,
    ) -> BoxFuture<'_, (Resolved, Provenance, StoreNames)> {
        Box::pin(self.lookup_all(spec, true))
    }

    async fn lookup_all(
        &self,
        spec: StructSpec,
        keep_names: bool,
    ) -> (Resolved, Provenance, StoreNames) {
        let mut listed = (None, Vec::new());
        let mut resolved = Resolved::new(spec);
        let mut provenance = Provenance::new(spec.name());
        check_spec(spec.keys(), &mut resolved);
        let dotenv = self.read_dotenv(&mut resolved, &mut provenance).await;
        let dotenv = dotenv
            .as_ref()
            .map(|(path, entries)| DotEnvView { path, entries });

        let store = self.active_store(&spec, &mut resolved, &mut provenance);
        let mut listings = match &store {
            ActiveStore::Ready(store) => {
                let folders = folders_of(&spec, store.as_ref(), &mut resolved);
                let listings = fetch_all(&spec, store.as_ref(), folders).await;
                if keep_names {
                    listed = (
                        Some(store.name()),
                        names_of(&spec, store.as_ref(), &listings),
                    );
                }
                for listing in listings.values().flatten() {
                    if let Some(note) = listing.secrets.note() {
                        provenance.note(note);
                    }
                }
                listings
            }
            ActiveStore::NotConfigured | ActiveStore::Skipped => BTreeMap::new(),
        };

        for (index, key) in spec.keys().iter().enumerate() {
            let store_lookup = match &store {
                ActiveStore::NotConfigured => StoreLookup::NotConfigured,
                ActiveStore::Skipped => StoreLookup::Skipped,
                ActiveStore::Ready(store) => folder_of(&spec, store.as_ref(), key)
                    .and_then(|folder| {
                        let listing = listings.get_mut(&folder)?;
                        Some(StoreLookup::Listed {
                            store: store.name(),
                            folder,
                            listing,
                        })
                    })
                    .unwrap_or(StoreLookup::Skipped),
            };
            let outcome = self
                .resolve_key(key, store_lookup, dotenv, &mut provenance)
                .await;
            settle(index, key, outcome, &mut resolved, &mut provenance);
        }
        (resolved, provenance, listed)
    }

    /// The `.env` file's entries when the loader was asked to read one and it holds any;
    /// otherwise why not, in the provenance or the report.
    async fn read_dotenv(
        &self,
        resolved: &mut Resolved,
        provenance: &mut Provenance,
    ) -> Option<(PathBuf, HashMap<String, dotenv::Entry>)> {
        let Some(path) = self.dotenv else {
            if let Some(note) = dotenv::unread_note() {
                resolved.note_if_missing(note);
            }
            return None;
        };
        match dotenv::read(path).await {
            dotenv::DotEnv::Read(entries) => Some((path.to_owned(), entries)),
            dotenv::DotEnv::Missing => {
                provenance.note(format!("no {} file: not read", path.display()));
                None
            }
            dotenv::DotEnv::Invalid(message) => {
                resolved.fail_config(Problem::config(message));
                None
            }
        }
    }

    /// The store for this load; when there is none, the reason is noted (env-only) or
    /// reported (half a configuration).
    fn active_store(
        &self,
        spec: &StructSpec,
        resolved: &mut Resolved,
        provenance: &mut Provenance,
    ) -> ActiveStore {
        match self.store {
            StoreChoice::Given(store) => ActiveStore::Ready(Arc::clone(store)),
            StoreChoice::Disabled => {
                if self.require_store {
                    resolved.fail_config(Problem::config(
                        "the loader requires a secret store (require_store) but has none (without_store): drop one of the two calls",
                    ));
                }
                provenance.note("no secret store: env vars, files and defaults only");
                ActiveStore::Skipped
            }
            StoreChoice::FromEnv => match infisical::from_env(self.env) {
                FromEnv::NotConfigured if self.require_store => {
                    resolved.fail_config(Problem::config(format!(
                        "Infisical is not configured, and this loader requires a secret store (require_store): {}",
                        infisical::HOW_TO_CONFIGURE
                    )));
                    ActiveStore::Skipped
                }
                FromEnv::NotConfigured => {
                    let note = "Infisical not configured (no INFISICAL_* credentials): env vars, files and defaults only";
                    tracing::info!(target: "secrets_core", secrets = spec.name(), "{note}");
                    provenance.note(note);
                    resolved.note_if_missing(format!(
                        "Infisical is not configured, so only env vars, files and defaults were read: to read from Infisical, {}",
                        infisical::HOW_TO_CONFIGURE
                    ));
                    ActiveStore::NotConfigured
                }
                FromEnv::Invalid(messages) => {
                    for message in messages {
                        resolved.fail_config(Problem::config(message));
                    }
                    ActiveStore::Skipped
                }
                FromEnv::Ready(client) => ActiveStore::Ready(Arc::new(client)),
            },
        }
    }

    async fn resolve_key(
        &self,
        key: &KeySpec,
        store: StoreLookup<'_>,
        dotenv: Option<DotEnvView<'_>>,
        provenance: &mut Provenance,
    ) -> Outcome {
        let mut tried = Vec::new();
        match store {
            StoreLookup::NotConfigured => tried.push(Lookup::StoreNotConfigured),
            StoreLookup::Skipped => {}
            StoreLookup::Listed {
                store,
                folder,
                listing,
            } => match listing {
                Ok(listing) => match listing
                    .secrets
                    .remove(key.key())
                    .map(StoredSecret::into_parts)
                {
                    Some((StoredValue::Value(value), import)) => {
                        let source = Source::Store {
                            store,
                            folder: folder.clone(),
                            import,
                        };
                        return Outcome::found(value, source, tried);
                    }
                    Some((StoredValue::Withheld, _)) => {
                        return Outcome::failed(ProblemKind::Withheld(folder.clone()), tried);
                    }
                    Some((StoredValue::UnexpandedReference, _)) => {
                        let kind = ProblemKind::UnexpandedReference(folder.clone());
                        return Outcome::failed(kind, tried);
                    }
                    None => tried.push(Lookup::NotInStore {
                        store,
                        folder: folder.clone(),
                        folder_empty: listing.was_empty,
                    }),
                },
                Err(error) => {
                    if !(self.fallback_on_store_error || key.is_fallback_on_store_error()) {
                        return Outcome::failed(ProblemKind::Store(error.clone()), tried);
                    }
                    let reason = error.to_string();
                    provenance.note(format!("fell back from {store} {folder}: {reason}"));
                    tried.push(Lookup::StoreFailed {
                        store,
                        folder: folder.clone(),
                        reason,
                    });
                }
            },
        }

        if let Some(outcome) = self.lookup_env(key, dotenv, &mut tried).await {
            return outcome;
        }
        if let Some(outcome) = self.lookup_secrets_dir(key, &mut tried).await {
            return outcome;
        }
        if let Some(default) = key.default() {
            let value = SecretString::from(default.to_owned());
            return Outcome::found(value, Source::Default, tried);
        }
        tried.push(Lookup::NoDefault);
        Outcome::Absent { tried }
    }

    /// The env var, then the file its `_FILE` variable names; the `.env` file stands in for
    /// either variable where the process environment does not set it.
    async fn lookup_env(
        &self,
        key: &KeySpec,
        dotenv: Option<DotEnvView<'_>>,
        tried: &mut Vec<Lookup>,
    ) -> Option<Outcome> {
        let Some(var) = key.env_var() else {
            tried.push(Lookup::EnvDisabled);
            return None;
        };
        let get = |name: &str| {
            self.env.get(name).map(|value| (value, None)).or_else(|| {
                let entry = dotenv?.entries.get(name)?;
                Some((dotenv::os_value(entry), Some(entry.line)))
            })
        };
        let (value, line) = get(var).unzip();
        let line = line.flatten();
        let file = key
            .file_var()
            .map(|file_var| (file_var, get(file_var).map(|(path, _)| path)));
        if let (Some(_), Some((file_var, Some(_)))) = (&value, &file) {
            let kind = ProblemKind::Ambiguous {
                env: var.to_owned(),
                file_var: (*file_var).to_owned(),
            };
            return Some(Outcome::failed(kind, std::mem::take(tried)));
        }
        if let Some(value) = value {
            let source = match (line, dotenv) {
                (Some(line), Some(dotenv)) => Source::DotEnv {
                    var: var.to_owned(),
                    path: dotenv.path.to_owned(),
                    line,
                },
                _ => Source::Env(var.to_owned()),
            };
            return Some(match value.into_string() {
                Ok(text) => Outcome::found(SecretString::from(text), source, std::mem::take(tried)),
                Err(raw) => {
                    drop(SecretOs(raw));
                    Outcome::failed(ProblemKind::NotUnicode(source), std::mem::take(tried))
                }
            });
        }
        tried.push(Lookup::EnvNotSet(var.to_owned()));
        match file? {
            (file_var, None) => {
                tried.push(Lookup::FileVarNotSet(file_var.to_owned()));
                None
            }
            (file_var, Some(path)) => {
                let pasted = file::is_bare_word(&path);
                let path = PathBuf::from(path);
                let source = Source::File {
                    var: file_var.to_owned(),
                    path: path.clone(),
                };
                Some(match read_secret_file(path.clone()).await {
                    Ok(value) => Outcome::found(value, source, std::mem::take(tried)),
                    // No `/` and no such file: most likely the value itself, which must not
                    // be shown as a path.
                    Err(FileError::Unreadable(file::FileError::NotFound)) if pasted => {
                        let kind = ProblemKind::NotAPath {
                            file_var: file_var.to_owned(),
                        };
                        Outcome::failed(kind, std::mem::take(tried))
                    }
                    Err(FileError::NotUnicode) => {
                        Outcome::failed(ProblemKind::NotUnicode(source), std::mem::take(tried))
                    }
                    Err(FileError::Unreadable(reason)) => Outcome::failed(
                        ProblemKind::UnreadableFile {
                            path,
                            reason: reason.to_string(),
                        },
                        std::mem::take(tried),
                    ),
                })
            }
        }
    }

    /// The file named like the key in the secrets directory.
    async fn lookup_secrets_dir(&self, key: &KeySpec, tried: &mut Vec<Lookup>) -> Option<Outcome> {
        let dir = self.secrets_dir?;
        if !names::is_file_name(key.key()) {
            return None;
        }
        let path = dir.join(key.key());
        let source = Source::SecretsDir(path.clone());
        match read_secret_file(path.clone()).await {
            Ok(value) => Some(Outcome::found(value, source, std::mem::take(tried))),
            Err(FileError::Unreadable(file::FileError::NotFound)) => {
                tried.push(Lookup::NoFile(path));
                None
            }
            Err(FileError::NotUnicode) => Some(Outcome::failed(
                ProblemKind::NotUnicode(source),
                std::mem::take(tried),
            )),
            Err(FileError::Unreadable(reason)) => Some(Outcome::failed(
                ProblemKind::UnreadableFile {
                    path,
                    reason: reason.to_string(),
                },
                std::mem::take(tried),
            )),
        }
    }
}

/// The name of the store a check asked, if any, and what each folder listing held.
type StoreNames = (Option<&'static str>, crate::check::Listed);

/// The entries of the `.env` file a load read.
#[derive(Clone, Copy)]
struct DotEnvView<'a> {
    path: &'a Path,
    entries: &'a HashMap<String, dotenv::Entry>,
}

/// The store of one load.
enum ActiveStore {
    Ready(Arc<dyn SecretStore>),
    /// No store: keys say so in their trail.
    NotConfigured,
    /// The store was turned off in code (said once in the provenance), or its configuration
    /// is wrong and was reported: keys skip it without a word in their trail.
    Skipped,
}

/// What the store said about one key's folder.
enum StoreLookup<'a> {
    /// No store is configured: say so in the trail.
    NotConfigured,
    /// The store could not be asked (a configuration problem was reported).
    Skipped,
    Listed {
        store: &'static str,
        folder: Folder,
        listing: &'a mut Result<Listing, StoreError>,
    },
}

enum Outcome {
    Found {
        value: SecretString,
        source: Source,
        tried: Vec<Lookup>,
    },
    Absent {
        tried: Vec<Lookup>,
    },
    Failed {
        kind: ProblemKind,
        tried: Vec<Lookup>,
    },
}

impl Outcome {
    fn found(value: SecretString, source: Source, tried: Vec<Lookup>) -> Self {
        Self::Found {
            value,
            source,
            tried,
        }
    }

    fn failed(kind: ProblemKind, tried: Vec<Lookup>) -> Self {
        Self::Failed { kind, tried }
    }
}

/// Records what the lookup of key `index` came to: a value (unless it is empty and the field
/// does not allow that), an absent optional key, or a problem.
fn settle(
    index: usize,
    key: &KeySpec,
    outcome: Outcome,
    resolved: &mut Resolved,
    provenance: &mut Provenance,
) {
    let (kind, tried) = match outcome {
        Outcome::Found {
            value,
            source,
            tried,
        } => {
            let empty = value.expose_secret().is_empty() && !key.is_empty_allowed();
            if !empty {
                let fingerprint = Fingerprint::of(value.expose_secret());
                let found = Some((source.clone(), fingerprint));
                provenance.push(key.key(), key.field(), found, tried.clone());
                resolved.push(Slot::Value {
                    value,
                    source,
                    tried,
                });
                return;
            }
            if key.is_optional() {
                provenance.push(key.key(), key.field(), None, tried);
                resolved.push(Slot::Absent);
                return;
            }
            (ProblemKind::Empty(source), tried)
        }
        Outcome::Absent { tried } if key.is_optional() => {
            provenance.push(key.key(), key.field(), None, tried);
            resolved.push(Slot::Absent);
            return;
        }
        Outcome::Absent { tried } => (ProblemKind::Missing, tried),
        Outcome::Failed { kind, tried } => (kind, tried),
    };
    resolved.fail(index, Problem::for_key(key.key(), key.field(), kind, tried));
    resolved.push(Slot::Failed);
}

/// Non-UTF-8 bytes of an env var that may still be a secret: wiped when dropped.
struct SecretOs(OsString);

impl Drop for SecretOs {
    fn drop(&mut self) {
        let mut bytes = std::mem::take(&mut self.0).into_encoded_bytes();
        bytes.zeroize();
    }
}

enum FileError {
    NotUnicode,
    Unreadable(file::FileError),
}

/// Reads a secret file (at most [`file::SECRET_FILE_MAX`], off the runtime's threads); a
/// single trailing newline (`\n` or `\r\n`) is dropped, as `echo` and editors add one.
async fn read_secret_file(path: PathBuf) -> Result<SecretString, FileError> {
    let bytes = file::read_off_thread(path, file::SECRET_FILE_MAX)
        .await
        .map_err(FileError::Unreadable)?;
    let mut text = std::str::from_utf8(&bytes).map_err(|_| FileError::NotUnicode)?;
    if let Some(rest) = text.strip_suffix('\n') {
        text = rest.strip_suffix('\r').unwrap_or(rest);
    }
    Ok(SecretString::from(text))
}

/// Re-checks the names of a spec at run time: the derive checks them at compile time, but a
/// hand-written impl could carry anything.
fn check_spec(keys: &[KeySpec], resolved: &mut Resolved) {
    // The first field of each name, so that a collision names both (two flattened groups,
    // say, or a hand-written table).
    let mut seen_env = HashMap::new();
    let mut seen_keys = HashMap::new();
    for key in keys {
        let names = key.env_var().into_iter().chain(key.file_var());
        for name in names {
            if !names::is_env_name(name) {
                resolved.fail_config(Problem::config(format!(
                    "field {}: `{name}` is not a valid env var name",
                    key.field()
                )));
            } else if names::is_reserved(name) {
                resolved.fail_config(Problem::config(format!(
                    "field {}: `{name}` is reserved for the system or the Infisical client",
                    key.field()
                )));
            }
            if let Some(first) = seen_env.insert(name, key.field()) {
                resolved.fail_config(Problem::config(format!(
                    "field {}: env var `{name}` is used by two fields ({first} and {})",
                    key.field(),
                    key.field()
                )));
            }
        }
        if !names::is_store_key(key.key()) {
            resolved.fail_config(Problem::config(format!(
                "field {}: `{}` is not a valid secret key (empty, or holds `/`, `:`, whitespace or control characters)",
                key.field(),
                key.key()
            )));
        }
        if let Some(first) = seen_keys.insert((key.folder(), key.key()), key.field()) {
            resolved.fail_config(Problem::config(format!(
                "field {}: key `{}` is used by two fields of one folder ({first} and {})",
                key.field(),
                key.key(),
                key.field()
            )));
        }
    }
}

/// The folder of `key`: the field's path, else the store's configured path, else the struct's,
/// else `/`; in the store's environment, else the struct's. `None` without an environment.
fn folder_of(spec: &StructSpec, store: &dyn SecretStore, key: &KeySpec) -> Option<Folder> {
    let environment = store.environment().or(spec.default_environment())?;
    let path = key
        .folder()
        .or(store.default_path())
        .or(spec.folder())
        .unwrap_or("/");
    Some(Folder::new(environment, path))
}

/// The distinct valid folders of the struct; a configuration problem for an invalid one, or
/// when no environment is known.
fn folders_of(spec: &StructSpec, store: &dyn SecretStore, resolved: &mut Resolved) -> Vec<Folder> {
    if store.environment().or(spec.default_environment()).is_none() {
        resolved.fail_config(Problem::config(format!(
            "no {} environment: set INFISICAL_ENVIRONMENT or #[secret(environment = \"...\")] on {}",
            store.name(),
            spec.name()
        )));
        return Vec::new();
    }
    let mut folders: Vec<Folder> = spec
        .keys()
        .iter()
        .filter_map(|key| folder_of(spec, store, key))
        .collect();
    folders.sort();
    folders.dedup();
    folders.retain(|folder| {
        let valid =
            names::is_folder_path(folder.path()) && names::is_environment_slug(folder.environment());
        if !valid {
            resolved.fail_config(Problem::config(format!(
                "invalid {} folder `{folder}`: paths are `/` or `/seg/seg` with segments of [A-Za-z0-9_-], environments are lowercase slugs",
                store.name()
            )));
        }
        valid
    });
    folders
}

/// One folder's listing. Keys are taken out of it as they resolve (values move, never copy),
/// so whether the folder was empty is recorded before that.
struct Listing {
    secrets: FolderSecrets,
    was_empty: bool,
}

/// Lists every folder once, all concurrently, telling the store which keys of each the
/// struct wants.
async fn fetch_all(
    spec: &StructSpec,
    store: &dyn SecretStore,
    folders: Vec<Folder>,
) -> BTreeMap<Folder, Result<Listing, StoreError>> {
    let wanted: Vec<Vec<&str>> = folders
        .iter()
        .map(|folder| {
            spec.keys()
                .iter()
                .filter(|key| folder_of(spec, store, key).as_ref() == Some(folder))
                .map(KeySpec::key)
                .collect()
        })
        .collect();
    let results = join_all(
        folders
            .iter()
            .zip(&wanted)
            .map(|(folder, keys)| store.fetch_keys(folder, keys)),
    )
    .await;
    folders
        .into_iter()
        .zip(results)
        .map(|(folder, result)| {
            let result = result
                .map(|secrets| Listing {
                    was_empty: secrets.is_empty(),
                    secrets,
                })
                .map_err(|e| e.with_folder(folder.clone()).with_store(store.name()));
            (folder, result)
        })
        .collect()
}

/// The key names of every listing, each with its import and whether a field of `spec` reads
/// it, for a check; no value.
fn names_of(
    spec: &StructSpec,
    store: &dyn SecretStore,
    listings: &BTreeMap<Folder, Result<Listing, StoreError>>,
) -> crate::check::Listed {
    listings
        .iter()
        .map(|(folder, listing)| {
            let names = listing.as_ref().map_err(Clone::clone).map(|listing| {
                listing
                    .secrets
                    .keys()
                    .map(|name| {
                        let used = spec.keys().iter().any(|key| {
                            key.key() == name
                                && folder_of(spec, store, key).as_ref() == Some(folder)
                        });
                        let import = listing.secrets.get(name).and_then(|s| s.import().cloned());
                        (name.to_owned(), import, used)
                    })
                    .collect()
            });
            (folder.clone(), names)
        })
        .collect()
}
