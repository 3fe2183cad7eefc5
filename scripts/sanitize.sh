#!/usr/bin/env bash
# A second build of the CPU backend and the CPU tests with AddressSanitizer and
# UndefinedBehaviorSanitizer (any finding aborts: -fno-sanitize-recover=all), in build-asan/, then
# runs the CPU tests under them. The CLI tests run the sanitized tool too (AUDIOSTYLE_CLI is this
# build's binary). Arguments go to ctest (e.g. -R batch). GPU tests: scripts/gpu_check.sh.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${AUDIOSTYLE_ASAN_DIR:-$root/build-asan}
bash "$root/scripts/setup.sh"
# -O1: a readable stack and a test suite that still runs in a minute or two.
flags="-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all"
if [[ ! -f $build/build.ninja ]]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=None -DAUDIOSTYLE_CUDA=OFF \
    -DAUDIOSTYLE_BENCH=OFF -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_C_FLAGS="$flags" \
    -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" >/dev/null
fi
cmake --build "$build" -j "$(nproc)" --target audiostyle audiostyle_tests
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# Leaks inside system libraries (fontconfig's caches, libvorbis): tests/lsan.supp says which.
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$root/tests/lsan.supp}
cd "$build"
ctest --output-on-failure -j "$(nproc)" -L cpu "$@"
