// CPU twin of kernels/adam.cu: one fused Adam update (Kingma & Ba 2015, Algorithm 1) in PyTorch's
// arrangement of the bias correction, through the kernel's own arithmetic (kernels/adam_math.h).
#include "audiostyle/errors.h"
#include "host/cpu/cpu_ops.h"
#include "kernels/adam_math.h"

namespace audiostyle::cpu {

void adam_step(int64_t count, float* x, const float* grad, float* m, float* v, float lr,
               float beta1, float beta2, float eps, int step) {
  AS_CHECK(step >= 1, "adam_step: step counts from 1, got " + std::to_string(step));
  const math::AdamConstants constants = math::adam_constants(lr, beta1, beta2, eps, step);
  for (int64_t i = 0; i < count; ++i) math::adam_update_element(i, x, grad, m, v, constants);
}

}  // namespace audiostyle::cpu
