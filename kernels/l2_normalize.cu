// Per-item L2 normalisation and its backward pass (twin of host/cpu/l2_normalize.cpp). Each item's
// sum (x.x forward, y.g backward) is a deterministic two-pass reduction into a device double
// (reduce.cuh); an element-wise pass then reads it from device memory, so nothing returns to the
// host. Items are reduced one after another on the stream (the batch is a handful of segments).
// An all-zero item gives y = 0 and grad_x = 0, as the CPU.
#include "kernels/cuda_check.h"
#include "kernels/cuda_ops.h"
#include "kernels/launch.cuh"
#include "kernels/reduce.cuh"

namespace audiostyle::cuda {
namespace {

// norms[0] = sqrt(sum); double sqrt is correctly rounded on the device, as std::sqrt.
struct StoreNorm {
  double* norm;
  __device__ void operator()(const double (&total)[1]) const { *norm = sqrt(total[0]); }
};

__device__ __forceinline__ double inverse_norm(double norm) { return norm > 0 ? 1.0 / norm : 0.0; }

// y = float(double(x) / ||x||) with the CPU's operations: double(x) * (1 / norm), rounded once.
__global__ void scale_by_inverse_norm_kernel(const float* x, int64_t count, const double* norm,
                                             float* y) {
  const double inverse = inverse_norm(*norm);
  for (int64_t i = first_index(); i < count; i += grid_stride())
    y[i] = float(__dmul_rn(double(x[i]), inverse));
}

// grad_x = (g - y (y.g)) / norm; grad_x may alias grad_y (each element read, then written, by
// one thread), hence no __restrict__ on them.
__global__ void project_kernel(const float* __restrict__ y, const float* grad_y, int64_t count,
                               const double* projection, const double* norm, float* grad_x) {
  const double inverse = inverse_norm(*norm), yg = *projection;
  for (int64_t i = first_index(); i < count; i += grid_stride())
    grad_x[i] =
        float(__dmul_rn(__dsub_rn(double(grad_y[i]), __dmul_rn(double(y[i]), yg)), inverse));
}

}  // namespace

void l2_normalize(const Context& context, const float* x, int64_t count, int batch, float* y,
                  double* norms) {
  CUDA_REQUIRE(count >= 1 && batch >= 1, "l2_normalize: count and batch must be >= 1");
  for (int b = 0; b < batch; ++b) {
    const float* xb = x + int64_t(b) * count;
    const int n_blocks = dot_partials(context, count, xb, xb);
    finalize_partials<1>(context, n_blocks, SumCombine{}, StoreNorm{norms + b});
    scale_by_inverse_norm_kernel<<<elementwise_blocks(count), kBlockThreads, 0, context.stream>>>(
        xb, count, norms + b, y + int64_t(b) * count);
    CUDA_CHECK_LAUNCH();
  }
}

void l2_normalize_backward(const Context& context, const float* y, const float* grad_y,
                           const double* norms, int64_t count, int batch, float* grad_x) {
  CUDA_REQUIRE(count >= 1 && batch >= 1, "l2_normalize_backward: count and batch must be >= 1");
  // One scratch slot for y.g; ops on the single stream run in order, so it is free here.
  double* projection = context.scratch_slots + 3;
  for (int b = 0; b < batch; ++b) {
    const int64_t offset = int64_t(b) * count;
    const int n_blocks = dot_partials(context, count, y + offset, grad_y + offset);
    finalize_partials<1>(context, n_blocks, SumCombine{}, StoreScaled<1>{projection, 1.0});
    project_kernel<<<elementwise_blocks(count), kBlockThreads, 0, context.stream>>>(
        y + offset, grad_y + offset, count, projection, norms + b, grad_x + offset);
    CUDA_CHECK_LAUNCH();
  }
}

}  // namespace audiostyle::cuda
