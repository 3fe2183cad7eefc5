// Energy of each frequency bin over all frames, twin of host/cpu/bin_energy.cpp: one thread per bin
// sums its column in frame order in double, so the result matches the CPU's to rounding of the
// float inputs (adjacent threads read adjacent bins: coalesced). A few thousand threads do not fill
// the device, but the op runs once per output, not per iteration.
#include "kernels/cuda_check.h"
#include "kernels/cuda_ops.h"
#include "kernels/launch.cuh"

namespace audiostyle::cuda {
namespace {

// spec [n_frames, n_bins, 2] -> energy [n_bins]
__global__ void bin_energy_kernel(const float* __restrict__ spec, int64_t n_frames, int n_bins,
                                  double* __restrict__ energy) {
  const int64_t c = first_index();
  if (c >= n_bins) return;
  double sum = 0.0;
  for (int64_t t = 0; t < n_frames; ++t) {
    const double re = spec[2 * (t * n_bins + c)], im = spec[2 * (t * n_bins + c) + 1];
    sum = __dadd_rn(sum, __dadd_rn(__dmul_rn(re, re), __dmul_rn(im, im)));
  }
  energy[c] = sum;
}

}  // namespace

void bin_energy(const Context& context, const float* spec, int64_t n_frames, int n_bins,
                double* energy) {
  if (n_bins <= 0) return;
  const unsigned blocks = unsigned((n_bins + kBlockThreads - 1) / kBlockThreads);
  bin_energy_kernel<<<blocks, kBlockThreads, 0, context.stream>>>(spec, n_frames, n_bins, energy);
  CUDA_CHECK_LAUNCH();
}

}  // namespace audiostyle::cuda
