//! The startup deadline of each fetch, and the groups of overlapping fetches: the folders of
//! one load share a deadline, and a failed login is not tried again by the rest of its group.

use std::sync::{Mutex, PoisonError};

use tokio::time::Instant;

use super::InfisicalClient;

impl InfisicalClient {
    /// Registers a fetch with its own startup deadline, in the current group of overlapping
    /// fetches (which share a failed login and a read of the token file), starting a new group
    /// when no other fetch is running. The folders of one load start together, so they get
    /// the same deadline.
    pub(super) fn begin(&self) -> LoadGuard<'_> {
        let mut loads = self
            .inner
            .loads
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if loads.in_flight == 0 {
            loads.current += 1;
        }
        loads.in_flight += 1;
        LoadGuard {
            loads: &self.inner.loads,
            load: Load {
                id: loads.current,
                deadline: crate::time::after(self.inner.transport.settings().startup_deadline),
            },
        }
    }
}

/// The fetches running together. Each has its own startup deadline; the group shares an id,
/// which keeps a failed login from being retried by the group's other fetches.
#[derive(Default)]
pub(super) struct Loads {
    in_flight: usize,
    current: u64,
}

/// One fetch: the id of its group and its own deadline.
#[derive(Clone, Copy)]
pub(super) struct Load {
    pub(super) id: u64,
    pub(super) deadline: Instant,
}

/// A fetch counted in its group until it ends (dropped).
pub(super) struct LoadGuard<'a> {
    loads: &'a Mutex<Loads>,
    pub(super) load: Load,
}

impl Drop for LoadGuard<'_> {
    fn drop(&mut self) {
        let mut loads = self.loads.lock().unwrap_or_else(PoisonError::into_inner);
        loads.in_flight = loads.in_flight.saturating_sub(1);
    }
}
