#!/usr/bin/env python3
"""Stereo image of audio files: left/right correlation and side/mid energy.

    python3 bench/peers/stereo_image.py FILE...

corr = Pearson correlation of L and R over the whole file; side/mid = sum S^2 / sum M^2 with
M = (L+R)/2, S = (L-R)/2. A mono file prints 1 and 0. Reads through sox (any format it reads).
"""
import subprocess
import sys

import numpy as np


def read(path):
    channels = int(subprocess.run(["soxi", "-c", path], capture_output=True, text=True,
                                  check=True).stdout)
    raw = subprocess.run(["sox", "-V1", path, "-t", "f32", "-"], capture_output=True,
                         check=True).stdout
    return np.frombuffer(raw, dtype=np.float32).reshape(-1, channels).astype(np.float64)


def image(x):
    if x.shape[1] == 1:
        return 1.0, 0.0
    left, right = x[:, 0], x[:, 1]
    mid, side = 0.5 * (left + right), 0.5 * (left - right)
    return float(np.corrcoef(left, right)[0, 1]), float((side ** 2).sum() / (mid ** 2).sum())


if __name__ == "__main__":
    for path in sys.argv[1:]:
        corr, ratio = image(read(path))
        print(f"{path}: corr {corr:.3f}  side/mid {ratio:.3f}")
