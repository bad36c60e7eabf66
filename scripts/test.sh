#!/usr/bin/env bash
# test.sh installs, builds, and runs the default test suite (every test not labelled `slow`).
# Pass `--slow` to run the long tests as well (as root: one of them starts a local Slurm).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
if [ "${1:-}" = "--slow" ]; then
  scripts/install-deps.sh --slurm  # the slow Slurm test starts a single-node cluster
  ctest --test-dir build/default --output-on-failure -j2
else
  ctest --preset default
fi
