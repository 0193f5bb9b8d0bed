//! Section 1: cold and warm loads of the 50-key struct, ours against each way of the official SDK.

use secrets_core::testing::FakeInfisical;
use secrets_core::{ExposeSecret, InfisicalClient};
use tokio::runtime::Runtime;

use crate::fifty::Fifty;
use crate::harness::{Server, keys_of, our_client, our_load, seed, time, time_cpu, time_with_cpu};
use crate::official::KeyRef;
use crate::options::Options;
use crate::stats::{Ms, Samples, ratio};
use crate::{fifty, official};

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Way {
    Ours,
    SdkGets,
    SdkLists,
    SdkGetsAtOnce,
    SdkListsAtOnce,
}

impl Way {
    pub(crate) const ALL: [Self; 5] = [
        Self::Ours,
        Self::SdkGets,
        Self::SdkLists,
        Self::SdkGetsAtOnce,
        Self::SdkListsAtOnce,
    ];

    /// A column heading.
    pub(crate) fn short(self) -> &'static str {
        match self {
            Self::Ours => "secrets-core",
            Self::SdkGets => "SDK: gets in sequence",
            Self::SdkLists => "SDK: lists in sequence",
            Self::SdkGetsAtOnce => "SDK: gets, `join_all`",
            Self::SdkListsAtOnce => "SDK: lists, `join_all`",
        }
    }

    pub(crate) fn label(self) -> &'static str {
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

pub(crate) struct Measured {
    pub(crate) way: Way,
    pub(crate) cold: Samples,
    /// The client thread's CPU time of each cold load.
    pub(crate) cold_cpu: Samples,
    pub(crate) warm: Samples,
    pub(crate) cold_requests: usize,
    pub(crate) warm_requests: usize,
    /// TCP connections a cold load opened: over HTTPS, each costs its handshakes.
    pub(crate) cold_connections: usize,
}

pub(crate) struct SdkComparison {
    pub(crate) rows: Vec<Measured>,
    /// Building a client, before any request.
    pub(crate) build_ours: Samples,
    pub(crate) build_sdk: Samples,
}

impl SdkComparison {
    pub(crate) fn get(&self, way: Way) -> &Measured {
        self.rows
            .iter()
            .find(|m| m.way == way)
            .expect("every way is measured")
    }
}

/// What the warm runs reuse: clients that already hold a token.
pub(crate) struct WarmClients {
    pub(crate) ours: InfisicalClient,
    pub(crate) sdk: infisical::Client,
}

pub(crate) struct Job<'a> {
    pub(crate) project: &'a str,
    pub(crate) folders: &'a [&'static str],
    pub(crate) keys: &'a [KeyRef],
}

impl<'a> Job<'a> {
    /// The 50-key struct's job: its three folders and its keys, in `project`.
    pub(crate) fn fifty(project: &'a str, keys: &'a [KeyRef]) -> Self {
        Self {
            project,
            folders: &fifty::FOLDERS,
            keys,
        }
    }

    pub(crate) async fn sdk(&self, client: &infisical::Client, way: Way) -> Vec<String> {
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
    pub(crate) async fn sdk_cold(&self, url: &str, way: Way) -> Vec<String> {
        let client = official::login(url).await;
        self.sdk(&client, way).await
    }
}

pub(crate) fn compare_with_sdk(opts: &Options, rt: &Runtime) -> SdkComparison {
    let server = Server::start(opts.latency, seed::<Fifty>(FakeInfisical::builder()));
    let (url, project) = (server.url(), server.project());
    let keys = keys_of::<Fifty>();
    let job = Job::fifty(project, &keys);
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
            cold_connections: 0,
        })
        .collect();
    // Round-robin, so that a change in the machine's load hits every way alike.
    for _ in 0..opts.samples {
        for row in &mut rows {
            let before = server.requests();
            let connections_before = server.fake.connections();
            let (cold, cold_cpu) = match row.way {
                Way::Ours => time_with_cpu(rt, async {
                    our_load::<Fifty>(our_client(url, project)).await
                }),
                way => time_with_cpu(rt, job.sdk_cold(url, way)),
            };
            let between = server.requests();
            row.cold_connections = server.fake.connections() - connections_before;
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

pub(crate) fn print_sdk_comparison(opts: &Options, result: &SdkComparison) {
    let ours = result.get(Way::Ours);
    println!(
        "## 1. Cold and warm load of a 50-key struct in 3 folders\n\n\
         Cold: a new client, login, then the lists or gets. Warm: a client that already holds a \
         token (and its connections). Times are median (min – max) of {} runs; \"ours faster\" \
         is the other way's median over ours. \"Client CPU, cold\" is the CPU time of the \
         client's thread during a cold load (its runtime, HTTP connections, parsing and \
         resolving all run there): what the load costs the client, whatever else the machine \
         runs. \"Connections, cold\" are the TCP connections a cold load opened (over HTTPS \
         each costs a TCP and a TLS handshake; see section 6).\n",
        opts.samples
    );
    println!(
        "| how | requests per load (cold / warm) | connections, cold | cold | warm | ours faster, cold | ours faster, warm | client CPU, cold |"
    );
    println!("|---|---|---|---|---|---|---|---|");
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
            "| {} | {} / {} | {} | {} | {} | {cold_x} | {warm_x} | {} |",
            row.way.label(),
            row.cold_requests,
            row.warm_requests,
            row.cold_connections,
            row.cold.summary(),
            row.warm.summary(),
            Ms(row.cold_cpu.median()),
        );
    }
    println!(
        "| building a client, before any request (part of every cold time): secrets-core / official SDK | 0 | 0 | {} | {} | – | – | – |\n",
        result.build_ours.summary(),
        result.build_sdk.summary()
    );
}
