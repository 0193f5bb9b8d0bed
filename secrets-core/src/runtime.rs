//! Where the library's Tokio work runs: the caller's runtime when it can serve it, else one
//! process-wide runtime of the library's own.
//!
//! The Infisical client's requests need Tokio's IO driver and its deadlines and retries need
//! the time driver; the watch's refresh task needs both. A caller may poll `load()` from
//! another executor (`futures::executor::block_on`, pollster), from no runtime at all, or from
//! a Tokio runtime built without `enable_io`/`enable_time`, where that work would panic.
//! Tokio has no public "are IO and time enabled" query, so each runtime is probed once (see
//! [`serves`]) and the answer kept by runtime id.

use std::cell::Cell;
use std::collections::HashMap;
use std::future::Future;
use std::panic::{self, PanicHookInfo};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use tokio::runtime::{Handle, Id};
use tokio::task::JoinHandle;

/// The runtime the library's work runs on from here: the current Tokio runtime when it has
/// IO and time enabled, else the library's own.
pub(crate) fn handle() -> Handle {
    match Handle::try_current() {
        Ok(current) if serves(&current) => current,
        _ => library().clone(),
    }
}

/// Whether the work can run right where it is polled: on a Tokio runtime with IO and time.
pub(crate) fn is_current_usable() -> bool {
    Handle::try_current().is_ok_and(|current| serves(&current))
}

/// Spawns `future` on [`handle`].
pub(crate) fn spawn<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    handle().spawn(future)
}

/// Whether `current` (the runtime this thread is in) has IO and time enabled. Probed once per
/// runtime: creating a timer and registering a socket panic without their driver. That panic
/// is caught here, and kept from the panic hook (the hook in place is still called for every
/// other panic, on every thread).
fn serves(current: &Handle) -> bool {
    static SEEN: OnceLock<Mutex<HashMap<Id, bool>>> = OnceLock::new();
    let seen = SEEN.get_or_init(Mutex::default);
    let id = current.id();
    let mut seen = seen.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(known) = seen.get(&id) {
        return *known;
    }
    let enabled = quietly(|| {
        drop(tokio::time::sleep(std::time::Duration::ZERO));
        // Loopback only, never sent on: a socket registered with the IO driver and dropped.
        std::net::UdpSocket::bind((std::net::Ipv4Addr::LOCALHOST, 0))
            .and_then(|socket| {
                socket.set_nonblocking(true)?;
                tokio::net::UdpSocket::from_std(socket)
            })
            .is_ok()
    })
    .unwrap_or(false);
    seen.insert(id, enabled);
    enabled
}

thread_local! {
    static PROBING: Cell<bool> = const { Cell::new(false) };
}

/// Runs `probe`, catching its panic without reporting it: the panic hook is wrapped for the
/// time of the probe so that it skips panics of this thread and passes on all others, then
/// put back. Callers hold the `SEEN` lock, so probes never overlap.
fn quietly<T>(probe: impl FnOnce() -> T + panic::UnwindSafe) -> Option<T> {
    let previous: Arc<dyn Fn(&PanicHookInfo<'_>) + Send + Sync> = Arc::from(panic::take_hook());
    let forward = Arc::clone(&previous);
    panic::set_hook(Box::new(move |info| {
        if !PROBING.with(Cell::get) {
            forward(info);
        }
    }));
    PROBING.with(|probing| probing.set(true));
    let result = panic::catch_unwind(probe).ok();
    PROBING.with(|probing| probing.set(false));
    drop(panic::take_hook());
    panic::set_hook(Box::new(move |info| previous(info)));
    result
}

/// The library's own runtime: one background thread, current-thread scheduler, IO and time
/// enabled, started on first use and kept for the life of the process.
fn library() -> &'static Handle {
    static LIBRARY: OnceLock<Handle> = OnceLock::new();
    LIBRARY.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .thread_name("secrets-core")
            .build()
            .expect("the library's Tokio runtime could not start");
        let handle = runtime.handle().clone();
        std::thread::Builder::new()
            .name("secrets-core-runtime".to_owned())
            .spawn(move || runtime.block_on(std::future::pending::<()>()))
            .expect("the library's runtime thread could not start");
        handle
    })
}

/// Runs `future` to completion on a new thread with its own current-thread runtime, blocking
/// this one: for a plain `fn main()`, and safe inside an async context too, where blocking on
/// the caller's own runtime would panic or deadlock.
pub(crate) fn block_on<F>(future: F) -> F::Output
where
    F: Future + Send,
    F::Output: Send,
{
    std::thread::scope(|scope| {
        let thread = std::thread::Builder::new()
            .name("secrets-core-load".to_owned())
            .spawn_scoped(scope, || {
                tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("a Tokio runtime for the blocking load could not start")
                    .block_on(future)
            })
            .expect("the blocking load's thread could not start");
        thread
            .join()
            .unwrap_or_else(|payload| panic::resume_unwind(payload))
    })
}
