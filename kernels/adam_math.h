// One Adam update (Kingma & Ba 2015, Algorithm 1) in PyTorch's arrangement of the bias correction,
// shared by kernels/adam.cu and host/cpu/adam.cpp (kernels/rounded_math.h says why):
//   m = beta1 m + (1 - beta1) g
//   v = beta2 v + (1 - beta2) g^2
//   x -= (lr / (1 - beta1^t)) m / (sqrt(v) (1 / sqrt(1 - beta2^t)) + eps)
// The two bias-correction factors in parentheses are computed once per step in double and rounded
// to float (adam_constants, host side of both backends); the per-element arithmetic is float, in
// the order written above, each operation rounded.
#pragma once
#include <stdint.h>

#include <cmath>

#include "kernels/rounded_math.h"

namespace audiostyle::math {

struct AdamConstants {
  float beta1, beta2, one_minus_beta1, one_minus_beta2;
  float step_size;             // lr / (1 - beta1^t)
  float inv_sqrt_correction2;  // 1 / sqrt(1 - beta2^t)
  float eps;
};

// step counts from 1.
inline AdamConstants adam_constants(float lr, float beta1, float beta2, float eps, int step) {
  AdamConstants c;
  c.beta1 = beta1;
  c.beta2 = beta2;
  c.one_minus_beta1 = 1.f - beta1;
  c.one_minus_beta2 = 1.f - beta2;
  c.step_size = float(double(lr) / (1.0 - std::pow(double(beta1), step)));
  c.inv_sqrt_correction2 = float(1.0 / std::sqrt(1.0 - std::pow(double(beta2), step)));
  c.eps = eps;
  return c;
}

// Element i of x, m, v given its gradient.
AS_MATH void adam_update_element(int64_t i, float* x, const float* grad, float* m, float* v,
                                 const AdamConstants& c) {
  const float g = grad[i];
  const float m_new = add_rn(mul_rn(c.beta1, m[i]), mul_rn(c.one_minus_beta1, g));
  const float v_new = add_rn(mul_rn(c.beta2, v[i]), mul_rn(c.one_minus_beta2, mul_rn(g, g)));
  m[i] = m_new;
  v[i] = v_new;
  const float denominator = add_rn(mul_rn(sqrt_rn(v_new), c.inv_sqrt_correction2), c.eps);
  x[i] = sub_rn(x[i], div_rn(mul_rn(c.step_size, m_new), denominator));
}

}  // namespace audiostyle::math
