// The problem sizes the stage benchmarks run at.
//   reference: the paper's clip, 10 s at 22050 Hz mono, n_fft 2048 (C = 1025), T = 431 frames
//   full:      a track, 3 min at 44.1 kHz stereo, n_fft 4096 (C = 2049), T = 7752 frames, B = 2
//   smoke:     tiny, for CI (every stage runs, nothing timed matters)
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "audiostyle/backend.h"

namespace audiostyle::bench {

struct BenchSize {
  std::string name;
  int sample_rate_hz = 22050;
  double seconds = 10;
  int n_fft = 2048, hop = 512;
  int n_filters = 4096, kernel_width = 11;
  int n_batch = 1;  // channels optimised together (stereo: 2)

  int64_t n_samples() const { return int64_t(sample_rate_hz * seconds + 0.5); }
  StftShape stft() const { return StftShape{n_fft, hop, n_samples()}; }
  int64_t n_frames() const { return stft().n_frames(); }  // T
  int n_bins() const { return n_fft / 2 + 1; }             // C
  int64_t rows() const { return n_frames() - kernel_width + 1; }  // T' = T - K + 1
  std::string describe() const;
};

// "smoke", "reference", "full"; "both" = reference and full. Throws std::invalid_argument.
std::vector<BenchSize> sizes_by_names(const std::string& comma_separated);

}  // namespace audiostyle::bench
