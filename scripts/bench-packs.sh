#!/usr/bin/env bash
# Measures what rule packs cost: lints a generated corpus (never committed; folders of 50
# files, each with its own cmklint.toml) with the built-in rules only, and with the
# built-in rules plus a pack of 12 declarative rules
# (scripts/bench/bench.pack.json: pack versions of the simplest built-in rules and rules
# that use wildcards, `**`, preconditions and inline JSON Schema). Also times merely
# reading the files. Prints the best of RUNS wall-clock times.
#
# On a busy machine wall and CPU times are noisy; CALLGRIND=1 also counts the
# instructions each run executes (valgrind; deterministic, ~50x slower, so use a few
# thousand files).
#
# usage: [PACK=other.pack.json] [CALLGRIND=1] scripts/bench-packs.sh [BIN] [FILES] [RUNS]
set -euo pipefail
BIN=${1:-target/release/cmklint}
FILES=${2:-4000}
RUNS=${3:-5}
HERE=$(cd "$(dirname "$0")" && pwd)
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT

python3 "$HERE/bench/gen_corpus.py" "$DIR/corpus" "$FILES"
cp "${PACK:-$HERE/bench/bench.pack.json}" "$DIR/corpus/bench.pack.json"
BYTES=$(cat "$DIR"/corpus/*/*.json | wc -c)
# One cmklint.toml per folder of 50 files (one Aura instance each), as a repository of
# many instances would have; `with` also names the pack.
configs() {
  for d in "$DIR"/corpus/unit-*; do
    printf '[aura]\nregion = "eu-west-1"\n' > "$d/cmklint.toml"
    if [ "$1" = with ]; then printf '\n[rules]\npacks = ["../bench.pack.json"]\n' >> "$d/cmklint.toml"; fi
  done
}

best() { # best wall time and best CPU time (user+sys) in seconds of RUNS runs of "$@"
  local bw="" bc="" out
  for _ in $(seq "$RUNS"); do
    /usr/bin/time -o "$DIR/time" -f "%e %U %S" "$@" >/dev/null 2>&1 || true
    out=$(tail -1 "$DIR/time")
    local w c
    w=$(echo "$out" | awk '{print $1}')
    c=$(echo "$out" | awk '{print $2 + $3}')
    if [ -z "$bw" ] || [ "$(echo "$w < $bw" | bc -l)" = 1 ]; then bw=$w; fi
    if [ -z "$bc" ] || [ "$(echo "$c < $bc" | bc -l)" = 1 ]; then bc=$c; fi
  done
  echo "$bw $bc"
}

read_only=$(best sh -c "cat '$DIR'/corpus/*/*.json > /dev/null")
instructions() { # instructions executed by one run of "$@" (valgrind callgrind)
  valgrind --tool=callgrind --callgrind-out-file="$DIR/cg.out" "$@" >/dev/null 2>"$DIR/cg.err" || true
  sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$DIR/cg.err"
}

configs without
if [ "${CALLGRIND:-0}" = 1 ]; then ir_without=$(instructions "$BIN" check --format json "$DIR/corpus"); fi
without=$(best "$BIN" check --format json "$DIR/corpus")
"$BIN" check --format json "$DIR/corpus" > "$DIR/a.json" 2>"$DIR/a.err" || true
configs with
if [ "${CALLGRIND:-0}" = 1 ]; then ir_with=$(instructions "$BIN" check --format json "$DIR/corpus"); fi
with=$(best "$BIN" check --format json "$DIR/corpus")
"$BIN" check --format json "$DIR/corpus" > "$DIR/b.json" 2>"$DIR/b.err" || true
n_without=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))))" "$DIR/a.json")
n_with=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))))" "$DIR/b.json")
n_pack=$(python3 -c "import json,sys; print(sum(1 for d in json.load(open(sys.argv[1])) if d['rule'].startswith('bench-')))" "$DIR/b.json")

echo "corpus: $FILES files, $BYTES bytes; best of $RUNS runs; $(nproc) cores; load average $(cut -d' ' -f1 /proc/loadavg)"
echo "$(tail -1 "$DIR/a.err")"
set -- $read_only; printf 'read only (cat)           wall %6.2f s  cpu %6.2f s\n' "$1" "$2"
set -- $without; w0=$1; c0=$2
printf 'built-in rules            wall %6.2f s  cpu %6.2f s  %6.0f files/s (cpu)  %d findings\n' "$1" "$2" "$(echo "$FILES / $2" | bc -l)" "$n_without"
set -- $with; w1=$1; c1=$2
printf 'built-in + 12 pack rules  wall %6.2f s  cpu %6.2f s  %6.0f files/s (cpu)  %d findings (%d from the pack)\n' "$1" "$2" "$(echo "$FILES / $2" | bc -l)" "$n_with" "$n_pack"
printf 'pack overhead             wall %+5.1f %%   cpu %+5.1f %%\n' "$(echo "($w1 - $w0) * 100 / $w0" | bc -l)" "$(echo "($c1 - $c0) * 100 / $c0" | bc -l)"
if [ "${CALLGRIND:-0}" = 1 ]; then
  printf 'instructions              built-in %d, with pack %d: %+5.1f %%\n' "$ir_without" "$ir_with" "$(echo "($ir_with - $ir_without) * 100 / $ir_without" | bc -l)"
fi
