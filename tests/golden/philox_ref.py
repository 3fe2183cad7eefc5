"""An independent transcription of the Philox mapping documented in include/audiostyle/philox.h.

Written from the header's comment and Salmon et al. (SC'11), not from its code: numpy uint32/uint64
arithmetic for the generator, float64 libm for log, sqrt, sin and cos (the project uses its own
float polynomials; they agree to ~1e-6 relative). Used by make_philox_golden.py (known answers for
tests/cpu/test_philox.cpp) and make_loss_golden.py (the conv weights of the loss reference).

The documented mapping: element i of a stream draws from block b = i // 4 with
  counter = (lo32(b), hi32(b), stream, 0), key = (lo32(seed), hi32(seed));
the block's words (u0, u1, u2, u3) give two Box-Muller pairs; element i takes z[i % 4], where
  z0 = r(u0) cos(2 pi v(u1)), z1 = r(u0) sin(2 pi v(u1)), z2, z3 likewise from (u2, u3),
  r(u) = sqrt(-2 log(((u >> 8) + 1) 2^-24)), v(u) = (u >> 8) 2^-24.
A phasor takes one word: theta = 2 pi v(u[i % 4]), (re, im) = (cos theta, sin theta).
"""
import numpy as np

M0, M1 = np.uint64(0xD2511F53), np.uint64(0xCD9E8D57)
W0, W1 = np.uint32(0x9E3779B9), np.uint32(0xBB67AE85)
MASK32 = np.uint64(0xFFFFFFFF)


def philox4x32_10(counter, key):
    """counter: [n, 4] uint32, key: [2] uint32 -> [n, 4] uint32 (ten rounds)."""
    c = [counter[:, j].astype(np.uint64) for j in range(4)]
    k0, k1 = np.uint32(key[0]), np.uint32(key[1])
    for _ in range(10):
        p0 = M0 * c[0]  # exact in uint64: both factors < 2^32
        p1 = M1 * c[2]
        hi0, lo0 = p0 >> np.uint64(32), p0 & MASK32
        hi1, lo1 = p1 >> np.uint64(32), p1 & MASK32
        c = [hi1 ^ c[1] ^ np.uint64(k0), lo1, hi0 ^ c[3] ^ np.uint64(k1), lo0]
        with np.errstate(over="ignore"):
            k0 = np.uint32(k0 + W0)
            k1 = np.uint32(k1 + W1)
    return np.stack([x.astype(np.uint32) for x in c], axis=1)


def words(indices, seed, stream):
    """The word of the block each element draws from: [n, 4] uint32 for element indices [n]."""
    indices = np.asarray(indices, dtype=np.uint64)
    block = indices >> np.uint64(2)
    counter = np.stack([(block & MASK32).astype(np.uint32),
                        (block >> np.uint64(32)).astype(np.uint32),
                        np.full(block.shape, stream, dtype=np.uint32),
                        np.zeros(block.shape, dtype=np.uint32)], axis=1)
    seed = np.uint64(seed)
    key = np.array([seed & MASK32, seed >> np.uint64(32)], dtype=np.uint64).astype(np.uint32)
    return philox4x32_10(counter, key)


def radius(u):
    return np.sqrt(-2.0 * np.log(((u.astype(np.uint64) >> np.uint64(8)) + 1) * 2.0**-24))


def turn(u):
    return (u.astype(np.uint64) >> np.uint64(8)) * 2.0**-24


def normal(indices, seed, stream):
    """Standard normals (float64) for element indices of (seed, stream)."""
    indices = np.asarray(indices, dtype=np.uint64)
    w = words(indices, seed, stream)
    lane = (indices & np.uint64(3)).astype(np.int64)
    pair = lane // 2
    rows = np.arange(len(indices))
    r = radius(w[rows, 2 * pair])
    theta = 2 * np.pi * turn(w[rows, 2 * pair + 1])
    return np.where(lane % 2 == 0, r * np.cos(theta), r * np.sin(theta))


def phasor(indices, seed, stream):
    """(re, im) float64 arrays for element indices of (seed, stream)."""
    indices = np.asarray(indices, dtype=np.uint64)
    w = words(indices, seed, stream)
    rows = np.arange(len(indices))
    theta = 2 * np.pi * turn(w[rows, (indices & np.uint64(3)).astype(np.int64)])
    return np.cos(theta), np.sin(theta)
