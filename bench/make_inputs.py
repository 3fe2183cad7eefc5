#!/usr/bin/env python3
"""Deterministic benchmark inputs, synthesised (numpy + the standard library only, so that the GPU
machine without librosa or soundfile makes the same files): a piano-like content melody and a
string-like style texture, 16-bit PCM WAV, mono or stereo, at any rate and length.

    make_inputs.py --out DIR --seconds 10 --rate 22050 --channels 1 [--role content|style|both]

Files are named content_<seconds>s_<rate>hz_<channels>ch.wav and style_... and are written only
when missing (the synthesis is deterministic: same arguments, same bytes). Keep DIR out of git
(the default, out/bench/inputs, is ignored).
"""
import argparse
import os
import wave

import numpy as np

PENTATONIC = np.array([0, 2, 4, 7, 9])  # semitones


def midi_to_hz(note):
    return 440.0 * 2.0 ** ((note - 69) / 12.0)


def place(out, start, signal, gains):
    """Adds signal [n] into out [channels, samples] at start with a gain per channel."""
    end = min(out.shape[1], start + signal.shape[0])
    if end <= start:
        return
    for ch, gain in enumerate(gains):
        out[ch, start:end] += gain * signal[: end - start]


def pan_gains(pan, channels):
    if channels == 1:
        return [1.0]
    angle = (pan + 1) * np.pi / 4  # constant-power pan, pan in [-1, 1]
    return [np.cos(angle), np.sin(angle)]


def piano(seconds, rate, channels, seed):
    """Notes of decaying harmonics on a pentatonic scale, 8th notes at 112 bpm, with chords."""
    rng = np.random.default_rng(seed)
    n = int(round(seconds * rate))
    out = np.zeros((channels, n), dtype=np.float64)
    step = 60.0 / 112 / 2
    note_s = 1.2
    t = np.arange(int(note_s * rate)) / rate
    harmonics = np.arange(1, 9)
    for i in range(int(seconds / step) + 1):
        if rng.random() < 0.15:
            continue  # rests
        root = 48 + 12 * rng.integers(0, 3) + PENTATONIC[rng.integers(0, 5)]
        notes = [root] + ([root + 4, root + 7] if rng.random() < 0.2 else [])
        velocity = 0.25 + 0.2 * rng.random()
        for note in notes:
            f0 = midi_to_hz(note)
            h = harmonics[harmonics * f0 < 0.45 * rate]
            decay = np.exp(-np.outer(2.0 + 1.5 * h, t))  # higher partials die faster
            partials = (np.sin(2 * np.pi * np.outer(h * f0, t)) * decay / h[:, None]).sum(axis=0)
            attack = np.minimum(t / 0.004, 1.0)
            place(out, int(i * step * rate), velocity * attack * partials,
                  pan_gains(rng.uniform(-0.7, 0.7), channels))
    return out


def strings(seconds, rate, channels, seed):
    """Sustained chords of band-limited sawtooths with vibrato, slow attack, and bow noise."""
    rng = np.random.default_rng(seed)
    n = int(round(seconds * rate))
    out = np.zeros((channels, n), dtype=np.float64)
    chord_s = 2.0
    length = int((chord_s + 0.5) * rate)
    t = np.arange(length) / rate
    envelope = np.minimum(t / 0.3, 1.0) * np.minimum((chord_s + 0.5 - t) / 0.5, 1.0)
    for i in range(int(seconds / chord_s) + 1):
        root = 43 + PENTATONIC[rng.integers(0, 5)] + 12 * rng.integers(0, 2)
        for interval in (0, 7, 12, 16):
            f0 = midi_to_hz(root + interval)
            vibrato = 1 + 0.004 * np.sin(2 * np.pi * rng.uniform(4.5, 6.0) * t + rng.uniform(0, 6.3))
            phase = 2 * np.pi * f0 * np.cumsum(vibrato) / rate
            h = np.arange(1, int(0.45 * rate / f0) + 1)[:24]
            saw = (np.sin(np.outer(h, phase)) / h[:, None]).sum(axis=0)
            place(out, int(i * chord_s * rate), 0.06 * envelope * saw,
                  pan_gains(rng.uniform(-0.8, 0.8), channels))
    # Bow noise: white noise through a one-pole low-pass, per channel.
    noise = rng.standard_normal((channels, n))
    alpha = np.exp(-2 * np.pi * 3000 / rate)
    for ch in range(channels):
        y = np.empty(n)
        acc = 0.0
        # A block-wise IIR would be faster; a cumulative form keeps it vectorised and exact enough.
        weights = alpha ** np.arange(min(n, 512))[::-1]
        y = np.convolve(noise[ch], weights[::-1], mode="full")[:n] * (1 - alpha)
        out[ch] += 0.01 * y
    return out


def write_wav(path, audio, rate):
    peak = np.max(np.abs(audio))
    if peak > 0:
        audio = audio * (0.89 / peak)  # -1 dBFS
    pcm = np.clip(np.round(audio.T * 32767), -32768, 32767).astype("<i2")
    tmp = path + ".tmp"
    with wave.open(tmp, "wb") as w:
        w.setnchannels(audio.shape[0])
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
    os.replace(tmp, path)


def input_path(out_dir, role, seconds, rate, channels):
    return os.path.join(out_dir, f"{role}_{seconds:g}s_{rate}hz_{channels}ch.wav")


def make(out_dir, role, seconds, rate, channels):
    """Returns the path of the input, synthesising it when missing."""
    os.makedirs(out_dir, exist_ok=True)
    path = input_path(out_dir, role, seconds, rate, channels)
    if not os.path.exists(path):
        synth = piano if role == "content" else strings
        seed = 1 if role == "content" else 2
        write_wav(path, synth(seconds, rate, channels, seed), rate)
    return path


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default="out/bench/inputs")
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("--rate", type=int, default=22050)
    parser.add_argument("--channels", type=int, default=1, choices=(1, 2))
    parser.add_argument("--role", default="both", choices=("content", "style", "both"))
    args = parser.parse_args()
    for role in (("content", "style") if args.role == "both" else (args.role,)):
        print(make(args.out, role, args.seconds, args.rate, args.channels))


if __name__ == "__main__":
    main()
