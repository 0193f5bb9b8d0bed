//! Startup benchmarks of `secrets-core` against the fake Infisical on 127.0.0.1, with a
//! latency injected into every response, side by side with the official Infisical Rust SDK.
//!
//! ```text
//! cargo bench -p secrets-bench                                  # 20 ms per request, 11 samples
//! cargo bench -p secrets-bench -- --latency-ms 50 --samples 21
//! cargo bench -p secrets-bench -- --runs 3                      # three runs, side by side
//! ```
//!
//! It prints Markdown tables: cold and warm loads of a 50-key struct against the SDK (and
//! against a server without `/api/v4`); load time and request count as keys and folders grow,
//! for us and the SDK, against pre-rendered responses; the CPU cost of a 5,000-secret listing;
//! the peak RSS of a 1,000-key load; then every target, met or missed, and with `--runs` the
//! headline figures of every run side by side. It writes the chart `benches/startup.svg`.
//! BENCHMARKS.md holds a run and says what the numbers mean.
//!
//! This file is over 500 lines: it is the one list of what is measured, section by section,
//! in the order it prints; the machinery (server, replay, chart, statistics) is in its own files.

mod chart;
mod fifty;
mod generated;
mod official;
mod replay;
mod runs;
mod stats;

use std::fmt::Write as _;
use std::future::Future;
use std::hint::black_box;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::future::join_all;
use secrets_core::testing::{FakeInfisical, FakeInfisicalBuilder, ServerMode};
use secrets_core::{
    Env, ExposeSecret, InfisicalClient, Loader, SecretString, Secrets,
    store::{BoxFuture, Folder, FolderSecrets, SecretStore, StoreError, StoreErrorKind},
};
use tokio::runtime::Runtime;

use crate::fifty::Fifty;
use crate::generated::{
    ENVIRONMENT, Folders1, Folders3, Folders10, Generated, Keys10, Keys100, Keys1000, Listing5000,
};
use crate::official::KeyRef;
use crate::replay::Replay;
use crate::runs::RunSummary;
use crate::stats::{Ms, Samples, change_percent, ratio};

pub(crate) const CLIENT_ID: &str = "bench-client-id";
pub(crate) const CLIENT_SECRET: &str = "bench-client-secret";
/// Accepted by the CPU run's server, for the bare `reqwest` fetch.
const STATIC_TOKEN: &str = "bench-static-token";

/// The secrets of the 5,000-key listing: 4,500 in the folder, 600 in the folder it imports,
/// of which the first 100 are shadowed by the folder's own.
const OWN_SECRETS: usize = 4500;
const SHADOWED: usize = 100;

struct Options {
    latency: Duration,
    samples: usize,
    cpu_samples: usize,
    runs: usize,
}

/// Where the chart goes: next to the benchmark's sources, to be committed with a run.
const CHART: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/startup.svg");

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [flag, mode, url, project] = args.as_slice()
        && flag == "--rss-child"
    {
        rss_child(mode, url, project);
        return;
    }
    // The benchmark's own reqwest clients (bare GETs, the replay) take the process's provider.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let opts = options(&args);
    let rt = client_runtime();

    println!("# secrets-core startup benchmarks\n");
    println!("{}\n", machine(&opts));

    let mut summaries = Vec::new();
    for run in 1..=opts.runs {
        let load_at_start = load_average();
        println!(
            "# Run {run} of {}: load average {load_at_start} at the start\n",
            opts.runs
        );
        let sdk = compare_with_sdk(&opts, &rt);
        let legacy = against_legacy(&opts, &rt);
        let scaling = scaling(&opts, &rt);
        let cpu = cpu(&opts, &rt);
        memory(&scaling.server);
        let met = targets(&opts, &sdk, &legacy, &scaling, &cpu);
        let load_at_end = load_average();
        println!("\nRun {run}: load average {load_at_end} at the end\n");
        match chart::write(
            Path::new(CHART),
            &chart_caption(&opts, run),
            &chart_panels(&scaling),
        ) {
            Ok(()) => println!("Chart of run {run} written to {CHART}\n"),
            Err(e) => eprintln!("cannot write the chart {CHART}: {e}"),
        }
        summaries.push(RunSummary::new(
            load_at_start,
            load_at_end,
            &sdk,
            &legacy,
            &scaling,
            &cpu,
            met,
        ));
    }
    if summaries.len() > 1 {
        runs::print(&summaries);
    }
}

fn options(args: &[String]) -> Options {
    let mut opts = Options {
        latency: Duration::from_millis(20),
        samples: 11,
        cpu_samples: 31,
        runs: 1,
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut number = || -> u64 {
            args.next()
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| usage(&format!("{arg} needs a number")))
        };
        match arg.as_str() {
            // `cargo bench` passes it to every bench binary.
            "--bench" => {}
            "--latency-ms" => opts.latency = Duration::from_millis(number()),
            "--samples" => opts.samples = usize::try_from(number()).unwrap_or(1).max(1),
            "--cpu-samples" => opts.cpu_samples = usize::try_from(number()).unwrap_or(1).max(1),
            "--runs" => opts.runs = usize::try_from(number()).unwrap_or(1).max(1),
            other => usage(&format!("unknown argument `{other}`")),
        }
    }
    opts
}

fn usage(problem: &str) -> ! {
    eprintln!(
        "{problem}\nusage: cargo bench -p secrets-bench -- [--latency-ms 20] [--samples 11] [--cpu-samples 31] [--runs 1]"
    );
    std::process::exit(2);
}

fn machine(opts: &Options) -> String {
    let cores = std::thread::available_parallelism().map_or(0, std::num::NonZero::get);
    let rustc = Command::new(std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned()))
        .arg("--version")
        .output()
        .ok()
        .and_then(|out| String::from_utf8(out.stdout).ok())
        .map_or_else(|| "rustc ?".to_owned(), |v| v.trim().to_owned());
    format!(
        "{cores} cores, {rustc}, load average {}; fake Infisical on 127.0.0.1 answering every request after {} ms; {} samples per timing (CPU: {})",
        load_average(),
        opts.latency.as_millis(),
        opts.samples,
        opts.cpu_samples
    )
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg").map_or_else(
        |_| "?".to_owned(),
        |s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "),
    )
}

// ---------------------------------------------------------------------------------------
// The fake server and the clients

/// A fake Infisical on its own runtime thread: the server's work never runs on the client's
/// thread, as with a real server.
struct Server {
    // Dropped first: stops the server tasks before their runtime goes.
    fake: FakeInfisical,
    /// In front of the fake when its responses are pre-rendered: then the clients talk to it.
    replay: Option<Replay>,
    /// The fake's own latency (zero behind a replay, which adds it instead).
    fake_latency: Duration,
    _runtime: Runtime,
}

impl Server {
    fn start(latency: Duration, data: FakeInfisicalBuilder) -> Self {
        Self::start_with(latency, data, false)
    }

    /// The fake behind a [`Replay`]: every response the clients time was rendered before.
    fn start_replayed(latency: Duration, data: FakeInfisicalBuilder) -> Self {
        Self::start_with(latency, data, true)
    }

    fn start_with(latency: Duration, data: FakeInfisicalBuilder, replayed: bool) -> Self {
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
            _runtime: runtime,
        }
    }

    fn url(&self) -> &str {
        self.replay.as_ref().map_or(self.fake.url(), Replay::url)
    }

    fn project(&self) -> &str {
        self.fake.project_id()
    }

    /// Every request a client sent, counted where the clients send them.
    fn requests(&self) -> usize {
        self.replay
            .as_ref()
            .map_or_else(|| self.fake.total_requests(), Replay::requests)
    }
}

/// The client side: one thread, as a service's startup is.
fn client_runtime() -> Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("client runtime")
}

fn our_client(url: &str, project: &str) -> InfisicalClient {
    InfisicalClient::builder()
        .base_url(url)
        .project_id(project)
        .universal_auth(CLIENT_ID, SecretString::from(CLIENT_SECRET))
        .build()
        .expect("secrets-core: client")
}

/// No env var set: every value must come from Infisical.
fn no_env() -> Env {
    Env::from_pairs(std::iter::empty::<(String, String)>())
}

async fn our_load<S: Secrets>(client: InfisicalClient) -> S {
    Loader::<S>::new()
        .store(client)
        .env(no_env())
        .load()
        .await
        .unwrap_or_else(|e| panic!("secrets-core: {e}"))
}

/// A deterministic value of a realistic length for `key`.
fn value_of(folder: &str, key: &str) -> String {
    let seed = folder
        .bytes()
        .chain(key.bytes())
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
        });
    format!("{key}-{seed:016x}{:016x}", seed.rotate_left(17))
}

/// Puts every key of `S` into the fake, in the folder the key is loaded from.
fn seed<S: Secrets>(mut data: FakeInfisicalBuilder) -> FakeInfisicalBuilder {
    for (folder, key) in keys_of::<S>() {
        data = data.secret(ENVIRONMENT, folder, key, value_of(folder, key));
    }
    data
}

/// Every key of `S` with its folder.
fn keys_of<S: Secrets>() -> Vec<KeyRef> {
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
fn check<S: Generated>(rt: &Runtime, client: &InfisicalClient) {
    let loaded: S = rt.block_on(our_load(client.clone()));
    let expected = keys_of::<S>();
    assert_eq!(loaded.values().len(), expected.len());
    for (value, (folder, key)) in loaded.values().iter().zip(expected) {
        assert_eq!(value.expose_secret(), value_of(folder, key), "{key}");
    }
}

/// Wall time of `work` on `rt`; its output is dropped after the clock stops.
fn time<T>(rt: &Runtime, work: impl Future<Output = T>) -> Duration {
    let start = Instant::now();
    let out = rt.block_on(work);
    let elapsed = start.elapsed();
    drop(black_box(out));
    elapsed
}

/// Wall time of `work` on `rt`, and the CPU time the calling thread spent meanwhile (on a
/// current-thread runtime: all of the client's work); the output is dropped after both.
fn time_with_cpu<T>(rt: &Runtime, work: impl Future<Output = T>) -> (Duration, Duration) {
    let cpu = cpu_time::ThreadTime::now();
    let start = Instant::now();
    let out = rt.block_on(work);
    let elapsed = start.elapsed();
    let spent = cpu.elapsed();
    drop(black_box(out));
    (elapsed, spent)
}

/// Wall time of `work`, dropping its output included.
fn time_cpu<T>(work: impl FnOnce() -> T) -> Duration {
    let start = Instant::now();
    drop(black_box(work()));
    start.elapsed()
}

// ---------------------------------------------------------------------------------------
// 1. Against the official SDK

#[derive(Clone, Copy, PartialEq, Eq)]
enum Way {
    Ours,
    SdkGets,
    SdkLists,
    SdkGetsAtOnce,
    SdkListsAtOnce,
}

impl Way {
    const ALL: [Self; 5] = [
        Self::Ours,
        Self::SdkGets,
        Self::SdkLists,
        Self::SdkGetsAtOnce,
        Self::SdkListsAtOnce,
    ];

    /// A column heading.
    fn short(self) -> &'static str {
        match self {
            Self::Ours => "secrets-core",
            Self::SdkGets => "SDK: gets in sequence",
            Self::SdkLists => "SDK: lists in sequence",
            Self::SdkGetsAtOnce => "SDK: gets, `join_all`",
            Self::SdkListsAtOnce => "SDK: lists, `join_all`",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Self::Ours => {
                "secrets-core: derived `Fifty::load()`, one list per folder, concurrently"
            }
            Self::SdkGets => "official SDK: one `get` per key, in sequence",
            Self::SdkLists => "official SDK: one `list` per folder, in sequence, then pick",
            Self::SdkGetsAtOnce => "official SDK: one `get` per key, all at once (`join_all`)",
            Self::SdkListsAtOnce => {
                "official SDK: one `list` per folder, all at once (`join_all`), then pick"
            }
        }
    }
}

struct Measured {
    way: Way,
    cold: Samples,
    /// The client thread's CPU time of each cold load.
    cold_cpu: Samples,
    warm: Samples,
    cold_requests: usize,
    warm_requests: usize,
}

struct SdkComparison {
    rows: Vec<Measured>,
    /// Building a client, before any request.
    build_ours: Samples,
    build_sdk: Samples,
}

impl SdkComparison {
    fn get(&self, way: Way) -> &Measured {
        self.rows
            .iter()
            .find(|m| m.way == way)
            .expect("every way is measured")
    }
}

/// What the warm runs reuse: clients that already hold a token.
struct WarmClients {
    ours: InfisicalClient,
    sdk: infisical::Client,
}

struct Job<'a> {
    project: &'a str,
    folders: &'a [&'static str],
    keys: &'a [KeyRef],
}

impl Job<'_> {
    async fn sdk(&self, client: &infisical::Client, way: Way) -> Vec<String> {
        let (project, folders, keys) = (self.project, self.folders, self.keys);
        match way {
            Way::Ours => unreachable!("not an SDK way"),
            Way::SdkGets => official::gets(client, project, keys).await,
            Way::SdkLists => official::lists(client, project, folders, keys).await,
            Way::SdkGetsAtOnce => official::gets_concurrently(client, project, keys).await,
            Way::SdkListsAtOnce => {
                official::lists_concurrently(client, project, folders, keys).await
            }
        }
    }

    /// A cold load the SDK's way: a new client, its login, then the gets or lists.
    async fn sdk_cold(&self, url: &str, way: Way) -> Vec<String> {
        let client = official::login(url).await;
        self.sdk(&client, way).await
    }
}

fn compare_with_sdk(opts: &Options, rt: &Runtime) -> SdkComparison {
    let server = Server::start(opts.latency, seed::<Fifty>(FakeInfisical::builder()));
    let (url, project) = (server.url(), server.project());
    let keys = keys_of::<Fifty>();
    let job = Job {
        project,
        folders: &fifty::FOLDERS,
        keys: &keys,
    };
    let warm = WarmClients {
        ours: our_client(url, project),
        sdk: rt.block_on(official::login(url)),
    };

    // Every way must produce the same 50 values: checked once, and doubling as the warm-up.
    let ours: Fifty = rt.block_on(our_load(warm.ours.clone()));
    let expected: Vec<&str> = ours.values().iter().map(|v| v.expose_secret()).collect();
    for way in &Way::ALL[1..] {
        let got = rt.block_on(job.sdk(&warm.sdk, *way));
        assert_eq!(got, expected, "{} loaded other values", way.label());
    }

    let mut rows: Vec<Measured> = Way::ALL
        .iter()
        .map(|&way| Measured {
            way,
            cold: Samples::default(),
            cold_cpu: Samples::default(),
            warm: Samples::default(),
            cold_requests: 0,
            warm_requests: 0,
        })
        .collect();
    // Round-robin, so that a change in the machine's load hits every way alike.
    for _ in 0..opts.samples {
        for row in &mut rows {
            let before = server.requests();
            let (cold, cold_cpu) = match row.way {
                Way::Ours => time_with_cpu(rt, async {
                    our_load::<Fifty>(our_client(url, project)).await
                }),
                way => time_with_cpu(rt, job.sdk_cold(url, way)),
            };
            let between = server.requests();
            let warm_time = match row.way {
                Way::Ours => time(rt, our_load::<Fifty>(warm.ours.clone())),
                way => time(rt, job.sdk(&warm.sdk, way)),
            };
            row.cold.push(cold);
            row.cold_cpu.push(cold_cpu);
            row.warm.push(warm_time);
            row.cold_requests = between - before;
            row.warm_requests = server.requests() - between;
        }
    }

    // What the cold times spend before the first request.
    let mut build_ours = Samples::default();
    let mut build_sdk = Samples::default();
    for _ in 0..opts.samples {
        build_ours.push(time_cpu(|| our_client(url, project)));
        build_sdk.push(time(rt, infisical::Client::builder().base_url(url).build()));
    }

    let result = SdkComparison {
        rows,
        build_ours,
        build_sdk,
    };
    print_sdk_comparison(opts, &result);
    result
}

fn print_sdk_comparison(opts: &Options, result: &SdkComparison) {
    let ours = result.get(Way::Ours);
    println!(
        "## 1. Cold and warm load of a 50-key struct in 3 folders\n\n\
         Cold: a new client, login, then the lists or gets. Warm: a client that already holds a \
         token (and its connections). Times are median (min – max) of {} runs; \"ours faster\" \
         is the other way's median over ours. \"Client CPU, cold\" is the CPU time of the \
         client's thread during a cold load (its runtime, HTTP connections, parsing and \
         resolving all run there): what the load costs the client, whatever else the machine \
         runs.\n",
        opts.samples
    );
    println!(
        "| how | requests per load (cold / warm) | cold | warm | ours faster, cold | ours faster, warm | client CPU, cold |"
    );
    println!("|---|---|---|---|---|---|---|");
    for row in &result.rows {
        let (cold_x, warm_x) = if row.way == Way::Ours {
            ("–".to_owned(), "–".to_owned())
        } else {
            (
                format!("{:.1}x", ratio(row.cold.median(), ours.cold.median())),
                format!("{:.1}x", ratio(row.warm.median(), ours.warm.median())),
            )
        };
        println!(
            "| {} | {} / {} | {} | {} | {cold_x} | {warm_x} | {} |",
            row.way.label(),
            row.cold_requests,
            row.warm_requests,
            row.cold.summary(),
            row.warm.summary(),
            Ms(row.cold_cpu.median()),
        );
    }
    println!(
        "| building a client, before any request (part of every cold time): secrets-core / official SDK | 0 | {} | {} | – | – | – |\n",
        result.build_ours.summary(),
        result.build_sdk.summary()
    );
}

// ---------------------------------------------------------------------------------------
// 1b. Against a server without `/api/v4`

struct Legacy {
    /// Requests of one cold load of the 50-key struct: against the current server, against
    /// the older one.
    current_requests: usize,
    older_requests: usize,
    ours: Samples,
    sdk_lists_at_once: Samples,
}

impl Legacy {
    fn extra_requests(&self) -> isize {
        self.older_requests.cast_signed() - self.current_requests.cast_signed()
    }
}

/// Cold loads against the fake in its October 2024 mode (no `/api/v4`): what learning the
/// server's API version costs a new client, in requests and in time.
fn against_legacy(opts: &Options, rt: &Runtime) -> Legacy {
    let current = Server::start(opts.latency, seed::<Fifty>(FakeInfisical::builder()));
    let before = current.requests();
    let _: Fifty = rt.block_on(our_load(our_client(current.url(), current.project())));
    let current_requests = current.requests() - before;
    drop(current);

    let data = seed::<Fifty>(FakeInfisical::builder()).mode(ServerMode::Legacy2024);
    let server = Server::start(opts.latency, data);
    let (url, project) = (server.url(), server.project());
    let keys = keys_of::<Fifty>();
    let job = Job {
        project,
        folders: &fifty::FOLDERS,
        keys: &keys,
    };
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

// ---------------------------------------------------------------------------------------
// 2. Scaling with keys and folders

struct Shape {
    label: &'static str,
    by_folders: bool,
    keys: usize,
    key_refs: Vec<KeyRef>,
    folders: Vec<&'static str>,
    /// A cold load: its wall time and the CPU time of the client's thread.
    cold: fn(&Runtime, &str, &str) -> (Duration, Duration),
    warm: fn(&Runtime, &InfisicalClient) -> Duration,
    cold_samples: Samples,
    /// The client thread's CPU time of each cold load: the runtime, reqwest's connection
    /// tasks and the load all run on it.
    cold_cpu_samples: Samples,
    warm_samples: Samples,
    cold_requests: usize,
    warm_requests: usize,
    /// The fake's own time for the same listings: bare GETs at 0 ms latency, no parse.
    server_samples: Samples,
    /// Cold loads the SDK's ways, and their requests.
    sdk: Vec<(Way, Samples, usize)>,
}

/// The most keys the SDK's per-key ways are timed with: 1,000 gets in sequence take 20 s.
const SDK_GETS_MAX_KEYS: usize = 100;
/// The SDK's ways are timed in the first this many rounds only (they are the slow ones).
const SDK_SCALING_SAMPLES: usize = 5;

impl Shape {
    fn new<S: Generated>(label: &'static str, by_folders: bool) -> Self {
        let keys = keys_of::<S>();
        let mut folders: Vec<&'static str> = keys.iter().map(|(folder, _)| *folder).collect();
        folders.dedup();
        Self {
            label,
            by_folders,
            keys: keys.len(),
            sdk: Way::ALL[1..]
                .iter()
                .filter(|way| {
                    keys.len() <= SDK_GETS_MAX_KEYS
                        || matches!(way, Way::SdkLists | Way::SdkListsAtOnce)
                })
                .map(|&way| (way, Samples::default(), 0))
                .collect(),
            key_refs: keys,
            folders,
            cold: |rt, url, project| time_with_cpu(rt, our_load::<S>(our_client(url, project))),
            warm: |rt, client| time(rt, our_load::<S>(client.clone())),
            cold_samples: Samples::default(),
            cold_cpu_samples: Samples::default(),
            warm_samples: Samples::default(),
            cold_requests: 0,
            warm_requests: 0,
            server_samples: Samples::default(),
        }
    }
}

struct Scaling {
    server: Server,
    shapes: Vec<Shape>,
}

impl Scaling {
    fn find(&self, label: &str) -> &Shape {
        self.shapes
            .iter()
            .find(|s| s.label == label)
            .expect("shape measured")
    }
}

fn scaling(opts: &Options, rt: &Runtime) -> Scaling {
    let data = FakeInfisical::builder();
    let data = seed::<Keys10>(data);
    let data = seed::<Keys100>(data);
    let data = seed::<Keys1000>(data);
    let data = seed::<Folders1>(data);
    let data = seed::<Folders3>(data);
    let data = seed::<Folders10>(data).access_token(STATIC_TOKEN);
    let server = Server::start_replayed(opts.latency, data);
    let (url, project) = (server.url(), server.project());
    let mut shapes = vec![
        Shape::new::<Keys10>("10 keys", false),
        Shape::new::<Keys100>("100 keys", false),
        Shape::new::<Keys1000>("1000 keys", false),
        Shape::new::<Folders1>("1 folder", true),
        Shape::new::<Folders3>("3 folders", true),
        Shape::new::<Folders10>("10 folders", true),
    ];
    // Also the warm-up: the warm client logs in and opens its connections here.
    let warm = our_client(url, project);
    check::<Keys10>(rt, &warm);
    check::<Keys100>(rt, &warm);
    check::<Keys1000>(rt, &warm);
    check::<Folders1>(rt, &warm);
    check::<Folders3>(rt, &warm);
    check::<Folders10>(rt, &warm);
    // Every response a timed load gets is rendered here, once: one cold load of each shape
    // (the warm loads' `304`s were recorded by the checks above), and every SDK way, whose
    // values must be ours.
    let warm_sdk = rt.block_on(official::login(url));
    for shape in &shapes {
        let _ = (shape.cold)(rt, url, project);
        let job = Job {
            project,
            folders: &shape.folders,
            keys: &shape.key_refs,
        };
        let expected: Vec<String> = shape
            .key_refs
            .iter()
            .map(|(folder, key)| value_of(folder, key))
            .collect();
        for (way, _, _) in &shape.sdk {
            assert_eq!(
                rt.block_on(job.sdk(&warm_sdk, *way)),
                expected,
                "{}",
                way.label()
            );
        }
    }
    for round in 0..opts.samples {
        for shape in &mut shapes {
            let before = server.requests();
            let (cold, cold_cpu) = (shape.cold)(rt, url, project);
            let between = server.requests();
            let warm_time = (shape.warm)(rt, &warm);
            shape.cold_samples.push(cold);
            shape.cold_cpu_samples.push(cold_cpu);
            shape.warm_samples.push(warm_time);
            shape.cold_requests = between - before;
            shape.warm_requests = server.requests() - between;
            if round < SDK_SCALING_SAMPLES {
                let job = Job {
                    project,
                    folders: &shape.folders,
                    keys: &shape.key_refs,
                };
                for (way, samples, requests) in &mut shape.sdk {
                    let before = server.requests();
                    samples.push(time(rt, job.sdk_cold(url, *way)));
                    *requests = server.requests() - before;
                }
            }
        }
    }
    server.fake.set_latency(Duration::ZERO);
    let http = bare_http();
    for _ in 0..opts.samples {
        for shape in &mut shapes {
            let urls: Vec<String> = shape
                .folders
                .iter()
                .map(|folder| listing_url(&server, folder))
                .collect();
            let fetches = join_all(urls.iter().map(|url| bare_fetch(&http, url)));
            shape.server_samples.push(time(rt, fetches));
        }
    }
    server.fake.set_latency(server.fake_latency);

    let scaling = Scaling { server, shapes };
    print_scaling(opts, &scaling);
    scaling
}

fn print_scaling(opts: &Options, scaling: &Scaling) {
    let shapes = &scaling.shapes;
    println!(
        "## 2. Load time and requests as keys and folders grow\n\n\
         Cold loads (new client, login, lists) and warm loads (token held); median (min – max) \
         of {} runs, against pre-rendered responses: every response was rendered by the fake \
         once, before the timings, and is sent again as it was, after the same latency, so \
         the times hold no server rendering. Expected requests: 1 login + 1 list per folder \
         cold (one more where a client probes the API version), 1 list per folder warm. \
         Warm lists are conditional (`If-None-Match`) and answered `304`. The last column is \
         what the fake itself spends rendering and sending the same listings (plain GETs of \
         the folders, concurrently, at 0 ms latency, no parsing), i.e. what pre-rendering \
         leaves out.\n",
        opts.samples
    );
    for by_folders in [false, true] {
        let rows: Vec<&Shape> = shapes
            .iter()
            .filter(|s| s.by_folders == by_folders)
            .collect();
        let first = rows[0].cold_samples.median();
        println!(
            "| {} | requests (cold / warm) | expected | cold | warm | cold vs first row | fake's own time |",
            if by_folders {
                "10 keys per folder"
            } else {
                "one folder"
            }
        );
        println!("|---|---|---|---|---|---|---|");
        for shape in rows {
            let folders = shape.folders.len();
            let expected = format!("{} / {folders}", 1 + folders);
            let got = format!("{} / {}", shape.cold_requests, shape.warm_requests);
            let mark = if shape.requests_as_expected() {
                ""
            } else {
                " MISMATCH"
            };
            println!(
                "| {} ({} keys, {folders} folders) | {got}{mark} | {expected} | {} | {} | {:+.1} % | {} |",
                shape.label,
                shape.keys,
                shape.cold_samples.summary(),
                shape.warm_samples.summary(),
                change_percent(first, shape.cold_samples.median()),
                Ms(shape.server_samples.median()),
            );
        }
        println!();
    }
    println!(
        "Cold loads the official SDK's ways, same shapes, same pre-rendered server; median \
         (min – max) of {} runs, requests per load in brackets. Per-key gets are timed up to \
         {SDK_GETS_MAX_KEYS} keys.\n",
        SDK_SCALING_SAMPLES.min(opts.samples)
    );
    let sdk_ways = &Way::ALL[1..];
    println!(
        "| shape | secrets-core | {} |",
        sdk_ways
            .iter()
            .map(|w| w.short())
            .collect::<Vec<_>>()
            .join(" | ")
    );
    println!("|---|---|{}", "---|".repeat(sdk_ways.len()));
    for shape in &scaling.shapes {
        let cells: Vec<String> = sdk_ways
            .iter()
            .map(|way| {
                shape.sdk_cold(*way).map_or_else(
                    || "–".to_owned(),
                    |(samples, requests)| format!("{} [{requests}]", samples.summary()),
                )
            })
            .collect();
        println!(
            "| {} | {} [{}] | {} |",
            shape.label,
            shape.cold_samples.summary(),
            shape.cold_requests,
            cells.join(" | ")
        );
    }
    let per_key = scaling.client_share_per_key();
    let (few, many) = (scaling.find("10 keys"), scaling.find("1000 keys"));
    println!(
        "\nThe client's own share, from 10 to 1,000 keys in one folder (receive, parse, merge, \
         resolve; the responses pre-rendered): {:.2} µs per key of wall time, cold, and \
         {:.2} µs per key of the client thread's CPU time (a cold load of 10 keys: {} of CPU, \
         of 1,000 keys: {}). The CPU time is what the client itself spends, whatever else \
         runs on the machine; the wall time adds the waits for a core.\n",
        per_key * 1e6,
        scaling.client_cpu_per_key() * 1e6,
        Ms(few.cold_cpu_samples.median()),
        Ms(many.cold_cpu_samples.median()),
    );
}

impl Shape {
    /// The cold load of `way`, with its requests, when it was timed.
    fn sdk_cold(&self, way: Way) -> Option<(&Samples, usize)> {
        self.sdk
            .iter()
            .find(|(w, _, _)| *w == way)
            .map(|(_, samples, requests)| (samples, *requests))
    }

    /// 1 login + 1 list per folder cold (+1 for a client that probes the API version),
    /// 1 list per folder warm.
    fn requests_as_expected(&self) -> bool {
        let folders = self.folders.len();
        (1 + folders..=2 + folders).contains(&self.cold_requests) && self.warm_requests == folders
    }
}

impl Scaling {
    /// Seconds per key the client adds to a cold load, from 10 to 1,000 keys in one folder.
    fn client_share_per_key(&self) -> f64 {
        let (few, many) = (self.find("10 keys"), self.find("1000 keys"));
        let added =
            many.cold_samples.median().as_secs_f64() - few.cold_samples.median().as_secs_f64();
        added / f64::from(u32::try_from(many.keys - few.keys).unwrap_or(1))
    }

    /// Seconds of the client thread's CPU per key of a cold load, from 10 to 1,000 keys.
    fn client_cpu_per_key(&self) -> f64 {
        let (few, many) = (self.find("10 keys"), self.find("1000 keys"));
        let added = many.cold_cpu_samples.median().as_secs_f64()
            - few.cold_cpu_samples.median().as_secs_f64();
        added / f64::from(u32::try_from(many.keys - few.keys).unwrap_or(1))
    }
}

// ---------------------------------------------------------------------------------------
// 3. CPU: parse, merge and resolve versus a bare `serde_json::Value`

/// A store that parses a body already in memory with the client's own parser: the whole load
/// path without the network.
#[derive(Debug)]
struct InMemoryListing {
    body: Arc<[u8]>,
}

impl SecretStore for InMemoryListing {
    fn name(&self) -> &'static str {
        "Infisical"
    }

    fn fetch<'a>(&'a self, folder: &'a Folder) -> BoxFuture<'a, Result<FolderSecrets, StoreError>> {
        let parsed = secrets_core::__bench::parse_infisical_listing(&self.body, folder)
            .map_err(|e| StoreError::new(StoreErrorKind::InvalidResponse, e));
        Box::pin(std::future::ready(parsed))
    }
}

struct Cpu {
    body_bytes: usize,
    bare: Samples,
    parse_merge: Samples,
    full: Samples,
    http_bare: Samples,
    http_ours: Samples,
}

fn seed_listing() -> FakeInfisicalBuilder {
    let keys = keys_of::<Listing5000>();
    let mut data = FakeInfisical::builder();
    for &(folder, key) in &keys[..OWN_SECRETS] {
        data = data.secret(ENVIRONMENT, folder, key, value_of(folder, key));
    }
    for &(_, key) in &keys[OWN_SECRETS - SHADOWED..] {
        data = data.secret(ENVIRONMENT, "/shared", key, value_of("/shared", key));
    }
    data.import(ENVIRONMENT, "/big", ENVIRONMENT, "/shared")
}

/// The v4 listing URL, with the flags the client sends.
fn listing_url(server: &Server, folder: &str) -> String {
    format!(
        "{}/api/v4/secrets?projectId={}&environment={ENVIRONMENT}&secretPath={folder}\
         &expandSecretReferences=true&includeImports=true&include_imports=true&recursive=false\
         &viewSecretValue=true&includePersonalOverrides=false",
        server.fake.url(),
        server.project()
    )
}

fn bare_http() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("reqwest")
}

async fn bare_fetch(http: &reqwest::Client, url: &str) -> Vec<u8> {
    let response = http
        .get(url)
        .bearer_auth(STATIC_TOKEN)
        .send()
        .await
        .expect("reqwest: send");
    assert!(response.status().is_success(), "{}", response.status());
    response.bytes().await.expect("reqwest: body").to_vec()
}

/// The client's parser reads every key of the body, and the folder's own secrets win over the
/// import's.
fn check_listing(rt: &Runtime, server: &Server, body: &[u8], folder: &Folder) {
    let listed = secrets_core::__bench::parse_infisical_listing(body, folder)
        .expect("the client's parser reads the fake's listing");
    assert_eq!(listed.len(), Listing5000::SPEC.keys().len());
    let merged: Listing5000 = rt.block_on(our_load(our_client(server.url(), server.project())));
    for (i, (value, (_, key))) in merged
        .values()
        .iter()
        .zip(keys_of::<Listing5000>())
        .enumerate()
    {
        let from = if i < OWN_SECRETS { "/big" } else { "/shared" };
        assert_eq!(value.expose_secret(), value_of(from, key), "{key}");
    }
}

fn cpu(opts: &Options, rt: &Runtime) -> Cpu {
    let server = Server::start(Duration::ZERO, seed_listing().access_token(STATIC_TOKEN));
    let http = bare_http();
    let url = listing_url(&server, "/big");
    let body: Arc<[u8]> = rt.block_on(bare_fetch(&http, &url)).into();
    let folder = Folder::new(ENVIRONMENT, "/big");
    check_listing(rt, &server, &body, &folder);

    let loader = Loader::<Listing5000>::new()
        .store(InMemoryListing {
            body: Arc::clone(&body),
        })
        .env(no_env());
    let mut cpu = Cpu {
        body_bytes: body.len(),
        bare: Samples::default(),
        parse_merge: Samples::default(),
        full: Samples::default(),
        http_bare: Samples::default(),
        http_ours: Samples::default(),
    };
    let rounds = 3 + opts.cpu_samples;
    for round in 0..rounds {
        let bare = time_cpu(|| {
            serde_json::from_slice::<serde_json::Value>(&body).expect("serde_json: listing")
        });
        let parse_merge = time_cpu(|| {
            secrets_core::__bench::parse_infisical_listing(&body, &folder).expect("listing")
        });
        let full = time_cpu(|| {
            rt.block_on(loader.load())
                .unwrap_or_else(|e| panic!("secrets-core: {e}"))
        });
        // New clients (built before the clock starts), so that both parse a full body over a
        // new connection; a client that already listed the folder would get a `304`.
        let fresh = bare_http();
        let http_bare = time(rt, async {
            let body = bare_fetch(&fresh, &url).await;
            serde_json::from_slice::<serde_json::Value>(&body).expect("serde_json: listing")
        });
        let ours = InfisicalClient::builder()
            .base_url(server.url())
            .project_id(server.project())
            .access_token(SecretString::from(STATIC_TOKEN))
            .build()
            .expect("secrets-core: client");
        let http_ours = time(rt, our_load::<Listing5000>(ours));
        // The first rounds warm the caches and the allocator.
        if round >= 3 {
            cpu.bare.push(bare);
            cpu.parse_merge.push(parse_merge);
            cpu.full.push(full);
            cpu.http_bare.push(http_bare);
            cpu.http_ours.push(http_ours);
        }
    }

    let base = cpu.bare.median();
    println!(
        "## 3. CPU: a 5,000-secret listing with an import\n\n\
         The body: {} KiB, as the fake serves `GET /api/v4/secrets` for a folder of {OWN_SECRETS} \
         secrets that imports a folder of {} ({SHADOWED} shadowed): {} distinct keys. Each timing \
         includes dropping its result; median (min – max) of {} runs.\n",
        cpu.body_bytes / 1024,
        Listing5000::SPEC.keys().len() - OWN_SECRETS + SHADOWED,
        Listing5000::SPEC.keys().len(),
        opts.cpu_samples
    );
    println!("| work | time | vs bare `serde_json::Value` |");
    println!("|---|---|---|");
    for (label, samples) in [
        (
            "bare `serde_json::from_slice::<Value>` of the body",
            &cpu.bare,
        ),
        (
            "secrets-core: parse + merge imports (the client's parser)",
            &cpu.parse_merge,
        ),
        (
            "secrets-core: parse + merge + resolve into a 5,000-field struct (`Loader::load`, body in memory)",
            &cpu.full,
        ),
    ] {
        println!(
            "| {label} | {} | {:.2}x |",
            samples.summary(),
            ratio(samples.median(), base)
        );
    }
    println!(
        "\nThe same over loopback HTTP: the fake at 0 ms latency, a new client with the token \
         given (no login), one GET; the fake's rendering is in both times:\n"
    );
    println!("| work | time | ratio |");
    println!("|---|---|---|");
    println!(
        "| bare `reqwest` GET + `serde_json::Value` | {} | 1.00x |",
        cpu.http_bare.summary()
    );
    println!(
        "| secrets-core `load()` of the 5,000-field struct | {} | {:.2}x |\n",
        cpu.http_ours.summary(),
        ratio(cpu.http_ours.median(), cpu.http_bare.median())
    );
    cpu
}

// ---------------------------------------------------------------------------------------
// 5. Peak memory of a 1,000-key load

/// Runs in a child process: builds the runtime and client, loads the 1,000-key struct or not,
/// and prints its `VmHWM` and `VmRSS` lines.
fn rss_child(mode: &str, url: &str, project: &str) {
    let rt = client_runtime();
    let client = our_client(url, project);
    let loaded = match mode {
        "load" => {
            let loaded = rt.block_on(our_load::<Keys1000>(client));
            assert_eq!(loaded.values().len(), 1000);
            Some(loaded)
        }
        "baseline" => None,
        other => usage(&format!("unknown --rss-child mode `{other}`")),
    };
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    for line in status.lines() {
        if line.starts_with("VmHWM:") || line.starts_with("VmRSS:") {
            println!("{line}");
        }
    }
    drop(black_box(loaded));
}

/// `VmHWM` and `VmRSS` of one child run, in KiB.
fn run_child(mode: &str, server: &Server) -> (u64, u64) {
    let exe = std::env::current_exe().expect("own executable");
    let out = Command::new(exe)
        .args(["--rss-child", mode, server.url(), server.project()])
        .output()
        .expect("child process");
    assert!(
        out.status.success(),
        "child failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let field = |name: &str| -> u64 {
        text.lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or_else(|| panic!("no {name} in {text}"))
    };
    (field("VmHWM:"), field("VmRSS:"))
}

fn memory(server: &Server) {
    const RUNS: usize = 3;
    let mut baseline = Vec::new();
    let mut load = Vec::new();
    for _ in 0..RUNS {
        baseline.push(run_child("baseline", server));
        load.push(run_child("load", server));
    }
    let median = |runs: &mut Vec<(u64, u64)>| {
        runs.sort_unstable();
        runs[runs.len() / 2]
    };
    let (base_hwm, base_rss) = median(&mut baseline);
    let (load_hwm, load_rss) = median(&mut load);
    let mut table = String::new();
    let _ = writeln!(
        table,
        "## 5. Peak memory of loading the 1,000-key struct\n\n\
         A child process of this benchmark: a current-thread runtime and a client, then either \
         nothing (baseline) or one cold load of 1,000 keys from one folder (48-character \
         values). `VmHWM` is the peak resident set, `VmRSS` the resident set at the end; median \
         of {RUNS} runs.\n"
    );
    let _ = writeln!(table, "| process | peak RSS (VmHWM) | RSS at the end |");
    let _ = writeln!(table, "|---|---|---|");
    let _ = writeln!(
        table,
        "| baseline: runtime + client, no load | {base_hwm} KiB | {base_rss} KiB |"
    );
    let _ = writeln!(
        table,
        "| one cold load of `Keys1000`, struct still held | {load_hwm} KiB | {load_rss} KiB |"
    );
    let _ = writeln!(
        table,
        "| difference | {} KiB | {} KiB |",
        i128::from(load_hwm) - i128::from(base_hwm),
        i128::from(load_rss) - i128::from(base_rss)
    );
    println!("{table}");
}

// ---------------------------------------------------------------------------------------
// Targets

/// One target of BENCHMARKS.md: what it asks, what was measured, whether it holds.
pub(crate) struct Target {
    pub(crate) asks: String,
    pub(crate) measured: String,
    pub(crate) met: bool,
}

fn targets(
    opts: &Options,
    sdk: &SdkComparison,
    legacy: &Legacy,
    scaling: &Scaling,
    cpu: &Cpu,
) -> Vec<Target> {
    let rtt = opts.latency;
    let ours = sdk.get(Way::Ours);
    let gets = sdk.get(Way::SdkGets);
    let lists = sdk.get(Way::SdkLists);
    let lists_at_once = sdk.get(Way::SdkListsAtOnce);
    let faster = |other: &Measured| {
        (
            ratio(other.cold.median(), ours.cold.median()),
            ratio(other.warm.median(), ours.warm.median()),
        )
    };
    let (gets_cold, gets_warm) = faster(gets);
    let (lists_cold, lists_warm) = faster(lists);
    let (at_once_cold, at_once_warm) = faster(lists_at_once);
    let keys_change = change_percent(
        scaling.find("10 keys").cold_samples.median(),
        scaling.find("1000 keys").cold_samples.median(),
    );
    let folders_change = change_percent(
        scaling.find("1 folder").cold_samples.median(),
        scaling.find("10 folders").cold_samples.median(),
    );
    let requests_ok = scaling.shapes.iter().all(Shape::requests_as_expected);
    let cold_limit = rtt * 2 + Duration::from_millis(10);
    let cpu_ratio = ratio(cpu.full.median(), cpu.bare.median());
    let build = sdk.build_ours.median();
    let target = |asks: String, measured: String, met: bool| Target {
        asks,
        measured,
        met,
    };
    let rows = vec![
        target(
            format!("cold load <= 2 RTT + 10 ms = {}", Ms(cold_limit)),
            format!("{}", Ms(ours.cold.median())),
            ours.cold.median() <= cold_limit,
        ),
        target(
            "cold load at least as fast as the SDK's lists with `join_all` (3 folders, cold / warm)"
                .to_owned(),
            format!(
                "{at_once_cold:.2}x / {at_once_warm:.2}x ({} vs {})",
                Ms(ours.cold.median()),
                Ms(lists_at_once.cold.median())
            ),
            at_once_cold >= 1.0,
        ),
        target(
            ">= 20x faster than per-key gets (50 keys, cold / warm)".to_owned(),
            format!("{gets_cold:.1}x / {gets_warm:.1}x"),
            gets_cold >= 20.0 && gets_warm >= 20.0,
        ),
        target(
            ">= 1.9x faster than sequential lists (3 folders, cold / warm)".to_owned(),
            format!("{lists_cold:.2}x / {lists_warm:.2}x"),
            lists_cold >= 1.9 && lists_warm >= 1.9,
        ),
        target(
            "building a client well under 1 ms (ours / SDK)".to_owned(),
            format!("{} / {}", Ms(build), Ms(sdk.build_sdk.median())),
            build < Duration::from_micros(500),
        ),
        target(
            "requests per load = 1 + folders (+1 version probe) cold, folders warm".to_owned(),
            if requests_ok { "yes" } else { "no" }.to_owned(),
            requests_ok,
        ),
        target(
            "10 -> 1000 keys moves cold load time < 10 % (pre-rendered responses)".to_owned(),
            format!(
                "{keys_change:+.1} % ({:.2} µs per key; CPU {:.2} µs per key)",
                scaling.client_share_per_key() * 1e6,
                scaling.client_cpu_per_key() * 1e6
            ),
            keys_change.abs() < 10.0,
        ),
        target(
            "1 -> 10 folders moves cold load time < 10 %".to_owned(),
            format!("{folders_change:+.1} %"),
            folders_change.abs() < 10.0,
        ),
        target(
            "a server without `/api/v4` costs at most 1 extra request per client".to_owned(),
            format!(
                "{} requests, {:+}",
                legacy.older_requests,
                legacy.extra_requests()
            ),
            legacy.extra_requests() <= 1,
        ),
        target(
            "CPU: parse + merge + resolve <= 2x bare `Value` parse".to_owned(),
            format!("{cpu_ratio:.2}x"),
            cpu_ratio <= 2.0,
        ),
    ];
    print_targets(&rows);
    rows
}

fn print_targets(rows: &[Target]) {
    println!("## Targets\n");
    println!("| target | measured | met |");
    println!("|---|---|---|");
    for row in rows {
        println!(
            "| {} | {} | {} |",
            row.asks,
            row.measured,
            if row.met { "yes" } else { "**no**" }
        );
    }
    println!(
        "| compile time of `#[derive(Secrets)]` <= 1.5x serde's `Deserialize` (100 fields) | `benches/compile-cost.sh` | – |"
    );
}

// ---------------------------------------------------------------------------------------
// The chart

fn chart_caption(opts: &Options, run: usize) -> String {
    format!(
        "Cold load, median of {} runs ({} ms per request; run {run}; load average {})",
        opts.samples,
        opts.latency.as_millis(),
        load_average()
    )
}

/// Cold load against keys (one folder) and against folders (10 keys each), for us and for
/// every SDK way timed at those shapes.
fn chart_panels(scaling: &Scaling) -> Vec<chart::Panel> {
    let panel = |by_folders: bool| {
        let shapes: Vec<&Shape> = scaling
            .shapes
            .iter()
            .filter(|s| s.by_folders == by_folders)
            .collect();
        let x = |shape: &Shape| {
            let n = if by_folders {
                shape.folders.len()
            } else {
                shape.keys
            };
            f64::from(u32::try_from(n).unwrap_or(u32::MAX))
        };
        let ms = |samples: &Samples| samples.median().as_secs_f64() * 1e3;
        let mut series = vec![chart::Series {
            label: Way::Ours.short().replace('`', ""),
            points: shapes.iter().map(|s| (x(s), ms(&s.cold_samples))).collect(),
        }];
        for &way in &Way::ALL[1..] {
            series.push(chart::Series {
                label: way.short().replace('`', ""),
                points: shapes
                    .iter()
                    .filter_map(|s| s.sdk_cold(way).map(|(samples, _)| (x(s), ms(samples))))
                    .collect(),
            });
        }
        chart::Panel {
            title: if by_folders {
                "against folders (10 keys each)".to_owned()
            } else {
                "against keys (one folder)".to_owned()
            },
            x_label: if by_folders { "folders" } else { "keys" },
            series,
        }
    };
    vec![panel(false), panel(true)]
}
