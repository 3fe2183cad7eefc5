// Adam (Kingma & Ba 2015) in one fused pass, twin of host/cpu/adam.cpp and in PyTorch's
// arrangement of the bias correction:
//   m = beta1 m + (1 - beta1) g
//   v = beta2 v + (1 - beta2) g^2
//   x -= (lr / (1 - beta1^t)) m / (sqrt(v) (1 / sqrt(1 - beta2^t)) + eps)
// The two bias-correction factors are computed once per step on the host in double and rounded to
// float, as on the CPU; the per-element arithmetic uses explicitly rounded intrinsics in the CPU's
// order, so no fma contraction separates the two backends.
#include <cmath>
#include <string>

#include "kernels/cuda_check.h"
#include "kernels/cuda_ops.h"
#include "kernels/launch.cuh"

namespace audiostyle::cuda {
namespace {

__global__ void adam_kernel(int64_t count, float* __restrict__ x, const float* __restrict__ grad,
                            float* __restrict__ m, float* __restrict__ v, float beta1, float beta2,
                            float one_minus_beta1, float one_minus_beta2, float step_size,
                            float inv_sqrt_correction2, float eps) {
  for (int64_t i = first_index(); i < count; i += grid_stride()) {
    const float g = grad[i];
    const float m_new = __fadd_rn(__fmul_rn(beta1, m[i]), __fmul_rn(one_minus_beta1, g));
    const float v_new =
        __fadd_rn(__fmul_rn(beta2, v[i]), __fmul_rn(one_minus_beta2, __fmul_rn(g, g)));
    m[i] = m_new;
    v[i] = v_new;
    const float denominator = __fadd_rn(__fmul_rn(__fsqrt_rn(v_new), inv_sqrt_correction2), eps);
    x[i] = __fsub_rn(x[i], __fdiv_rn(__fmul_rn(step_size, m_new), denominator));
  }
}

}  // namespace

void adam_step(const Context& context, int64_t count, float* x, const float* grad, float* m,
               float* v, float lr, float beta1, float beta2, float eps, int step) {
  CUDA_REQUIRE(step >= 1, "adam_step: step counts from 1, got " + std::to_string(step));
  if (count <= 0) return;
  const float step_size = float(double(lr) / (1.0 - std::pow(double(beta1), step)));
  const float inv_sqrt_correction2 = float(1.0 / std::sqrt(1.0 - std::pow(double(beta2), step)));
  adam_kernel<<<elementwise_blocks(count), kBlockThreads, 0, context.stream>>>(
      count, x, grad, m, v, beta1, beta2, 1.f - beta1, 1.f - beta2, step_size, inv_sqrt_correction2,
      eps);
  CUDA_CHECK_LAUNCH();
}

}  // namespace audiostyle::cuda
