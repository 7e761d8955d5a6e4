#!/usr/bin/env bash
# Runs cmklint's cargo-fuzz targets, each for a bounded time, and prints a summary.
#
#   scripts/fuzz.sh [-j N] [SECONDS] [TARGET...]
#
# SECONDS per target (default 60); TARGETs default to every target in fuzz/Cargo.toml.
# -j 2 runs two targets at once (the machine has two cores; default one at a time).
# Seeds each target's corpus (fuzz/corpus/TARGET, gitignored) from fixtures/**/*.json and
# tests/regressions/*, uses fuzz/cmklint.dict, logs to fuzz/logs/TARGET.log and leaves
# crashing inputs in fuzz/artifacts/TARGET/. Exits 1 if any target crashed.
#
# Besides the libFuzzer targets, the target `splice_search` (fuzz/search/, a plain
# program) splices the fixtures into each other and checks all three targets' properties
# on the results; it runs by default and can be named like the others.
#
# Needs cargo-fuzz (`cargo install cargo-fuzz`). On a stable toolchain it runs with
# RUSTC_BOOTSTRAP=1 and without a sanitizer (`-s none`): Rust code needs no ASan, and
# libFuzzer still catches panics, aborts, timeouts and out-of-memory.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

jobs=1
if [[ "${1:-}" == "-j" ]]; then
    jobs="$2"
    shift 2
fi
seconds="${1:-60}"
shift || true
if ! [[ "$seconds" =~ ^[0-9]+$ ]]; then
    echo "usage: scripts/fuzz.sh [-j N] [SECONDS] [TARGET...]" >&2
    exit 2
fi
if [[ $# -gt 0 ]]; then
    targets=("$@")
else
    mapfile -t targets < <(sed -n 's/^name = "\([a-z_]*\)"$/\1/p' fuzz/Cargo.toml | grep -v '^cmklint-fuzz$')
    targets+=(splice_search)
fi

# cargo-fuzz builds into fuzz/target unless told otherwise; keep the helpers' shared build
# dir out of it (different RUSTFLAGS would invalidate each other's builds).
unset CARGO_TARGET_DIR
export RUSTC_BOOTSTRAP=1

echo "building the fuzz targets" >&2
build_log="$(mktemp)"
if ! cargo fuzz build -s none >"$build_log" 2>&1; then
    cat "$build_log" >&2
    rm -f "$build_log"
    exit 2
fi
if ! cargo build --release --manifest-path fuzz/search/Cargo.toml >"$build_log" 2>&1; then
    cat "$build_log" >&2
    rm -f "$build_log"
    exit 2
fi
rm -f "$build_log"

mkdir -p fuzz/logs
seed() {
    local dir="fuzz/corpus/$1"
    mkdir -p "$dir"
    local f
    while IFS= read -r -d '' f; do
        cp -n "$f" "$dir/seed-$(printf '%s' "$f" | cksum | cut -d' ' -f1)" 2>/dev/null || true
    done < <(find fixtures tests/regressions -type f \( -name '*.json' -o -name '*.txt' \) -print0 2>/dev/null)
}

# Not a libFuzzer target: the splice-and-mutate search (fuzz/search/main.rs), seeded from
# the same files, checking all three targets' properties.
run_search() {
    local log="fuzz/logs/splice_search.log"
    local start end rc=0
    start=$(date +%s)
    fuzz/search/target/release/splice_search "$seconds" >"$log" 2>&1 || rc=$?
    end=$(date +%s)
    local execs failures
    execs=$(sed -n 's/^splice_search\t[0-9]*s\t\([0-9]*\) execs.*/\1/p' "$log" | tail -1)
    failures=$(sed -n 's/.*\t\([0-9]*\) failures$/\1/p' "$log" | tail -1)
    printf '%s\t%ss\t%s execs\t%s exec/s\texit %s\t%s new artifacts\n' \
        splice_search "$((end - start))" "${execs:-?}" "$(( ${execs:-0} / ( end - start > 0 ? end - start : 1 ) ))" \
        "$rc" "${failures:-?}" >"fuzz/logs/splice_search.summary"
    return 0
}

run_one() {
    local t="$1"
    if [[ "$t" == splice_search ]]; then
        run_search
        return 0
    fi
    seed "$t"
    mkdir -p "fuzz/artifacts/$t"
    local log="fuzz/logs/$t.log"
    local start end rc=0 stamp
    stamp="$(mktemp)"
    start=$(date +%s)
    cargo fuzz run -s none "$t" "fuzz/corpus/$t" -- \
        -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 -max_len=65536 \
        -dict=fuzz/cmklint.dict -print_final_stats=1 \
        -artifact_prefix="fuzz/artifacts/$t/" >"$log" 2>&1 || rc=$?
    end=$(date +%s)
    local execs
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    local crashes
    crashes=$(find "fuzz/artifacts/$t" -type f -newer "$stamp" \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
    rm -f "$stamp"
    printf '%s\t%ss\t%s execs\t%s exec/s\texit %s\t%s new artifacts\n' \
        "$t" "$((end - start))" "${execs:-?}" "$(( ${execs:-0} / ( end - start > 0 ? end - start : 1 ) ))" \
        "$rc" "$crashes" >"fuzz/logs/$t.summary"
    return 0
}

pids=()
for t in "${targets[@]}"; do
    run_one "$t" &
    pids+=($!)
    if [[ ${#pids[@]} -ge $jobs ]]; then
        wait "${pids[0]}"
        pids=("${pids[@]:1}")
    fi
done
for p in "${pids[@]}"; do wait "$p"; done

status=0
printf 'target\ttime\texecutions\trate\tresult\n'
for t in "${targets[@]}"; do
    cat "fuzz/logs/$t.summary"
    if ! grep -q $'\texit 0\t' "fuzz/logs/$t.summary"; then
        status=1
        echo "  $t crashed; see fuzz/logs/$t.log and fuzz/artifacts/$t/" >&2
    fi
done
exit $status
