#!/usr/bin/env bash
# Builds the tool and renders the bundled piano melody in the style of the bundled strings.
# On a GPU it runs the full reference recipe; on a CPU it runs a lighter recipe sized to finish in
# under 3 minutes on 2 cores, build included (the whole 11.5 s clip, 2048 filters, 150 L-BFGS
# iterations, 300 Griffin-Lim iterations: about 1 min to build and 41 s to run, measured).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${AUDIOSTYLE_BUILD_DIR:-$root/build}
bash "$root/scripts/build.sh" audiostyle
bin=$build/bin/audiostyle
out=${1:-$root/out/demo.wav}
mkdir -p "$(dirname "$out")"
if "$bin" info | grep -q '^cuda device [0-9]'; then
  recipe=(--device cuda)
else
  recipe=(--device cpu --filters 2048 --iterations 150 --gl-iterations 300)
fi
"$bin" transfer "$root/data/content_piano.flac" "$root/data/style_strings.flac" -o "$out" \
  --report "${out%.*}.json" --evaluate --plots "$(dirname "$out")/plots" "${recipe[@]}"
echo "demo output: $out (report: ${out%.*}.json, pictures: $(dirname "$out")/plots)"
