// Native rates: n_fft and hop keep the reference's time-frequency resolution.
#include <catch2/catch.hpp>

#include <cmath>

#include "audiostyle/config.h"

using namespace audiostyle;

TEST_CASE("n_fft and hop scale with the sample rate", "[stft_size]") {
  int n_fft = 0, hop = 0;
  scale_stft_to_rate(22050, n_fft, hop);
  CHECK(n_fft == 2048);
  CHECK(hop == 512);
  scale_stft_to_rate(44100, n_fft, hop);
  CHECK(n_fft == 4096);
  CHECK(hop == 1024);
  scale_stft_to_rate(11025, n_fft, hop);
  CHECK(n_fft == 1024);
  CHECK(hop == 256);
  for (int rate : {8000, 16000, 32000, 48000, 88200, 96000, 192000}) {
    scale_stft_to_rate(rate, n_fft, hop);
    INFO("rate " << rate << " n_fft " << n_fft);
    CHECK(n_fft % 2 == 0);
    CHECK(hop == n_fft / 4);
    // The window stays within 2% of the reference's 92.9 ms.
    const double window_ms = 1000.0 * n_fft / rate;
    CHECK(std::fabs(window_ms - 1000.0 * 2048 / 22050) / (1000.0 * 2048 / 22050) < 0.02);
    // FFT-friendly: no prime factor above 7.
    int m = n_fft;
    for (int p : {2, 3, 5, 7})
      while (m % p == 0) m /= p;
    CHECK(m == 1);
  }
  scale_stft_to_rate(48000, n_fft, hop);
  CHECK(n_fft == 4480);  // 2^7 * 5 * 7, nearest to 4458.2
}
