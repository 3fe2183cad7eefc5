// The ReLU of conv1d and its backward mask, shared by kernels/conv1d.cu and host/cpu/conv1d.cpp
// (kernels/rounded_math.h says why).
#pragma once
#include "kernels/rounded_math.h"

namespace audiostyle::math {

// relu(a) as std::max(a, 0.f) is, (a < 0) ? 0 : a: a NaN stays NaN.
AS_MATH float relu(float a) { return a < 0.f ? 0.f : a; }
// ReLU backward: A > 0 exactly where the pre-activation was > 0 (a NaN feature masks too).
AS_MATH float relu_backward(float features, float grad) { return features > 0.f ? grad : 0.f; }

}  // namespace audiostyle::math
