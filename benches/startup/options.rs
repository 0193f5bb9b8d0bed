//! The benchmark's command-line options: `cargo bench -p secrets-bench -- [OPTIONS]`.

use std::time::Duration;

/// What a run measures with.
pub(crate) struct Options {
    pub(crate) latency: Duration,
    pub(crate) samples: usize,
    pub(crate) cpu_samples: usize,
    pub(crate) runs: usize,
}

/// The options after `--`; a wrong one ends the process with the usage line.
pub(crate) fn options(args: &[String]) -> Options {
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

pub(crate) fn usage(problem: &str) -> ! {
    eprintln!(
        "{problem}\nusage: cargo bench -p secrets-bench -- [--latency-ms 20] [--samples 11] [--cpu-samples 31] [--runs 1]"
    );
    std::process::exit(2);
}
