#!/usr/bin/env bash
# Configures and builds into build/ (Release, Ninja). Arguments name targets to build (all by
# default). AUDIOSTYLE_CUDA=AUTO|ON|OFF and CUDAARCHS are honoured.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${AUDIOSTYLE_BUILD_DIR:-$root/build}
bash "$root/scripts/setup.sh"
if [[ ! -f $build/build.ninja ]]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DAUDIOSTYLE_CUDA="${AUDIOSTYLE_CUDA:-AUTO}" >/dev/null
fi
if (($# > 0)); then
  cmake --build "$build" -j "$(nproc)" --target "$@"
else
  cmake --build "$build" -j "$(nproc)"
fi
