//! The fake server a run times against, the clients of each side, and the timing helpers.

use std::future::Future;
use std::hint::black_box;
use std::time::{Duration, Instant};

use secrets_core::testing::{FakeInfisical, FakeInfisicalBuilder};
use secrets_core::{Env, ExposeSecret, InfisicalClient, Loader, SecretString, Secrets};
use tokio::runtime::Runtime;

use crate::generated::{ENVIRONMENT, Generated};
use crate::official::KeyRef;
use crate::replay::Replay;

pub(crate) const CLIENT_ID: &str = "bench-client-id";
pub(crate) const CLIENT_SECRET: &str = "bench-client-secret";
/// Accepted by the CPU run's server, for the bare `reqwest` fetch.
pub(crate) const STATIC_TOKEN: &str = "bench-static-token";

/// A fake Infisical on its own runtime thread: the server's work never runs on the client's
/// thread, as with a real server.
pub(crate) struct Server {
    // Dropped first: stops the server tasks before their runtime goes.
    pub(crate) fake: FakeInfisical,
    /// In front of the fake when its responses are pre-rendered: then the clients talk to it.
    pub(crate) replay: Option<Replay>,
    /// The fake's own latency (zero behind a replay, which adds it instead).
    pub(crate) fake_latency: Duration,
    pub(crate) runtime: Runtime,
}

impl Server {
    pub(crate) fn start(latency: Duration, data: FakeInfisicalBuilder) -> Self {
        Self::start_with(latency, data, false)
    }

    /// The fake behind a [`Replay`]: every response the clients time was rendered before.
    pub(crate) fn start_replayed(latency: Duration, data: FakeInfisicalBuilder) -> Self {
        Self::start_with(latency, data, true)
    }

    pub(crate) fn start_with(
        latency: Duration,
        data: FakeInfisicalBuilder,
        replayed: bool,
    ) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("fake-infisical")
            .enable_all()
            .build()
            .expect("server runtime");
        let fake_latency = if replayed { Duration::ZERO } else { latency };
        let fake = runtime.block_on(
            data.universal_auth(CLIENT_ID, CLIENT_SECRET)
                .latency(fake_latency)
                .start(),
        );
        let replay = replayed.then(|| runtime.block_on(Replay::start(fake.url(), latency)));
        Self {
            fake,
            replay,
            fake_latency,
            runtime,
        }
    }

    pub(crate) fn url(&self) -> &str {
        self.replay.as_ref().map_or(self.fake.url(), Replay::url)
    }

    pub(crate) fn project(&self) -> &str {
        self.fake.project_id()
    }

    /// Every request a client sent, counted where the clients send them.
    pub(crate) fn requests(&self) -> usize {
        self.replay
            .as_ref()
            .map_or_else(|| self.fake.total_requests(), Replay::requests)
    }
}

/// The client side: one thread, as a service's startup is.
pub(crate) fn client_runtime() -> Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("client runtime")
}

pub(crate) fn our_client(url: &str, project: &str) -> InfisicalClient {
    InfisicalClient::builder()
        .base_url(url)
        .project_id(project)
        .universal_auth(CLIENT_ID, SecretString::from(CLIENT_SECRET))
        .build()
        .expect("secrets-core: client")
}

/// No env var set: every value must come from Infisical.
pub(crate) fn no_env() -> Env {
    Env::from_pairs(std::iter::empty::<(String, String)>())
}

pub(crate) async fn our_load<S: Secrets>(client: InfisicalClient) -> S {
    Loader::<S>::new()
        .store(client)
        .env(no_env())
        .load()
        .await
        .unwrap_or_else(|e| panic!("secrets-core: {e}"))
}

/// A deterministic value of a realistic length for `key`.
pub(crate) fn value_of(folder: &str, key: &str) -> String {
    let seed = folder
        .bytes()
        .chain(key.bytes())
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
        });
    format!("{key}-{seed:016x}{:016x}", seed.rotate_left(17))
}

/// Puts every key of `S` into the fake, in the folder the key is loaded from.
pub(crate) fn seed<S: Secrets>(mut data: FakeInfisicalBuilder) -> FakeInfisicalBuilder {
    for (folder, key) in keys_of::<S>() {
        data = data.secret(ENVIRONMENT, folder, key, value_of(folder, key));
    }
    data
}

/// Every key of `S` with its folder.
pub(crate) fn keys_of<S: Secrets>() -> Vec<KeyRef> {
    S::SPEC
        .keys()
        .iter()
        .map(|k| {
            let folder = k.folder().or(S::SPEC.folder()).unwrap_or("/");
            (folder, k.key())
        })
        .collect()
}

/// Loads `S` once and checks every value against what [`seed`] put in the fake.
pub(crate) fn check<S: Generated>(rt: &Runtime, client: &InfisicalClient) {
    let loaded: S = rt.block_on(our_load(client.clone()));
    let expected = keys_of::<S>();
    assert_eq!(loaded.values().len(), expected.len());
    for (value, (folder, key)) in loaded.values().iter().zip(expected) {
        assert_eq!(value.expose_secret(), value_of(folder, key), "{key}");
    }
}

/// Wall time of `work` on `rt`; its output is dropped after the clock stops.
pub(crate) fn time<T>(rt: &Runtime, work: impl Future<Output = T>) -> Duration {
    let start = Instant::now();
    let out = rt.block_on(work);
    let elapsed = start.elapsed();
    drop(black_box(out));
    elapsed
}

/// Wall time of `work` on `rt`, and the CPU time the calling thread spent meanwhile (on a
/// current-thread runtime: all of the client's work); the output is dropped after both.
pub(crate) fn time_with_cpu<T>(
    rt: &Runtime,
    work: impl Future<Output = T>,
) -> (Duration, Duration) {
    let cpu = cpu_time::ThreadTime::now();
    let start = Instant::now();
    let out = rt.block_on(work);
    let elapsed = start.elapsed();
    let spent = cpu.elapsed();
    drop(black_box(out));
    (elapsed, spent)
}

/// Wall time of `work`, dropping its output included.
pub(crate) fn time_cpu<T>(work: impl FnOnce() -> T) -> Duration {
    let start = Instant::now();
    drop(black_box(work()));
    start.elapsed()
}

/// The v4 listing URL, with the flags the client sends.
pub(crate) fn listing_url(server: &Server, folder: &str) -> String {
    format!(
        "{}/api/v4/secrets?projectId={}&environment={ENVIRONMENT}&secretPath={folder}\
         &expandSecretReferences=true&includeImports=true&include_imports=true&recursive=false\
         &viewSecretValue=true&includePersonalOverrides=false",
        server.fake.url(),
        server.project()
    )
}

pub(crate) fn bare_http() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("reqwest")
}

pub(crate) async fn bare_fetch(http: &reqwest::Client, url: &str) -> Vec<u8> {
    let response = http
        .get(url)
        .bearer_auth(STATIC_TOKEN)
        .send()
        .await
        .expect("reqwest: send");
    assert!(response.status().is_success(), "{}", response.status());
    response.bytes().await.expect("reqwest: body").to_vec()
}
