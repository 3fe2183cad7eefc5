#!/usr/bin/env python3
"""Held-out scores of an output's mono downmix against its content and style.

    python3 bench/peers/downmix_scores.py CONTENT STYLE OUTPUT... [--rate 22050]

style distance ratio: ||G(out) - G(style)|| / ||G(content) - G(style)|| with Grams of random 1D conv
features (512 filters, width 11, ReLU) on log1p|STFT| (n_fft 2048, hop 512) drawn from numpy's
generator, not audiostyle's Philox filters: a held-out feature set (lower is closer to the style).
onset correlation: Pearson correlation of the spectral-flux envelopes of the output and the content
(higher keeps the content's rhythm). Every file is downmixed to mono and resampled by sox.
"""
import argparse
import subprocess

import numpy as np


def read_mono(path, rate):
    raw = subprocess.run(["sox", "-V1", path, "-t", "f32", "-c", "1", "-r", str(rate), "-"],
                         capture_output=True, check=True).stdout
    return np.frombuffer(raw, dtype=np.float32).astype(np.float64)


def log_spec(x, n_fft=2048, hop=512):
    x = np.pad(x, n_fft // 2)
    window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n_fft) / n_fft)
    frames = np.lib.stride_tricks.sliding_window_view(x, n_fft)[::hop] * window
    return np.log1p(np.abs(np.fft.rfft(frames, axis=1)))  # [T, C]


def gram(spec, weights):
    n_filters, width, _ = weights.shape
    windows = np.lib.stride_tricks.sliding_window_view(spec, width, axis=0)  # [T', C, K]
    features = np.maximum(np.einsum("tck,fkc->tf", windows, weights), 0)
    return features.T @ features / spec.shape[0]


def onset_envelope(spec):
    return np.maximum(np.diff(spec, axis=0), 0).sum(axis=1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("content")
    parser.add_argument("style")
    parser.add_argument("outputs", nargs="+")
    parser.add_argument("--rate", type=int, default=22050)
    args = parser.parse_args()
    content = log_spec(read_mono(args.content, args.rate))
    style = log_spec(read_mono(args.style, args.rate))
    rng = np.random.default_rng(12345)
    n_bins = content.shape[1]
    weights = rng.standard_normal((512, 11, n_bins)) * np.sqrt(2.0 / ((n_bins + 512) * 11))
    g_style = gram(style, weights)
    baseline = np.linalg.norm(gram(content, weights) - g_style)
    onsets = onset_envelope(content)
    for path in args.outputs:
        out = log_spec(read_mono(path, args.rate))
        frames = min(len(out), len(content))
        ratio = np.linalg.norm(gram(out, weights) - g_style) / baseline
        corr = np.corrcoef(onset_envelope(out[:frames]), onsets[:frames - 1])[0, 1]
        print(f"{path}: style distance ratio {ratio:.3f}  onset correlation {corr:.3f}")


if __name__ == "__main__":
    main()
