// Sample-rate conversion (soxr), channel averaging and peak level of planar Audio.
#include <soxr.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "audiostyle/audio.h"
#include "audiostyle/errors.h"

namespace audiostyle {
namespace {

void check_rectangular(const Audio& audio) {
  for (const auto& channel : audio.channels)
    AS_CHECK(int64_t(channel.size()) == audio.n_samples(), "Audio channels differ in length");
}

}  // namespace

Audio resample(const Audio& audio, int sample_rate_hz) {
  if (sample_rate_hz <= 0)
    throw UsageError("resample: target sample rate must be positive, got " +
                     std::to_string(sample_rate_hz) + " Hz");
  AS_CHECK(audio.sample_rate_hz > 0, "resample: the input has no sample rate");
  check_rectangular(audio);
  if (sample_rate_hz == audio.sample_rate_hz || audio.n_samples() == 0) {
    Audio same = audio;
    same.sample_rate_hz = sample_rate_hz;
    return same;
  }

  const double ratio = double(sample_rate_hz) / audio.sample_rate_hz;
  const size_t in_samples = size_t(audio.n_samples());
  // soxr_oneshot flushes its filter and produces round(in * ratio) samples; one spare slot keeps a
  // rounding disagreement from truncating the output, and we keep what soxr reports as done.
  const size_t out_capacity = size_t(std::ceil(double(in_samples) * ratio)) + 1;
  // SOXR_HQ: 20-bit precision, linear phase, passband to ~0.91 of the lower Nyquist; oneshot
  // compensates the filter delay, so output sample k sits at time k / sample_rate_hz.
  const soxr_quality_spec_t quality = soxr_quality_spec(SOXR_HQ, 0);
  const soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I);

  Audio out;
  out.sample_rate_hz = sample_rate_hz;
  out.channels.reserve(audio.channels.size());
  size_t out_samples = 0;
  for (const auto& channel : audio.channels) {
    std::vector<float> resampled(out_capacity);
    size_t done = 0;
    const soxr_error_t error =
        soxr_oneshot(audio.sample_rate_hz, sample_rate_hz, 1, channel.data(), in_samples, nullptr,
                     resampled.data(), out_capacity, &done, &io, &quality, nullptr);
    AS_CHECK(error == nullptr, std::string("soxr_oneshot failed: ") + (error ? error : ""));
    AS_CHECK(out.channels.empty() || done == out_samples, "soxr produced unequal channel lengths");
    out_samples = done;
    resampled.resize(done);
    out.channels.push_back(std::move(resampled));
  }
  return out;
}

Audio downmix(const Audio& audio) {
  check_rectangular(audio);
  Audio mono;
  mono.sample_rate_hz = audio.sample_rate_hz;
  if (audio.channels.empty()) return mono;
  if (audio.channels.size() == 1) {
    mono.channels = audio.channels;
    return mono;
  }
  const size_t n_samples = size_t(audio.n_samples());
  const double inverse_channels = 1.0 / double(audio.channels.size());
  std::vector<float> averaged(n_samples);
  for (size_t i = 0; i < n_samples; ++i) {
    double sum = 0;  // double: the mean of many channels stays exact to float rounding
    for (const auto& channel : audio.channels) sum += channel[i];
    averaged[i] = float(sum * inverse_channels);
  }
  mono.channels.push_back(std::move(averaged));
  return mono;
}

float peak(const Audio& audio) {
  float max_abs = 0.f;
  for (const auto& channel : audio.channels)
    for (float sample : channel) max_abs = std::max(max_abs, std::fabs(sample));
  return max_abs;
}

}  // namespace audiostyle
