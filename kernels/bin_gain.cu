// A per-bin gain on a magnitude spectrogram (the post-filters), twin of host/cpu/bin_gain.cpp.
// One correctly rounded multiply per element (__fmul_rn: no contraction), so the result is
// bit-identical to the CPU's.
#include "kernels/cuda_check.h"
#include "kernels/cuda_ops.h"
#include "kernels/launch.cuh"

namespace audiostyle::cuda {
namespace {

// x [rows, cols] *= gain [cols], in place
__global__ void bin_gain_kernel(float* __restrict__ x, int64_t count, int cols,
                                const float* __restrict__ gain) {
  for (int64_t i = first_index(); i < count; i += grid_stride())
    x[i] = __fmul_rn(x[i], gain[i % cols]);
}

}  // namespace

void bin_gain(const Context& context, float* x, int64_t rows, int cols, const float* gain) {
  const int64_t count = rows * cols;
  if (count <= 0) return;
  bin_gain_kernel<<<elementwise_blocks(count), kBlockThreads, 0, context.stream>>>(x, count, cols,
                                                                                  gain);
  CUDA_CHECK_LAUNCH();
}

}  // namespace audiostyle::cuda
