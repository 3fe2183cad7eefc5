// CPU twin of kernels/scale_bins.cu: a real gain per frequency bin, the same for every frame (a
// zero-phase filter in the STFT domain).
#include "host/cpu/cpu_ops.h"

namespace audiostyle::cpu {

// spec [n_frames, n_bins, 2] *= gain [n_bins], in place
void scale_bins(float* spec, const float* gain, int64_t n_frames, int n_bins) {
  for (int64_t t = 0; t < n_frames; ++t) {
    float* frame = spec + 2 * t * n_bins;
    for (int c = 0; c < n_bins; ++c) {
      frame[2 * c] *= gain[c];
      frame[2 * c + 1] *= gain[c];
    }
  }
}

}  // namespace audiostyle::cpu
