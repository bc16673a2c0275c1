# Sourced by the benchmarks that time programs taking turns (import.sh, permu.sh), from the repository's
# root: builds the release binary ($BIN), makes the work folder ($WORK, removed on exit) and defines `once`.
cargo build --release -q -p jiqun
BIN=${CARGO_TARGET_DIR:-target}/release/jiqun
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
once() { # label, command... : appends "label seconds kilobytes" to $WORK/runs; on failure shows the output
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$WORK/time" "$@" >"$WORK/out" 2>&1 || { cat "$WORK/out" >&2; exit 1; }
  echo "$label $(cat "$WORK/time")" >> "$WORK/runs"
}
