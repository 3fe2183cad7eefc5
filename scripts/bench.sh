#!/usr/bin/env bash
# Runs the benchmarks (issue 4) and writes bench/results/<date>-<device>.json, then regenerates
# bench/RESULTS.md from the newest result of each device.
#
#   scripts/bench.sh [--device auto|cpu|cuda] [--quick | --full] [--bin DIR] [--only PARTS]
#                    [--keep-parts] [--note TEXT]
#
#   --quick   the CPU-friendly subset: stages at the reference size, end-to-end jobs with fewer
#             iterations (labelled as such), the PyTorch peer on R10 only, Griffin-Lim peers at the
#             reference size. The default on the CPU.
#   --full    the issue's recipe: stages at both sizes, R10/R60/F3 and the 10 s .. 20 min sweep with
#             the reference recipe, peers on R10/R60/F3, Griffin-Lim peers at both sizes. The
#             default on CUDA.
#   --bin     folder with audiostyle and bench_stages (e.g. .bundle/bin on a machine without the
#             build dependencies); default: build them into build/ with scripts/build.sh.
#   --only    comma-separated subset of stages,e2e,peers (to split a run across several calls on a
#             machine with a time limit per command; use --keep-parts on the later calls: they
#             keep earlier parts and merge over today's result file if there is one).
# Parts are written to out/bench/parts-<device>/ and merged at the end of every call.
# AUDIOSTYLE_GIT_COMMIT names the commit where the tree has no .git (a copy on a GPU machine).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
device=auto mode="" bin="" only="stages,e2e,peers" keep=0 notes=()
while (($#)); do
  case $1 in
    --device) device=$2; shift 2 ;;
    --quick) mode=quick; shift ;;
    --full) mode=full; shift ;;
    --bin) bin=$(realpath "$2"); shift 2 ;;
    --only) only=$2; shift 2 ;;
    --keep-parts) keep=1; shift ;;
    --note) notes+=(--note "$2"); shift 2 ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "bench.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

if [[ -z $bin ]]; then
  bash "$root/scripts/build.sh" audiostyle bench_stages
  bin=${AUDIOSTYLE_BUILD_DIR:-$root/build}/bin
fi
# A bundle (scripts/bundle.sh) carries its libraries in ../lib; RPATH finds them, this is belt
# and braces for a bundle copied without its RPATH intact.
if [[ -d $bin/../lib ]]; then
  export LD_LIBRARY_PATH="$(realpath "$bin/../lib")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi
if [[ $device == auto ]]; then
  if "$bin/audiostyle" info | grep -qE '^cuda device [0-9]+:'; then device=cuda; else device=cpu; fi
fi
[[ $device == cpu || $device == cuda ]] || { echo "bench.sh: --device must be cpu or cuda" >&2; exit 2; }
if [[ -z $mode ]]; then
  if [[ $device == cuda ]]; then mode=full; else mode=quick; fi
fi
has() { [[ ",$only," == *",$1,"* ]]; }

parts=$root/out/bench/parts-$device
inputs=$root/out/bench/inputs
if ((keep == 0)); then rm -rf "$parts"; fi
mkdir -p "$parts" "$inputs"
cd "$root"
echo "bench: device $device, mode $mode, binaries $bin, parts $parts"

if [[ $mode == quick ]]; then
  stage_args=(--sizes reference --repeats 3 --warmup 1 --lbfgs-iterations 3 --gl-iterations 10)
  sizes=(reference); peer_jobs=(R10); gl_iterations=10
else
  stage_args=(--sizes both --repeats 10 --warmup 2 --lbfgs-iterations 5 --gl-iterations 20)
  sizes=(reference full); peer_jobs=(R10 R60 F3); gl_iterations=20
fi

if has stages; then
  "$bin/bench_stages" --device "$device" "${stage_args[@]}" --json "$parts/stages.json"
fi
if has e2e; then
  # Ceilings around the jobs too: the jobs' rates are held against ceilings of their own time,
  # which matters on a shared machine whose load changes between parts of the run.
  "$bin/bench_stages" --device "$device" --sizes none --json "$parts/ceilings_e2e_before.json"
  python3 bench/e2e.py --bin "$bin" --device "$device" --set "$mode" --inputs "$inputs" \
    --work "$parts/e2e-work" --json "$parts/e2e.json"
  "$bin/bench_stages" --device "$device" --sizes none --json "$parts/ceilings_e2e_after.json"
fi
if has peers; then
  if python3 -c "import torch" 2>/dev/null; then
    repeats=$([[ $mode == quick ]] && echo 3 || echo 10)
    for size in "${sizes[@]}"; do
      python3 bench/peers/torch_peer.py stages --size "$size" --device "$device" --repeats "$repeats" \
        --json "$parts/torch_stages_$size.json"
    done
    # The peer runs the e2e jobs' exact inputs and iteration counts (read back from e2e.json).
    for job in "${peer_jobs[@]}"; do
      spec=$(python3 - "$mode" "$job" <<'PY'
import sys
sys.path.insert(0, "bench")
import e2e, make_inputs
j = next(j for j in e2e.job_set(sys.argv[1]) if j["name"] == sys.argv[2])
c = make_inputs.make("out/bench/inputs", "content", j["seconds"], j["rate"], j["channels"])
s = make_inputs.make("out/bench/inputs", "style", j["style_seconds"], j["rate"], j["channels"])
print(c, s, j["channels"], j["iterations"], j["gl_iterations"])
PY
)
      read -r content style channels iterations gl <<<"$spec"
      python3 bench/peers/torch_peer.py transfer --content "$content" --style "$style" \
        --channels "$channels" --iterations "$iterations" --gl-iterations "$gl" --device "$device" \
        --json "$parts/torch_transfer_$job.json" || echo "bench: PyTorch peer on $job failed" >&2
    done
  else
    echo "bench: torch is not importable: PyTorch peers skipped" >&2
  fi
  devices=cpu
  [[ $device == cuda ]] && devices=cpu,cuda
  for size in "${sizes[@]}"; do
    # At the full size one CPU iteration takes about a second per channel: a shorter slope.
    cpu_iterations=$([[ $size == full ]] && echo 4 || echo "$gl_iterations")
    python3 bench/peers/griffinlim_peers.py --size "$size" --iterations "$gl_iterations" \
      --cpu-iterations "$cpu_iterations" --repeats $([[ $size == full ]] && echo 2 || echo 3) \
      --devices "$devices" --json "$parts/griffinlim_$size.json" ||
      echo "bench: Griffin-Lim peers at $size failed" >&2
  done
fi

result=bench/results/$(date -u +%Y-%m-%d)-$device.json
base=()
if ((keep == 1)) && [[ -f $result ]]; then base=(--base "$result"); fi
python3 bench/report.py merge --parts "$parts" --device "$device" --mode "$mode" "${notes[@]}" \
  "${base[@]}" --out "$result"
python3 bench/report.py render --results bench/results --out bench/RESULTS.md
