// CPU twin of kernels/log1p_map.cu: log1p and expm1 of real values and their chain rule,
// element-wise, through the kernel's own arithmetic (kernels/log1p_map_math.h).
#include "host/cpu/cpu_ops.h"
#include "kernels/log1p_map_math.h"

namespace audiostyle::cpu {

void log1p_map(const float* x, int64_t count, float* y) {
  for (int64_t i = 0; i < count; ++i) y[i] = math::log1p_value(x[i]);
}

void expm1_map(const float* x, int64_t count, float* y) {
  for (int64_t i = 0; i < count; ++i) y[i] = math::expm1_value(x[i]);
}

void one_plus_scale(const float* v, int64_t count, bool divide, float* grad) {
  for (int64_t i = 0; i < count; ++i) grad[i] = math::one_plus_scale(grad[i], v[i], divide);
}

}  // namespace audiostyle::cpu
