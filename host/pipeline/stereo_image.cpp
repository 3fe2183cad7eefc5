#include "host/pipeline/stereo_image.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "audiostyle/errors.h"

namespace audiostyle {

double BinImage::side_to_mid() const {
  const double m = std::accumulate(mid.begin(), mid.end(), 0.0);
  const double s = std::accumulate(side.begin(), side.end(), 0.0);
  return m > 0 ? s / m : 0.0;
}

StereoImage::StereoImage(Backend& backend, Stft& stft)
    : backend_(backend),
      stft_(stft),
      mid_(backend, 2 * stft.shape().n_frames() * stft.shape().n_bins()),
      side_(backend, 2 * stft.shape().n_frames() * stft.shape().n_bins()),
      gain_(backend, stft.shape().n_bins()),
      energy_(backend, 2 * stft.shape().n_bins()) {}

void StereoImage::split(const float* first, const float* second, ChannelMode mode) {
  AS_CHECK(mode == ChannelMode::stereo || mode == ChannelMode::mid_side,
           "stereo image: needs a stereo or mid-side pair");
  const int64_t n = 2 * stft_.shape().n_frames() * stft_.shape().n_bins();
  stft_.forward(first, mid_.get());
  stft_.forward(second, side_.get());
  if (mode == ChannelMode::mid_side) return;
  // The STFT is linear: M = (L + R) / 2, S = M - R.
  backend_.axpy(n, 1.0f, side_.get(), mid_.get());
  backend_.scale(n, 0.5f, mid_.get());
  backend_.scale(n, -1.0f, side_.get());
  backend_.axpy(n, 1.0f, mid_.get(), side_.get());
}

BinImage StereoImage::measure(const float* first, const float* second, ChannelMode mode) {
  split(first, second, mode);
  const int64_t T = stft_.shape().n_frames();
  const int C = stft_.shape().n_bins();
  backend_.bin_energy(mid_.get(), T, C, energy_.get());
  backend_.bin_energy(side_.get(), T, C, energy_.get() + C);
  const std::vector<double> energy = energy_.download();
  return {std::vector<double>(energy.begin(), energy.begin() + C),
          std::vector<double>(energy.begin() + C, energy.end())};
}

BinImage StereoImage::match(float* first, float* second, ChannelMode mode,
                            const BinImage& reference) {
  const BinImage before = measure(first, second, mode);  // leaves mid_ and side_ split
  const int C = stft_.shape().n_bins();
  const int64_t T = stft_.shape().n_frames();
  // Ratios regularised towards the track's mean ratio where a bin holds almost no energy (above the
  // content's bandwidth, say), so a silent bin neither zeroes nor explodes the side.
  auto ratios = [C](const BinImage& image) {
    const double mean_mid = std::accumulate(image.mid.begin(), image.mid.end(), 0.0) / C;
    const double mean_side = std::accumulate(image.side.begin(), image.side.end(), 0.0) / C;
    constexpr double kFloor = 1e-3;
    std::vector<double> r(static_cast<size_t>(C));
    for (int c = 0; c < C; ++c)
      r[size_t(c)] = (image.side[size_t(c)] + kFloor * mean_side) /
                     (image.mid[size_t(c)] + kFloor * mean_mid + 1e-300);
    return r;
  };
  const std::vector<double> wanted = ratios(reference), have = ratios(before);
  std::vector<float> gain(size_t(C), 1.0f);
  for (int c = 0; c < C; ++c)
    if (have[size_t(c)] > 0)
      gain[size_t(c)] = float(std::min(kMaxGain, std::sqrt(wanted[size_t(c)] / have[size_t(c)])));
  // The per-bin ratios weigh each bin by the output's own mid spectrum, which the style has
  // changed; one common factor then makes the whole-track side/mid energy the reference's too.
  double side_after = 0, mid_total = 0;
  for (int c = 0; c < C; ++c) {
    side_after += double(gain[size_t(c)]) * gain[size_t(c)] * before.side[size_t(c)];
    mid_total += before.mid[size_t(c)];
  }
  if (side_after > 0 && mid_total > 0) {
    const double common = std::sqrt(reference.side_to_mid() / (side_after / mid_total));
    for (float& g : gain) g = float(std::min(kMaxGain, g * common));
  }
  gain_.upload(gain);
  backend_.scale_bins(side_.get(), gain_.get(), T, C);
  // Back to audio; for stereo L = M + S, R = M - S.
  stft_.inverse(mid_.get(), first);
  stft_.inverse(side_.get(), second);
  if (mode == ChannelMode::stereo) {
    const int64_t n_samples = stft_.shape().n_samples;
    backend_.axpy(n_samples, 1.0f, second, first);    // first = M + S
    backend_.scale(n_samples, -2.0f, second);         // second = -2 S
    backend_.axpy(n_samples, 1.0f, first, second);    // second = M + S - 2 S = M - S
  }
  return before;
}

void follow_content_image(Backend& backend, Stft& stft,
                          const std::vector<std::vector<float>>& content_items, float* output,
                          ChannelMode mode) {
  AS_CHECK(content_items.size() == 2, "stereo image: needs two content items");
  const int64_t n_samples = stft.shape().n_samples;
  StereoImage image(backend, stft);
  BinImage reference;
  {
    Buffer<float> content(backend, 2 * n_samples);
    backend.upload(content.get(), content_items[0].data(), sizeof(float) * size_t(n_samples));
    backend.upload(content.get() + n_samples, content_items[1].data(),
                   sizeof(float) * size_t(n_samples));
    reference = image.measure(content.get(), content.get() + n_samples, mode);
  }
  image.match(output, output + n_samples, mode, reference);
}

}  // namespace audiostyle
