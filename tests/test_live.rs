//! Live secrets over a store whose values change under the process: rotation, invalid
//! refreshes, outages, and the background task's life. Time is paused and advanced by hand.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use secrets_core::{
    Env, ExposeSecret, SecretString, Secrets,
    store::{
        BoxFuture, Folder, FolderSecrets, SecretStore, StoreError, StoreErrorKind, StoredSecret,
    },
};

/// A store whose folder `prod:/` holds whatever the test puts in it; it can be taken down.
#[derive(Debug, Clone, Default)]
struct RotatingStore {
    values: Arc<Mutex<HashMap<&'static str, &'static str>>>,
    down: Arc<Mutex<Option<StoreErrorKind>>>,
    fetches: Arc<AtomicUsize>,
}

impl RotatingStore {
    fn set(&self, key: &'static str, value: &'static str) {
        self.values.lock().unwrap().insert(key, value);
    }

    fn fetches(&self) -> usize {
        self.fetches.load(Ordering::SeqCst)
    }
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
            self.fetches.fetch_add(1, Ordering::SeqCst);
            if let Some(kind) = *self.down.lock().unwrap() {
                return Err(StoreError::new(kind, "Something went wrong").with_status(503));
            }
            let mut listing = FolderSecrets::new();
            for (key, value) in self.values.lock().unwrap().iter() {
                listing.insert(*key, StoredSecret::value(SecretString::from(*value)));
            }
            Ok(listing)
        })
    }
}

#[derive(Secrets)]
struct Rotating {
    api_key: SecretString,
    port: u16,
}

const INTERVAL: Duration = Duration::from_mins(1);

async fn start(store: &RotatingStore) -> secrets_core::Live<Rotating> {
    Rotating::loader()
        .store(store.clone())
        .env(Env::from_pairs::<&str, &str>([]))
        .watch(INTERVAL)
        .jitter(0.0)
        .start()
        .await
        .unwrap()
}

/// Lets the refresh task run up to its next sleep after the clock moved.
async fn advance(by: Duration) {
    tokio::time::advance(by).await;
    for _ in 0..10 {
        tokio::task::yield_now().await;
    }
}

#[tokio::test(start_paused = true)]
async fn a_rotated_value_is_picked_up_within_one_interval() {
    let store = RotatingStore::default();
    store.set("API_KEY", "key-1");
    store.set("PORT", "8080");
    let mut live = start(&store).await;
    assert_eq!(live.current().api_key.expose_secret(), "key-1");
    assert_eq!(live.version(), 1);

    store.set("API_KEY", "key-2");
    advance(INTERVAL).await;
    tokio::time::timeout(Duration::from_secs(1), live.changed())
        .await
        .expect("a change");
    assert_eq!(live.current().api_key.expose_secret(), "key-2");
    assert_eq!(live.version(), 2);
    let history = live.history();
    let api = history.iter().find(|h| h.key() == "API_KEY").unwrap();
    let port = history.iter().find(|h| h.key() == "PORT").unwrap();
    assert_eq!((api.revision(), port.revision()), (2, 1));
}

#[tokio::test(start_paused = true)]
async fn a_refresh_that_changes_nothing_wakes_nobody() {
    let store = RotatingStore::default();
    store.set("API_KEY", "key-1");
    store.set("PORT", "8080");
    let mut live = start(&store).await;
    for _ in 0..3 {
        advance(INTERVAL).await;
    }
    assert_eq!(live.refreshes(), 3);
    assert_eq!(live.version(), 1);
    assert!(
        tokio::time::timeout(Duration::from_millis(1), live.changed())
            .await
            .is_err()
    );
}

#[tokio::test(start_paused = true)]
async fn an_invalid_refresh_keeps_the_last_good_set_and_reports() {
    let store = RotatingStore::default();
    store.set("API_KEY", "key-1");
    store.set("PORT", "8080");
    let live = start(&store).await;
    let held = live.current();

    store.set("API_KEY", "key-2");
    store.set("PORT", "eighty");
    advance(INTERVAL).await;
    assert_eq!(
        live.current().api_key.expose_secret(),
        "key-1",
        "no half-valid set"
    );
    assert!(Arc::ptr_eq(&held, &live.current()));
    let error = live.last_error().expect("the failed refresh is exposed");
    assert!(
        error.to_string().contains("invalid PORT (field port)"),
        "{error}"
    );
    assert!(!error.to_string().contains("key-2"));

    store.set("PORT", "9090");
    advance(INTERVAL).await;
    assert!(live.last_error().is_none());
    assert_eq!(live.current().api_key.expose_secret(), "key-2");
    assert_eq!(live.current().port, 9090);
}

#[tokio::test(start_paused = true)]
async fn an_outage_backs_off_and_recovers() {
    let store = RotatingStore::default();
    store.set("API_KEY", "key-1");
    store.set("PORT", "8080");
    let live = start(&store).await;
    *store.down.lock().unwrap() = Some(StoreErrorKind::Server);

    // Ten minutes of outage: backoff from 6 s doubling to the 5-minute cap, not one try a second.
    advance(INTERVAL).await;
    let fetches_at_outage = store.fetches();
    for _ in 0..600 {
        advance(Duration::from_secs(1)).await;
    }
    let during = store.fetches() - fetches_at_outage;
    assert!(
        (4..=8).contains(&during),
        "{during} fetches in ten minutes of outage"
    );
    assert_eq!(live.current().api_key.expose_secret(), "key-1");
    assert!(
        live.last_error()
            .unwrap()
            .to_string()
            .contains("answered 503")
    );

    *store.down.lock().unwrap() = None;
    store.set("API_KEY", "key-2");
    advance(Duration::from_secs(301)).await;
    assert!(live.last_error().is_none());
    assert_eq!(live.current().api_key.expose_secret(), "key-2");
}

#[tokio::test(start_paused = true)]
async fn dropping_the_handle_stops_the_refresh_task() {
    let store = RotatingStore::default();
    store.set("API_KEY", "key-1");
    store.set("PORT", "8080");
    let live = start(&store).await;
    advance(INTERVAL).await;
    let before = store.fetches();
    drop(live);
    advance(INTERVAL * 10).await;
    assert_eq!(store.fetches(), before);
}

#[tokio::test]
async fn the_first_load_fails_fast_with_the_full_report() {
    let store = RotatingStore::default();
    let err = Rotating::loader()
        .store(store)
        .env(Env::from_pairs::<&str, &str>([]))
        .watch(INTERVAL)
        .start()
        .await
        .unwrap_err();
    assert_eq!(err.problems().len(), 2);
}

#[tokio::test(start_paused = true)]
async fn the_failure_hook_runs_once_per_change_of_state() {
    let store = RotatingStore::default();
    store.set("API_KEY", "key-1");
    store.set("PORT", "8080");
    let calls = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&calls);
    let live = Rotating::loader()
        .store(store.clone())
        .env(Env::from_pairs::<&str, &str>([]))
        .watch(INTERVAL)
        .jitter(0.0)
        .on_failure(move |error| seen.lock().unwrap().push(error.to_string()))
        .start()
        .await
        .unwrap();

    store.set("PORT", "eighty");
    advance(INTERVAL).await;
    advance(INTERVAL).await;
    advance(INTERVAL).await;
    assert_eq!(
        calls.lock().unwrap().len(),
        1,
        "the same problem is reported once"
    );
    store.values.lock().unwrap().remove("API_KEY");
    advance(INTERVAL).await;
    let calls = calls.lock().unwrap().clone();
    assert_eq!(calls.len(), 2, "a new problem is reported again");
    assert!(calls[0].contains("invalid PORT (field port)"));
    assert!(calls[1].contains("missing API_KEY (field api_key)"));
    assert!(!calls.concat().contains("eighty"));
    drop(live);
}

#[test]
fn watch_is_one_call_on_the_struct() {
    // `AppSecrets::watch(interval)` reads the process environment, which tests leave alone:
    // this only proves the call the README shows type-checks and yields a `Live` handle.
    fn returns_live<
        F: Future<Output = Result<secrets_core::Live<Rotating>, secrets_core::Error>> + Send,
    >(
        _: F,
    ) {
    }
    returns_live(Rotating::watch(INTERVAL));
}

/// A store that lists `API_KEY` and `PORT` once, then panics on every later fetch: a bug in a
/// custom store, reached only by the refresh task.
#[derive(Debug, Default)]
struct PanicsAfterFirstFetch {
    fetches: AtomicUsize,
}

impl SecretStore for PanicsAfterFirstFetch {
    fn name(&self) -> &'static str {
        "buggy store"
    }

    fn environment(&self) -> Option<&str> {
        Some("prod")
    }

    fn fetch<'a>(
        &'a self,
        _folder: &'a Folder,
    ) -> BoxFuture<'a, Result<FolderSecrets, StoreError>> {
        Box::pin(async move {
            assert!(
                self.fetches.fetch_add(1, Ordering::SeqCst) == 0,
                "the store's own bug"
            );
            let mut listing = FolderSecrets::new();
            listing.insert("API_KEY", StoredSecret::value(SecretString::from("key-1")));
            listing.insert("PORT", StoredSecret::value(SecretString::from("8080")));
            Ok(listing)
        })
    }
}

#[tokio::test(start_paused = true)]
async fn a_refresh_task_that_dies_says_so() {
    let calls = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&calls);
    let mut live = Rotating::loader()
        .store(PanicsAfterFirstFetch::default())
        .env(Env::from_pairs::<&str, &str>([]))
        .watch(INTERVAL)
        .jitter(0.0)
        .on_failure(move |error| seen.lock().unwrap().push(error.to_string()))
        .start()
        .await
        .unwrap();
    assert!(!live.is_stopped());
    let held = live.current();

    advance(INTERVAL).await;
    tokio::time::timeout(Duration::from_secs(1), live.changed())
        .await
        .expect("changed() wakes when the watch stops");
    assert!(live.is_stopped());
    let error = live.last_error().expect("the stop is reported");
    assert!(
        matches!(error, secrets_core::Error::WatchStopped(_)),
        "{error:?}"
    );
    let shown = error.to_string();
    assert!(shown.contains("watch stopped"), "{shown}");
    assert!(shown.contains("panicked"), "{shown}");
    assert_eq!(*calls.lock().unwrap(), [shown]);
    // The last good set stays; nothing changes and nothing wakes any more.
    assert!(Arc::ptr_eq(&held, &live.current()));
    assert_eq!(live.version(), 1);
    advance(INTERVAL * 3).await;
    assert!(
        tokio::time::timeout(Duration::from_secs(1), live.changed())
            .await
            .is_err()
    );
    assert!(live.last_error().is_some());
}

#[tokio::test(start_paused = true)]
async fn a_failure_hook_that_panics_stops_the_watch_and_says_so() {
    let store = RotatingStore::default();
    store.set("API_KEY", "key-1");
    store.set("PORT", "8080");
    let calls = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&calls);
    let mut live = Rotating::loader()
        .store(store.clone())
        .env(Env::from_pairs::<&str, &str>([]))
        .watch(INTERVAL)
        .jitter(0.0)
        .on_failure(move |_| {
            seen.fetch_add(1, Ordering::SeqCst);
            panic!("the hook's own bug");
        })
        .start()
        .await
        .unwrap();

    store.set("PORT", "eighty");
    advance(INTERVAL).await;
    tokio::time::timeout(Duration::from_secs(1), live.changed())
        .await
        .expect("changed() wakes when the watch stops");
    assert!(live.is_stopped());
    assert!(
        live.last_error()
            .unwrap()
            .to_string()
            .contains("watch stopped")
    );
    // Once for the failed refresh, once for the stop (that panic is contained).
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    let fetches = store.fetches();
    advance(INTERVAL * 3).await;
    assert_eq!(store.fetches(), fetches, "no refresh after the stop");
}

#[tokio::test(start_paused = true)]
async fn a_zero_max_backoff_still_waits_a_second_between_failed_refreshes() {
    let store = RotatingStore::default();
    store.set("API_KEY", "key-1");
    store.set("PORT", "8080");
    let live = Rotating::loader()
        .store(store.clone())
        .env(Env::from_pairs::<&str, &str>([]))
        .watch(Duration::ZERO)
        .jitter(0.0)
        .max_backoff(Duration::ZERO)
        .start()
        .await
        .unwrap();
    *store.down.lock().unwrap() = Some(StoreErrorKind::Server);
    let before = store.fetches();
    for _ in 0..10 {
        advance(Duration::from_secs(1)).await;
    }
    // One refresh a second, not as many as the store can answer.
    let during = store.fetches() - before;
    assert!(
        (5..=11).contains(&during),
        "{during} fetches in ten seconds"
    );
    assert!(live.last_error().is_some());
}
