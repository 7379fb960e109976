#!/usr/bin/env bash
# Whole model runs (`ntt model run`: decode and prepare on a producer thread, inference in batches,
# storing predictions and answers) of two ntt builds on the same pool, alternated round by round,
# so that a change to the model pipeline can be compared before and after on a shared, noisy machine.
#
#   bench/compare_model_runs.sh OLD_NTT NEW_NTT MODEL.pt [POOL] [ROUNDS]
#
# MODEL.pt is a TorchScript model with its sidecar (bench/make_resnet18_torchscript.py makes one);
# POOL defaults to ../shared/data/deepart-sample, ROUNDS to 5. Each round copies a study file
# prepared once per build (pool imported, study created, model added) and times one run on the CPU.
# Prints each build's median images per second.
set -euo pipefail
old="$1"; new="$2"; model="$3"
pool="${4:-$(cd "$(dirname "$0")/.." && pwd)/../shared/data/deepart-sample}"
rounds="${5:-5}"
definition="$(cd "$(dirname "$0")/.." && pwd)/docs/examples/deepart-2way.json"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
images=$(find "$pool" -type f \( -name '*.png' -o -name '*.jpg' \) | wc -l)

prepare() { # build label, ntt binary
    "$2" import --db "$work/$1.ntt" "$pool" > /dev/null 2>&1
    "$2" study create --db "$work/$1.ntt" "$definition" > /dev/null 2>&1
    "$2" model add --db "$work/$1.ntt" --name bench "$model" > /dev/null 2>&1
}
prepare old "$old"
prepare new "$new"
declare -A rates
for ((r = 0; r < rounds; r++)); do
    for build in old new; do
        cp "$work/$build.ntt" "$work/run.ntt"
        binary=$([ "$build" = old ] && echo "$old" || echo "$new")
        start=$(date +%s.%N)
        "$binary" model run --db "$work/run.ntt" --model bench --cpu > /dev/null 2>&1
        end=$(date +%s.%N)
        rates[$build]+="$(echo "$images / ($end - $start)" | bc -l) "
        rm -f "$work/run.ntt" "$work/run.ntt-wal" "$work/run.ntt-shm"
    done
done
median() { tr ' ' '\n' | grep . | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
echo "$images images from $pool, $(basename "$model"), $rounds alternated rounds, load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '  %-6s %8.1f images/s (median of: %s)\n' old "$(echo "${rates[old]}" | median)" "${rates[old]}"
printf '  %-6s %8.1f images/s (median of: %s)\n' new "$(echo "${rates[new]}" | median)" "${rates[new]}"
