#!/usr/bin/env bash
# Builds everything and runs the whole CTest suite. GPU tests are reported skipped without a device.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${AUDIOSTYLE_BUILD_DIR:-$root/build}
bash "$root/scripts/build.sh"
cd "$build"
ctest --output-on-failure -j "$(nproc)" "$@"
