#!/usr/bin/env bash
# The first command of a session with a GPU (device tool), from the repository root, with the bundle
# made by scripts/bundle.sh carried as .bundle. Runs the GPU tests (kernels against their CPU twins,
# the device gradient check, the end-to-end comparison), the CPU tests, then the benchmarks, and
# leaves the logs under $OUT (or out/gpu).
#
#   device run:  bash scripts/gpu_check.sh [tests|bench|all]      (carry: [".bundle"])
set -uo pipefail
what=${1:-all}
root=$(pwd)
out=${OUT:-$root/out/gpu}
mkdir -p "$out"
bin=$root/.bundle/bin

# CUDA libraries: the toolkit's folder, wherever this machine keeps it.
cuda_libs=""
for d in /usr/local/cuda/lib64 /usr/local/cuda/targets/x86_64-linux/lib /usr/lib/x86_64-linux-gnu; do
  [[ -e $d/libcublas.so.13 || -e $d/libcufft.so.12 ]] && cuda_libs+="$d:"
done
export LD_LIBRARY_PATH="$root/.bundle/lib:${cuda_libs}${LD_LIBRARY_PATH:-}"
export AUDIOSTYLE_SOURCE_DIR=$root AUDIOSTYLE_CLI=$bin/audiostyle
export AUDIOSTYLE_GIT_COMMIT=${AUDIOSTYLE_GIT_COMMIT:-$(cat "$root/.bundle/COMMIT" 2>/dev/null || echo unknown)}

{
  nvidia-smi
  echo "LD_LIBRARY_PATH=$LD_LIBRARY_PATH"
  ldd "$bin/audiostyle" | grep -E "not found|cublas|cufft|cudart" || true
  "$bin/audiostyle" info
} >"$out/machine.txt" 2>&1
cat "$out/machine.txt"

status=0
if [[ $what == tests || $what == all ]]; then
  # Synchronous launches first: a kernel fault is reported at the launch that caused it.
  AUDIOSTYLE_CUDA_SYNC=1 "$bin/audiostyle_gpu_tests" --durations yes >"$out/gpu_tests.log" 2>&1
  echo "gpu tests: exit $?" | tee -a "$out/summary.txt"
  tail -n 4 "$out/gpu_tests.log"
  "$bin/audiostyle_tests" >"$out/cpu_tests.log" 2>&1
  echo "cpu tests: exit $?" | tee -a "$out/summary.txt"
  tail -n 2 "$out/cpu_tests.log"
fi
if [[ $what == bench || $what == all ]]; then
  bash "$root/scripts/bench.sh" --device cuda --bin "$bin" >"$out/bench.log" 2>&1
  echo "bench: exit $?" | tee -a "$out/summary.txt"
  cp "$root"/bench/results/*-cuda.json "$root/bench/RESULTS.md" "$out/" 2>/dev/null || status=1
  tail -n 20 "$out/bench.log"
fi
exit $status
