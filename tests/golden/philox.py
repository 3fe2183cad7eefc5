"""Philox4x32-10 normals as include/audiostyle/philox.h draws them, in numpy float32.

Every operation of the C++ (integer rounds, float32 multiply/add/divide/sqrt, the polynomial log and
sin/cos) is a correctly rounded IEEE single operation here too, so the values are bit-identical.
"""
import numpy as np

F = np.float32


def _mulhilo(a, b):
    p = np.uint64(a) * b.astype(np.uint64)
    return (p >> np.uint64(32)).astype(np.uint32), (p & np.uint64(0xFFFFFFFF)).astype(np.uint32)


def philox4x32_10(c0, c1, c2, c3, k0, k1):
    k0 = np.uint32(k0)
    k1 = np.uint32(k1)
    for _ in range(10):
        hi0, lo0 = _mulhilo(0xD2511F53, c0)
        hi1, lo1 = _mulhilo(0xCD9E8D57, c2)
        c0, c1, c2, c3 = hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0
        k0 = np.uint32((int(k0) + 0x9E3779B9) & 0xFFFFFFFF)
        k1 = np.uint32((int(k1) + 0xBB67AE85) & 0xFFFFFFFF)
    return c0, c1, c2, c3


def _log_positive(x):
    bits = x.view(np.uint32)
    exponent = ((bits >> np.uint32(23)) & np.uint32(0xFF)).astype(np.int32) - 127
    m = ((bits & np.uint32(0x007FFFFF)) | np.uint32(0x3F800000)).view(np.float32)
    big = m > F(1.41421356)
    m = np.where(big, m * F(0.5), m).astype(np.float32)
    exponent = exponent + big.astype(np.int32)
    s = (m + F(-1.0)) / (m + F(1.0))
    s2 = s * s
    p = s2 * F(0.2222222222) + F(0.2857142857)
    p = s2 * p + F(0.4)
    p = s2 * p + F(0.6666666667)
    p = s2 * p + F(2.0)
    log_m = s * p
    return exponent.astype(np.float32) * F(0.693147180559945) + log_m


def _sincos_2pi(t):
    q = t * F(8.0)
    octant = q.astype(np.int32)
    r = q - octant.astype(np.float32)
    quadrant = (octant + 1) >> 1
    r = np.where(octant & 1, r + F(-1.0), r).astype(np.float32)
    x = r * F(0.785398163397448)
    x2 = x * x
    s = x2 * F(2.7557319224e-6) + F(-1.9841269841e-4)
    s = x2 * s + F(8.3333333333e-3)
    s = x2 * s + F(-0.1666666667)
    s = (x2 * x) * s + x
    c = x2 * F(2.4801587302e-5) + F(-1.3888888889e-3)
    c = x2 * c + F(4.1666666667e-2)
    c = x2 * c + F(-0.5)
    c = x2 * c + F(1.0)
    q4 = quadrant & 3
    sin = np.select([q4 == 0, q4 == 1, q4 == 2], [s, c, -s], -c).astype(np.float32)
    cos = np.select([q4 == 0, q4 == 1, q4 == 2], [c, -s, -c], s).astype(np.float32)
    return sin, cos


def normal(count, seed, stream):
    """normal(i, seed, stream) for i in [0, count), float32."""
    index = np.arange(count, dtype=np.uint64)
    block = index >> np.uint64(2)
    lane = (index & np.uint64(3)).astype(np.int64)
    c0 = (block & np.uint64(0xFFFFFFFF)).astype(np.uint32)
    c1 = (block >> np.uint64(32)).astype(np.uint32)
    c2 = np.full(count, stream, dtype=np.uint32)
    c3 = np.zeros(count, dtype=np.uint32)
    v = np.stack(philox4x32_10(c0, c1, c2, c3, seed & 0xFFFFFFFF, seed >> 32))  # [4, count]
    pair = lane & 2
    ua = v[pair, np.arange(count)]
    ub = v[pair + 1, np.arange(count)]
    u_open = ((ua >> np.uint32(8)) + np.uint32(1)).astype(np.float32) * F(5.9604644775390625e-8)
    u_closed = (ub >> np.uint32(8)).astype(np.float32) * F(5.9604644775390625e-8)
    radius = np.sqrt(F(-2.0) * _log_positive(u_open)).astype(np.float32)
    sin, cos = _sincos_2pi(u_closed)
    return (radius * np.where(lane & 1, sin, cos)).astype(np.float32)


def stack_weights(convs, seed, stream):
    """The Philox weights of host/extractors/conv_stack.h: conv j of convs [(name, cin, cout)]
    draws weight [cout, cin, 3, 3] = sqrt(2 / (9 cin)) * normal(., seed, stream + 2j) and bias
    [cout] = 0.01 * normal(., seed, stream + 1 + 2j), float32; {name: (weight, bias)}."""
    out = {}
    for j, (name, cin, cout) in enumerate(convs):
        stddev = np.float32(np.sqrt(2.0 / (9.0 * cin)))
        w = (stddev * normal(cout * cin * 9, seed, stream + 2 * j)).astype(np.float32)
        b = (np.float32(0.01) * normal(cout, seed, stream + 1 + 2 * j)).astype(np.float32)
        out[name] = (w.reshape(cout, cin, 3, 3), b)
    return out
