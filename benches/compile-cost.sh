#!/usr/bin/env bash
# Compile cost of `#[derive(Secrets)]` versus serde's `#[derive(Deserialize)]` on the same
# 100-field struct.
#
#   benches/compile-cost.sh                     # dev profile, 7 builds of each crate per mode
#   RUNS=11 PROFILE=release benches/compile-cost.sh
#
# Writes three throwaway library crates under target/compile-cost/ (crates.io and path
# dependencies on this workspace only), builds their dependencies once, then times
# `cargo build` of only the crate itself after touching its source, the crates taking turns:
#   secrets: the struct with #[derive(Secrets)] (SecretString fields), and a function that
#            loads it, so that the derived code and the loader it calls are compiled;
#   serde:   the struct with #[derive(serde::Deserialize)] (String fields), and a function
#            that parses it with serde_json, so that the derived code is compiled;
#   plain:   the struct with no derive: what compiling any such crate costs.
# Two modes: `full` (CARGO_INCREMENTAL=0: the whole crate is compiled, as in CI or after the
# struct changed) and `incremental` (the default dev setting: rustc reuses what did not
# change, but the derive macros run again). For each build it records rustc's time for the
# crate (through a RUSTC_WRAPPER) and the whole `cargo build`; prints median, min and max,
# and the ratios secrets / serde.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
runs=${RUNS:-7}
profile=${PROFILE:-dev}
fields=100
work=$root/target/compile-cost
export CARGO_TARGET_DIR=$work/target
export CARGO_TERM_COLOR=never

field_names() {
    for ((i = 0; i < fields; i++)); do printf 'field_%03d\n' "$i"; done
}

# new_crate NAME DEPENDENCIES LIB_RS
new_crate() {
    local dir=$work/$1
    mkdir -p "$dir/src"
    cat >"$dir/Cargo.toml" <<EOF
[package]
name = "compile-cost-$1"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
$2

# Not a member of the workspace this directory sits in.
[workspace]
EOF
    printf '%s\n' "$3" >"$dir/src/lib.rs"
    # The workspace's lock file, so that shared dependencies resolve to the same versions.
    cp "$root/Cargo.lock" "$dir/Cargo.lock"
}

secrets_fields=$(field_names | sed 's/.*/    pub &: SecretString,/')
serde_fields=$(field_names | sed 's/.*/    pub &: String,/')

new_crate secrets \
    "secrets-core = { path = \"$root/secrets-core\" }
tokio = { version = \"1\", features = [\"rt\"] }" \
    "//! $fields fields with #[derive(Secrets)].
use secrets_core::{Error, SecretString, Secrets};

#[derive(Secrets)]
#[secret(environment = \"prod\", path = \"/app\")]
pub struct App {
$secrets_fields
}

/// Loads the struct: compiles the derived code and the loader's code for it.
pub fn load() -> Result<App, Error> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect(\"runtime\")
        .block_on(App::load())
}"

new_crate serde \
    "serde = { version = \"1\", features = [\"derive\"] }
serde_json = \"1\"" \
    "//! $fields fields with #[derive(serde::Deserialize)].
#[derive(serde::Deserialize)]
pub struct App {
$serde_fields
}

/// Parses the struct: compiles the derived code for serde_json's deserializer.
pub fn parse(json: &str) -> serde_json::Result<App> {
    serde_json::from_str(json)
}"

new_crate plain \
    "" \
    "//! $fields fields, no derive.
pub struct App {
$serde_fields
}

/// Builds the struct.
pub fn new(value: &str) -> App {
    App {
$(field_names | sed 's/.*/        &: value.to_owned(),/')
    }
}"

crates=(secrets serde plain)

# rustc's own time for the throwaway crates, measured by a wrapper, because a `cargo build`
# also spends time checking every dependency (about 140 packages behind secrets-core, 14
# behind serde_json): that part depends on the dependency tree, not on the derive.
timer=$work/rustc-timer.sh
cat >"$timer" <<'EOF'
#!/usr/bin/env bash
start=$(date +%s%N)
"$@"
status=$?
end=$(date +%s%N)
prev=
for arg in "$@"; do
    if [ "$prev" = --crate-name ] && [[ $arg == compile_cost_* ]]; then
        echo "$arg $((end - start))" >>"$COMPILE_COST_LOG"
    fi
    prev=$arg
done
exit $status
EOF
chmod +x "$timer"
export RUSTC_WRAPPER=$timer
export COMPILE_COST_LOG=$work/rustc-times.log

# Prints "wall rustc" seconds of one build of crate $1, or nothing when more than the crate
# itself was compiled (a dependency changed under us: the sample is dropped).
rebuild() {
    local dir=$work/$1 log start end
    touch "$dir/src/lib.rs"
    : >"$COMPILE_COST_LOG"
    start=$(date +%s%N)
    log=$(cargo build --profile "$profile" --manifest-path "$dir/Cargo.toml" 2>&1)
    end=$(date +%s%N)
    if [ "$(grep -c '^ *Compiling ' <<<"$log")" = 1 ]; then
        awk -v ns=$((end - start)) '{ r = $2 } END { printf "%.3f %.3f\n", ns / 1e9, r / 1e9 }' \
            "$COMPILE_COST_LOG"
    else
        echo "  (dropped a sample of $1: a dependency was rebuilt)" >&2
    fi
}

# stats "1.2 1.0 ..." -> "median min max count"
stats() {
    tr ' ' '\n' <<<"$1" | grep . | sort -g | awk '
        { v[NR] = $1 }
        END {
            m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
            printf "%.3f %.3f %.3f %d\n", m, v[1], v[NR], NR
        }'
}

echo "## 4. Compile cost: a $fields-field struct, profile $profile, the crate alone"
echo
echo "$(nproc) cores, $(rustc --version), load average $(cut -d' ' -f1-3 /proc/loadavg); $runs builds of each crate per mode, taking turns"

for mode in full incremental; do
    if [ "$mode" = full ]; then export CARGO_INCREMENTAL=0; else export CARGO_INCREMENTAL=1; fi
    for name in "${crates[@]}"; do
        echo "building the dependencies of $name ($mode, once)..." >&2
        cargo build -q --profile "$profile" --manifest-path "$work/$name/Cargo.toml"
    done
    declare -A wall=() rustc=()
    for ((run = 1; run <= runs; run++)); do
        for name in "${crates[@]}"; do
            read -r w r <<<"$(rebuild "$name")" || true
            wall[$name]+="${w:-} "
            rustc[$name]+="${r:-} "
        done
    done
    echo
    echo "| $mode build | rustc: median (min – max) | \`cargo build\`: median (min – max) | samples |"
    echo "|---|---|---|---|"
    declare -A rustc_median=() wall_median=()
    for name in "${crates[@]}"; do
        read -r rmed rmin rmax count <<<"$(stats "${rustc[$name]}")"
        read -r wmed wmin wmax _ <<<"$(stats "${wall[$name]}")"
        rustc_median[$name]=$rmed
        wall_median[$name]=$wmed
        echo "| $name | $rmed s ($rmin – $rmax) | $wmed s ($wmin – $wmax) | $count |"
    done
    echo
    awk -v m="$mode" \
        -v s="${rustc_median[secrets]}" -v d="${rustc_median[serde]}" -v p="${rustc_median[plain]}" \
        -v ws="${wall_median[secrets]}" -v wd="${wall_median[serde]}" 'BEGIN {
        printf "%s: rustc, derive(Secrets) / derive(Deserialize): %.2fx (target <= 1.5x); whole cargo build: %.2fx\n", m, s / d, ws / wd
        if (d > p) printf "%s: rustc time added over the plain struct: Secrets %.3f s, Deserialize %.3f s (%.2fx)\n", m, s - p, d - p, (s - p) / (d - p)
    }'
done
echo
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
