// Adam (Kingma & Ba 2015) in one fused pass, twin of host/cpu/adam.cpp: both run
// kernels/adam_math.h's constants (host, double, rounded once) and per-element update (explicitly
// rounded operations, so no fma contraction separates the two backends).
#include <string>

#include "kernels/adam_math.h"

#include "kernels/cuda_check.h"
#include "kernels/cuda_ops.h"
#include "kernels/launch.cuh"

namespace audiostyle::cuda {
namespace {

__global__ void adam_kernel(int64_t count, float* __restrict__ x, const float* __restrict__ grad,
                            float* __restrict__ m, float* __restrict__ v,
                            math::AdamConstants constants) {
  for (int64_t i = first_index(); i < count; i += grid_stride())
    math::adam_update_element(i, x, grad, m, v, constants);
}

}  // namespace

void adam_step(const Context& context, int64_t count, float* x, const float* grad, float* m,
               float* v, float lr, float beta1, float beta2, float eps, int step) {
  CUDA_REQUIRE(step >= 1, "adam_step: step counts from 1, got " + std::to_string(step));
  if (count <= 0) return;
  adam_kernel<<<elementwise_blocks(count), kBlockThreads, 0, context.stream>>>(
      count, x, grad, m, v, math::adam_constants(lr, beta1, beta2, eps, step));
  CUDA_CHECK_LAUNCH();
}

}  // namespace audiostyle::cuda
