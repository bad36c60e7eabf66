#!/usr/bin/env bash
# check_layering.sh [ROOT] fails when a source file includes a header its layer may not see:
#
#   harness/                      may include anything below it
#   paxos/ mapreduce/ kvstore/    applications: common/ and the public platform headers only;
#                                 never platform/sim, platform/memory, platform/os or the test
#                                 peer, and never another application
#   examples/                     the public platform headers and common/ only
#   common/                       the public platform headers only
#   platform/                     never anything above it
#
# ROOT defaults to the repository. ctest runs it on the tree (label unit), and on a fixture with a
# deliberate violation, which must fail.
set -euo pipefail
root="${1:-$(cd "$(dirname "$0")/.." && pwd)}"
cd "$root"

internal='platform/(sim|memory|os)/|platform/testing/world_peer\.h'
apps=(paxos mapreduce kvstore)
violations=0

# check DIR PATTERN WHY: every #include "..." in DIR matching PATTERN is a violation.
check() {
  local dir=$1 pattern=$2 why=$3
  [ -d "$dir" ] || return 0
  local hits
  hits=$(grep -rnE --include='*.h' --include='*.cc' --include='*.proto' \
           "^[[:space:]]*(#include|import)[[:space:]]+\"(${pattern})" "$dir" || true)
  if [ -n "$hits" ]; then
    echo "layering: $why:"
    echo "$hits" | sed 's/^/  /'
    violations=$((violations + 1))
  fi
}

for app in "${apps[@]}"; do
  others=$(printf '%s\n' "${apps[@]}" | grep -vx "$app" | paste -sd'|')
  check "$app" "$internal" "$app/ includes platform internals"
  check "$app" "(${others})/" "$app/ includes another application"
  check "$app" "harness/" "$app/ includes the harness"
done
check examples "$internal" "examples/ include platform internals"
check examples "harness/|paxos/|mapreduce/|kvstore/" "examples/ include the harness or an application"
check common "$internal" "common/ includes platform internals"
check common "harness/|paxos/|mapreduce/|kvstore/|examples/" "common/ includes a layer above it"
check platform "harness/|paxos/|mapreduce/|kvstore/|examples/|common/" "platform/ includes a layer above it"

if [ "$violations" -gt 0 ]; then
  echo "layering: $violations violation(s) under $root (see docs/architecture.md, \"Layers\")"
  exit 1
fi
echo "layering: ok ($root)"
