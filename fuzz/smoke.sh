#!/usr/bin/env bash
# Fuzzing smoke for CI: builds every cargo-fuzz target and runs each for a short while (FUZZ_SECONDS, 20 by
# default) over its kept corpus, one at a time, in one process (libFuzzer without -jobs runs one). Fails on
# a crash, a panic, an input over the time (10 s) or memory (2 GB) limit, or a build failure. The corpora
# are not changed: new inputs go to a scratch folder. Needs cargo-fuzz (`cargo install cargo-fuzz`); on the
# stable toolchain RUSTC_BOOTSTRAP=1 lets it pass its -Z flags. Usage: fuzz/smoke.sh [TARGET…]
set -euo pipefail
cd "$(dirname "$0")"
export RUSTC_BOOTSTRAP=1
SECONDS_EACH=${FUZZ_SECONDS:-20}
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(compile permu_csv import_csv import_xlsx docx json_bodies)
command -v cargo-fuzz >/dev/null 2>&1 || { echo "cargo-fuzz is not installed: cargo install cargo-fuzz" >&2; exit 1; }

# The same flags as the recorded runs (docs/security.md): no sanitizer (the workspace forbids unsafe code;
# panics are what is looked for), debug assertions and overflow checks on.
FLAGS=(--sanitizer none --debug-assertions)
echo "== cargo fuzz build"
cargo fuzz build "${FLAGS[@]}"

SCRATCH=$(mktemp -d)
trap 'rm -rf "$SCRATCH"' EXIT
status=0
for t in "${TARGETS[@]}"; do
  mkdir -p "$SCRATCH/$t" "corpus/$t"
  echo "== $t: ${SECONDS_EACH}s"
  # The scratch folder first: new inputs are written there; the kept corpus is read only.
  if ! cargo fuzz run "${FLAGS[@]}" "$t" "$SCRATCH/$t" "corpus/$t" -- \
    -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 -timeout=10 \
    -artifact_prefix="$SCRATCH/" -print_final_stats=1 >"$SCRATCH/$t.log" 2>&1; then
    echo "!! $t failed:" >&2
    tail -n 60 "$SCRATCH/$t.log" >&2
    for a in "$SCRATCH"/crash-* "$SCRATCH"/timeout-* "$SCRATCH"/oom-* "$SCRATCH"/leak-*; do
      [ -e "$a" ] && { echo "input: $a ($(wc -c <"$a") bytes)" >&2; base64 -w0 "$a" | head -c 4000 >&2; echo >&2; }
    done
    status=1
  else
    grep -E '^(stat::number_of_executed_units|Done [0-9]+ runs)' "$SCRATCH/$t.log" || true
  fi
done
exit $status
