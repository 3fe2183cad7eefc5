// A band of a spectrogram's bins and its adjoint (the band view), twin of
// host/cpu/gather_columns.cpp. One thread per element of the band: consecutive threads read
// consecutive indices, which for a band of contiguous bins are consecutive addresses.
#include "kernels/cuda_check.h"
#include "kernels/cuda_ops.h"
#include "kernels/launch.cuh"

namespace audiostyle::cuda {
namespace {

__global__ void gather_columns_kernel(const float* __restrict__ x, int64_t count, int cols,
                                      const int* __restrict__ index, int n_index,
                                      float* __restrict__ y) {
  for (int64_t i = first_index(); i < count; i += grid_stride())
    y[i] = x[(i / n_index) * cols + index[i % n_index]];
}

__global__ void scatter_columns_kernel(const float* __restrict__ y, int64_t count, int cols,
                                       const int* __restrict__ index, int n_index,
                                       float* __restrict__ x) {
  for (int64_t i = first_index(); i < count; i += grid_stride())
    x[(i / n_index) * cols + index[i % n_index]] = y[i];
}

}  // namespace

void gather_columns(const Context& context, const float* x, int64_t rows, int cols,
                    const int* index, int n_index, float* y) {
  const int64_t count = rows * n_index;
  if (count <= 0) return;
  gather_columns_kernel<<<elementwise_blocks(count), kBlockThreads, 0, context.stream>>>(
      x, count, cols, index, n_index, y);
  CUDA_CHECK_LAUNCH();
}

void scatter_columns(const Context& context, const float* y, int64_t rows, int cols,
                     const int* index, int n_index, float* x) {
  const int64_t count = rows * n_index;
  if (count <= 0) return;
  scatter_columns_kernel<<<elementwise_blocks(count), kBlockThreads, 0, context.stream>>>(
      y, count, cols, index, n_index, x);
  CUDA_CHECK_LAUNCH();
}

}  // namespace audiostyle::cuda
