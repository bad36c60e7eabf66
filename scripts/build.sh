#!/usr/bin/env bash
# build.sh installs missing packages, then configures and builds the default preset
# (build/default, two parallel jobs as on CI's 2-core machines).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset default >/dev/null
cmake --build --preset default -j"${DDC_JOBS:-2}"
