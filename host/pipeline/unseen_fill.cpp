// The bins no extractor sees, filled from the content at the style's spectral balance
// (unseen_fill.h).
#include "host/pipeline/unseen_fill.h"

#include <algorithm>
#include <cmath>

#include "audiostyle/errors.h"
#include "host/extractors/extractors.h"

namespace audiostyle {

std::vector<int> bins_to_fill(const TransferConfig& config, bool with_content) {
  if (!with_content || config.unseen_bins != UnseenBins::follow) return {};
  return unseen_bins(config);
}

std::vector<float> unseen_gains(const std::vector<double>& style_energy,
                                const std::vector<double>& content_energy,
                                double output_seen_energy, const std::vector<int>& bins) {
  double style_seen = 0;
  std::vector<bool> unseen(style_energy.size(), false);
  for (int f : bins) unseen.at(size_t(f)) = true;
  for (size_t f = 0; f < style_energy.size(); ++f)
    if (!unseen[f]) style_seen += style_energy[f];
  // The style's band moved to the output's level: the ratio of their seen bands.
  const double level = style_seen > 0 ? output_seen_energy / style_seen : 0.0;
  const double max_gain = std::pow(10.0, kMaxUnseenGainDb / 20);
  std::vector<float> gains;
  for (int f : bins) {
    const double style = style_energy.at(size_t(f)) * level;
    const double content = content_energy.at(size_t(f));
    const double gain = content > 0 ? std::sqrt(style / content) : max_gain;
    gains.push_back(float(std::min(gain, max_gain)));
  }
  return gains;
}

UnseenFillRecord fill_unseen_bins(Backend& backend, Stft& transform,
                                  const std::vector<std::vector<float>>& content_items,
                                  const std::vector<double>& style_energy,
                                  const std::vector<int>& bins, float* magnitude) {
  UnseenFillRecord record;
  if (bins.empty() || content_items.empty()) return record;
  const StftShape& shape = transform.shape();
  const int64_t T = shape.n_frames(), n = T * shape.n_bins();
  const int C = shape.n_bins();
  Buffer<float> audio(backend, shape.n_samples), spectrum(backend, 2 * n), content(backend, n);
  Buffer<float> keep(backend, C), gain(backend, C);
  Buffer<double> energy(backend, C), seen_energy(backend, 1);
  std::vector<float> keep_host(size_t(C), 1.0f);
  for (int f : bins) keep_host[size_t(f)] = 0.0f;
  keep.upload(keep_host);
  for (size_t b = 0; b < content_items.size(); ++b) {
    AS_CHECK(int64_t(content_items[b].size()) == shape.n_samples,
             "fill_unseen_bins: a content item of another length");
    audio.upload(content_items[b]);
    transform.forward(audio.get(), spectrum.get());
    float* item = magnitude + int64_t(b) * n;
    backend.bin_gain(item, T, C, keep.get());
    if (b == 0) {
      backend.dot(n, item, item, seen_energy.get());
      backend.bin_energy(spectrum.get(), T, C, energy.get());
      const std::vector<float> g =
          unseen_gains(style_energy, energy.download(), seen_energy.download()[0], bins);
      std::vector<float> gain_host(size_t(C), 0.0f);
      for (size_t i = 0; i < bins.size(); ++i) gain_host[size_t(bins[i])] = g[i];
      gain.upload(gain_host);
      const auto [lo, hi] = std::minmax_element(g.begin(), g.end());
      record = {int(bins.size()), 20 * std::log10(std::max(*lo, 1e-30f)),
                20 * std::log10(std::max(*hi, 1e-30f))};
    }
    // |Sc| by the log1p map the optimisation's targets use, then back.
    backend.log1p_magnitude(spectrum.get(), n, content.get());
    backend.expm1_clamped(content.get(), n, content.get());
    backend.bin_gain(content.get(), T, C, gain.get());
    backend.axpy(n, 1.0f, content.get(), item);
  }
  return record;
}

}  // namespace audiostyle
