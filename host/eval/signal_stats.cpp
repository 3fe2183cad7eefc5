// Peak, DC and clipping of a finished output (measures.h).
#include <algorithm>
#include <cmath>
#include <limits>

#include "host/eval/measures.h"

namespace audiostyle::eval {

SignalStats signal_stats(const Audio& audio) {
  constexpr double kFullScale = 32767.0 / 32768.0;  // the largest positive 16-bit sample
  SignalStats stats;
  for (const auto& channel : audio.channels) {
    double sum = 0;
    for (const float v : channel) {
      const double a = std::fabs(double(v));
      stats.peak = std::max(stats.peak, a);
      stats.clipped += a >= kFullScale;
      sum += v;
    }
    if (!channel.empty()) stats.dc = std::max(stats.dc, std::fabs(sum / double(channel.size())));
  }
  stats.peak_dbfs = stats.peak > 0 ? 20 * std::log10(stats.peak)
                                   : -std::numeric_limits<double>::infinity();
  stats.lufs = integrated_lufs(audio);
  return stats;
}

}  // namespace audiostyle::eval
