//! Code shared by the integration tests: `mod support;` at the top of a test file.
//! Each test file is its own crate and uses only some of them, hence `dead_code`.
//!
//! - `fake`: identities, env maps and clients around the fake Infisical
//!   (`secrets_core::testing::FakeInfisical`, the one stateful test double);
//! - `server`: a raw HTTP/1.1 listener for one-off shapes (a canned reply, a body cut short,
//!   a reset, a connection closed unanswered) and a port nothing listens on;
//! - `relay`: servers that forward bytes (a counting relay, a TLS terminator, a `CONNECT`
//!   proxy);
//! - `h2`: an HTTPS front that offers HTTP/2 and counts the connections it accepts;
//! - `datasets` and `recorded`: the data sets and responses recorded from real servers, and
//!   the comparison of the fake's responses with them;
//! - `faults` and `leaks`: the app of the fault matrix, and the sentinel capture of the leak
//!   tests, each shared by the files of its suite;
//! - [`Sink`]: a buffer a subscriber or a panic hook writes into.
#![allow(dead_code)]

pub(crate) mod datasets;
pub(crate) mod fake;
pub(crate) mod faults;
pub(crate) mod h2;
pub(crate) mod leaks;
pub(crate) mod recorded;
pub(crate) mod relay;
pub(crate) mod server;

use std::io::{self, Write};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

/// A buffer that a `tracing` subscriber (or a panic hook) writes into, shared by its clones:
/// what a test captured, to be searched for secrets.
#[derive(Clone, Default)]
pub(crate) struct Sink(Arc<Mutex<Vec<u8>>>);

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Sink {
    /// Everything written so far.
    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap_or_else(PoisonError::into_inner)).into_owned()
    }

    /// The process's one TRACE subscriber, installed at the first call, writing into a sink
    /// (`log` records of the HTTP stack included). One for the whole test binary: a scoped
    /// subscriber (`set_default`) can miss a test's events while the tests beside it set and
    /// drop theirs, so a test looks for lines that only it can have caused.
    pub(crate) fn global() -> &'static Self {
        static CAPTURE: OnceLock<Sink> = OnceLock::new();
        CAPTURE.get_or_init(|| {
            let logs = Sink::default();
            tracing_subscriber::util::SubscriberInitExt::try_init(logs.subscriber())
                .expect("the only subscriber of this test binary");
            logs
        })
    }

    /// A TRACE-level subscriber writing into this sink, without colours.
    pub(crate) fn subscriber(&self) -> impl tracing::Subscriber + Send + Sync + use<> {
        let writer = self.clone();
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish()
    }
}
