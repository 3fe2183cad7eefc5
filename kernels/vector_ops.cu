// The optimisers' BLAS-1 ops (twin of host/cpu/vector_ops.cpp). Element-wise arithmetic is
// kernels/vector_math.h's, explicitly rounded so nvcc cannot contract y + a*x into an fma: the
// result is then bit-identical to the CPU twin, which runs the same functions.
// dot and amax are deterministic two-pass reductions (reduce.cuh) into a device double.
#include "kernels/cuda_check.h"
#include "kernels/cuda_ops.h"
#include "kernels/launch.cuh"
#include "kernels/reduce.cuh"
#include "kernels/vector_math.h"

namespace audiostyle::cuda {
namespace {

__global__ void fill_kernel(float* x, int64_t count, float value) {
  for (int64_t i = first_index(); i < count; i += grid_stride()) x[i] = value;
}

__global__ void axpy_kernel(int64_t count, float a, const float* __restrict__ x,
                            float* __restrict__ y) {
  for (int64_t i = first_index(); i < count; i += grid_stride())
    y[i] = math::axpy_element(a, x[i], y[i]);
}

__global__ void scale_kernel(int64_t count, float a, float* x) {
  for (int64_t i = first_index(); i < count; i += grid_stride())
    x[i] = math::scale_element(a, x[i]);
}

// A float product is exact in double, so the only rounding is in the sums (as on the CPU).
__global__ void __launch_bounds__(kReduceThreads)
    dot_partials_kernel(int64_t count, const float* __restrict__ x, const float* __restrict__ y,
                        double* partials) {
  double value[1] = {0.0};
  for (int64_t i = first_index(); i < count; i += grid_stride())
    value[0] += double(x[i]) * double(y[i]);
  write_block_partials<1>(value, SumCombine{}, partials);
}

__global__ void __launch_bounds__(kReduceThreads)
    amax_partials_kernel(int64_t count, const float* __restrict__ x, double* partials) {
  const MaxNanCombine combine;
  double value[1] = {MaxNanCombine::identity()};
  for (int64_t i = first_index(); i < count; i += grid_stride())
    value[0] = combine(value[0], fabs(double(x[i])));
  write_block_partials<1>(value, combine, partials);
}

__global__ void add_slots_kernel(const double* a, double* out) { out[0] = a[0] + a[1]; }

}  // namespace

void check_kernel_image() {
  // Fails with cudaErrorNoKernelImageForDevice (or InvalidDeviceFunction) when none of the
  // compiled architectures (SASS or PTX) can run on the current device.
  cudaFuncAttributes attributes{};
  CUDA_CHECK(cudaFuncGetAttributes(&attributes, fill_kernel));
}

void fill(const Context& context, float* x, int64_t count, float value) {
  if (count <= 0) return;
  fill_kernel<<<elementwise_blocks(count), kBlockThreads, 0, context.stream>>>(x, count, value);
  CUDA_CHECK_LAUNCH();
}

void axpy(const Context& context, int64_t count, float a, const float* x, float* y) {
  if (count <= 0) return;
  axpy_kernel<<<elementwise_blocks(count), kBlockThreads, 0, context.stream>>>(count, a, x, y);
  CUDA_CHECK_LAUNCH();
}

void scale(const Context& context, int64_t count, float a, float* x) {
  if (count <= 0) return;
  scale_kernel<<<elementwise_blocks(count), kBlockThreads, 0, context.stream>>>(count, a, x);
  CUDA_CHECK_LAUNCH();
}

int dot_partials(const Context& context, int64_t count, const float* x, const float* y) {
  const int n_blocks = reduce_blocks(count);
  dot_partials_kernel<<<n_blocks, kReduceThreads, 0, context.stream>>>(count, x, y,
                                                                       context.reduce_partials);
  CUDA_CHECK_LAUNCH();
  return n_blocks;
}

void dot(const Context& context, int64_t count, const float* x, const float* y, double* out) {
  const int n_blocks = dot_partials(context, count, x, y);
  finalize_partials<1>(context, n_blocks, SumCombine{}, StoreScaled<1>{out, 1.0});
}

void amax(const Context& context, int64_t count, const float* x, double* out) {
  const int n_blocks = reduce_blocks(count);
  amax_partials_kernel<<<n_blocks, kReduceThreads, 0, context.stream>>>(count, x,
                                                                        context.reduce_partials);
  CUDA_CHECK_LAUNCH();
  finalize_partials<1>(context, n_blocks, MaxNanCombine{}, StoreScaled<1>{out, 1.0});
}

void add_slots(const Context& context, const double* a, double* out) {
  add_slots_kernel<<<1, 1, 0, context.stream>>>(a, out);
  CUDA_CHECK_LAUNCH();
}

}  // namespace audiostyle::cuda
