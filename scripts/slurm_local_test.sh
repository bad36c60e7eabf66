#!/usr/bin/env bash
# The Slurm path without Slurm: `ddc sweep --emit-slurm` writes a job array; each of its tasks is
# run here by executing the emitted script with SLURM_ARRAY_TASK_ID set, as slurmd would; then
# `ddc merge` must give exactly the files of the same sweep run locally.
# Usage: scripts/slurm_local_test.sh PATH/TO/ddc WORKDIR
set -euo pipefail
ddc=$1
work=$2
rm -rf "$work"
mkdir -p "$work"
sweep=(pingpong --seed 5 --sweep cost_model.intra_rack_rtt_ns=1000,3000
       --sweep cost_model.cross_rack_rtt_ns=20000,45000)
"$ddc" run "${sweep[@]}" --out "$work/local" >/dev/null
"$ddc" sweep "${sweep[@]}" --emit-slurm "$work/array" >/dev/null
tasks=$(sed -n 's/^#SBATCH --array=0-\([0-9]*\)$/\1/p' "$work/array/sweep.sbatch")
[[ $tasks == 3 ]] || { echo "expected 4 tasks (0-3), the script says 0-$tasks" >&2; exit 1; }
for task in $(seq "$tasks" -1 0); do
  SLURM_ARRAY_TASK_ID=$task bash "$work/array/sweep.sbatch" >/dev/null
done
"$ddc" merge "$work/array" >/dev/null
status=0
for file in "$work"/local/*.csv; do
  name=$(basename "$file")
  if ! cmp -s "$file" "$work/array/$name"; then
    echo "differs: $name" >&2
    status=1
  fi
done
count=$(ls "$work"/local/*.csv | wc -l)
(( count >= 2 )) || { echo "the local sweep wrote only $count CSVs" >&2; exit 1; }
[[ $status == 0 ]] && echo "slurm array merge = local sweep ($count CSVs, byte-identical)"
exit $status
