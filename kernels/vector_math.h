// Per-element arithmetic of the optimisers' BLAS-1 ops, shared by kernels/vector_ops.cu and
// host/cpu/vector_ops.cpp (kernels/rounded_math.h says why): product and sum each rounded to
// float, never fused, so the two backends are bit-identical.
#pragma once
#include "kernels/rounded_math.h"

namespace audiostyle::math {

// y + a x
AS_MATH float axpy_element(float a, float x, float y) { return add_rn(y, mul_rn(a, x)); }
// x a
AS_MATH float scale_element(float a, float x) { return mul_rn(x, a); }

}  // namespace audiostyle::math
