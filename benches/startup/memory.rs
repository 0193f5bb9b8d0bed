//! Section 5: the peak resident set of a 1,000-key load, in a child process.

use std::fmt::Write as _;
use std::hint::black_box;
use std::process::Command;

use crate::generated::{Generated, Keys1000};
use crate::harness::{Server, client_runtime, our_client, our_load};
use crate::options::usage;

/// Runs in a child process: builds the runtime and client, loads the 1,000-key struct or not,
/// and prints its `VmHWM` and `VmRSS` lines.
pub(crate) fn rss_child(mode: &str, url: &str, project: &str) {
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
pub(crate) fn run_child(mode: &str, server: &Server) -> (u64, u64) {
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

pub(crate) fn memory(server: &Server) {
    pub(crate) const RUNS: usize = 3;
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
