#!/usr/bin/env bash
# Self-test of scripts/gpu_check.sh's control flow on a machine without a GPU: a fake bundle (shell
# scripts standing in for the tool and the GPU test binary), fake nvidia-smi, compute-sanitizer,
# ldd and python3 first on PATH. Checks the exit status and the summary of each path: no bundle,
# no device, a library or a symbol version missing, libstdc++ chosen, all tags passing, a failing
# tag rerun under memcheck while later tags still run, a hanging tag stopped by its timeout and the
# budget's later steps skipped. Run by CTest (scripts.gpu_check_selftest); about 15 s.
#
#   bash scripts/gpu_check.sh --self-test
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "gpu_check self-test: FAIL: $*"; failures=$((failures + 1)); }

tags=(cuda_backend philox vector_ops spectral loss lbfgs adam stft griffinlim gram conv1d timer
      pipeline)
bundle=$tmp/bundle
mkdir -p "$bundle/bin" "$bundle/lib" "$tmp/fakebin" "$tmp/libs"
: >"$tmp/libs/libfakecublas.so.13"

cat >"$bundle/bin/audiostyle" <<'EOF'
#!/usr/bin/env bash
if [[ ${FAKE_NO_DEVICE:-0} == 1 ]]; then echo "cuda devices: none (fake)"; exit 0; fi
echo "cuda device 0: Fake H200, compute capability 9.0, 139.8 GiB (139.0 GiB free)"
EOF
# The fake GPU tests: Catch's --list-tags, then one process per spec; FAKE_FAIL and FAKE_HANG name
# a tag that fails or hangs (its spec matches [tag] with or without a filter after it).
cat >"$bundle/bin/audiostyle_gpu_tests" <<EOF
#!/usr/bin/env bash
# ${FAKE_GLIBCXX:-}
if [[ \$1 == --list-tags ]]; then
  echo "All available tags:"
  for t in ${tags[*]} batch large newop .isolated; do echo "   1  [\$t]"; done
  exit 0
fi
echo "spec=\$1 sync=\${AUDIOSTYLE_CUDA_SYNC:-unset} sanitizer=\${FAKE_SANITIZER:-none}" >>"\$FAKE_CALLS"
if [[ -n \${FAKE_HANG:-} && \$1 == "[\$FAKE_HANG]"* ]]; then exec sleep 60; fi
if [[ -n \${FAKE_FAIL:-} && \$1 == "[\$FAKE_FAIL]"* ]]; then echo "FAILED: fake"; exit 1; fi
echo "All tests passed"
EOF
cat >"$tmp/fakebin/nvidia-smi" <<'EOF'
#!/usr/bin/env bash
[[ ${FAKE_NO_SMI:-0} == 1 ]] && { echo "NVIDIA-SMI has failed (fake)"; exit 9; }
if [[ ${1:-} == -L ]]; then echo "GPU 0: Fake H200 (UUID: GPU-0)"; else echo "fake nvidia-smi table"; fi
EOF
cat >"$tmp/fakebin/compute-sanitizer" <<'EOF'
#!/usr/bin/env bash
tool=""
while [[ $1 == --* ]]; do [[ $1 == --tool ]] && tool=$2; shift 2; done
FAKE_SANITIZER=$tool exec "$@"
EOF
cat >"$tmp/fakebin/ldd" <<'EOF'
#!/usr/bin/env bash
[[ ${FAKE_LDD_MISSING:-0} == 1 ]] && { echo "	libfake.so.1 => not found"; exit 0; }
echo "	not a dynamic executable"
EOF
printf '#!/usr/bin/env bash\nexit 1\n' >"$tmp/fakebin/python3"  # no PyTorch to search
printf '#!/usr/bin/env bash\necho "bench $*" >>"$FAKE_CALLS"\n' >"$tmp/fakebin/bench.sh"
chmod +x "$bundle/bin/"* "$tmp/fakebin/"*

# check NAME EXPECTED_STATUS [ENV=VALUE ...] [-- MODE]: runs gpu_check.sh with the fakes.
run_check() {
  local name=$1 expected=$2
  shift 2
  local mode=tests
  local envs=()
  while (($#)); do
    if [[ $1 == -- ]]; then mode=$2; break; fi
    envs+=("$1")
    shift
  done
  rm -rf "$tmp/out"
  : >"$tmp/calls"
  env PATH="$tmp/fakebin:$PATH" OUT="$tmp/out" AUDIOSTYLE_BUNDLE="$bundle" FAKE_CALLS="$tmp/calls" \
    AUDIOSTYLE_CHECK_CUDA_LIBS=libfakecublas.so.13 AUDIOSTYLE_CHECK_LIB_DIRS="$tmp/libs" \
    AUDIOSTYLE_CHECK_FIND_ROOT="$tmp/libs" "${envs[@]}" \
    bash "$root/scripts/gpu_check.sh" "$mode" >"$tmp/stdout" 2>&1
  local status=$?
  if ((status != expected)); then
    fail "$name: exit $status, expected $expected"
    sed 's/^/    /' "$tmp/stdout"
  fi
}
expect_in() {  # FILE PATTERN WHAT
  grep -qE -- "$2" "$1" 2>/dev/null || { fail "$3: no /$2/ in $(basename "$1")"; sed 's/^/    /' "$1"; }
}
expect_not_in() {
  ! grep -qE -- "$2" "$1" 2>/dev/null || fail "$3: /$2/ in $(basename "$1")"
}

run_check "unknown mode" 2 -- bogus
run_check "no bundle" 4 AUDIOSTYLE_BUNDLE="$tmp/none"
expect_in "$tmp/out/gpu_check.log" "gpu_check: no .*/none/bin/audiostyle" "no bundle"
run_check "nvidia-smi fails" 4 FAKE_NO_SMI=1
expect_in "$tmp/out/gpu_check.log" "gpu_check: nvidia-smi failed" "nvidia-smi fails"
expect_not_in "$tmp/calls" "spec=" "nvidia-smi fails: no test may run"
run_check "CUDA library missing" 4 AUDIOSTYLE_CHECK_CUDA_LIBS=libaudiostyle_missing.so.9
expect_in "$tmp/out/gpu_check.log" "gpu_check: libaudiostyle_missing.so.9 not found" "library missing"
run_check "ldd not found" 4 FAKE_LDD_MISSING=1
expect_in "$tmp/out/gpu_check.log" "gpu_check: unresolved libraries: .*libfake.so.1 => not found" \
  "ldd not found"
run_check "a library the loader knows is not searched for" 4 FAKE_NO_DEVICE=1 \
  AUDIOSTYLE_CHECK_CUDA_LIBS=libc.so.6
expect_in "$tmp/out/gpu_check.log" "libc.so.6: the loader's cache" "library in the loader's cache"
run_check "no CUDA device listed" 4 FAKE_NO_DEVICE=1
expect_in "$tmp/out/gpu_check.log" "gpu_check: audiostyle info lists no usable CUDA device" \
  "no CUDA device"
expect_in "$tmp/out/gpu_check.log" "libstdc\+\+: the system's" "libstdc++ when the system's serves"

# A GLIBCXX version the system lacks: the bundle's libstdc++ when it has one, else abort.
sed -i 's/^# $/# GLIBCXX_9.99.99/' "$bundle/bin/audiostyle_gpu_tests"
run_check "libstdc++ missing a version, none bundled" 4 FAKE_NO_DEVICE=1
expect_in "$tmp/out/gpu_check.log" "lacks GLIBCXX_9.99.99" "libstdc++ version missing"
mkdir -p "$bundle/lib-stdcxx" && : >"$bundle/lib-stdcxx/libstdc++.so.6"
run_check "libstdc++ from the bundle" 4 FAKE_NO_DEVICE=1
expect_in "$tmp/out/gpu_check.log" "libstdc\+\+: the bundle's" "libstdc++ from the bundle"
expect_in "$tmp/out/gpu_check.log" "LD_LIBRARY_PATH=$bundle/lib:$bundle/lib-stdcxx:" \
  "lib-stdcxx on LD_LIBRARY_PATH"
sed -i 's/^# GLIBCXX_9.99.99$/# /' "$bundle/bin/audiostyle_gpu_tests"
rm -rf "$bundle/lib-stdcxx"

run_check "all tags pass" 0
summary=$tmp/out/summary.txt
for tag in "${tags[@]}" newop; do
  expect_in "$summary" "^tests \[$tag\] +PASS" "all pass: tag $tag"
  expect_in "$tmp/calls" "^spec=\[$tag\] sync=1 sanitizer=none" "all pass: [$tag] with sync"
done
expect_not_in "$tmp/calls" "spec=\[(batch|large|\.isolated)\]" "all pass: filter tags not run alone"
expect_in "$tmp/calls" "^spec=~\[large\] .*sanitizer=memcheck" "all pass: memcheck small shapes"
expect_in "$tmp/calls" "^spec=\[vector_ops\]~\[large\],\[loss\]~\[large\],.*sanitizer=racecheck" \
  "all pass: racecheck on the reductions"
expect_in "$tmp/calls" "^spec=~\[large\] .*sanitizer=initcheck" "all pass: initcheck"
expect_in "$tmp/out/gpu_check.log" "libfakecublas.so.13: $tmp/libs" "all pass: library found"
expect_not_in "$summary" "FAIL|SKIP" "all pass"
expect_not_in "$tmp/calls" "audiostyle_tests" "all pass: no CPU tests"

run_check "one tag fails" 1 FAKE_FAIL=gram
expect_in "$summary" "^tests \[gram\] +FAIL exit 1" "a failing tag"
expect_in "$summary" "^memcheck \[gram\] \(after failure\) +FAIL" "its memcheck rerun"
expect_in "$tmp/calls" "^spec=\[gram\] sync=1 sanitizer=memcheck" "rerun under memcheck, synced"
expect_in "$summary" "^tests \[conv1d\] +PASS" "later tags still run"
expect_in "$summary" "^tests \[pipeline\] +PASS" "later tags still run"

run_check "a tag hangs, the budget runs out" 1 FAKE_HANG=cuda_backend \
  AUDIOSTYLE_CHECK_BUDGET_S=14 AUDIOSTYLE_CHECK_TAG_TIMEOUT_S=7
expect_in "$summary" "^tests \[cuda_backend\] +FAIL exit 124" "the hang is stopped by its timeout"
expect_in "$summary" "^tests \[philox\] +SKIP" "steps past the budget are skipped"
expect_in "$tmp/out/gpu_check.log" "ran past its 7 s limit" "the hang is named"

# In `all`, the sanitizer passes leave the bench its reserve: with 30 s of budget and a 24 s
# reserve they are skipped; the bench parts then run (fake bench.sh: a script that records them).
mkdir -p "$tmp/fakeroot"
run_check "all: sanitizers leave the bench its reserve" 1 AUDIOSTYLE_CHECK_BUDGET_S=30 \
  AUDIOSTYLE_CHECK_BENCH_RESERVE_S=24 AUDIOSTYLE_CHECK_BENCH_SCRIPT="$tmp/fakebin/bench.sh" -- all
expect_in "$summary" "^memcheck \(small shapes\) +SKIP" "all: memcheck yields to the bench"
for part in stages e2e peers; do
  expect_in "$summary" "^bench-quick $part +PASS" "all: bench part $part runs"
  expect_in "$tmp/calls" "^bench --device cuda --quick .*--only $part" "all: bench part $part"
done
expect_in "$tmp/calls" "^bench .*--only e2e --keep-parts" "all: later parts keep earlier ones"

if ((failures)); then
  echo "gpu_check self-test: $failures check(s) failed"
  exit 1
fi
echo "gpu_check self-test: all paths behave"
