//! Section 2: load time and requests as keys and folders grow, against pre-rendered responses.

use std::time::Duration;

use futures_util::future::join_all;
use secrets_core::InfisicalClient;
use secrets_core::testing::FakeInfisical;
use tokio::runtime::Runtime;

use crate::generated::{Folders1, Folders3, Folders10, Generated, Keys10, Keys100, Keys1000};
use crate::harness::{STATIC_TOKEN, bare_fetch, bare_http, listing_url};
use crate::harness::{
    Server, check, keys_of, our_client, our_load, seed, time, time_with_cpu, value_of,
};
use crate::official::{self, KeyRef};
use crate::options::Options;
use crate::sdk::{Job, Way};
use crate::stats::{Ms, Samples, change_percent};

pub(crate) struct Shape {
    pub(crate) label: &'static str,
    pub(crate) by_folders: bool,
    pub(crate) keys: usize,
    pub(crate) key_refs: Vec<KeyRef>,
    pub(crate) folders: Vec<&'static str>,
    /// A cold load: its wall time and the CPU time of the client's thread.
    pub(crate) cold: fn(&Runtime, &str, &str) -> (Duration, Duration),
    pub(crate) warm: fn(&Runtime, &InfisicalClient) -> Duration,
    pub(crate) cold_samples: Samples,
    /// The client thread's CPU time of each cold load: the runtime, reqwest's connection
    /// tasks and the load all run on it.
    pub(crate) cold_cpu_samples: Samples,
    pub(crate) warm_samples: Samples,
    pub(crate) cold_requests: usize,
    pub(crate) warm_requests: usize,
    /// The fake's own time for the same listings: bare GETs at 0 ms latency, no parse.
    pub(crate) server_samples: Samples,
    /// Cold loads the SDK's ways, and their requests.
    pub(crate) sdk: Vec<(Way, Samples, usize)>,
}

/// The most keys the SDK's per-key ways are timed with: 1,000 gets in sequence take 20 s.
pub(crate) const SDK_GETS_MAX_KEYS: usize = 100;
/// The SDK's ways are timed in the first this many rounds only (they are the slow ones).
pub(crate) const SDK_SCALING_SAMPLES: usize = 5;

impl Shape {
    pub(crate) fn new<S: Generated>(label: &'static str, by_folders: bool) -> Self {
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

pub(crate) struct Scaling {
    pub(crate) server: Server,
    pub(crate) shapes: Vec<Shape>,
}

impl Scaling {
    pub(crate) fn find(&self, label: &str) -> &Shape {
        self.shapes
            .iter()
            .find(|s| s.label == label)
            .expect("shape measured")
    }
}

pub(crate) fn scaling(opts: &Options, rt: &Runtime) -> Scaling {
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

pub(crate) fn print_scaling(opts: &Options, scaling: &Scaling) {
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
    pub(crate) fn sdk_cold(&self, way: Way) -> Option<(&Samples, usize)> {
        self.sdk
            .iter()
            .find(|(w, _, _)| *w == way)
            .map(|(_, samples, requests)| (samples, *requests))
    }

    /// 1 login + 1 list per folder cold (+1 for a client that probes the API version),
    /// 1 list per folder warm.
    pub(crate) fn requests_as_expected(&self) -> bool {
        let folders = self.folders.len();
        (1 + folders..=2 + folders).contains(&self.cold_requests) && self.warm_requests == folders
    }
}

impl Scaling {
    /// Seconds per key the client adds to a cold load, from 10 to 1,000 keys in one folder.
    pub(crate) fn client_share_per_key(&self) -> f64 {
        let (few, many) = (self.find("10 keys"), self.find("1000 keys"));
        let added =
            many.cold_samples.median().as_secs_f64() - few.cold_samples.median().as_secs_f64();
        added / f64::from(u32::try_from(many.keys - few.keys).unwrap_or(1))
    }

    /// Seconds of the client thread's CPU per key of a cold load, from 10 to 1,000 keys.
    pub(crate) fn client_cpu_per_key(&self) -> f64 {
        let (few, many) = (self.find("10 keys"), self.find("1000 keys"));
        let added = many.cold_cpu_samples.median().as_secs_f64()
            - few.cold_cpu_samples.median().as_secs_f64();
        added / f64::from(u32::try_from(many.keys - few.keys).unwrap_or(1))
    }
}
