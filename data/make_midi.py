#!/usr/bin/env python3
"""Writes the demo clips' scores as Standard MIDI Files (format 0, pure Python, no dependencies).

    python3 make_midi.py OUT_DIR

content_piano.mid  Ode to Joy (Beethoven, Symphony No. 9; public domain), bars 1-8, piano (GM 0):
                   the melody over a half-note bass, percussive attacks and decays.
style_strings.mid  An original Am-F-C-G progression held as four-voice chords on string ensemble
                   (GM 48): sustained, slow attacks, no rhythm to speak of.
style_guitar.mid   An original Am-Dm-E-Am finger-picked arpeggio on nylon guitar (GM 24): plucked
                   notes ringing over each other.

The arrangements are ours and dedicated to the public domain (CC0 1.0).
"""
import os
import struct
import sys

TICKS_PER_BEAT = 480
TAIL_SECONDS = 2.0  # silence after the last note-off, so the renderer keeps the release and reverb


def variable_length(value):
    """MIDI variable-length quantity: 7 bits per byte, high bit set on all but the last."""
    out = [value & 0x7F]
    value >>= 7
    while value:
        out.append(0x80 | (value & 0x7F))
        value >>= 7
    return bytes(reversed(out))


class Track:
    def __init__(self, tempo_bpm):
        self.tempo_bpm = tempo_bpm
        self.events = []  # (tick, order, bytes): order puts note-offs before note-ons at one tick

    def beats(self, count):
        return int(round(count * TICKS_PER_BEAT))

    def setup(self, channel, program, volume=100, reverb=40):
        self.events.append((0, 0, bytes([0xC0 | channel, program])))
        self.events.append((0, 0, bytes([0xB0 | channel, 7, volume])))   # channel volume
        self.events.append((0, 0, bytes([0xB0 | channel, 91, reverb])))  # reverb send

    def note(self, channel, pitch, start_beats, length_beats, velocity):
        start, end = self.beats(start_beats), self.beats(start_beats + length_beats)
        self.events.append((start, 2, bytes([0x90 | channel, pitch, velocity])))
        self.events.append((end, 1, bytes([0x80 | channel, pitch, 0])))

    def to_bytes(self):
        microseconds_per_beat = int(round(60e6 / self.tempo_bpm))
        body = bytearray(b"\x00\xff\x51\x03" + microseconds_per_beat.to_bytes(3, "big"))
        tick = 0
        for event_tick, _, data in sorted(self.events, key=lambda e: (e[0], e[1])):
            body += variable_length(event_tick - tick) + data
            tick = event_tick
        tail_ticks = self.beats(TAIL_SECONDS * self.tempo_bpm / 60)
        body += variable_length(tail_ticks) + b"\xff\x2f\x00"  # end of track
        header = b"MThd" + struct.pack(">IHHH", 6, 0, 1, TICKS_PER_BEAT)
        return header + b"MTrk" + struct.pack(">I", len(body)) + bytes(body)


def note_number(name):
    """'C4' -> 60, 'F#3' -> 54, 'Bb2' -> 46."""
    steps = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
    pitch = steps[name[0]]
    rest = name[1:]
    while rest and rest[0] in "#b":
        pitch += 1 if rest[0] == "#" else -1
        rest = rest[1:]
    return 12 * (int(rest) + 1) + pitch


def content_piano():
    track = Track(tempo_bpm=168)  # 32 beats: 11.4 s
    track.setup(channel=0, program=0)  # Acoustic Grand Piano
    # (note, beats): bars 1-8 of the theme.
    melody = [
        ("E5", 1), ("E5", 1), ("F5", 1), ("G5", 1), ("G5", 1), ("F5", 1), ("E5", 1), ("D5", 1),
        ("C5", 1), ("C5", 1), ("D5", 1), ("E5", 1), ("E5", 1.5), ("D5", 0.5), ("D5", 2),
        ("E5", 1), ("E5", 1), ("F5", 1), ("G5", 1), ("G5", 1), ("F5", 1), ("E5", 1), ("D5", 1),
        ("C5", 1), ("C5", 1), ("D5", 1), ("E5", 1), ("D5", 1.5), ("C5", 0.5), ("C5", 2),
    ]
    beat = 0.0
    for name, length in melody:
        track.note(0, note_number(name), beat, length * 0.95, velocity=92)  # slightly detached
        beat += length
    # Left hand: root then fifth in half notes, tonic and dominant as the tune implies.
    harmony = ["C", "G", "C", "G", "C", "G", "C", "G-C"]
    roots = {"C": ("C3", "G3"), "G": ("G2", "D3")}
    for bar, chord in enumerate(harmony):
        if chord == "G-C":
            track.note(0, note_number("G2"), 4 * bar, 2, velocity=62)
            track.note(0, note_number("C3"), 4 * bar + 2, 2, velocity=62)
            continue
        low, high = roots[chord]
        track.note(0, note_number(low), 4 * bar, 2, velocity=62)
        track.note(0, note_number(high), 4 * bar + 2, 2, velocity=58)
    return track


def style_strings():
    track = Track(tempo_bpm=96)  # four bars of 4 beats: 10 s
    track.setup(channel=0, program=48, reverb=60)  # String Ensemble 1
    chords = [
        ["A2", "C4", "E4", "A4"],
        ["F2", "C4", "F4", "A4"],
        ["C3", "C4", "E4", "G4"],
        ["G2", "B3", "D4", "G4"],
    ]
    for bar, chord in enumerate(chords):
        for name in chord:
            track.note(0, note_number(name), 4 * bar, 4, velocity=84)  # legato: end meets start
    return track


def style_guitar():
    track = Track(tempo_bpm=120)  # four bars of 4 beats: 8 s
    track.setup(channel=0, program=24, reverb=50)  # Acoustic Guitar (nylon)
    chords = [
        ["A2", "E3", "A3", "C4"],
        ["D3", "A3", "D4", "F4"],
        ["E2", "G#3", "B3", "E4"],
        ["A2", "E3", "A3", "C4"],
    ]
    # The bass on the beat rings for the bar; the upper strings (1-3) are picked on eighths 2-8,
    # each ringing for two eighths: no string is picked again sooner, so no note cuts itself off.
    pattern = [2, 3, 2, 1, 3, 2, 3]
    for bar, chord in enumerate(chords):
        track.note(0, note_number(chord[0]), 4 * bar, 4, velocity=80)
        last = bar == len(chords) - 1
        for eighth, string in enumerate(pattern if not last else [], start=1):
            track.note(0, note_number(chord[string]), 4 * bar + 0.5 * eighth, 1, velocity=70)
        if last:  # the final chord strummed and held
            for k, name in enumerate(chord[1:]):
                track.note(0, note_number(name), 4 * bar + 0.04 * (k + 1), 4, velocity=72)
    return track


CLIPS = {
    "content_piano": content_piano,
    "style_strings": style_strings,
    "style_guitar": style_guitar,
}


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make_midi.py OUT_DIR")
    out_dir = sys.argv[1]
    os.makedirs(out_dir, exist_ok=True)
    for name, compose in CLIPS.items():
        path = os.path.join(out_dir, name + ".mid")
        with open(path, "wb") as file:
            file.write(compose().to_bytes())
        print(path)


if __name__ == "__main__":
    main()
