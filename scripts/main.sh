#!/usr/bin/env bash
# main.sh is the main job: install, build, then reproduce every claim into results/ (CSVs,
# summary.json, plots and REPORT.md). DDC_QUICK=1 runs the quick mode (smaller sizes).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
quick=()
[ -n "${DDC_QUICK:-}" ] && quick=(--quick)
build/default/harness/ddc reproduce "${quick[@]}" --out "${DDC_OUT:-results}"
