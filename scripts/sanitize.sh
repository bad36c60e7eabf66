#!/usr/bin/env bash
# sanitize.sh builds the `asan` preset (GCC, AddressSanitizer + UndefinedBehaviorSanitizer, -O1,
# assertions on, build/asan) and runs the whole default test suite under it (every test not
# labelled `slow`, applications included). Any sanitizer report fails the test that triggered it.
# CI runs it as its second step, after scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset asan >/dev/null
# Only what the default suite runs (the `unit_tests` target: no benchmarks, no slow-only binaries).
cmake --build --preset asan -j"${DDC_JOBS:-2}" --target unit_tests
# The asan test preset also skips the `<binary>_slow_test_NOT_BUILT` placeholders that
# gtest_discover_tests registers for the slow-only binaries unit_tests does not build.
ctest --preset asan
