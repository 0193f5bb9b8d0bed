//! Live secrets: reload on an interval and swap in a new set only when all of it is valid
//! ([`Watch`], [`Live`]), with the history of each key ([`KeyHistory`]).

// A little over 500 lines, most of them the doc examples of the three public types; the
// refresher stays with them, and what follows a failed refresh is `live/retry.rs`.

use std::fmt;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use futures_util::FutureExt as _;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::error::Error;
use crate::loader::Loader;
use crate::provenance::{Provenance, ProvenanceEntry};
use crate::secrets::Secrets;

use self::retry::{backoff, jittered, retry_after, same_failure};

mod retry;

/// Reloads on every interval, with jitter, and swaps in a new set only when the whole struct
/// resolves. Built by [`Loader::watch`] or [`Secrets::watch`].
///
/// An interval under one second is taken as one second: a watch is a
/// background refresh, not a poll loop, and clamping keeps `watch` infallible rather than
/// turning a typo such as `Duration::ZERO` into an error (or into hundreds of requests a
/// second to the store).
///
/// Each refresh lists every folder of the struct at the same time, and each folder is seen as
/// it was when the server read it: Infisical has no snapshot across folders, so a rotation that
/// writes two folders can be seen half done by one refresh and whole by the next. Keep secrets
/// that must change together in one folder.
///
/// ```no_run
/// # #[cfg(feature = "derive")] {
/// use std::time::Duration;
/// use secrets_core::{SecretString, Secrets};
///
/// #[derive(Secrets)]
/// struct AppSecrets {
///     database_url: SecretString,
/// }
///
/// # async fn run() -> Result<(), secrets_core::Error> {
/// let mut live = AppSecrets::loader()
///     .watch(Duration::from_secs(60))
///     .jitter(0.2)
///     .max_backoff(Duration::from_secs(300))
///     .start()
///     .await?;
/// let secrets = live.current();           // a cheap Arc snapshot
/// live.changed().await;                   // a new, fully valid set is in place
/// # drop(secrets); Ok(()) }
/// # }
/// ```
#[must_use = "a watch does nothing until started"]
pub struct Watch<S> {
    loader: Loader<S>,
    interval: Duration,
    jitter: f64,
    max_backoff: Duration,
    on_failure: Option<FailureHook>,
}

/// The shortest refresh interval: shorter ones given to `watch` are taken as this.
pub(crate) const MIN_INTERVAL: Duration = Duration::from_secs(1);

/// Called with the report of a failed refresh, once per change of failure state.
type FailureHook = Arc<dyn Fn(&Error) + Send + Sync>;

impl<S> fmt::Debug for Watch<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Watch")
            .field("loader", &self.loader)
            .field("interval", &self.interval)
            .field("jitter", &self.jitter)
            .field("max_backoff", &self.max_backoff)
            .field("on_failure", &self.on_failure.as_ref().map(|_| ".."))
            .finish()
    }
}

impl<S: Secrets + Send + Sync + 'static> Watch<S> {
    pub(crate) fn new(loader: Loader<S>, interval: Duration) -> Self {
        Self {
            loader,
            interval: interval.max(MIN_INTERVAL),
            jitter: 0.1,
            max_backoff: Duration::from_mins(5),
            on_failure: None,
        }
    }

    /// Calls `hook` when a refresh fails, with the full report (which holds no value), once per
    /// change of failure state: not again while the same problems repeat. Use it to raise an
    /// alert or bump a metric; the last good set stays in place either way, and the failure is
    /// also logged at `warn` level.
    ///
    /// Failures are the same when they fail the same keys and folders in the same way (the
    /// kind, HTTP status and Infisical error name of each store error), whatever their
    /// messages say: every Infisical error carries a fresh `reqId`, which the report keeps.
    ///
    /// The hook is called once more, with [`Error::WatchStopped`], if the refresh task stops
    /// (see [`Live::is_stopped`]).
    ///
    /// The hook takes the [`Error`] by reference; its [`Display`](std::fmt::Display) is one
    /// line, [`Error::report`] holds every problem:
    ///
    /// ```
    /// # #[cfg(feature = "derive")] {
    /// use std::time::Duration;
    /// use secrets_core::{Env, Error, SecretString, Secrets};
    ///
    /// #[derive(Secrets)]
    /// struct AppSecrets {
    ///     api_key: SecretString,
    /// }
    ///
    /// fn alert(error: &Error) {
    ///     eprintln!("secrets refresh failed: {error}");
    /// }
    ///
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// let live = AppSecrets::loader()
    ///     .env(Env::from_pairs([("API_KEY", "key")]))
    ///     .watch(Duration::from_mins(5))
    ///     .on_failure(|error| alert(error))
    ///     .start()
    ///     .await?;
    /// # drop(live);
    /// # Ok::<(), Error>(())
    /// # }).unwrap();
    /// # }
    /// ```
    pub fn on_failure(mut self, hook: impl Fn(&Error) + Send + Sync + 'static) -> Self {
        self.on_failure = Some(Arc::new(hook));
        self
    }

    /// Spreads each wait by up to `fraction` of it either way (default 0.1), so a fleet does not
    /// refresh in lockstep. Clamped to `0.0..=1.0`.
    pub fn jitter(mut self, fraction: f64) -> Self {
        self.jitter = if fraction.is_nan() {
            0.0
        } else {
            fraction.clamp(0.0, 1.0)
        };
        self
    }

    /// The longest wait between retries while refreshes keep failing (default 5 minutes). A
    /// value under one second is taken as one second, like the interval: a failing store is
    /// not asked again in a loop.
    pub fn max_backoff(mut self, max: Duration) -> Self {
        self.max_backoff = max.max(MIN_INTERVAL);
        self
    }

    /// Loads once, exactly like [`Loader::load`] (failing with the full report), then keeps
    /// refreshing in a background task until the returned [`Live`] is dropped.
    ///
    /// # Errors
    /// The report of the first load.
    pub async fn start(self) -> Result<Live<S>, Error> {
        let loader = self.loader.pinned();
        let (secrets, provenance) = loader.load_with_provenance().await?;
        let now = SystemTime::now();
        let history = provenance
            .entries()
            .iter()
            .map(|entry| KeyHistory::first(entry, now))
            .collect();
        let snapshot = Snapshot {
            secrets: Arc::new(secrets),
            provenance: Arc::new(provenance),
            history: Arc::new(history),
            version: 1,
        };
        let (tx, rx) = watch::channel(snapshot);
        let status = Arc::new(Mutex::new(Status::default()));
        let refresher = Refresher {
            loader,
            interval: self.interval,
            jitter: self.jitter,
            max_backoff: self.max_backoff,
            on_failure: self.on_failure,
            status: Arc::clone(&status),
        };
        // The first refresh is due one interval after this load, however late the task starts.
        let first_due = crate::time::after(jittered(self.interval, self.jitter));
        let task = crate::runtime::spawn(refresher.supervise(tx, first_due));
        Ok(Live { rx, status, task })
    }
}

/// Secrets that refresh in the background. Dropping it stops the refresh task.
///
/// ```
/// # #[cfg(feature = "derive")] {
/// use std::time::Duration;
/// use secrets_core::{Env, ExposeSecret, SecretString, Secrets};
///
/// #[derive(Secrets)]
/// struct AppSecrets {
///     api_key: SecretString,
/// }
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let live = AppSecrets::loader()
///     .env(Env::from_pairs([("API_KEY", "key-1")]))
///     .without_store()
///     .watch(Duration::from_mins(5))
///     .start()
///     .await
///     .unwrap();
/// // A snapshot: cheap, and valid however long it is held.
/// let secrets = live.current();
/// assert_eq!(secrets.api_key.expose_secret(), "key-1");
/// assert_eq!(live.version(), 1);
/// // `live.changed().await` wakes when a refresh put a new set in place.
/// # });
/// # }
/// ```
#[derive(Debug)]
pub struct Live<S> {
    rx: watch::Receiver<Snapshot<S>>,
    status: Arc<Mutex<Status>>,
    task: JoinHandle<()>,
}

impl<S> Live<S> {
    /// The current set: a cheap snapshot that stays valid however long you hold it.
    #[must_use]
    pub fn current(&self) -> Arc<S> {
        Arc::clone(&self.rx.borrow().secrets)
    }

    /// Where each key of the current set came from.
    #[must_use]
    pub fn provenance(&self) -> Arc<Provenance> {
        Arc::clone(&self.rx.borrow().provenance)
    }

    /// When each key last changed source or value, with a revision count; no value.
    #[must_use]
    pub fn history(&self) -> Arc<Vec<KeyHistory>> {
        Arc::clone(&self.rx.borrow().history)
    }

    /// How many sets have been in place: 1 after the first load, one more per change.
    #[must_use]
    pub fn version(&self) -> u64 {
        self.rx.borrow().version
    }

    /// Waits until a new, fully valid set is in place (not for refreshes that changed nothing),
    /// or until the watch stops ([`is_stopped`](Self::is_stopped)): that wakes it once, after
    /// which it never returns.
    pub async fn changed(&mut self) {
        if self.rx.changed().await.is_err() {
            // The refresh task is gone and its last word was seen: no change will come.
            std::future::pending::<()>().await;
        }
    }

    /// Whether the background refresh has stopped for good, which only happens when a refresh
    /// panics (in a conversion, a custom store or the failure hook). The last good set stays
    /// in place, [`last_error`](Self::last_error) holds an [`Error::WatchStopped`] saying why,
    /// the failure hook was called with it and [`changed`](Self::changed) woke; build a new
    /// watch to refresh again. Dropping the handle also stops the task, but that needs no
    /// telling.
    #[must_use]
    pub fn is_stopped(&self) -> bool {
        self.status
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .stopped
    }

    /// Why the last refresh failed, while refreshes keep failing; `None` once one succeeds.
    /// Once the watch has stopped, why it stopped ([`Error::WatchStopped`]).
    #[must_use]
    pub fn last_error(&self) -> Option<Error> {
        self.status
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .last_error
            .clone()
    }

    /// How many refreshes have run, successful or not.
    #[must_use]
    pub fn refreshes(&self) -> u64 {
        self.status
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .refreshes
    }
}

impl<S> Drop for Live<S> {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// When one key last changed its source or its value.
///
/// ```
/// # #[cfg(feature = "derive")] {
/// use std::time::Duration;
/// use secrets_core::{Env, ExposeSecret, SecretString, Secrets};
///
/// #[derive(Secrets)]
/// struct AppSecrets {
///     api_key: SecretString,
/// }
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let live = AppSecrets::loader()
///     .env(Env::from_pairs([("API_KEY", "key-1")]))
///     .without_store()
///     .watch(Duration::from_mins(5))
///     .start()
///     .await
///     .unwrap();
/// let history = live.history();
/// assert_eq!(history[0].key(), "API_KEY");
/// assert_eq!(history[0].revision(), 1);
/// # });
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct KeyHistory {
    entry: ProvenanceEntry,
    revision: u64,
    changed_at: SystemTime,
}

impl KeyHistory {
    fn first(entry: &ProvenanceEntry, at: SystemTime) -> Self {
        Self {
            entry: entry.clone(),
            revision: 1,
            changed_at: at,
        }
    }

    /// The key.
    #[must_use]
    pub fn key(&self) -> &str {
        self.entry.key()
    }

    /// The key's current provenance: its field, source and value fingerprint.
    #[must_use]
    pub fn entry(&self) -> &ProvenanceEntry {
        &self.entry
    }

    /// 1 for the first value, one more per change of source or value.
    #[must_use]
    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// When the key last changed (or was first loaded).
    #[must_use]
    pub fn changed_at(&self) -> SystemTime {
        self.changed_at
    }

    fn is_same(&self, entry: &ProvenanceEntry) -> bool {
        self.entry.source() == entry.source() && self.entry.fingerprint() == entry.fingerprint()
    }
}

#[derive(Debug)]
struct Snapshot<S> {
    secrets: Arc<S>,
    provenance: Arc<Provenance>,
    history: Arc<Vec<KeyHistory>>,
    version: u64,
}

#[derive(Debug, Default)]
struct Status {
    last_error: Option<Error>,
    refreshes: u64,
    stopped: bool,
}

struct Refresher<S> {
    loader: Loader<S>,
    interval: Duration,
    jitter: f64,
    max_backoff: Duration,
    on_failure: Option<FailureHook>,
    status: Arc<Mutex<Status>>,
}

impl<S: Secrets + Send + Sync + 'static> Refresher<S> {
    /// Runs the refreshes; if they ever end (a panic in a conversion, a custom store or the
    /// hook), says so on the handle instead of leaving it to wait for changes that never come.
    async fn supervise(self, tx: watch::Sender<Snapshot<S>>, first_due: Instant) {
        let name = S::SPEC.name();
        let status = Arc::clone(&self.status);
        let hook = self.on_failure.clone();
        // The panic's own message is left to the panic hook (stderr by default): it comes from
        // code we do not control and may quote a value.
        let why = match AssertUnwindSafe(self.run(&tx, first_due))
            .catch_unwind()
            .await
        {
            Ok(()) => "the refresh task ended",
            Err(_) => "a refresh panicked (see the panic message)",
        };
        let error = Error::WatchStopped(format!(
            "{why}; the last good set stays in place and is no longer refreshed"
        ));
        {
            let mut status = status.lock().unwrap_or_else(PoisonError::into_inner);
            status.last_error = Some(error.clone());
            status.stopped = true;
        }
        tracing::error!(target: "secrets_core", secrets = name, "{error}");
        if let Some(hook) = &hook {
            // A hook that panics again must not hide the stop from `changed()`.
            let _ = std::panic::catch_unwind(AssertUnwindSafe(|| hook(&error)));
        }
        // Wakes `changed()` once; the sender dropped next keeps it asleep from then on.
        tx.send_modify(|_| {});
    }

    async fn run(self, tx: &watch::Sender<Snapshot<S>>, first_due: Instant) {
        let name = S::SPEC.name();
        let mut failures: u32 = 0;
        let mut due = first_due;
        loop {
            tokio::time::sleep_until(due).await;
            let outcome = self.loader.load_with_provenance().await;
            let mut status = self.status.lock().unwrap_or_else(PoisonError::into_inner);
            status.refreshes += 1;
            match outcome {
                Ok((secrets, provenance)) => {
                    if status.last_error.take().is_some() {
                        tracing::info!(target: "secrets_core", secrets = name, "refresh recovered");
                    }
                    drop(status);
                    failures = 0;
                    due = crate::time::after(jittered(self.interval, self.jitter));
                    tx.send_if_modified(|current| swap_if_changed(current, secrets, provenance));
                }
                Err(error) => {
                    failures = failures.saturating_add(1);
                    let retry_after = retry_after(&error);
                    let same = status
                        .last_error
                        .as_ref()
                        .is_some_and(|last| same_failure(last, &error));
                    status.last_error = Some(error.clone());
                    // The hook runs without the lock: it may well ask the handle for the error.
                    drop(status);
                    if !same {
                        tracing::warn!(
                            target: "secrets_core",
                            secrets = name,
                            "refresh failed, keeping the last good set: {error}"
                        );
                        if let Some(hook) = &self.on_failure {
                            hook(&error);
                        }
                    }
                    let wait = backoff(self.interval, failures, self.max_backoff).max(retry_after);
                    due = crate::time::after(jittered(wait, self.jitter));
                }
            }
        }
    }
}

/// Puts the new set in place if any key changed source or value; says whether it did.
fn swap_if_changed<S>(current: &mut Snapshot<S>, secrets: S, provenance: Provenance) -> bool {
    let now = SystemTime::now();
    let mut changed = false;
    let history: Vec<KeyHistory> = provenance
        .entries()
        .iter()
        .map(|entry| {
            let before = current.history.iter().find(|h| h.key() == entry.key());
            match before {
                Some(h) if h.is_same(entry) => h.clone(),
                _ => {
                    changed = true;
                    let revision = before.map_or(1, |h| h.revision + 1);
                    let from = entry
                        .source()
                        .map_or_else(|| "nowhere".to_owned(), ToString::to_string);
                    tracing::info!(
                        target: "secrets_core",
                        "{} (field {}) changed, now from {from} (revision {revision})",
                        entry.key(),
                        entry.field()
                    );
                    KeyHistory {
                        revision,
                        ..KeyHistory::first(entry, now)
                    }
                }
            }
        })
        .collect();
    if changed {
        *current = Snapshot {
            secrets: Arc::new(secrets),
            provenance: Arc::new(provenance),
            history: Arc::new(history),
            version: current.version + 1,
        };
    }
    changed
}
