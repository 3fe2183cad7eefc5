// CPU twin of kernels/relu.cu: ReLU and its backward pass, element-wise.
#include "host/cpu/cpu_ops.h"

namespace audiostyle::cpu {

// x < 0 ? 0 : x, so a NaN stays NaN (std::max(x, 0.f) would too; fmax would drop it).
void relu(const float* x, int64_t count, float* y) {
  for (int64_t i = 0; i < count; ++i) y[i] = x[i] < 0.f ? 0.f : x[i];
}

// y > 0 exactly where the input was > 0, so the output alone gives the mask.
void relu_backward(const float* y, int64_t count, float* grad) {
  for (int64_t i = 0; i < count; ++i)
    if (!(y[i] > 0.f)) grad[i] = 0.f;
}

}  // namespace audiostyle::cpu
