//! Section 1b: a cold load from a server without `/api/v4` (a self-hosted server of 2024).

use secrets_core::ExposeSecret;
use secrets_core::testing::{FakeInfisical, ServerMode};
use tokio::runtime::Runtime;

use crate::fifty;
use crate::fifty::Fifty;
use crate::harness::{Server, keys_of, our_client, our_load, seed, time};
use crate::options::Options;
use crate::sdk::{Job, Way};
use crate::stats::Samples;

pub(crate) struct Legacy {
    /// Requests of one cold load of the 50-key struct: against the current server, against
    /// the older one.
    pub(crate) current_requests: usize,
    pub(crate) older_requests: usize,
    pub(crate) ours: Samples,
    pub(crate) sdk_lists_at_once: Samples,
}

impl Legacy {
    pub(crate) fn extra_requests(&self) -> isize {
        self.older_requests.cast_signed() - self.current_requests.cast_signed()
    }
}

/// Cold loads against the fake in its October 2024 mode (no `/api/v4`): what learning the
/// server's API version costs a new client, in requests and in time.
pub(crate) fn against_legacy(opts: &Options, rt: &Runtime) -> Legacy {
    let current = Server::start(opts.latency, seed::<Fifty>(FakeInfisical::builder()));
    let before = current.requests();
    let _: Fifty = rt.block_on(our_load(our_client(current.url(), current.project())));
    let current_requests = current.requests() - before;
    drop(current);

    let data = seed::<Fifty>(FakeInfisical::builder()).mode(ServerMode::Legacy2024);
    let server = Server::start(opts.latency, data);
    let (url, project) = (server.url(), server.project());
    let keys = keys_of::<Fifty>();
    let job = Job::fifty(project, &keys);
    // The check and the warm-up.
    let loaded: Fifty = rt.block_on(our_load(our_client(url, project)));
    let expected: Vec<&str> = loaded.values().iter().map(|v| v.expose_secret()).collect();
    assert_eq!(
        rt.block_on(job.sdk_cold(url, Way::SdkListsAtOnce)),
        expected,
        "the SDK loaded other values from the older server"
    );
    let mut legacy = Legacy {
        current_requests,
        older_requests: 0,
        ours: Samples::default(),
        sdk_lists_at_once: Samples::default(),
    };
    for _ in 0..opts.samples {
        let before = server.requests();
        legacy
            .ours
            .push(time(rt, our_load::<Fifty>(our_client(url, project))));
        legacy.older_requests = server.requests() - before;
        legacy
            .sdk_lists_at_once
            .push(time(rt, job.sdk_cold(url, Way::SdkListsAtOnce)));
    }
    println!(
        "## 1b. Cold load of the 50-key struct from a server without `/api/v4`\n\n\
         The fake as a self-hosted server of October 2024 answers (`404` for every `/api/v4` \
         route). A new client has to learn that once; median (min – max) of {} runs.\n",
        opts.samples
    );
    println!("| how | requests per cold load | cold |");
    println!("|---|---|---|");
    println!("| secrets-core, current server (for reference) | {current_requests} | – |");
    println!(
        "| secrets-core, older server | {} ({:+} per client) | {} |",
        legacy.older_requests,
        legacy.extra_requests(),
        legacy.ours.summary()
    );
    println!(
        "| official SDK, lists at once (`join_all`; it only speaks `/api/v3`) | {} | {} |\n",
        1 + fifty::FOLDERS.len(),
        legacy.sdk_lists_at_once.summary()
    );
    legacy
}
