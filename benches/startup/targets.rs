//! Every target of the issue, met or missed, from one run's figures.

use std::time::Duration;

use crate::cpu::Cpu;
use crate::legacy::Legacy;
use crate::options::Options;
use crate::scaling::{Scaling, Shape};
use crate::sdk::{Measured, SdkComparison, Way};
use crate::stats::{Ms, change_percent, ratio};

/// One target of BENCHMARKS.md: what it asks, what was measured, whether it holds.
pub(crate) struct Target {
    pub(crate) asks: String,
    pub(crate) measured: String,
    pub(crate) met: bool,
}

pub(crate) fn targets(
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

pub(crate) fn print_targets(rows: &[Target]) {
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
