// The band view (band_view.h) and the bins it is given (extractors.h conv1d_bins, unseen_bins).
// A random conv on a band equals the same conv run alone on the band's bins: value equal, the
// gradient the conv's on those bins and exactly zero on the others. The bins: a band in Hz, the
// ones VGGish's mel bank gives no weight, and what a random conv leaves unseen.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "audiostyle/errors.h"
#include "host/extractors/band_view.h"
#include "host/extractors/extractors.h"
#include "host/extractors/vggish.h"
#include "tests/extractors/evaluate_objective.h"
#include "tests/support.h"

using namespace audiostyle;

TEST_CASE("band view: a conv on a band is the conv on the band's bins, zero gradient elsewhere",
          "[band_view]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  auto backend = make_cpu_backend();
  const int B = 2, C = 40;
  const int64_t T = 30;
  const std::vector<int> bins = {0, 1, 2, 31, 33, 34, 35, 36, 37, 38, 39};
  const int n = int(bins.size());
  const auto x = test::random_uniform(size_t(B * T * C), seed + 1, -0.5f, 2.f);
  const auto y = test::random_uniform(size_t(B * T * C), seed + 2, -0.5f, 2.f);
  auto band_of = [&](const std::vector<float>& v) {
    std::vector<float> out;
    for (int64_t r = 0; r < B * T; ++r)
      for (int f : bins) out.push_back(v[size_t(r * C + f)]);
    return out;
  };

  auto alone = make_random_conv1d(*backend, n, 24, 3, seed, Precision::fp32);
  const test::Evaluation reference =
      test::evaluate_objective(*backend, *alone, band_of(x), band_of(y), T, B);
  REQUIRE(reference.value > 0);

  auto view = make_band_view(*backend, bins, C, "a test band",
                             make_random_conv1d(*backend, n, 24, 3, seed, Precision::fp32));
  CHECK_THAT(view->describe(), Catch::Contains("a test band (11 of 40 bins)"));
  const test::Evaluation banded = test::evaluate_objective(*backend, *view, x, y, T, B);
  CHECK(banded.value == reference.value);
  REQUIRE(banded.gradient.size() == x.size());
  std::vector<float> expected(x.size(), 0.0f);
  for (int64_t r = 0; r < B * T; ++r)
    for (int j = 0; j < n; ++j)
      expected[size_t(r * C + bins[size_t(j)])] = reference.gradient[size_t(r * n + j)];
  CHECK(banded.gradient == expected);
  CHECK(std::any_of(expected.begin(), expected.end(), [](float v) { return v != 0.0f; }));
}

TEST_CASE("band view: bins out of range or repeated are refused", "[band_view]") {
  auto backend = make_cpu_backend();
  auto conv = [&] { return make_random_conv1d(*backend, 2, 4, 3, 1, Precision::fp32); };
  CHECK_THROWS(make_band_view(*backend, {0, 40}, 40, "", conv()));
  CHECK_THROWS(make_band_view(*backend, {3, 3}, 40, "", conv()));
  CHECK_THROWS(make_band_view(*backend, {}, 40, "", conv()));
}

TEST_CASE("conv1d_bins and unseen_bins follow the band, the rate and VGGish's mel bank",
          "[band_view][vggish]") {
  TransferConfig c;
  c.sample_rate_hz = 22050;
  c.n_fft = 1024;  // VGGish's at 22.05 kHz: 21.5 Hz bins
  c.conv1d_band = {BandKind::hz, 8000, 11025};
  const std::vector<int> high = conv1d_bins(c);
  REQUIRE(!high.empty());
  CHECK(high.front() == 372);  // 372 * 21.53 = 8010 Hz; 371 lies at 7988 Hz
  CHECK(high.back() == 512);
  CHECK(unseen_bins(c).empty());  // no mel front: every bin is the conv's to see or not

  // VGGish's bank is zero at and below 125 Hz and at and above 7.5 kHz: those bins, nothing
  // between (checked against the bank's columns, not a formula).
  c.extractors = {{ExtractorKind::vggish, 1.0f}};
  const std::vector<int> unseen = unseen_bins(c);
  const MelBankSpec spec = vggish_mel_bank_spec(c.sample_rate_hz, c.n_fft);
  const std::vector<float> bank = mel_filterbank(spec);
  const int C = c.n_fft / 2 + 1;
  for (int k = 0; k < C; ++k) {
    double column = 0;
    for (int m = 0; m < spec.n_mels; ++m) column += bank[size_t(m * C + k)];
    const bool listed = std::binary_search(unseen.begin(), unseen.end(), k);
    INFO("bin " << k << " at " << k * 22050.0 / 1024 << " Hz");
    CHECK(listed == (column == 0));
    const double hz = k * 22050.0 / 1024;
    if (hz < 120 || hz > 7510) CHECK(listed);
    if (hz > 130 && hz < 7490) CHECK(!listed);
  }
  // A random conv on the whole band sees everything; on a band, the rest of VGGish's stays unseen.
  c.extractors = {{ExtractorKind::vggish, 1.0f}, {ExtractorKind::random_conv1d, 0.1f}};
  c.conv1d_band = {};
  CHECK(unseen_bins(c).empty());
  c.conv1d_band = {BandKind::hz, 0, 125};
  const std::vector<int> rest = unseen_bins(c);
  REQUIRE(!rest.empty());
  CHECK(rest.front() * 22050.0 / 1024 >= 7500);
  CHECK(rest.size() + conv1d_bins(c).size() == unseen.size());
  c.conv1d_band = {BandKind::unseen};
  CHECK(conv1d_bins(c) == unseen);
  CHECK(unseen_bins(c).empty());

  // A band with no bin, or `unseen` with no mel front, is a usage error.
  c.conv1d_band = {BandKind::hz, 1, 2};
  CHECK_THROWS_AS(conv1d_bins(c), UsageError);
  c.extractors = {{ExtractorKind::random_conv1d, 1.0f}};
  c.conv1d_band = {BandKind::unseen};
  CHECK_THROWS_AS(conv1d_bins(c), UsageError);
}
