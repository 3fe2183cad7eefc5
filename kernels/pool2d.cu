// 2x2 max pooling, stride 2, floor, NHWC, and its backward pass (twin of host/cpu/pool2d.cpp):
// one thread per output element (b, i, j, c), c fastest so a warp reads contiguous channels.
// The backward zeroes grad_x and scatters each window's gradient to its first maximum, recomputed
// from x by the forward's rule; windows do not overlap, so no two threads write one element and
// the result is exact and deterministic (no atomics).
#include "kernels/cuda_check.h"
#include "kernels/cuda_ops.h"
#include "kernels/launch.cuh"

namespace audiostyle::cuda {
namespace {

struct PoolGeometry {
  int height, width, channels;  // input H, W, C
  int out_height, out_width;    // H/2, W/2
};

// Offset of the window's top-left input element for output element `index`, and the offsets of
// its four values in (dy, dx) row-major order.
__device__ __forceinline__ int64_t window_base(const PoolGeometry& g, int64_t index) {
  const int c = int(index % g.channels);
  int64_t rest = index / g.channels;
  const int j = int(rest % g.out_width);
  rest /= g.out_width;
  const int i = int(rest % g.out_height);
  const int64_t b = rest / g.out_height;
  return ((b * g.height + 2 * i) * g.width + 2 * j) * g.channels + c;
}

// The CPU's first_max: strict >, so the first of equal values wins and a NaN in v[0] stays.
__device__ __forceinline__ int first_max(const float (&v)[4]) {
  int best = 0;
  for (int k = 1; k < 4; ++k)
    if (v[k] > v[best]) best = k;
  return best;
}

__global__ void maxpool_forward_kernel(const float* __restrict__ x, PoolGeometry g, int64_t count,
                                       float* __restrict__ y) {
  const int64_t row = int64_t(g.width) * g.channels;
  for (int64_t index = first_index(); index < count; index += grid_stride()) {
    const int64_t base = window_base(g, index);
    const float v[4] = {x[base], x[base + g.channels], x[base + row], x[base + row + g.channels]};
    y[index] = v[first_max(v)];
  }
}

__global__ void maxpool_backward_kernel(const float* __restrict__ x,
                                        const float* __restrict__ grad_y, PoolGeometry g,
                                        int64_t count, float* __restrict__ grad_x) {
  const int64_t row = int64_t(g.width) * g.channels;
  for (int64_t index = first_index(); index < count; index += grid_stride()) {
    const int64_t base = window_base(g, index);
    const int64_t offsets[4] = {0, g.channels, row, row + g.channels};
    const float v[4] = {x[base], x[base + offsets[1]], x[base + offsets[2]], x[base + offsets[3]]};
    grad_x[base + offsets[first_max(v)]] = grad_y[index];
  }
}

}  // namespace

void maxpool2x2(const Context& context, const float* x, int n_batch, int height, int width,
                int channels, float* y) {
  CUDA_REQUIRE(n_batch >= 1 && height >= 1 && width >= 1 && channels >= 1,
               "maxpool2x2: batch, height, width and channels must be >= 1");
  const PoolGeometry g{height, width, channels, height / 2, width / 2};
  const int64_t count = int64_t(n_batch) * g.out_height * g.out_width * channels;
  if (count == 0) return;
  maxpool_forward_kernel<<<elementwise_blocks(count), kBlockThreads, 0, context.stream>>>(
      x, g, count, y);
  CUDA_CHECK_LAUNCH();
}

void maxpool2x2_backward(const Context& context, const float* x, const float* /*y*/,
                         const float* grad_y, int n_batch, int height, int width, int channels,
                         float* grad_x) {
  CUDA_REQUIRE(n_batch >= 1 && height >= 1 && width >= 1 && channels >= 1,
               "maxpool2x2_backward: batch, height, width and channels must be >= 1");
  const PoolGeometry g{height, width, channels, height / 2, width / 2};
  // Zero first: an odd last row or column is read by no window, and the scatter writes only one
  // element of each window.
  CUDA_CHECK(cudaMemsetAsync(grad_x, 0,
                             sizeof(float) * size_t(n_batch) * height * width * channels,
                             context.stream));
  const int64_t count = int64_t(n_batch) * g.out_height * g.out_width * channels;
  if (count == 0) return;
  maxpool_backward_kernel<<<elementwise_blocks(count), kBlockThreads, 0, context.stream>>>(
      x, grad_y, g, count, grad_x);
  CUDA_CHECK_LAUNCH();
}

}  // namespace audiostyle::cuda
