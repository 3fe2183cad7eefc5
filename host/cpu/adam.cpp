// CPU twin of kernels/adam.cu: one fused Adam update (Kingma & Ba 2015, Algorithm 1), written in
// PyTorch's arrangement of the bias correction:
//   m = beta1 m + (1 - beta1) g
//   v = beta2 v + (1 - beta2) g^2
//   x -= (lr / (1 - beta1^t)) m / (sqrt(v) (1 / sqrt(1 - beta2^t)) + eps)
// The two bias-correction factors in parentheses are computed once per step in double and rounded
// to float; the per-element arithmetic is float, in the order written above.
#include <cmath>

#include "audiostyle/errors.h"
#include "host/cpu/cpu_ops.h"

namespace audiostyle::cpu {

void adam_step(int64_t count, float* x, const float* grad, float* m, float* v, float lr,
               float beta1, float beta2, float eps, int step) {
  AS_CHECK(step >= 1, "adam_step: step counts from 1, got " + std::to_string(step));
  const float step_size = float(double(lr) / (1.0 - std::pow(double(beta1), step)));
  const float inv_sqrt_correction2 = float(1.0 / std::sqrt(1.0 - std::pow(double(beta2), step)));
  const float one_minus_beta1 = 1.f - beta1, one_minus_beta2 = 1.f - beta2;
  for (int64_t i = 0; i < count; ++i) {
    const float g = grad[i];
    const float m_new = beta1 * m[i] + one_minus_beta1 * g;
    const float v_new = beta2 * v[i] + one_minus_beta2 * (g * g);
    m[i] = m_new;
    v[i] = v_new;
    x[i] -= step_size * m_new / (std::sqrt(v_new) * inv_sqrt_correction2 + eps);
  }
}

}  // namespace audiostyle::cpu
