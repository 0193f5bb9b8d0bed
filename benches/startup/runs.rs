//! `--runs N`: the headline figures and targets of every run, side by side, each run with the
//! load average it started and ended at, so that a target is seen to hold run after run.

use crate::cpu::Cpu;
use crate::legacy::Legacy;
use crate::scaling::Scaling;
use crate::sdk::{SdkComparison, Way};
use crate::stats::Ms;
use crate::targets::Target;

/// What one run contributes to the side-by-side table.
pub(crate) struct RunSummary {
    load_at_start: String,
    load_at_end: String,
    figures: Vec<(&'static str, String)>,
    targets: Vec<Target>,
}

impl RunSummary {
    pub(crate) fn new(
        load_at_start: String,
        load_at_end: String,
        sdk: &SdkComparison,
        legacy: &Legacy,
        scaling: &Scaling,
        cpu: &Cpu,
        targets: Vec<Target>,
    ) -> Self {
        let cold = |way: Way| format!("{}", Ms(sdk.get(way).cold.median()));
        let shape = |label: &str| format!("{}", Ms(scaling.find(label).cold_samples.median()));
        let figures = vec![
            ("cold, 50 keys in 3 folders: secrets-core", cold(Way::Ours)),
            ("cold: SDK lists with `join_all`", cold(Way::SdkListsAtOnce)),
            (
                "client thread CPU per cold load: secrets-core / SDK `join_all`",
                format!(
                    "{} / {}",
                    Ms(sdk.get(Way::Ours).cold_cpu.median()),
                    Ms(sdk.get(Way::SdkListsAtOnce).cold_cpu.median())
                ),
            ),
            ("cold: SDK lists in sequence", cold(Way::SdkLists)),
            ("cold: SDK gets in sequence", cold(Way::SdkGets)),
            (
                "building a client: secrets-core / SDK",
                format!(
                    "{} / {}",
                    Ms(sdk.build_ours.median()),
                    Ms(sdk.build_sdk.median())
                ),
            ),
            (
                "requests per cold load: current / older server",
                format!("{} / {}", legacy.current_requests, legacy.older_requests),
            ),
            ("cold, 10 keys (pre-rendered)", shape("10 keys")),
            ("cold, 1,000 keys (pre-rendered)", shape("1000 keys")),
            (
                "client thread CPU per key, 10 -> 1,000 keys",
                format!("{:.2} µs", scaling.client_cpu_per_key() * 1e6),
            ),
            (
                "CPU, 5,000 keys: parse + merge + resolve",
                format!("{}", Ms(cpu.full.median())),
            ),
        ];
        Self {
            load_at_start,
            load_at_end,
            figures,
            targets,
        }
    }
}

/// Prints the runs side by side, one column each.
pub(crate) fn print(runs: &[RunSummary]) {
    println!("# {} runs side by side\n", runs.len());
    let heads: Vec<String> = (1..=runs.len()).map(|i| format!("run {i}")).collect();
    println!("| | {} |", heads.join(" | "));
    println!("|---|{}", "---|".repeat(runs.len()));
    let row = |label: &str, cell: &dyn Fn(&RunSummary) -> String| {
        let cells: Vec<String> = runs.iter().map(cell).collect();
        println!("| {label} | {} |", cells.join(" | "));
    };
    row("load average at the start (1, 5, 15 min)", &|r| {
        r.load_at_start.clone()
    });
    row("load average at the end", &|r| r.load_at_end.clone());
    for (i, (label, _)) in runs[0].figures.iter().enumerate() {
        row(label, &|r| r.figures[i].1.clone());
    }
    for (i, target) in runs[0].targets.iter().enumerate() {
        row(&target.asks, &|r| {
            let t = &r.targets[i];
            format!(
                "{} {}",
                t.measured,
                if t.met { "(met)" } else { "(**missed**)" }
            )
        });
    }
    let held = (0..runs[0].targets.len())
        .filter(|&i| runs.iter().all(|r| r.targets[i].met))
        .count();
    println!(
        "\n{held} of {} targets held in all {} runs.",
        runs[0].targets.len(),
        runs.len()
    );
}
