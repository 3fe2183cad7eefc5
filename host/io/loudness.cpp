#include "host/io/loudness.h"

#include <ebur128.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>
#include <memory>
#include <vector>

#include "audiostyle/errors.h"

namespace audiostyle::io {

double integrated_loudness(const Audio& audio) {
  AS_CHECK(audio.n_channels() > 0 && audio.sample_rate_hz > 0, "loudness: empty audio");
  const unsigned n_channels = unsigned(audio.n_channels());
  std::unique_ptr<ebur128_state, void (*)(ebur128_state*)> state(
      ebur128_init(n_channels, static_cast<unsigned long>(audio.sample_rate_hz), EBUR128_MODE_I),
      [](ebur128_state* s) { ebur128_destroy(&s); });
  AS_CHECK(state != nullptr, "libebur128: ebur128_init failed");
  if (n_channels == 1)
    AS_CHECK(ebur128_set_channel(state.get(), 0, EBUR128_DUAL_MONO) == EBUR128_SUCCESS,
             "libebur128: ebur128_set_channel failed");
  constexpr int64_t kChunk = 1 << 15;
  std::vector<float> interleaved(size_t(kChunk) * n_channels);  // [chunk, channels]
  for (int64_t start = 0; start < audio.n_samples(); start += kChunk) {
    const int64_t frames = std::min(kChunk, audio.n_samples() - start);
    for (int64_t i = 0; i < frames; ++i)
      for (unsigned c = 0; c < n_channels; ++c)
        interleaved[size_t(i) * n_channels + c] = audio.channels[c][size_t(start + i)];
    AS_CHECK(ebur128_add_frames_float(state.get(), interleaved.data(), size_t(frames)) ==
                 EBUR128_SUCCESS,
             "libebur128: ebur128_add_frames_float failed");
  }
  double lufs = 0;
  AS_CHECK(ebur128_loudness_global(state.get(), &lufs) == EBUR128_SUCCESS,
           "libebur128: ebur128_loudness_global failed");
  return std::isfinite(lufs) ? lufs : -std::numeric_limits<double>::infinity();
}

namespace {

// out[i] = min(in[i - w .. i + w]) (clipped to the ends), by a monotonic deque: O(n).
std::vector<float> sliding_min(const std::vector<float>& in, int64_t w) {
  const int64_t n = int64_t(in.size());
  std::vector<float> out(in.size());
  std::deque<int64_t> candidates;  // indices with increasing values
  int64_t next = 0;
  for (int64_t i = 0; i < n; ++i) {
    for (; next <= std::min(n - 1, i + w); ++next) {
      while (!candidates.empty() && in[size_t(candidates.back())] >= in[size_t(next)])
        candidates.pop_back();
      candidates.push_back(next);
    }
    while (candidates.front() < i - w) candidates.pop_front();
    out[size_t(i)] = in[size_t(candidates.front())];
  }
  return out;
}

}  // namespace

int64_t apply_gain_limited(Audio& audio, double gain, float ceiling, int lookahead_samples) {
  AS_CHECK(std::isfinite(gain) && gain > 0 && ceiling > 0, "apply_gain_limited: bad gain");
  const int64_t n = audio.n_samples();
  const int64_t w = std::max(1, lookahead_samples);
  // needed[i]: the gain sample i may take, over all channels.
  std::vector<float> needed(static_cast<size_t>(n), float(gain));
  for (const auto& channel : audio.channels)
    for (int64_t i = 0; i < n; ++i) {
      const double level = std::fabs(double(channel[size_t(i)])) * gain;
      if (level > ceiling)
        needed[size_t(i)] = std::min(needed[size_t(i)], float(gain * ceiling / level));
    }
  const std::vector<float> minima = sliding_min(needed, w);
  int64_t reduced = 0;
  double sum = 0;  // of minima over the window [i - w, i + w]
  int64_t in_window = 0;
  for (int64_t j = 0; j <= std::min(n - 1, w); ++j, ++in_window) sum += minima[size_t(j)];
  std::vector<float> smooth(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    smooth[size_t(i)] = float(sum / double(in_window));
    if (i + w + 1 < n) sum += minima[size_t(i + w + 1)], ++in_window;
    if (i - w >= 0) sum -= minima[size_t(i - w)], --in_window;
  }
  for (auto& channel : audio.channels)
    for (int64_t i = 0; i < n; ++i) {
      const float g = std::min(smooth[size_t(i)], needed[size_t(i)]);  // rounding guard
      channel[size_t(i)] = std::clamp(channel[size_t(i)] * g, -ceiling, ceiling);
    }
  for (int64_t i = 0; i < n; ++i) reduced += smooth[size_t(i)] < float(gain) * 0.9999f;
  return reduced;
}

}  // namespace audiostyle::io
