"""Known answers for philox::normal and philox::phasor (tests/cpu/test_philox.cpp), computed by the
independent transcription in philox_ref.py. Writes philox_known.txt:

  normal SEED STREAM INDEX VALUE
  phasor SEED STREAM INDEX RE IM

Values are float64 from libm; the header's float polynomials agree to a few 1e-7 (the test's
tolerance says why). Indices cover every lane of a block, the next block, a block past 2^32 (the
counter's high word) and seeds with a non-zero high word (the key's second word).
"""
import os

import numpy as np

import philox_ref

SEEDS = [0, 1, 0x243F6A8885A308D3, 20240601]
STREAMS = [1, 2, 3, 99]
INDICES = [0, 1, 2, 3, 4, 5, 6, 7, 1001, (1 << 34) + 2, (1 << 34) + 3, (1 << 40) + 1]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    lines = ["# made by make_philox_golden.py from philox_ref.py; see README.md"]
    idx = np.array(INDICES, dtype=np.uint64)
    for seed in SEEDS:
        for stream in STREAMS:
            z = philox_ref.normal(idx, seed, stream)
            for i, v in zip(INDICES, z):
                lines.append(f"normal {seed} {stream} {i} {v:.17g}")
            re, im = philox_ref.phasor(idx, seed, stream)
            for i, a, b in zip(INDICES, re, im):
                lines.append(f"phasor {seed} {stream} {i} {a:.17g} {b:.17g}")
    with open(os.path.join(here, "philox_known.txt"), "w") as out:
        out.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
