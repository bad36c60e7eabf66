#!/usr/bin/env bash
# install-deps.sh installs the Debian 12 packages the build needs, and only those that are
# missing. It is idempotent and prints nothing when everything is already present.
# `--slurm` adds a single-node Slurm (slurmctld, slurmd, client, munge) for the slow Slurm test.
set -euo pipefail

packages=(g++ make cmake zlib1g-dev libabsl-dev libasio-dev libprotobuf-dev protobuf-compiler
          libgtest-dev libgmock-dev libbenchmark-dev python3-matplotlib
          clang-16 libclang-rt-16-dev)  # clang-16: the `fuzz` preset (libFuzzer; fuzz/README.md)
if [ "${1:-}" = "--slurm" ]; then
  packages+=(slurmctld slurmd slurm-client munge)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing ${missing[*]}; run as root (or install them) first" >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
