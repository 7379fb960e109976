#!/usr/bin/env bash
# The whole test suite under AddressSanitizer and UndefinedBehaviorSanitizer (the asan preset: a
# Debug build, leaks not counted: Qt and Torch keep allocations until exit), then the tests of the
# threaded parts (session writer, stations' outbox, model runs, maps, background jobs, the
# participant window's prefetcher) under ThreadSanitizer (the tsan preset; tests/tsan.supp lists
# the hand-offs inside Qt, Torch and GDAL, which are not instrumented). Run by CI after the quick
# start's test command. Non-interactive.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source packaging/buildenv.sh
cmake --workflow --preset asan
cmake --workflow --preset tsan
