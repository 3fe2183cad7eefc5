// Native-rate STFT sizes: keep the reference's 92.9 ms window and 23.2 ms hop at any rate.
#include <cmath>
#include <cstdlib>

#include <string>

#include "audiostyle/config.h"
#include "audiostyle/errors.h"

namespace audiostyle {
namespace {

bool seven_smooth(int n) {
  for (int p : {2, 3, 5, 7})
    while (n % p == 0) n /= p;
  return n == 1;
}

}  // namespace

void scale_stft_to_rate(int sample_rate_hz, int& n_fft, int& hop) {
  // 2048 at 22050 Hz; cuFFT and FFTW are fastest on sizes whose prime factors are at most 7.
  const double ideal = 2048.0 * sample_rate_hz / 22050.0;
  int best = 2;
  for (int candidate = 2; candidate <= int(2 * ideal) + 2; candidate += 2)
    if (seven_smooth(candidate) && std::fabs(candidate - ideal) < std::fabs(best - ideal))
      best = candidate;
  n_fft = best;
  hop = std::max(1, best / 4);
}

void check_win_length(const TransferConfig& c, bool n_fft_scaled) {
  if (c.win_length < 0) throw UsageError("--win-length must be >= 0 (0 = n_fft)");
  if (c.win_length <= c.n_fft) return;
  if (n_fft_scaled)
    throw UsageError("--win-length " + std::to_string(c.win_length) + " is longer than n_fft " +
                     std::to_string(c.n_fft) + ", the FFT size scaled to the working rate of " +
                     std::to_string(c.sample_rate_hz) +
                     " Hz: give --n-fft as well, or a shorter --win-length");
  throw UsageError("--win-length " + std::to_string(c.win_length) + " must be at most n_fft (" +
                   std::to_string(c.n_fft) + ")");
}

}  // namespace audiostyle
