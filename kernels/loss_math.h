// Per-element terms of the content and style losses, shared by kernels/loss.cu and
// host/cpu/loss.cpp (kernels/rounded_math.h says why). The sums over elements stay with each
// backend (their orders differ: a tree of block partials on the device, a loop on the CPU, both in
// double).
#pragma once
#include "kernels/rounded_math.h"

namespace audiostyle::math {

// style: E = G - G_target
AS_MATH float style_error(float gram, float target) { return sub_rn(gram, target); }

// content: d = A - A_target; the gradient is 2 alpha d
AS_MATH float content_difference(float features, float target) { return sub_rn(features, target); }
AS_MATH float content_gradient(float two_alpha, float difference) {
  return mul_rn(two_alpha, difference);
}

}  // namespace audiostyle::math
