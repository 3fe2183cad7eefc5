#!/usr/bin/env bash
# The first command of a session with a GPU (device tool), from the repository root, with the bundle
# made here by scripts/bundle.sh carried as .bundle (the device has no libsndfile, FFTW, OpenBLAS).
#
#   device run:  bash scripts/gpu_check.sh [tests|bench-quick|all]   (carry [".bundle"], timeout_s 600)
#   here:        bash scripts/gpu_check.sh preflight      (bundle present, tree + bundle < 64 MiB)
#                bash scripts/gpu_check.sh --self-test    (this script's control flow, fake binaries)
#
#   tests        (default) GPU tests, one process per Catch tag, each under `timeout` with
#                AUDIOSTYLE_CUDA_SYNC=1 (a fault is reported at the call that caused it); a failing
#                tag is rerun at once under compute-sanitizer memcheck; then memcheck, racecheck and
#                initcheck over the small shapes (tests tagged [large] left out).
#   bench-quick  scripts/bench.sh --quick on the device in three parts (stages, end to end, peers
#                incl. PyTorch's), each under a timeout; the merged results JSON is copied to $OUT
#                after every part, so a part that runs out of time loses only itself.
#   all          tests, then bench-quick, inside one call's budget (the sanitizer passes leave the
#                last AUDIOSTYLE_CHECK_BENCH_RESERVE_S, default 240 s, to bench-quick).
# The CPU tests are not run: they prove nothing new there and cost scarce device time.
#
# Everything goes under $OUT (or out/gpu), at most 4 files: gpu_check.log (every step's output, in
# order), summary.txt (one line per step: PASS/FAIL/SKIP, exit status, seconds), and with
# bench-quick bench-cuda.json and RESULTS.md. Exit status: 0 every step passed; 1 a step failed or
# was skipped for want of time or of a tool; 4 aborted before any test (no bundle, no device, a
# library missing), with a one-line "gpu_check:" message saying which.
# The whole call keeps inside AUDIOSTYLE_CHECK_BUDGET_S (default 560 s, under the device tool's
# 600 s per command): each step's timeout is clipped to what is left, and steps that no longer fit
# are reported SKIP rather than killed mid-write.
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
mode=${1:-tests}
out=${OUT:-$root/out/gpu}
bundle=${AUDIOSTYLE_BUNDLE:-$root/.bundle}
budget_s=${AUDIOSTYLE_CHECK_BUDGET_S:-560}
tree_limit_bytes=$((64 * 1024 * 1024))
bin=$bundle/bin
tests_bin=$bin/audiostyle_gpu_tests
bench_script=${AUDIOSTYLE_CHECK_BENCH_SCRIPT:-$root/scripts/bench.sh}

# Catch tags in the order of kernels/README.md's checklist (cheapest and most basic first); tags
# the test binary lists beyond these (new ops) run after them.
ordered_tags=(cuda_backend philox vector_ops spectral loss lbfgs adam stft griffinlim gram conv1d
              timer pipeline)
# Kernels with shared memory (the reductions of reduce.cuh) are what racecheck can check.
racecheck_tags=(vector_ops loss spectral lbfgs)
# Per-step limits, seconds (clipped to the budget left).
tag_timeout_s=${AUDIOSTYLE_CHECK_TAG_TIMEOUT_S:-150}
sanitizer_timeout_s=${AUDIOSTYLE_CHECK_SANITIZER_TIMEOUT_S:-120}
bench_part_timeout_s=${AUDIOSTYLE_CHECK_BENCH_TIMEOUT_S:-150}
# In `all`, the sanitizer passes after the tests leave this much of the budget to bench-quick
# (a failing tag's own memcheck rerun does not: diagnosing a failure comes first).
bench_reserve_s=0
[[ $mode == all ]] && bench_reserve_s=${AUDIOSTYLE_CHECK_BENCH_RESERVE_S:-240}

start_s=$SECONDS
status=0

if [[ $mode == --self-test ]]; then
  exec bash "$root/scripts/gpu_check_selftest.sh"
fi
case $mode in
  tests | bench-quick | all | preflight) ;;
  *) echo "gpu_check: unknown mode '$mode' (tests, bench-quick, all, preflight, --self-test)" >&2
     exit 2 ;;
esac

mkdir -p "$out"
log=$out/gpu_check.log
summary=$out/summary.txt
: >"$log"
: >"$summary"

say() { echo "$*" | tee -a "$log"; }
# record NAME RESULT RC SECONDS
record() { printf '%-44s %-4s exit %-3s %4ss\n' "$1" "$2" "$3" "$4" | tee -a "$summary" >>"$log"; }
abort() {
  say "gpu_check: $*"
  record "abort" FAIL 4 $((SECONDS - start_s))
  exit 4
}
left_s() { echo $((budget_s - (SECONDS - start_s))); }

# step NAME LIMIT_S COMMAND...: runs COMMAND under `timeout` (clipped to the budget left), output
# appended to the log; records PASS/FAIL/SKIP; any failure or skip makes the exit status 1.
# Returns COMMAND's status (124 when the timeout ended it).
step() {
  local name=$1 limit=$2
  shift 2
  local left
  left=$(left_s)
  ((limit > left - 5)) && limit=$((left - 5))
  if ((limit < 5)); then
    record "$name" SKIP - 0
    say "gpu_check: $name skipped: too little of the call's ${budget_s} s budget left"
    status=1
    return 125
  fi
  echo "=== $name (limit ${limit} s): $*" >>"$log"
  local t0=$SECONDS rc
  timeout -k 10 "$limit" "$@" >>"$log" 2>&1
  rc=$?
  if ((rc == 0)); then
    record "$name" PASS 0 $((SECONDS - t0))
  else
    record "$name" FAIL "$rc" $((SECONDS - t0))
    ((rc == 124 || rc == 137)) && say "gpu_check: $name ran past its ${limit} s limit"
    status=1
  fi
  return $rc
}

# --- Preflight: the bundle, the tree's size, the device, the libraries -----------------------------
for exe in audiostyle audiostyle_gpu_tests; do
  [[ -x $bin/$exe ]] ||
    abort "no $bin/$exe: build the bundle here (bash scripts/bundle.sh) and carry .bundle"
done
[[ -d $bundle/lib ]] || abort "no $bundle/lib: the bundle is incomplete (bash scripts/bundle.sh)"
# What travels: the tree (git's tracked and untracked-not-ignored files, where there is a .git;
# else everything but build folders and this script's output) plus the carried bundle.
if git -C "$root" rev-parse --git-dir >/dev/null 2>&1; then
  tree_bytes=$(cd "$root" && git ls-files -co --exclude-standard -z |
               du -cb --files0-from=- 2>/dev/null | tail -n 1 | cut -f1)
  tree_bytes=$((${tree_bytes:-0} + $(du -sb "$bundle" | cut -f1)))
else
  tree_bytes=$(du -sb --exclude=.git --exclude='build*' --exclude=out "$root" | cut -f1)
fi
say "tree + bundle: $((tree_bytes / 1024 / 1024)) MiB (limit 64 MiB)"
((tree_bytes < tree_limit_bytes)) ||
  abort "tree + bundle is $((tree_bytes / 1024 / 1024)) MiB, over the device tool's 64 MiB"
if [[ $mode == preflight ]]; then
  record "preflight" PASS 0 $((SECONDS - start_s))
  exit 0
fi

command -v nvidia-smi >/dev/null || abort "no nvidia-smi: not a machine with an NVIDIA driver"
{ echo "=== machine"; timeout 30 nvidia-smi; } >>"$log" 2>&1 ||
  abort "nvidia-smi failed: no usable NVIDIA device (see $log)"
timeout 30 nvidia-smi -L 2>/dev/null | grep -q '^GPU ' || abort "nvidia-smi lists no GPU"

# CUDA libraries the bundle leaves to the target (cuBLAS, cuBLASLt, cuFFT; cudart is bundled): the
# system's loader first, then AUDIOSTYLE_CHECK_LIB_DIRS, PyTorch's environment (pip's
# nvidia/*/lib, torch/lib), the toolkit's folders, and the whole filesystem last.
read -r -a needed_cuda <<<"${AUDIOSTYLE_CHECK_CUDA_LIBS:-libcublas.so.13 libcublasLt.so.13 libcufft.so.12}"
candidate_dirs() {
  tr ':' '\n' <<<"${AUDIOSTYLE_CHECK_LIB_DIRS:-}"
  timeout 60 python3 - <<'PY' 2>/dev/null
import glob, os
try:
    import torch
    print(os.path.join(os.path.dirname(torch.__file__), "lib"))
    site = os.path.dirname(os.path.dirname(torch.__file__))
except Exception:
    import site as s
    site = (s.getsitepackages() or [""])[0]
for d in sorted(glob.glob(os.path.join(site, "nvidia", "*", "lib")) +
                glob.glob(os.path.join(site, "nvidia", "*", "*", "lib"))):
    print(d)
PY
  ls -d /usr/local/cuda/lib64 /usr/local/cuda/targets/*/lib /usr/local/cuda-*/lib64 \
        /usr/local/cuda-*/targets/*/lib 2>/dev/null
}
lib_dirs=() searched=0
chosen_dirs=()
# ldconfig -p lines read "<tab>libcublas.so.13 (libc6,x86-64) => /path".
in_loader_cache() { ldconfig -p 2>/dev/null | awk -v lib="$1" '$1 == lib {found = 1} END {exit !found}'; }
for lib in "${needed_cuda[@]}"; do
  in_loader_cache "$lib" && { say "$lib: the loader's cache"; continue; }
  if ((searched == 0)); then  # only when the loader lacks one: importing torch takes seconds
    while read -r d; do [[ -n $d && -d $d ]] && lib_dirs+=("$d"); done < <(candidate_dirs)
    searched=1
  fi
  found=""
  for d in "${lib_dirs[@]}"; do [[ -e $d/$lib ]] && { found=$d; break; }; done
  if [[ -z $found ]]; then
    found=$(timeout 60 find "${AUDIOSTYLE_CHECK_FIND_ROOT:-/}" -xdev \( -path /proc -o -path /sys \) \
              -prune -o -name "$lib" -print 2>/dev/null | head -n 1)
    found=${found:+$(dirname "$found")}
  fi
  [[ -n $found ]] || abort "$lib not found (loader, PyTorch's nvidia/*/lib, /usr/local/cuda*, find)"
  say "$lib: $found"
  [[ " ${chosen_dirs[*]} " == *" $found "* ]] || chosen_dirs+=("$found")
done
cuda_path=$(IFS=:; echo "${chosen_dirs[*]}")

# libstdc++: the bundle keeps the build machine's copy in lib-stdcxx/ (not on the RPATH), used only
# when the target's own lacks a GLIBCXX version the binaries need: a newer system copy serves
# everything the old one did, while loading ours first would fail on a glibc older than the build's.
stdcxx_path=""
system_stdcxx=$(ldconfig -p 2>/dev/null | awk '/libstdc\+\+\.so\.6 .*x86-64/ {print $NF; exit}')
glibcxx_versions() { grep -aoh 'GLIBCXX_[0-9][0-9.]*[0-9]' "$@" 2>/dev/null | sort -u; }
missing_glibcxx=""
if [[ -n $system_stdcxx ]]; then
  missing_glibcxx=$(comm -23 <(glibcxx_versions "$bin"/* "$bundle"/lib/*) \
                             <(glibcxx_versions "$system_stdcxx") | sort -V | tr '\n' ' ')
  missing_glibcxx=${missing_glibcxx% }
fi
if [[ -z $system_stdcxx || -n $missing_glibcxx ]]; then
  [[ -e $bundle/lib-stdcxx/libstdc++.so.6 ]] ||
    abort "the system libstdc++ (${system_stdcxx:-none}) lacks ${missing_glibcxx:-everything}" \
          "and the bundle has no lib-stdcxx/"
  stdcxx_path=$bundle/lib-stdcxx
  say "libstdc++: the bundle's (the system's ${system_stdcxx:-none} lacks $missing_glibcxx)"
else
  say "libstdc++: the system's ($system_stdcxx)"
fi

LD_LIBRARY_PATH="$bundle/lib${stdcxx_path:+:$stdcxx_path}${cuda_path:+:$cuda_path}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export LD_LIBRARY_PATH
export AUDIOSTYLE_SOURCE_DIR=$root AUDIOSTYLE_CLI=$bin/audiostyle
export AUDIOSTYLE_GIT_COMMIT=${AUDIOSTYLE_GIT_COMMIT:-$(cat "$bundle/COMMIT" 2>/dev/null || echo unknown)}
say "LD_LIBRARY_PATH=$LD_LIBRARY_PATH"
say "commit $AUDIOSTYLE_GIT_COMMIT"

# Any "not found" (a library, or a symbol version such as GLIBC_2.36) means nothing will start.
unresolved=""
for exe in "$bin"/*; do
  [[ -x $exe && -f $exe ]] || continue
  listing=$(ldd "$exe" 2>&1)
  echo "=== ldd $(basename "$exe")" >>"$log"
  echo "$listing" | grep -E 'not found|cublas|cufft|cudart|stdc\+\+' >>"$log"
  missing=$(echo "$listing" | grep 'not found' | sed 's/^[[:space:]]*//' | sort -u | tr '\n' ';')
  [[ -n $missing ]] && unresolved+="$(basename "$exe"): $missing "
done
[[ -z $unresolved ]] || abort "unresolved libraries: $unresolved"

info=$(timeout 60 "$bin/audiostyle" info 2>&1)
printf '=== audiostyle info\n%s\n' "$info" >>"$log"
# A device's own line ("cuda device 0: NVIDIA H200, ..."), not "cuda devices: none (why)".
grep -qE '^cuda device [0-9]+:' <<<"$info" ||
  abort "audiostyle info lists no usable CUDA device: $(grep -m1 '^cuda' <<<"$info")"
record "preflight" PASS 0 $((SECONDS - start_s))

# --- GPU tests -------------------------------------------------------------------------------------
sanitizer=$(command -v compute-sanitizer || ls /usr/local/cuda*/bin/compute-sanitizer 2>/dev/null |
            head -n 1)
# sanitize TOOL NAME LIMIT SPEC: one compute-sanitizer run; an error found is exit 1 (not the
# tests' own status), so a clean run that a test fails is told apart in the summary.
sanitize() {
  local tool=$1 name=$2 limit=$3 spec=$4
  if [[ -z $sanitizer ]]; then
    record "$name" SKIP - 0
    say "gpu_check: no compute-sanitizer on this machine: $name not run"
    status=1
    return
  fi
  step "$name" "$limit" "$sanitizer" --tool "$tool" --error-exitcode 99 --print-limit 20 \
    "$tests_bin" "$spec"
}

# The sanitizer limit, less what must stay for bench-quick.
reserved_limit() {
  local cap=$(($(left_s) - bench_reserve_s - 5))
  echo $((cap < sanitizer_timeout_s ? cap : sanitizer_timeout_s))
}

run_tests() {
  local listed extra=() tag
  listed=$("$tests_bin" --list-tags 2>/dev/null | grep -o '\[[^]]*\]' | tr -d '[]' | sort -u)
  # [batch] and [large] only filter; hidden tags ([.isolated]) run from their parent tests.
  for tag in $listed; do
    [[ $tag == .* || " ${ordered_tags[*]} batch large " == *" $tag "* ]] || extra+=("$tag")
  done
  for tag in "${ordered_tags[@]}" "${extra[@]}"; do
    if ! grep -qx "$tag" <<<"$listed"; then
      record "tests [$tag]" FAIL - 0
      say "gpu_check: the test binary has no tag [$tag]"
      status=1
      continue
    fi
    local rc=0
    AUDIOSTYLE_CUDA_SYNC=1 step "tests [$tag]" "$tag_timeout_s" "$tests_bin" "[$tag]" \
      --durations yes || rc=$?
    # A failing tag is rerun under memcheck at once, while the budget is there: the fault's kernel
    # and address come back in this same call.
    if ((rc != 0 && rc != 125)); then
      AUDIOSTYLE_CUDA_SYNC=1 sanitize memcheck "memcheck [$tag] (after failure)" \
        "$sanitizer_timeout_s" "[$tag]"
    fi
  done
  # Small shapes only: the sanitizers slow kernels 10-100x.
  sanitize memcheck "memcheck (small shapes)" "$(reserved_limit)" "~[large]"
  local racecheck_spec
  racecheck_spec=$(printf '[%s]~[large],' "${racecheck_tags[@]}")
  sanitize racecheck "racecheck (reductions, small shapes)" "$(reserved_limit)" \
    "${racecheck_spec%,}"
  sanitize initcheck "initcheck (small shapes)" "$(reserved_limit)" "~[large]"
}

# --- Benchmarks ----------------------------------------------------------------------------------
run_bench_quick() {
  local part keep=()
  for part in stages e2e peers; do
    step "bench-quick $part" "$bench_part_timeout_s" bash "$bench_script" --device cuda \
      --quick --bin "$bin" --only "$part" "${keep[@]}" --note "gpu_check bench-quick"
    keep=(--keep-parts)
    # The merged result after each part (bench.sh merges at the end of every call).
    local result
    result=$(ls -t "$root"/bench/results/*-cuda.json 2>/dev/null | head -n 1)
    [[ -n $result ]] && cp "$result" "$out/bench-cuda.json"
    [[ -f $root/bench/RESULTS.md ]] && cp "$root/bench/RESULTS.md" "$out/RESULTS.md"
  done
}

case $mode in
  tests) run_tests ;;
  bench-quick) run_bench_quick ;;
  all) run_tests; run_bench_quick ;;
esac

# Files come back at up to 16 MiB each: keep the log's head and tail if it grew past that.
log_bytes=$(stat -c %s "$log")
if ((log_bytes > 15 * 1024 * 1024)); then
  { head -c $((7 * 1024 * 1024)) "$log"; echo; echo "... (log cut: $log_bytes bytes) ..."
    tail -c $((7 * 1024 * 1024)) "$log"; } >"$log.cut" && mv "$log.cut" "$log"
fi
echo "=== summary (exit $status, $((SECONDS - start_s)) s)" | tee -a "$log"
cat "$summary"
exit $status
