#!/usr/bin/env bash
# The whole test suite under AddressSanitizer and UndefinedBehaviorSanitizer (the asan preset: a
# Debug build, leaks not counted: Qt and Torch keep allocations until exit). Run by CI after the
# quick start's test command. Non-interactive.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source packaging/buildenv.sh
exec cmake --workflow --preset asan
