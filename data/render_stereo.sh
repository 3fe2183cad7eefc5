#!/usr/bin/env bash
# Renders data/content_piano_stereo.flac, the stereo test recording (synthetic): the content's score
# through FluidSynth in stereo (its piano samples are stereo, and its reverb and chorus are stereo
# effects), narrowed by a 1 : 0.4 channel blend to the image of a typical stereo recording
# (left/right correlation 0.58, side/mid energy 0.27), the first 4 s after the leading silence,
# 22 050 Hz, peak -1 dBFS, 16-bit FLAC.
#   data/render_stereo.sh      (needs python3, fluidsynth, fluid-soundfont-gm, sox with FLAC)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
soundfont="${SOUNDFONT:-/usr/share/sounds/sf2/FluidR3_GM.sf2}"
for tool in python3 fluidsynth sox; do
  command -v "$tool" >/dev/null || { echo "render_stereo.sh: $tool not found" >&2; exit 1; }
done
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

python3 "$here/make_midi.py" "$work/midi" >/dev/null
fluidsynth -ni -q -g 0.5 -r 44100 -O float -T wav -F "$work/piano.wav" \
  "$soundfont" "$work/midi/content_piano.mid" >/dev/null
# remix: L' = L + 0.4 R, R' = R + 0.4 L. silence: drop the leading silence below -60 dBFS.
sox -V1 "$work/piano.wav" -e floating-point "$work/trimmed.wav" \
  remix 1v1,2v0.4 2v1,1v0.4 \
  silence 1 0.005 -60d \
  trim 0 4.0 \
  rate -v 22050
sox -V1 -R "$work/trimmed.wav" -b 16 -C 8 "$here/content_piano_stereo.flac" \
  fade t 0.005 -0 0.05 \
  gain -n -1
python3 "$here/../bench/peers/stereo_image.py" "$here/content_piano_stereo.flac"
