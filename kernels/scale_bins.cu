// A real gain per frequency bin, the same for every frame, twin of host/cpu/scale_bins.cpp
// (one float multiply per element: bit-identical to the CPU).
#include "kernels/cuda_check.h"
#include "kernels/cuda_ops.h"
#include "kernels/launch.cuh"

namespace audiostyle::cuda {
namespace {

// spec [n_frames, n_bins, 2] *= gain [n_bins]; i indexes complex elements
__global__ void scale_bins_kernel(float* __restrict__ spec, const float* __restrict__ gain,
                                  int64_t count, int n_bins) {
  for (int64_t i = first_index(); i < count; i += grid_stride()) {
    const float g = gain[i % n_bins];
    spec[2 * i] = __fmul_rn(spec[2 * i], g);
    spec[2 * i + 1] = __fmul_rn(spec[2 * i + 1], g);
  }
}

}  // namespace

void scale_bins(const Context& context, float* spec, const float* gain, int64_t n_frames,
                int n_bins) {
  const int64_t count = n_frames * n_bins;
  if (count <= 0) return;
  scale_bins_kernel<<<elementwise_blocks(count), kBlockThreads, 0, context.stream>>>(spec, gain,
                                                                                     count, n_bins);
  CUDA_CHECK_LAUNCH();
}

}  // namespace audiostyle::cuda
