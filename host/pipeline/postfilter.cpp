#include "host/pipeline/postfilter.h"

#include <cmath>

namespace audiostyle {

std::vector<float> postfilter_gains(const TransferConfig& c) {
  if (c.lowpass_hz <= 0 && c.mid_boost_db == 0) return {};
  const int bins = c.n_fft / 2 + 1;
  std::vector<float> gains(size_t(bins), 1.0f);
  for (int k = 0; k < bins; ++k) {
    const double f = double(k) * c.sample_rate_hz / c.n_fft;
    double gain = 1;
    if (c.lowpass_hz > 0) gain /= std::sqrt(1 + std::pow(f / c.lowpass_hz, 8));
    if (c.mid_boost_db != 0 && f > 0) {
      const double octaves = std::log2(f / c.mid_boost_hz) / (c.mid_boost_octaves / 2);
      gain *= std::pow(10.0, c.mid_boost_db * std::exp(-std::log(2.0) * octaves * octaves) / 20);
    }
    gains[size_t(k)] = float(gain);
  }
  return gains;
}

}  // namespace audiostyle
