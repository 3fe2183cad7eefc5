// Grey to ImageNet-normalised RGB and its backward pass (twin of host/cpu/grey_to_rgb.cpp), with
// explicitly rounded intrinsics in the CPU's order so nvcc cannot contract or reorder: the results
// are bit-identical to the CPU twin (built with -ffp-contract=off).
#include "kernels/cuda_check.h"
#include "kernels/cuda_ops.h"
#include "kernels/launch.cuh"

namespace audiostyle::cuda {
namespace {

struct Normalisation {
  float mean[3], stddev[3];
};

// y [pixels, 3] = (x[p] - mean[c]) / std[c]
__global__ void grey_to_rgb_kernel(const float* __restrict__ x, int64_t pixels, Normalisation n,
                                   float* __restrict__ y) {
  for (int64_t p = first_index(); p < pixels; p += grid_stride()) {
    const float v = x[p];
    for (int c = 0; c < 3; ++c) y[p * 3 + c] = __fdiv_rn(__fsub_rn(v, n.mean[c]), n.stddev[c]);
  }
}

// grad_x[p] = (g0 / std0 + g1 / std1) + g2 / std2, as the CPU
__global__ void grey_to_rgb_backward_kernel(const float* __restrict__ grad_y, int64_t pixels,
                                            Normalisation n, float* __restrict__ grad_x) {
  for (int64_t p = first_index(); p < pixels; p += grid_stride()) {
    const float* g = grad_y + p * 3;
    grad_x[p] = __fadd_rn(__fadd_rn(__fdiv_rn(g[0], n.stddev[0]), __fdiv_rn(g[1], n.stddev[1])),
                          __fdiv_rn(g[2], n.stddev[2]));
  }
}

Normalisation imagenet() {
  return {{kImagenetMean[0], kImagenetMean[1], kImagenetMean[2]},
          {kImagenetStd[0], kImagenetStd[1], kImagenetStd[2]}};
}

}  // namespace

void grey_to_rgb(const Context& context, const float* x, int64_t pixels, float* y) {
  if (pixels <= 0) return;
  grey_to_rgb_kernel<<<elementwise_blocks(pixels), kBlockThreads, 0, context.stream>>>(
      x, pixels, imagenet(), y);
  CUDA_CHECK_LAUNCH();
}

void grey_to_rgb_backward(const Context& context, const float* grad_y, int64_t pixels,
                          float* grad_x) {
  if (pixels <= 0) return;
  grey_to_rgb_backward_kernel<<<elementwise_blocks(pixels), kBlockThreads, 0, context.stream>>>(
      grad_y, pixels, imagenet(), grad_x);
  CUDA_CHECK_LAUNCH();
}

}  // namespace audiostyle::cuda
