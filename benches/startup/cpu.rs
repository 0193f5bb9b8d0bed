//! Section 3: the CPU cost of a 5,000-secret listing: parse, merge and resolve against a bare `serde_json::Value`.

use std::sync::Arc;
use std::time::Duration;

use secrets_core::testing::{FakeInfisical, FakeInfisicalBuilder};
use secrets_core::{
    ExposeSecret, InfisicalClient, Loader, SecretString, Secrets,
    store::{BoxFuture, Folder, FolderSecrets, SecretStore, StoreError, StoreErrorKind},
};
use tokio::runtime::Runtime;

use crate::generated::{ENVIRONMENT, Generated, Listing5000};
use crate::harness::{STATIC_TOKEN, bare_fetch, bare_http, listing_url};
use crate::harness::{Server, keys_of, no_env, our_client, our_load, time, time_cpu, value_of};
use crate::options::Options;
use crate::stats::{Samples, ratio};

/// The secrets of the 5,000-key listing: 4,500 in the folder, 600 in the folder it imports,
/// of which the first 100 are shadowed by the folder's own.
const OWN_SECRETS: usize = 4500;
const SHADOWED: usize = 100;

/// A store that parses a body already in memory with the client's own parser: the whole load
/// path without the network.
#[derive(Debug)]
pub(crate) struct InMemoryListing {
    pub(crate) body: Arc<[u8]>,
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

pub(crate) struct Cpu {
    pub(crate) body_bytes: usize,
    pub(crate) bare: Samples,
    pub(crate) parse_merge: Samples,
    pub(crate) full: Samples,
    pub(crate) http_bare: Samples,
    pub(crate) http_ours: Samples,
}

pub(crate) fn seed_listing() -> FakeInfisicalBuilder {
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

/// The client's parser reads every key of the body, and the folder's own secrets win over the
/// import's.
pub(crate) fn check_listing(rt: &Runtime, server: &Server, body: &[u8], folder: &Folder) {
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

pub(crate) fn cpu(opts: &Options, rt: &Runtime) -> Cpu {
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
