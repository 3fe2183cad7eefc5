// The post-filters (postfilter.h): their gains at frequencies whose answer is known, and through
// the whole pipeline on a spectrum of known tones (no optimisation: the content itself is
// reconstructed with and without the filters, and the ratio of the output spectra is the gain).
#include <catch2/catch.hpp>

#include <cmath>

#include "audiostyle/pipeline.h"
#include "host/pipeline/postfilter.h"
#include "tests/pipeline/small_config.h"

using namespace audiostyle;

namespace {

double db(double gain) { return 20 * std::log10(gain); }

}  // namespace

TEST_CASE("postfilter: low-pass and mid boost gains at known frequencies", "[postfilter]") {
  TransferConfig c = test::small_config();  // 8 kHz, n_fft 256: bins 31.25 Hz apart
  CHECK(postfilter_gains(c).empty());
  c.lowpass_hz = 1000;  // bin 32
  auto g = postfilter_gains(c);
  REQUIRE(g.size() == 129);
  CHECK(g[0] == 1.0f);
  CHECK(db(g[32]) == Approx(-3.0103).margin(1e-3));            // half power at the cutoff
  CHECK(db(g[64]) == Approx(db(1 / std::sqrt(257.0))).margin(1e-3));  // -24.1 dB an octave up
  CHECK(db(g[16]) == Approx(db(1 / std::sqrt(1 + 1 / 256.0))).margin(1e-4));
  for (size_t k = 1; k < g.size(); ++k) CHECK(g[k] <= g[k - 1]);  // (1 - 1e-12 rounds to 1)
  for (size_t k = 16; k < g.size(); ++k) CHECK(g[k] < g[k - 1]);

  c.lowpass_hz = 0;
  c.mid_boost_db = 6;
  c.mid_boost_hz = 1000;
  c.mid_boost_octaves = 2;
  g = postfilter_gains(c);
  CHECK(g[0] == 1.0f);
  CHECK(db(g[32]) == Approx(6).margin(1e-4));   // the full boost at the centre
  CHECK(db(g[64]) == Approx(3).margin(1e-4));   // half the boost a half-width (1 octave) up
  CHECK(db(g[16]) == Approx(3).margin(1e-4));   // and down
  CHECK(db(g[128]) == Approx(6 * std::exp(-std::log(2.0) * 4)).margin(1e-4));  // 2 octaves up
}

TEST_CASE("postfilter: the pipeline's output spectrum carries the gains", "[postfilter]") {
  auto backend = make_cpu_backend();
  TransferConfig c = test::small_config(/*iterations=*/0, /*gl_iterations=*/60);
  c.init = InitKind::content;  // no optimisation: the content's own magnitude is reconstructed
  const int rate = c.sample_rate_hz;
  const double tones_hz[4] = {500, 1000, 2000, 3000};  // bins 16, 32, 64, 96
  Audio content;
  content.sample_rate_hz = rate;
  content.channels.assign(1, std::vector<float>(size_t(rate)));
  for (size_t i = 0; i < content.channels[0].size(); ++i)
    for (double f : tones_hz)
      content.channels[0][i] += float(0.1 * std::sin(2 * M_PI * f * double(i) / rate));

  // Magnitude of each tone's bin in the output, by a single-bin DFT over the middle 0.5 s.
  auto tone_levels = [&](const TransferConfig& config) {
    const Audio out = transfer(*backend, content, content, config).output;
    std::vector<double> levels;
    const auto& x = out.channels[0];
    for (double f : tones_hz) {
      double re = 0, im = 0;
      for (size_t i = size_t(rate / 4); i < size_t(3 * rate / 4); ++i) {
        re += x[i] * std::cos(2 * M_PI * f * double(i) / rate);
        im += x[i] * std::sin(2 * M_PI * f * double(i) / rate);
      }
      levels.push_back(std::hypot(re, im));
    }
    return levels;
  };
  const auto plain = tone_levels(c);
  TransferConfig filtered = c;
  filtered.lowpass_hz = 1000;
  filtered.mid_boost_db = 6;
  filtered.mid_boost_hz = 500;
  filtered.mid_boost_octaves = 2;
  const auto after = tone_levels(filtered);
  const auto gains = postfilter_gains(filtered);
  // Both outputs are peak-normalised only if they clip (they do not at this level), and
  // Griffin-Lim from the same seed rebuilds tones to within a fraction of a dB; a tone cut by more
  // than 30 dB drowns in the others' leakage and reconstruction error, so it is only required to
  // be cut at least that much.
  const int bins[4] = {16, 32, 64, 96};
  for (int i = 0; i < 4; ++i) {
    INFO("tone " << tones_hz[i] << " Hz: expected " << db(gains[size_t(bins[i])]) << " dB, got "
                 << db(after[size_t(i)] / plain[size_t(i)]) << " dB");
    const double expected = db(gains[size_t(bins[i])]), got = db(after[size_t(i)] / plain[size_t(i)]);
    if (expected > -30) CHECK(got == Approx(expected).margin(1.0));
    else CHECK(got < expected + 1.0);
  }
}
