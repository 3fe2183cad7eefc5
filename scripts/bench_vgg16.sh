#!/usr/bin/env bash
# One vgg16 objective evaluation on a 10 s clip: audiostyle (bench_vgg16) and the PyTorch peer
# (bench/peers/vgg16_peer.py, when torch is installed) in the same run, on the same machine.
# Writes bench/results/<date>-<device>-vgg16.json.
#   scripts/bench_vgg16.sh [--device cpu|cuda] [--bin DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
device=cpu bin=""
while (($#)); do
  case $1 in
    --device) device=$2; shift 2 ;;
    --bin) bin=$(realpath "$2"); shift 2 ;;
    *) echo "bench_vgg16.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
if [[ -z $bin ]]; then
  bash "$root/scripts/build.sh" bench_vgg16
  bin=${AUDIOSTYLE_BUILD_DIR:-$root/build}/bin
fi
out=$root/out/bench && mkdir -p "$out"
"$bin/bench_vgg16" --device "$device" --json "$out/vgg16_ours.json"
peer=null
if python3 -c "import torchvision" 2>/dev/null; then
  python3 "$root/bench/peers/vgg16_peer.py" --device "$device" --json "$out/vgg16_torch.json"
  peer=$(cat "$out/vgg16_torch.json")
else
  echo "bench_vgg16.sh: torch/torchvision not installed, no peer" >&2
fi
result=$root/bench/results/$(date -u +%F)-$device-vgg16.json
python3 - "$out/vgg16_ours.json" "$result" "$peer" "$(nproc)" <<'PY'
import json, sys
ours = json.load(open(sys.argv[1]))
peer = json.loads(sys.argv[3])
json.dump({"ours": ours, "torch": peer, "cpus": int(sys.argv[4]),
           "ratio_torch_over_ours": peer["median_ms"] / ours["median_ms"] if peer else None},
          open(sys.argv[2], "w"), indent=2)
print("wrote", sys.argv[2])
PY
