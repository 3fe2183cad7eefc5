// Per-element maps of kernels/log1p_map.cu and host/cpu/log1p_map.cpp (kernels/rounded_math.h says
// why they are shared): log1p and expm1 of a real value and the chain rule of both, each computed
// in double and rounded once to float.
#pragma once
#include "kernels/rounded_math.h"

namespace audiostyle::math {

AS_MATH float log1p_value(float x) { return float(::log1p(double(x))); }
AS_MATH float expm1_value(float x) { return float(::expm1(double(x))); }

// The derivative of both maps through 1 + v: expm1'(x) = 1 + expm1(x) (v the forward's output),
// log1p'(u) = 1 / (1 + u) (v the forward's input). grad * (1 + v), or grad / (1 + v) when `divide`.
AS_MATH float one_plus_scale(float grad, float v, bool divide) {
  const double one_plus = add_rn(1.0, double(v));
  return float(divide ? div_rn(double(grad), one_plus) : mul_rn(double(grad), one_plus));
}

}  // namespace audiostyle::math
