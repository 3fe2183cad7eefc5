// ReLU and its backward pass (twin of host/cpu/relu.cpp), element-wise; exact on both backends.
#include "kernels/cuda_check.h"
#include "kernels/cuda_ops.h"
#include "kernels/launch.cuh"

namespace audiostyle::cuda {
namespace {

// x < 0 ? 0 : x as the CPU (a NaN stays NaN). No __restrict__: y may alias x.
__global__ void relu_forward_kernel(const float* x, int64_t count, float* y) {
  for (int64_t i = first_index(); i < count; i += grid_stride()) {
    const float v = x[i];
    y[i] = v < 0.f ? 0.f : v;
  }
}

__global__ void relu_backward_kernel(const float* __restrict__ y, int64_t count,
                                     float* __restrict__ grad) {
  for (int64_t i = first_index(); i < count; i += grid_stride())
    if (!(y[i] > 0.f)) grad[i] = 0.f;
}

}  // namespace

void relu(const Context& context, const float* x, int64_t count, float* y) {
  if (count <= 0) return;
  relu_forward_kernel<<<elementwise_blocks(count), kBlockThreads, 0, context.stream>>>(x, count, y);
  CUDA_CHECK_LAUNCH();
}

void relu_backward(const Context& context, const float* y, int64_t count, float* grad) {
  if (count <= 0) return;
  relu_backward_kernel<<<elementwise_blocks(count), kBlockThreads, 0, context.stream>>>(y, count,
                                                                                        grad);
  CUDA_CHECK_LAUNCH();
}

}  // namespace audiostyle::cuda
