#!/usr/bin/env bash
# The Slurm path on a real Slurm: starts munged, slurmctld and slurmd on this machine (a
# single-node cluster with a private config under WORKDIR), submits the job array that
# `ddc sweep --emit-slurm` writes with `sbatch --wait`, merges it with `ddc merge`, and checks that
# the merged files equal the same sweep run locally, byte for byte. The daemons are stopped by
# their pids on exit. Needs root and Debian's slurmctld, slurmd, slurm-client and munge
# (scripts/install-deps.sh --slurm installs them).
# Usage: scripts/slurm_single_node_test.sh PATH/TO/ddc WORKDIR
set -euo pipefail
ddc=$(readlink -f "$1")
work=$(readlink -m "$2")
for tool in munged slurmctld slurmd sbatch; do
  command -v "$tool" >/dev/null || { echo "missing $tool: run scripts/install-deps.sh --slurm" >&2; exit 1; }
done
[[ $(id -u) == 0 ]] || { echo "needs root (the daemons run as root here)" >&2; exit 1; }

rm -rf "$work"
mkdir -p "$work"/{state,spool,log,munge}
node=$(hostname -s)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

# munge: a private socket and key, so that nothing of the machine's own setup is touched.
cp /etc/munge/munge.key "$work/munge/munge.key"
chmod 600 "$work/munge/munge.key"
socket="$work/munge/munge.socket"
munged --foreground --force --key-file="$work/munge/munge.key" --socket="$socket" \
  --pid-file="$work/munge/munged.pid" --log-file="$work/log/munged.log" \
  --seed-file="$work/munge/munged.seed" 2>>"$work/log/munged.out" &
pids+=($!)

export SLURM_CONF="$work/slurm.conf"
cat > "$SLURM_CONF" <<EOF
ClusterName=ddc-test
SlurmctldHost=$node
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$socket
CredType=cred/munge
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
SlurmctldPort=16817
SlurmdPort=16818
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
ReturnToService=2
NodeName=$node CPUs=$(nproc) State=UNKNOWN
PartitionName=ddc Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF

for i in $(seq 50); do [[ -S $socket ]] && break; sleep 0.1; done
slurmctld -D -f "$SLURM_CONF" >"$work/log/slurmctld.out" 2>&1 &
pids+=($!)
slurmd -D -f "$SLURM_CONF" >"$work/log/slurmd.out" 2>&1 &
pids+=($!)
for i in $(seq 100); do
  if sinfo -h -o %T 2>/dev/null | grep -qE '^(idle|mixed)'; then break; fi
  sleep 0.2
done
sinfo -h -o %T | grep -qE '^(idle|mixed)' || {
  echo "the single-node cluster did not come up; logs in $work/log" >&2
  tail -5 "$work"/log/*.log >&2 || true
  exit 1
}

sweep=(pingpong --seed 5 --sweep cost_model.intra_rack_rtt_ns=1000,3000
       --sweep cost_model.cross_rack_rtt_ns=20000,45000)
"$ddc" run "${sweep[@]}" --out "$work/local" >/dev/null
"$ddc" sweep "${sweep[@]}" --emit-slurm "$work/array" >/dev/null
sbatch --wait --quiet "$work/array/sweep.sbatch"
"$ddc" merge "$work/array" >/dev/null
status=0
for file in "$work"/local/*.csv; do
  cmp -s "$file" "$work/array/$(basename "$file")" || { echo "differs: $(basename "$file")" >&2; status=1; }
done
[[ $status == 0 ]] && echo "slurm (sbatch --wait, $(ls "$work"/array/points | wc -l) tasks) merge = local sweep, byte-identical"
exit $status
