#!/usr/bin/env bash
# Extracts data/content_guitar_stereo.flac, the real stereo test recording: the first 6 s of
# "Feelings" by Sectoid (Carlos Viola Iborra), composed and performed by him, MIT licence (see
# data/README.md), from Debian 12's fretsonfire-songs-sectoid 1.dfsg-3.1. The game plays the
# backing track (song.ogg) and the guitar track (guitar.ogg) together; this is that mix, as
# published (no change to its image), at 22 050 Hz, peak -1 dBFS, 16-bit FLAC.
#   data/extract_guitar_stereo.sh    (needs apt-get, dpkg-deb, sox with Ogg Vorbis and FLAC, python3
#                                     with numpy for the final measurement)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
package=fretsonfire-songs-sectoid
version=1.dfsg-3.1
for tool in apt-get dpkg-deb sox; do
  command -v "$tool" >/dev/null || { echo "extract_guitar_stereo.sh: $tool not found" >&2; exit 1; }
done
work="$(mktemp -d)"
chmod 755 "$work"  # apt-get download drops to the _apt user, which must reach the folder
trap 'rm -rf "$work"' EXIT

(cd "$work" && apt-get download "$package=$version" >/dev/null)
dpkg-deb -x "$work/${package}_${version}_all.deb" "$work/root"
song="$work/root/usr/share/games/fretsonfire/data/songs/sectoid/Feelings"
# -m: the two stems summed (each at 1/2; the gain below restores the level). silence: drop any
# leading silence below -60 dBFS (there is none to speak of: the guitar starts at once).
sox -V1 -m "$song/song.ogg" "$song/guitar.ogg" -e floating-point "$work/trimmed.wav" \
  silence 1 0.005 -60d \
  trim 0 6.0 \
  rate -v 22050
sox -V1 -R "$work/trimmed.wav" -b 16 -C 8 "$here/content_guitar_stereo.flac" \
  fade t 0.005 -0 0.05 \
  gain -n -1
python3 "$here/../bench/peers/stereo_image.py" "$here/content_guitar_stereo.flac"
