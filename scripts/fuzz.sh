#!/usr/bin/env bash
# fuzz.sh [SECONDS] configures the `fuzz` preset (clang 16, libFuzzer + ASan + UBSan, build/fuzz),
# builds every fuzz target and runs each for SECONDS (default 30) from its seeds in fuzz/corpus/.
# A crash fails the run and leaves the input in build/fuzz/fuzz/fuzz_<target>-work/crash-*; copy
# it into fuzz/corpus/<target>/ so fuzz_replay_test keeps it fixed (fuzz/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-30}"
cmake --preset fuzz -DDDC_FUZZ_SECONDS="$seconds" >/dev/null
cmake --build --preset fuzz -j"${DDC_JOBS:-2}" --target fuzzers
ctest --test-dir build/fuzz -L fuzz -E '^fuzz_short$' --output-on-failure
