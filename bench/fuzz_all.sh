#!/usr/bin/env bash
# Runs each libFuzzer target of fuzz/ for 10 minutes (or SECONDS) and adds what reaches new code to
# the repository's corpus (fuzz/corpus/<target>/, minimised). Prints, per target, the inputs run,
# inputs per second, edges covered and features, and the corpus size after merging.
#   bench/fuzz_all.sh [SECONDS]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
exec fuzz/run.sh "${1:-600}" --merge
