#!/usr/bin/env bash
# Builds the libFuzzer harnesses (clang, ASan + UBSan, build-fuzz/) and runs each for SECONDS
# (default 60) from its committed seeds (fuzz/corpus/NAME, read-only) plus what earlier runs found
# (build-fuzz/corpus/NAME). A crash stops with the input saved under build-fuzz/crashes/NAME/ and
# exit 1; turn it into a regression test (tests/.../test_*.cpp) and a seed.
# Usage: scripts/fuzz.sh [SECONDS] [NAME...]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${AUDIOSTYLE_FUZZ_DIR:-$root/build-fuzz}
seconds=${1:-60}
shift || true
bash "$root/scripts/setup.sh"
flags="-O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all"
if [[ ! -f $build/build.ninja ]]; then
  CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=None \
    -DAUDIOSTYLE_CUDA=OFF -DAUDIOSTYLE_TESTS=OFF -DAUDIOSTYLE_BENCH=OFF -DAUDIOSTYLE_FUZZ=ON \
    -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_C_FLAGS="$flags" \
    -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" >/dev/null
fi
names=("$@")
if ((${#names[@]} == 0)); then
  for source in "$root"/fuzz/*.cpp; do names+=("$(basename "$source" .cpp)"); done
fi
targets=()
for name in "${names[@]}"; do targets+=("fuzz_$name"); done
cmake --build "$build" -j "$(nproc)" --target "${targets[@]}"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$root/tests/lsan.supp}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
status=0
for name in "${names[@]}"; do
  found="$build/corpus/$name" crashes="$build/crashes/$name"
  mkdir -p "$found" "$crashes"
  log="$build/fuzz_$name.log"
  # -rss_limit_mb / -malloc_limit_mb: an allocation sized by a lying header is a finding too.
  if "$build/fuzz/fuzz_$name" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -malloc_limit_mb=1024 -max_len=65536 -print_final_stats=1 \
      -artifact_prefix="$crashes/" "$found" "$root/fuzz/corpus/$name" >"$log" 2>&1; then
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
    echo "fuzz: $name: ${seconds} s, $runs executions, no crash"
  else
    echo "fuzz: $name: CRASH (log $log, input under $crashes)" >&2
    tail -40 "$log" >&2
    status=1
  fi
done
exit $status
