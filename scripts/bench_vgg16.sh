#!/usr/bin/env bash
# One method 2 objective evaluation on a 10 s clip: audiostyle (bench_vgg16 --net NET) and the
# PyTorch peer (bench/peers/NET_peer.py, when torch is installed) in the same run, on the same
# machine. Writes bench/results/<date>-<device>-NET.json.
#   vgg16:  the paper's defaults; the peer is torchvision's vgg16 (needs torchvision).
#   vggish: both sides time VGGish alone (the vggish recipe's objective) and the sum with method
#           1's 4096-filter random conv at 0.1 (--extractor vggish+random_conv1d, the recipe before
#           2026-12-05; its JSON keys still say "recipe"): ratio_torch_over_ours is VGGish alone's,
#           recipe_ratio_torch_over_ours the sum's.
#   scripts/bench_vgg16.sh [--net vgg16|vggish] [--device cpu|cuda] [--bin DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
net=vgg16 device=cpu bin=""
while (($#)); do
  case $1 in
    --net) net=$2; shift 2 ;;
    --device) device=$2; shift 2 ;;
    --bin) bin=$(realpath "$2"); shift 2 ;;
    *) echo "bench_vgg16.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
peer_args=()
case $net in
  vgg16) needs=torchvision ;;
  vggish) needs=torch peer_args=(--recipe) ;;
  *) echo "bench_vgg16.sh: --net is vgg16 or vggish, not $net" >&2; exit 2 ;;
esac
if [[ -z $bin ]]; then
  bash "$root/scripts/build.sh" bench_vgg16
  bin=${AUDIOSTYLE_BUILD_DIR:-$root/build}/bin
fi
out=$root/out/bench && mkdir -p "$out"
"$bin/bench_vgg16" --net "$net" --device "$device" --json "$out/${net}_ours.json"
peer=null
if python3 -c "import $needs" 2>/dev/null; then
  python3 "$root/bench/peers/${net}_peer.py" --device "$device" "${peer_args[@]}" \
    --json "$out/${net}_torch.json"
  peer=$(cat "$out/${net}_torch.json")
else
  echo "bench_vgg16.sh: $needs not installed, no peer" >&2
fi
result=$root/bench/results/$(date -u +%F)-$device-$net.json
python3 - "$out/${net}_ours.json" "$result" "$peer" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)" \
  "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')" <<'PY'
import json, sys
ours = json.load(open(sys.argv[1]))
peer = json.loads(sys.argv[3])
json.dump({"ours": ours, "torch": peer, "cpus": int(sys.argv[4]), "load_average": sys.argv[5],
           "cpu": sys.argv[6],
           "ratio_torch_over_ours": peer["median_ms"] / ours["median_ms"] if peer else None,
           **({"recipe_ratio_torch_over_ours": peer["recipe"]["median_ms"] /
               ours["recipe"]["median_ms"]} if peer and "recipe" in peer else {})},
          open(sys.argv[2], "w"), indent=2)
print("wrote", sys.argv[2])
PY
