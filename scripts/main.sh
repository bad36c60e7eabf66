#!/usr/bin/env bash
# main.sh is the main job: install, build, then run every default experiment into results/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
build/default/harness/ddc run all --seed "${DDC_SEED:-1}" --out "${DDC_OUT:-results}"
