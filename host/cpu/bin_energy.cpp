// CPU twin of kernels/bin_energy.cu: the energy of each frequency bin over all frames, in double and
// in frame order (the GPU's thread per bin sums in the same order). Used to compare the per-bin
// side/mid energy of an output with its content's (host/pipeline/stereo_image.cpp).
#include "host/cpu/cpu_ops.h"

namespace audiostyle::cpu {

// spec [n_frames, n_bins, 2] -> energy [n_bins] = sum_t re^2 + im^2
void bin_energy(const float* spec, int64_t n_frames, int n_bins, double* energy) {
  for (int c = 0; c < n_bins; ++c) energy[c] = 0.0;
  for (int64_t t = 0; t < n_frames; ++t) {
    const float* frame = spec + 2 * t * n_bins;
    for (int c = 0; c < n_bins; ++c) {
      const double re = frame[2 * c], im = frame[2 * c + 1];
      energy[c] += re * re + im * im;
    }
  }
}

}  // namespace audiostyle::cpu
