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
//! This file runs the sections in the order they print; each section is a file of its own
//! (`sdk`, `legacy`, `scaling`, `cpu`, `memory`, then `targets`), and so is the machinery:
//! the server and clients (`harness`), the replay, the SDK's ways, the chart, the statistics.

mod chart;
mod cpu;
mod fifty;
mod generated;
mod harness;
mod https;
mod legacy;
mod memory;
mod official;
mod options;
mod replay;
mod runs;
mod scaling;
mod sdk;
mod stats;
mod targets;

use std::path::Path;
use std::process::Command;

use crate::cpu::cpu;
use crate::harness::client_runtime;
use crate::https::over_https;
use crate::legacy::against_legacy;
use crate::memory::{memory, rss_child};
use crate::options::{Options, options};
use crate::runs::RunSummary;
use crate::scaling::{Scaling, Shape, scaling};
use crate::sdk::{Way, compare_with_sdk};
use crate::stats::Samples;
use crate::targets::targets;

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
        over_https(&opts, &rt);
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

pub(crate) fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg").map_or_else(
        |_| "?".to_owned(),
        |s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "),
    )
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
