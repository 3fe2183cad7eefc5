#!/usr/bin/env bash
# Renders the demo clips: make_midi.py -> MIDI -> fluidsynth (FluidR3_GM) -> sox -> FLAC in data/.
#   data/render.sh            (needs python3, fluidsynth, fluid-soundfont-gm, sox with FLAC)
# SOUNDFONT=/path/to/other.sf2 data/render.sh renders with another General MIDI soundfont.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
soundfont="${SOUNDFONT:-/usr/share/sounds/sf2/FluidR3_GM.sf2}"
synth_rate_hz=44100  # fluidsynth's sample interpolation is cleaner at 44.1 kHz; sox then resamples
clip_rate_hz=22050   # the rate audiostyle works at: no resampling when the demo reads the clips
clips=(content_piano style_strings style_guitar)

for tool in python3 fluidsynth sox; do
  command -v "$tool" >/dev/null || { echo "render.sh: $tool not found" >&2; exit 1; }
done
[[ -r "$soundfont" ]] || { echo "render.sh: soundfont $soundfont not readable" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

python3 "$here/make_midi.py" "$here/midi" >/dev/null
for clip in "${clips[@]}"; do
  # Float output: no clipping and no random dither inside the synth, so renders are repeatable.
  fluidsynth -ni -q -g 0.5 -r "$synth_rate_hz" -O float -T wav -F "$work/$clip.wav" \
    "$soundfont" "$here/midi/$clip.mid" >/dev/null
  # -V1: fluidsynth's float WAV lacks a WAVE_FORMAT_EXTENSIBLE block, which sox warns about.
  # remix -: average to mono. silence/reverse: trim silence below -60 dBFS at both ends.
  # rate -v: very high quality resampling.
  sox -V1 "$work/$clip.wav" -e floating-point "$work/$clip.trimmed.wav" \
    remix - \
    silence 1 0.005 -60d reverse silence 1 0.005 -60d reverse \
    rate -v "$clip_rate_hz"
  # A second pass, now that the length is known: 5 ms fade-in and 50 ms fade-out so neither the
  # trimmed start nor the trimmed reverb tail clicks; peak at -1 dBFS; 16-bit FLAC with sox dither,
  # -R: repeatable.
  sox -V1 -R "$work/$clip.trimmed.wav" -b 16 -C 8 "$work/$clip.flac" \
    fade t 0.005 -0 0.05 \
    gain -n -1
  mv "$work/$clip.flac" "$here/$clip.flac"
done

# What was made: duration, peak and RMS level of each clip.
for clip in "${clips[@]}"; do
  file="$here/$clip.flac"
  stats="$(sox "$file" -n stats 2>&1)"
  printf '%-18s %6.2f s  %6s Hz  peak %6s dBFS  RMS %6s dBFS  %s bytes\n' "$clip.flac" \
    "$(soxi -D "$file")" "$(soxi -r "$file")" \
    "$(awk '/^Pk lev dB/ {print $4}' <<<"$stats")" "$(awk '/^RMS lev dB/ {print $4}' <<<"$stats")" \
    "$(stat -c %s "$file")"
done
