// The content and style losses with their gradients (twin of host/cpu/loss.cpp): one fused pass
// writes the element-wise error or gradient and the block partials of the squared error; a second,
// one-block pass (reduce.cuh) folds them into the device double.
#include "kernels/cuda_check.h"
#include "kernels/cuda_ops.h"
#include "kernels/launch.cuh"
#include "kernels/loss_math.h"
#include "kernels/reduce.cuh"

namespace audiostyle::cuda {
namespace {

// error_b = gram_b - target for every item b (gram, error [batch, count]; target [count], shared);
// partials = sum over items and elements of error^2. `error` may alias `gram`: each element is
// read before it is written, by the same thread (hence no __restrict__ on them).
// Items are the outer loop and the grid strides over one item's elements, so a thread touches the
// same target elements for every item (no per-element division to find them) and the sum of all
// items is still one pass-1 kernel and one fixed-order pass 2: deterministic.
__global__ void __launch_bounds__(kReduceThreads)
    style_loss_kernel(const float* gram, const float* __restrict__ target, int64_t count,
                      int batch, float* error, double* partials) {
  double value[1] = {0.0};
  for (int b = 0; b < batch; ++b) {
    const int64_t item = int64_t(b) * count;
    for (int64_t i = first_index(); i < count; i += grid_stride()) {
      const float e = math::style_error(gram[item + i], target[i]);
      error[item + i] = e;
      value[0] += double(e) * double(e);
    }
  }
  write_block_partials<1>(value, SumCombine{}, partials);
}

// grad = 2 alpha (A - target); partials = sum (A - target)^2 (alpha applied in pass 2)
__global__ void __launch_bounds__(kReduceThreads)
    content_loss_kernel(const float* __restrict__ features, const float* __restrict__ target,
                        int64_t count, float two_alpha, float* __restrict__ grad,
                        double* partials) {
  double value[1] = {0.0};
  for (int64_t i = first_index(); i < count; i += grid_stride()) {
    const float d = math::content_difference(features[i], target[i]);
    grad[i] = math::content_gradient(two_alpha, d);
    value[0] += double(d) * double(d);
  }
  write_block_partials<1>(value, SumCombine{}, partials);
}

}  // namespace

void style_loss(const Context& context, const float* gram, const float* target, int64_t count,
                int batch, float* error, double* loss) {
  CUDA_REQUIRE(count >= 0 && batch >= 1, "style_loss: count must be >= 0 and batch >= 1");
  const int n_blocks = reduce_blocks(count);
  style_loss_kernel<<<n_blocks, kReduceThreads, 0, context.stream>>>(
      gram, target, count, batch, error, context.reduce_partials);
  CUDA_CHECK_LAUNCH();
  finalize_partials<1>(context, n_blocks, SumCombine{}, StoreScaled<1>{loss, 1.0});
}

void content_loss(const Context& context, const float* features, const float* target, int64_t count,
                  float alpha, float* grad, double* loss) {
  const int n_blocks = reduce_blocks(count);
  content_loss_kernel<<<n_blocks, kReduceThreads, 0, context.stream>>>(
      features, target, count, 2.0f * alpha, grad, context.reduce_partials);
  CUDA_CHECK_LAUNCH();
  // *loss = alpha * sum, as the CPU: double(alpha) times the double sum.
  finalize_partials<1>(context, n_blocks, SumCombine{}, StoreScaled<1>{loss, double(alpha)});
}

}  // namespace audiostyle::cuda
