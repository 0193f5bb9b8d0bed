//! [`Loader`], the public builder of a load: which sources, which options, and the entry
//! points (`load`, `load_with_provenance`, `check`, `watch`, `load_blocking`).
//!
//! The work itself is not generic and lives beside it, compiled once in this crate:
//! `resolve.rs` is the resolution order of one key (store, env, file, default), `plan.rs` the
//! store of a load (which one, its folders, the concurrent fetch), `check.rs` the run-time
//! re-check of a spec's names.

mod check;
mod plan;
mod resolve;

use std::fmt;
use std::marker::PhantomData;
use std::path::PathBuf;
use std::sync::Arc;

use crate::env::Env;
use crate::error::Error;
use crate::infisical::{self, FromEnv};
use crate::live::Watch;
use crate::provenance::Provenance;
use crate::runtime;
use crate::secrets::Secrets;
use crate::store::SecretStore;

use self::plan::StoreChoice;
use self::resolve::Resolver;

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
    /// Everything the resolution reads, owned and without `S`, so that it can be moved onto
    /// the library's own runtime when the caller's cannot serve.
    resolver: Resolver,
    log_provenance: bool,
    marker: PhantomData<fn() -> S>,
}

impl<S> fmt::Debug for Loader<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = &self.resolver;
        let store = match &r.store {
            StoreChoice::FromEnv => "from INFISICAL_* env vars".to_owned(),
            StoreChoice::Disabled => "none".to_owned(),
            StoreChoice::Given(store) => format!("{store:?}"),
        };
        f.debug_struct("Loader")
            .field("env", &r.env)
            .field("secrets_dir", &r.secrets_dir)
            .field("dotenv", &r.dotenv)
            .field("store", &store)
            .field("fallback_on_store_error", &r.fallback_on_store_error)
            .field("require_store", &r.require_store)
            .field("log_provenance", &self.log_provenance)
            .finish()
    }
}

impl<S> Clone for Loader<S> {
    fn clone(&self) -> Self {
        Self {
            resolver: self.resolver.clone(),
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
            resolver: Resolver {
                env: Env::process(),
                secrets_dir: None,
                dotenv: None,
                store: StoreChoice::FromEnv,
                fallback_on_store_error: false,
                require_store: false,
            },
            log_provenance: false,
            marker: PhantomData,
        }
    }

    /// Reads env vars (and the `INFISICAL_*` configuration) from `env` instead of the process
    /// environment.
    #[must_use]
    pub fn env(mut self, env: Env) -> Self {
        self.resolver.env = env;
        self
    }

    /// Also looks for a file named like the key in `dir` (a Kubernetes secret volume, the
    /// Infisical agent's output), after the env var and its `_FILE` variable.
    #[must_use]
    pub fn secrets_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.resolver.secrets_dir = Some(dir.into());
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
        self.resolver.dotenv = Some(path.into());
        self
    }

    /// Uses `store` as the first source instead of Infisical configured from env vars: an
    /// [`InfisicalClient`](crate::InfisicalClient) (share one client between loads to share
    /// its login) or any other [`SecretStore`].
    #[must_use]
    pub fn store(mut self, store: impl SecretStore + 'static) -> Self {
        self.resolver.store = StoreChoice::Given(Arc::new(store));
        self
    }

    /// Uses the Infisical client `client` as the first source. Share one client between loads
    /// to share its login.
    #[deprecated(note = "renamed to `store`: an `InfisicalClient` is a `SecretStore`")]
    #[must_use]
    pub fn infisical(self, client: crate::InfisicalClient) -> Self {
        self.store(client)
    }

    /// Uses no secret store at all, whatever the env vars say.
    #[must_use]
    pub fn without_store(mut self) -> Self {
        self.resolver.store = StoreChoice::Disabled;
        self
    }

    /// When the store fails for a folder (outage, forbidden, auth failure, deadline), fall back
    /// to env vars, files and defaults for every key of it instead of failing closed. The
    /// provenance says which fallback happened and why.
    #[must_use]
    pub fn fallback_on_store_error(mut self, fallback: bool) -> Self {
        self.resolver.fallback_on_store_error = fallback;
        self
    }

    /// Makes a missing secret store a problem: with no `INFISICAL_*` configuration the load
    /// fails, naming the variables to set, instead of starting from env vars, files and
    /// defaults. For production, where a service whose Infisical variables went missing must
    /// not start on whatever the environment holds.
    #[must_use]
    pub fn require_store(mut self) -> Self {
        self.resolver.require_store = true;
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
        if let StoreChoice::FromEnv = self.resolver.store
            && let FromEnv::Ready(client) = infisical::from_env(&self.resolver.env)
        {
            pinned.resolver.store = StoreChoice::Given(Arc::new(client));
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
            self.resolver.resolve(S::SPEC).await
        } else {
            // Not polled by a Tokio runtime with IO and time: the lookups run on the
            // library's own runtime, and this future only waits for them.
            let resolver = self.resolver.clone();
            let task = runtime::spawn(async move { resolver.resolve(S::SPEC).await });
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
    /// folders that no field uses (see [`CheckReport::stale`](crate::check::CheckReport::stale)),
    /// and writes the store's key names for a manifest.
    pub async fn check(&self) -> crate::check::CheckReport {
        let (resolved, provenance, (store, listed)) = self.resolver.resolve_listed(S::SPEC).await;
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
}
