// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11) and the
// normal and phase draws built on it. Header-only and __host__ __device__, so the CPU and the GPU
// produce bit-identical values.
//
// Index -> counter mapping (the contract both backends keep):
//   element i of a stream draws from block b = i / 4 with
//     counter = {lo32(b), hi32(b), stream, 0}, key = {lo32(seed), hi32(seed)}
//   the block's four words (u0, u1, u2, u3) give two Box-Muller pairs (u0, u1) -> z0, z1 and
//   (u2, u3) -> z2, z3; element i takes z[i % 4], where
//     z0 = r(u0) cos(2 pi v(u1)), z1 = r(u0) sin(2 pi v(u1)) (z2, z3 likewise from u2, u3),
//     r(u) = sqrt(-2 log(((u >> 8) + 1) 2^-24)), v(u) = (u >> 8) 2^-24;
//   a phasor takes one word, theta = 2 pi v(u[i % 4]), (re, im) = (cos theta, sin theta).
// tests/golden/philox_ref.py transcribes this mapping independently (known answers in
// tests/golden/philox_known.txt).
// Streams: kStreamWeights for conv filters, kStreamInit for the optimiser's start, kStreamPhase for
// Griffin-Lim's initial phase.
//
// Bit-identity: only correctly rounded IEEE operations are used (+, -, *, / and fma), written as
// explicit calls so that no compiler may contract or reorder them (no fma: a host without it would
// pay a libm call per use); log and sin/cos are our own
// polynomials, not libm's (whose last bits differ between glibc and CUDA).
#pragma once
#include <cstdint>

#if defined(__CUDACC__)
#define AS_HD __host__ __device__ __forceinline__
#else
#define AS_HD inline
#endif

namespace audiostyle::philox {

enum Stream : uint32_t { kStreamWeights = 1, kStreamInit = 2, kStreamPhase = 3, kStreamTest = 99 };

struct Block {
  uint32_t v[4];
};

AS_HD void mulhilo(uint32_t a, uint32_t b, uint32_t& hi, uint32_t& lo) {
  const uint64_t p = static_cast<uint64_t>(a) * b;
  hi = static_cast<uint32_t>(p >> 32);
  lo = static_cast<uint32_t>(p);
}

AS_HD Block philox4x32_10(uint32_t c0, uint32_t c1, uint32_t c2, uint32_t c3, uint32_t k0,
                          uint32_t k1) {
  for (int round = 0; round < 10; ++round) {
    uint32_t hi0, lo0, hi1, lo1;
    mulhilo(0xD2511F53u, c0, hi0, lo0);
    mulhilo(0xCD9E8D57u, c2, hi1, lo1);
    const uint32_t n0 = hi1 ^ c1 ^ k0, n1 = lo1, n2 = hi0 ^ c3 ^ k1, n3 = lo0;
    c0 = n0, c1 = n1, c2 = n2, c3 = n3;
    k0 += 0x9E3779B9u;
    k1 += 0xBB67AE85u;
  }
  return Block{{c0, c1, c2, c3}};
}

AS_HD Block block_for(uint64_t block_index, uint64_t seed, uint32_t stream) {
  return philox4x32_10(static_cast<uint32_t>(block_index), static_cast<uint32_t>(block_index >> 32),
                       stream, 0u, static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32));
}

// Correctly rounded primitives that no compiler may fuse or reorder.
#if defined(__CUDA_ARCH__)
AS_HD float fadd(float a, float b) { return __fadd_rn(a, b); }
AS_HD float fmul(float a, float b) { return __fmul_rn(a, b); }
AS_HD float fdiv(float a, float b) { return __fdiv_rn(a, b); }
AS_HD float fsqrt(float a) { return __fsqrt_rn(a); }
#else
AS_HD float fadd(float a, float b) {
  volatile float r = a + b;
  return r;
}
AS_HD float fmul(float a, float b) {
  volatile float r = a * b;
  return r;
}
AS_HD float fdiv(float a, float b) {
  volatile float r = a / b;
  return r;
}
AS_HD float fsqrt(float a) { return __builtin_sqrtf(a); }
#endif
// Multiply then add, each rounded: fma would be exact too, but costs a libm call on hosts without it.
AS_HD float ffma(float a, float b, float c) { return fadd(fmul(a, b), c); }

// Uniform in (0, 1]: 24 random bits, never 0 so log() is finite.
AS_HD float uniform_open0(uint32_t u) {
  return fmul(static_cast<float>((u >> 8) + 1u), 5.9604644775390625e-8f);  // 2^-24
}
// Uniform in [0, 1).
AS_HD float uniform_closed0(uint32_t u) {
  return fmul(static_cast<float>(u >> 8), 5.9604644775390625e-8f);
}

// Natural log of x in (0, 1], max error ~2 ulp. x = 2^e * m with m in [sqrt(1/2), sqrt(2)),
// log(m) = 2 atanh(s), s = (m-1)/(m+1), odd series in s (|s| < 0.172).
AS_HD float log_positive(float x) {
  uint32_t bits;
#if defined(__CUDA_ARCH__)
  bits = __float_as_uint(x);
#else
  __builtin_memcpy(&bits, &x, 4);
#endif
  int exponent = static_cast<int>((bits >> 23) & 0xFF) - 127;
  bits = (bits & 0x007FFFFFu) | 0x3F800000u;  // mantissa in [1, 2)
  float m;
#if defined(__CUDA_ARCH__)
  m = __uint_as_float(bits);
#else
  __builtin_memcpy(&m, &bits, 4);
#endif
  if (m > 1.41421356f) {
    m = fmul(m, 0.5f);
    exponent += 1;
  }
  const float s = fdiv(fadd(m, -1.0f), fadd(m, 1.0f));
  const float s2 = fmul(s, s);
  // 2 * (s + s^3/3 + s^5/5 + s^7/7 + s^9/9)
  float p = ffma(s2, 0.2222222222f, 0.2857142857f);
  p = ffma(s2, p, 0.4f);
  p = ffma(s2, p, 0.6666666667f);
  p = ffma(s2, p, 2.0f);
  const float log_m = fmul(s, p);
  return ffma(static_cast<float>(exponent), 0.693147180559945f, log_m);
}

// sin and cos of 2*pi*t for t in [0, 1): quadrant by exact scaling, then Taylor on |x| <= pi/4.
AS_HD void sincos_2pi(float t, float& sin_out, float& cos_out) {
  const float q = fmul(t, 8.0f);  // exact
  int octant = static_cast<int>(q);
  float r = fadd(q, -static_cast<float>(octant));  // [0, 1): exact
  // Fold into [-1/2, 1/2) around the nearest multiple of pi/2.
  int quadrant = (octant + 1) >> 1;  // 0..4
  if (octant & 1) r = fadd(r, -1.0f);
  const float x = fmul(r, 0.785398163397448f);  // radians, |x| <= pi/4
  const float x2 = fmul(x, x);
  float s = ffma(x2, 2.7557319224e-6f, -1.9841269841e-4f);
  s = ffma(x2, s, 8.3333333333e-3f);
  s = ffma(x2, s, -0.1666666667f);
  s = ffma(fmul(x2, x), s, x);
  float c = ffma(x2, 2.4801587302e-5f, -1.3888888889e-3f);
  c = ffma(x2, c, 4.1666666667e-2f);
  c = ffma(x2, c, -0.5f);
  c = ffma(x2, c, 1.0f);
  switch (quadrant & 3) {
    case 0: sin_out = s, cos_out = c; break;
    case 1: sin_out = c, cos_out = -s; break;
    case 2: sin_out = -s, cos_out = -c; break;
    default: sin_out = -c, cos_out = s; break;
  }
}

// Standard normal for element `index` of `stream` (the mapping above).
AS_HD float normal(uint64_t index, uint64_t seed, uint32_t stream) {
  const Block b = block_for(index >> 2, seed, stream);
  const int lane = static_cast<int>(index & 3);
  const uint32_t ua = b.v[lane & 2], ub = b.v[(lane & 2) + 1];
  const float radius = fsqrt(fmul(-2.0f, log_positive(uniform_open0(ua))));
  float s, c;
  sincos_2pi(uniform_closed0(ub), s, c);
  return fmul(radius, (lane & 1) ? s : c);
}

// A unit phasor e^{i theta}, theta uniform in [0, 2 pi), for element `index` (one word each).
AS_HD void phasor(uint64_t index, uint64_t seed, uint32_t stream, float& re, float& im) {
  const Block b = block_for(index >> 2, seed, stream);
  sincos_2pi(uniform_closed0(b.v[index & 3]), im, re);
}

}  // namespace audiostyle::philox
