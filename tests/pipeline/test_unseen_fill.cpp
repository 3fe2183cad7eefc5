// The bins no extractor sees (unseen_fill.h): the gains against hand values, the fill against the
// formula on fresh inputs (the other bins untouched), the style's streamed per-bin energy against
// the whole track's, and a VGGish run on the demo clips whose band above 8 kHz (and below 125 Hz)
// takes the style's share of the output's energy, not the content's.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "audiostyle/audio.h"
#include "audiostyle/pipeline.h"
#include "host/extractors/extractors.h"
#include "host/pipeline/style_gram.h"
#include "host/pipeline/unseen_fill.h"
#include "tests/support.h"

using namespace audiostyle;

namespace {

// Each bin's energy of `audio`'s whole STFT, on the host in double.
std::vector<double> bin_energy_of(Backend& backend, const StftShape& shape,
                                  const std::vector<float>& audio) {
  auto stft = backend.make_stft(shape);
  Buffer<float> in(backend, shape.n_samples), spec(backend, 2 * shape.n_frames() * shape.n_bins());
  in.upload(audio);
  stft->forward(in.get(), spec.get());
  const auto s = spec.download();
  std::vector<double> energy(size_t(shape.n_bins()), 0.0);
  for (int64_t t = 0; t < shape.n_frames(); ++t)
    for (int f = 0; f < shape.n_bins(); ++f) {
      const double re = s[size_t(2 * (t * shape.n_bins() + f))];
      const double im = s[size_t(2 * (t * shape.n_bins() + f) + 1)];
      energy[size_t(f)] += re * re + im * im;
    }
  return energy;
}

// The share of `audio`'s energy in [lo_hz, hi_hz), in dB (n_fft 2048 at 22.05 kHz).
double band_share_db(Backend& backend, const std::vector<float>& audio, double lo_hz,
                     double hi_hz) {
  const StftShape shape{2048, 512, int64_t(audio.size())};
  const std::vector<double> e = bin_energy_of(backend, shape, audio);
  double band = 0, total = 0;
  for (size_t f = 0; f < e.size(); ++f) {
    const double hz = double(f) * 22050 / 2048;
    total += e[f];
    if (hz >= lo_hz && hz < hi_hz) band += e[f];
  }
  return 10 * std::log10(band / total);
}

}  // namespace

TEST_CASE("unseen_gains: the style's share of its seen band, moved to the output's level",
          "[unseen_fill]") {
  // Style: 4 in bin 0, 9 in bin 5, 4 over the seen bins 1-4. Output: 8 over its seen bins.
  const std::vector<double> style = {4, 1, 1, 1, 1, 9};
  const std::vector<double> content = {1, 7, 7, 7, 7, 4};
  const std::vector<float> g = unseen_gains(style, content, 8.0, {0, 5});
  REQUIRE(g.size() == 2);
  CHECK(g[0] == Approx(std::sqrt(4.0 / 4 * 8 / 1)).epsilon(1e-6));
  CHECK(g[1] == Approx(std::sqrt(9.0 / 4 * 8 / 4)).epsilon(1e-6));
  // Where the content is (almost) silent the gain stops at +30 dB.
  const std::vector<float> capped = unseen_gains(style, {0, 7, 7, 7, 7, 1e-12}, 8.0, {0, 5});
  CHECK(capped[0] == Approx(std::pow(10.0, kMaxUnseenGainDb / 20)).epsilon(1e-6));
  CHECK(capped[1] == capped[0]);
}

TEST_CASE("fill_unseen_bins writes the content's magnitude times the gain, nothing else",
          "[unseen_fill]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  auto backend = make_cpu_backend();
  const StftShape shape{128, 32, 3000};
  const int64_t T = shape.n_frames();
  const int C = shape.n_bins(), B = 2;
  const std::vector<int> bins = {0, 1, 2, 50, 60, 61, 62, 63, 64};
  const std::vector<std::vector<float>> items = {
      test::random_uniform(size_t(shape.n_samples), seed, -0.5f, 0.5f),
      test::random_uniform(size_t(shape.n_samples), seed + 1, -0.1f, 0.1f)};
  const auto draw = test::random_uniform(size_t(C), seed + 2, 1.f, 6.f);
  const std::vector<double> style_energy(draw.begin(), draw.end());
  const auto x = test::random_uniform(size_t(B * T * C), seed + 3, 0.f, 2.f);

  Buffer<float> magnitude(*backend, int64_t(x.size()));
  magnitude.upload(x);
  auto stft = backend->make_stft(shape);
  const UnseenFillRecord record =
      fill_unseen_bins(*backend, *stft, items, style_energy, bins, magnitude.get());
  const auto out = magnitude.download();
  CHECK(record.bins == int(bins.size()));

  // The reference: energies in double on the host, the content's magnitudes from its spectrum.
  std::vector<bool> unseen(size_t(C), false);
  for (int f : bins) unseen[size_t(f)] = true;
  double seen = 0;
  for (int64_t t = 0; t < T; ++t)
    for (int f = 0; f < C; ++f)
      if (!unseen[size_t(f)]) seen += double(x[size_t(t * C + f)]) * x[size_t(t * C + f)];
  const std::vector<float> g =
      unseen_gains(style_energy, bin_energy_of(*backend, shape, items[0]), seen, bins);
  CHECK(record.gain_db_min == Approx(20 * std::log10(*std::min_element(g.begin(), g.end()))));
  std::vector<float> gain(size_t(C), 0.0f);
  for (size_t i = 0; i < bins.size(); ++i) gain[size_t(bins[i])] = g[i];
  for (int b = 0; b < B; ++b) {
    Buffer<float> in(*backend, shape.n_samples), spec(*backend, 2 * T * C);
    in.upload(items[size_t(b)]);
    stft->forward(in.get(), spec.get());
    const auto s = spec.download();
    double error = 0, norm = 0;
    for (int64_t t = 0; t < T; ++t)
      for (int f = 0; f < C; ++f) {
        const size_t at = size_t((b * T + t) * C + f), bin = size_t(t * C + f);
        if (!unseen[size_t(f)]) {
          REQUIRE(out[at] == x[at]);
          continue;
        }
        const double want =
            std::hypot(double(s[2 * bin]), double(s[2 * bin + 1])) * gain[size_t(f)];
        error = std::max(error, std::fabs(out[at] - want));
        norm = std::max(norm, want);
      }
    INFO("item " << b << ": max error " << error << " of " << norm);
    CHECK(error <= 2e-6 * norm);
  }
}

TEST_CASE("bin_energy_streamed equals the whole track's per-bin energy", "[unseen_fill]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  auto backend = make_cpu_backend();
  const StftShape shape{256, 64, 20000, 200};
  const auto audio = test::random_uniform(size_t(shape.n_samples), seed, -1.f, 1.f);
  const std::vector<double> whole = bin_energy_of(*backend, shape, audio);
  std::vector<std::unique_ptr<Stft>> plans;
  PlanSource source;
  source.stft = [&](const StftShape& s) -> Stft& {
    plans.push_back(backend->make_stft(s));
    return *plans.back();
  };
  // 40-frame chunks: 8 of them, the last one short.
  const std::vector<double> streamed =
      bin_energy_streamed(*backend, source, audio, shape.n_fft, shape.hop, shape.win_length, 40);
  CHECK(plans.size() > 5);
  REQUIRE(streamed.size() == whole.size());
  for (size_t f = 0; f < whole.size(); ++f) CHECK(streamed[f] == Approx(whole[f]).epsilon(1e-6));
}

TEST_CASE("vggish: the bins it does not see take the style's share of the output's energy",
          "[unseen_fill][vggish]") {
  auto backend = make_cpu_backend();
  TransferConfig config;
  config.extractors = {{ExtractorKind::vggish, 1.0f}};
  // The converter's file of a random-init torchvggish: conv1 and conv2.
  config.weights_path = test::source_path("tests/golden/vggish_converted_tiny.safetensors");
  config.content_layers = {{"relu2", 1000}};
  config.style_layers = {{"relu1", 1.5f}};
  config.iterations = 15;
  config.gl_iterations = 60;
  apply_extractor_geometry(config);
  const ReadOptions read{config.sample_rate_hz, true, 0, 3.0};
  const Audio content = read_audio(test::source_path("data/content_piano.flac"), read);
  const Audio style = read_audio(test::source_path("data/style_strings.flac"), read);
  Engine engine(*backend);
  const TransferResult result = engine.transfer(content, style, config);
  CHECK(result.unseen_fill.bins == int(unseen_bins(config).size()));
  const auto& out = result.output.channels.at(0);
  const auto& c = content.channels[0];
  const auto& s = style.channels[0];
  for (const auto& [lo, hi] : {std::pair{8000.0, 11026.0}, std::pair{0.0, 120.0}}) {
    const double want = band_share_db(*backend, s, lo, hi);
    const double got = band_share_db(*backend, out, lo, hi);
    const double from = band_share_db(*backend, c, lo, hi);
    INFO(lo << "-" << hi << " Hz share of the energy: content " << from << " dB, style " << want
            << " dB, output " << got << " dB");
    // The clips differ there (piano brighter than strings by about 13 dB above 8 kHz), so the
    // check tells the style's share from the content's.
    if (lo > 0) REQUIRE(from - want > 6);
    // Below 120 Hz the 25 ms window's 21.5 Hz bins leak into the seen band next to them, and
    // Griffin-Lim moves energy between neighbours: measured 1.5 dB there, 0.2 dB above 8 kHz.
    CHECK(std::fabs(got - want) < (lo > 0 ? 1.0 : 2.5));
  }
  // The Engine keeps the style's energy for the next job: a job with another style must not
  // reuse it (the same output as a fresh Engine's).
  const Audio other = read_audio(test::source_path("data/style_guitar.flac"), read);
  Engine fresh(*backend);
  CHECK(engine.transfer(content, other, config).output.channels ==
        fresh.transfer(content, other, config).output.channels);
}
