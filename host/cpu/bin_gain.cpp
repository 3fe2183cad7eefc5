// A per-bin gain on a magnitude spectrogram (the post-filters), twin of kernels/bin_gain.cu.
#include "host/cpu/cpu_ops.h"

namespace audiostyle::cpu {

// x [rows, cols], gain [cols]
void bin_gain(float* x, int64_t rows, int cols, const float* gain) {
  for (int64_t r = 0; r < rows; ++r) {
    float* row = x + r * cols;
    for (int c = 0; c < cols; ++c) row[c] *= gain[c];
  }
}

}  // namespace audiostyle::cpu
