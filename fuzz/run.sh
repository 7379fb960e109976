#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ with Debian's clang and runs each for SECONDS:
#   fuzz/run.sh [SECONDS] [--merge]
# Each target starts from its seeds in fuzz/corpus/<target>/ (read, never written, unless --merge)
# and writes what it finds to a scratch corpus. A crash, leak, hang (over 10 s for one input) or
# sanitizer report fails the run; the input is saved as build/fuzz/<target>-crash-* to reproduce it
# with `build/fuzz/<target> FILE`. With --merge the inputs that reach new code are added to the
# repository's corpus (minimised by libFuzzer's -merge=1; study files keep their seeds only, being
# 36 KB each). Prints, per target, the executions,
# executions per second, code coverage (edges) and features libFuzzer reached.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
seconds="${1:-30}"
merge=0
[ "${2:-}" = "--merge" ] && merge=1
source packaging/buildenv.sh

cmake -S fuzz -B build/fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_CXX_COMPILER_LAUNCHER=ccache >/dev/null
cmake --build build/fuzz

targets=(fuzz_study_definition fuzz_model_sidecar fuzz_image_header fuzz_manifest fuzz_study_file)
status=0
for t in "${targets[@]}"; do
    scratch="$(mktemp -d)"
    log="build/fuzz/$t.log"
    # One process, no leak counting (Qt keeps its global allocations until exit).
    if ! ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=print_stacktrace=1 QT_LOGGING_RULES="ntt.*.info=false" \
        "build/fuzz/$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -max_len=65536 \
        -artifact_prefix="build/fuzz/$t-" -print_final_stats=1 "$scratch" "fuzz/corpus/$t" >"$log" 2>&1; then
        echo "fuzz: $t FAILED; the input and the report: build/fuzz/$t-* and $log" >&2
        tail -40 "$log" >&2
        status=1
    fi
    execs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)"
    speed="$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)"
    last="$(grep -E '^#[0-9]+' "$log" | tail -1)"
    cov="$(grep -o 'cov: [0-9]*' <<<"$last" | grep -o '[0-9]*' || echo ?)"
    ft="$(grep -o 'ft: [0-9]*' <<<"$last" | grep -o '[0-9]*' || echo ?)"
    echo "fuzz: $t: ${seconds} s, $execs inputs, $speed/s, coverage $cov edges, $ft features, seeds $(ls "fuzz/corpus/$t" | wc -l), found $(ls "$scratch" | wc -l)"
    # Study files are 36 KB each: the repository keeps their seeds only.
    if [ "$merge" = 1 ] && [ "$status" = 0 ] && [ "$t" != fuzz_study_file ]; then
        ASAN_OPTIONS=detect_leaks=0 "build/fuzz/$t" -merge=1 -timeout=10 "fuzz/corpus/$t" "$scratch" >>"$log" 2>&1
        echo "fuzz: $t: corpus now $(ls "fuzz/corpus/$t" | wc -l) files, $(du -sk "fuzz/corpus/$t" | cut -f1) KiB"
    fi
    rm -rf "$scratch"
done
exit "$status"
