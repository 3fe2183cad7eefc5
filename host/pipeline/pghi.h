// Phase-gradient heuristic integration (Prusa, Balazs & Sondergaard, "A noniterative method for
// reconstruction of phase from STFT magnitude", IEEE/ACM TASLP 25(5), 2017): a phase estimate from
// the magnitude alone, a starting point for Griffin-Lim far better than a random phase.
//
// On the host: the integration visits the coefficients in order of decreasing magnitude from a heap,
// which is inherently sequential. It runs once per item before the Griffin-Lim loop (a download of
// the magnitude and an upload of the phasors); the loop itself stays on the backend.
#pragma once
#include <cstdint>
#include <vector>

namespace audiostyle {

struct PghiOptions {
  int n_fft = 2048;  // FFT size: C = n_fft/2 + 1 bins, librosa's frame convention
  int hop = 512;
  int win_length = 0;  // the periodic Hann window's taps, centred in n_fft; 0 = n_fft
  // Coefficients below this fraction of the largest magnitude are not integrated (their phase
  // would be noise): they get the random phase of `seed` instead (Philox, kStreamPhase).
  double relative_tolerance = 1e-5;
  uint64_t seed = 0;
};

// magnitude [T, C] (C = n_fft/2 + 1) -> unit phasors [T, C, 2]
std::vector<float> pghi_phasor(const std::vector<float>& magnitude, int64_t n_frames,
                               const PghiOptions& options);

}  // namespace audiostyle
