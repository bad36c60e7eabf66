#!/usr/bin/env bash
# run_fuzzer.sh BINARY SECONDS WORK SEEDS... runs one libFuzzer target for SECONDS, starting from
# the seed directories SEEDS (read only) and keeping what it learns in WORK/corpus; a crashing
# input is saved as WORK/crash-* and the run fails. ctest runs it for every FUZZ target (label
# slow).
set -euo pipefail
binary=$1 seconds=$2 work=$3
shift 3
mkdir -p "$work/corpus"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
exec "$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=4096 \
  -print_final_stats=1 -artifact_prefix="$work/" "$work/corpus" "$@"
