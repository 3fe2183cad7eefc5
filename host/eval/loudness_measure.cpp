// ITU-R BS.1770-4 integrated loudness through libebur128 (Debian's libebur128-dev).
#include <ebur128.h>

#include <cmath>
#include <memory>

#include "audiostyle/errors.h"
#include "host/eval/measures.h"

namespace audiostyle::eval {

std::optional<double> integrated_lufs(const Audio& audio) {
  if (audio.n_channels() == 0 || audio.n_samples() == 0) return std::nullopt;
  const unsigned channels = unsigned(audio.n_channels());
  std::unique_ptr<ebur128_state, void (*)(ebur128_state*)> state(
      ebur128_init(channels, static_cast<unsigned long>(audio.sample_rate_hz), EBUR128_MODE_I),
      [](ebur128_state* s) { ebur128_destroy(&s); });
  if (!state) throw Error("libebur128: cannot measure " + std::to_string(channels) +
                          " channels at " + std::to_string(audio.sample_rate_hz) + " Hz");
  // Interleaved blocks of one second.
  const int64_t n = audio.n_samples();
  const int64_t block = std::max(audio.sample_rate_hz, 1);
  std::vector<float> interleaved(size_t(block) * channels);
  for (int64_t start = 0; start < n; start += block) {
    const int64_t frames = std::min(block, n - start);
    for (int64_t i = 0; i < frames; ++i)
      for (unsigned c = 0; c < channels; ++c)
        interleaved[size_t(i) * channels + c] = audio.channels[c][size_t(start + i)];
    if (ebur128_add_frames_float(state.get(), interleaved.data(), size_t(frames)) != EBUR128_SUCCESS)
      throw Error("libebur128: adding frames failed");
  }
  double lufs = 0;
  if (ebur128_loudness_global(state.get(), &lufs) != EBUR128_SUCCESS)
    throw Error("libebur128: loudness_global failed");
  if (!std::isfinite(lufs)) return std::nullopt;  // -inf: everything below the absolute gate
  return lufs;
}

}  // namespace audiostyle::eval
