// Per-element maps of kernels/spectral.cu and host/cpu/spectral.cpp (kernels/rounded_math.h says
// why they are shared). Each is computed in double and rounded once to float: the reference the
// float pipeline is held to, and on the device a handful of double operations per element of a
// memory-bound pass.
#pragma once
#include "kernels/rounded_math.h"

namespace audiostyle::math {

// log1p(|re + i im|)
AS_MATH float log1p_magnitude(float re, float im) {
  return float(::log1p(::hypot(double(re), double(im))));
}

// d log1p|z| / d(re, im) times grad: grad / ((1 + |z|) |z|) * (re, im), 0 at z = 0 (where the
// magnitude has no gradient; 0 is the subgradient of least norm).
AS_MATH void log1p_magnitude_backward(float re, float im, float grad, float& grad_re,
                                      float& grad_im) {
  const double m = ::hypot(double(re), double(im));
  const double g = m > 0 ? div_rn(double(grad), mul_rn(add_rn(1.0, m), m)) : 0.0;
  grad_re = float(mul_rn(g, double(re)));
  grad_im = float(mul_rn(g, double(im)));
}

// max(expm1(x), 0): the optimiser may push a log-magnitude below 0, which has no magnitude. Written
// as std::max(e, 0.f) is, (e < 0) ? 0 : e, so a NaN stays NaN (fmaxf would drop it) and a diverged
// run shows instead of turning silent.
AS_MATH float expm1_clamped(float x) {
  const float e = float(::expm1(double(x)));
  return e < 0.f ? 0.f : e;
}

// The terms of Griffin-Lim's convergence measure for one bin: (|spec| - magnitude)^2 and
// magnitude^2, in double (the caller sums them).
AS_MATH void spectral_distance_terms(float re, float im, float magnitude, double& distance_sq,
                                     double& energy) {
  const double m = magnitude;
  const double d = sub_rn(::hypot(double(re), double(im)), m);
  distance_sq = mul_rn(d, d);
  energy = mul_rn(m, m);
}

}  // namespace audiostyle::math
