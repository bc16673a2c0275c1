#!/usr/bin/env bash
# Dashboard render benchmark (no HTTP): the demo data set with the plan padded to N indicators, rendered in
# process from scratch and with the per-snapshot part cached. Prints a Markdown table. Usage:
# bench/render.sh [N ...] (default: 12 50 200). See docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run --release -q -p jiqun-web --example dashboard_render -- "$@"
