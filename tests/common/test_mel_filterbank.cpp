// The mel scale and filterbank shared by evaluate and the mel front ends
// (host/common/mel_filterbank.h): against librosa's values and known properties.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "host/common/mel_filterbank.h"
#include "tests/golden/golden.h"
#include "tests/support.h"

using namespace audiostyle;

TEST_CASE("mel filterbank: librosa.filters.mel's values, Slaney and HTK", "[mel]") {
  struct Case {
    const char* file;
    MelBankSpec spec;
  };
  // tests/golden/make_mel_golden.py
  const Case cases[] = {
      {"mel_slaney_8000_256_20.f32", {8000, 256, 20, 0, 0, MelScale::slaney, MelNorm::slaney}},
      {"mel_htk_22050_512_16.f32", {22050, 512, 16, 100, 7000, MelScale::htk, MelNorm::none}},
  };
  for (const Case& c : cases) {
    INFO(c.file);
    const size_t count = size_t(c.spec.n_mels) * (c.spec.n_fft / 2 + 1);
    const auto reference = test::golden::read_f32(test::source_path("tests/golden/") + c.file,
                                                  count);
    const auto bank = mel_filterbank(c.spec);
    REQUIRE(bank.size() == count);
    CHECK(test::relative_error(bank, reference) <= 1e-6);  // librosa scales in float32
  }
}

TEST_CASE("mel filterbank: band edges, peaks and Slaney's equal areas", "[mel]") {
  CHECK(hz_to_mel(1000) == Approx(15.0));
  CHECK(hz_to_mel(700, MelScale::htk) == Approx(2595 * std::log10(2.0)));
  for (const double hz : {0.0, 200.0, 999.0, 1000.0, 4321.0, 11025.0})
    CHECK(mel_to_hz(hz_to_mel(hz, MelScale::htk), MelScale::htk) == Approx(hz).margin(1e-9));
  // A fine grid (2 Hz bins) so a band's sum times the bin spacing is its area.
  const int rate = 8000, n_fft = 4000, n_mels = 24, C = n_fft / 2 + 1;
  const double bin_hz = double(rate) / n_fft;
  for (const MelScale scale : {MelScale::slaney, MelScale::htk}) {
    for (const MelNorm norm : {MelNorm::slaney, MelNorm::none}) {
      const MelBankSpec spec{rate, n_fft, n_mels, 50, 3900, scale, norm};
      const auto bank = mel_filterbank(spec);
      const double lo = hz_to_mel(50, scale), hi = hz_to_mel(3900, scale);
      for (int m = 0; m < n_mels; ++m) {
        INFO("scale " << int(scale) << " norm " << int(norm) << " band " << m);
        const double lower = mel_to_hz(lo + (hi - lo) * m / (n_mels + 1), scale);
        const double centre = mel_to_hz(lo + (hi - lo) * (m + 1) / (n_mels + 1), scale);
        const double upper = mel_to_hz(lo + (hi - lo) * (m + 2) / (n_mels + 1), scale);
        double area = 0, peak = 0;
        int peak_bin = 0;
        for (int c = 0; c < C; ++c) {
          const float w = bank[size_t(m) * C + c];
          const double f = c * bin_hz;
          CHECK(w >= 0);
          if (f <= lower || f >= upper) CHECK(w == 0);  // nothing outside the band's edges
          area += w * bin_hz;
          if (w > peak) peak = w, peak_bin = c;
        }
        CHECK(std::fabs(peak_bin * bin_hz - centre) <= bin_hz);
        if (norm == MelNorm::slaney) CHECK(area == Approx(1.0).epsilon(0.01));
        else {  // 1 at the centre; the nearest bin is at most half a bin from it
          CHECK(peak <= 1 + 1e-6);
          CHECK(peak >= 1 - 0.5 * bin_hz / std::min(centre - lower, upper - centre) - 1e-6);
        }
      }
    }
  }
}

TEST_CASE("mel filterbank: VGGish's spectrogram_to_mel_matrix values", "[mel][vggish]") {
  // tests/golden/make_vggish_golden.py: torchvggish's mel_features, transposed to [64, C].
  struct Case {
    const char* file;
    int sample_rate_hz, n_fft;
  };
  const Case cases[] = {{"mel_vggish_16000_512_64.f32", 16000, 512},
                        {"mel_vggish_22050_1024_64.f32", 22050, 1024}};
  for (const Case& c : cases) {
    INFO(c.file);
    const MelBankSpec spec = vggish_mel_bank_spec(c.sample_rate_hz, c.n_fft);
    const size_t count = size_t(spec.n_mels) * (c.n_fft / 2 + 1);
    const auto reference = test::golden::read_f32(test::source_path("tests/golden/") + c.file,
                                                  count);
    const auto bank = mel_filterbank(spec);
    REQUIRE(bank.size() == count);
    CHECK(test::relative_error(bank, reference) <= 1e-6);
    // Peak 1: elementwise too, so a wrong zero near a band's foot cannot hide in the norm.
    double worst = 0;
    for (size_t i = 0; i < count; ++i)
      worst = std::max(worst, double(std::fabs(bank[i] - reference[i])));
    CHECK(worst <= 1e-6);
  }
  // librosa's triangles (straight in Hz) are a different bank: the golden tells them apart.
  MelBankSpec hz_triangles = vggish_mel_bank_spec(16000, 512);
  hz_triangles.shape = MelShape::librosa;
  const auto reference = test::golden::read_f32(
      test::source_path("tests/golden/mel_vggish_16000_512_64.f32"), 64 * 257);
  CHECK(test::relative_error(mel_filterbank(hz_triangles), reference) > 1e-3);
}

TEST_CASE("mel filterbank: VGGish's bank at 22.05 kHz, peaks, range and DC", "[mel][vggish]") {
  const int rate = 22050, n_fft = 1024, C = n_fft / 2 + 1;
  const MelBankSpec spec = vggish_mel_bank_spec(rate, n_fft);
  const auto bank = mel_filterbank(spec);
  REQUIRE(bank.size() == size_t(spec.n_mels) * C);
  const double bin_hz = double(rate) / n_fft;
  const double lo = hz_to_mel(125, MelScale::htk), hi = hz_to_mel(7500, MelScale::htk);
  std::vector<double> column_sum(size_t(C), 0.0);
  for (int m = 0; m < spec.n_mels; ++m) {
    INFO("band " << m);
    const double lower = mel_to_hz(lo + (hi - lo) * m / (spec.n_mels + 1), MelScale::htk);
    const double centre = mel_to_hz(lo + (hi - lo) * (m + 1) / (spec.n_mels + 1), MelScale::htk);
    const double upper = mel_to_hz(lo + (hi - lo) * (m + 2) / (spec.n_mels + 1), MelScale::htk);
    float peak = 0;
    int peak_bin = 0;
    for (int c = 0; c < C; ++c) {
      const float w = bank[size_t(m) * C + c];
      const double f = c * bin_hz;
      CHECK(w >= 0);
      if (c == 0 || f <= 125 || f >= 7500) CHECK(w == 0);  // DC and outside 125..7500 Hz
      if (f <= lower || f >= upper) CHECK(w == 0);
      column_sum[size_t(c)] += w;
      if (w > peak) peak = w, peak_bin = c;
    }
    CHECK(std::fabs(peak_bin * bin_hz - centre) <= bin_hz);
    CHECK(peak <= 1 + 1e-6);
  }
  // Adjacent triangles share their edges: between the first and the last centre every bin's
  // weights sum to 1 (HTK's complementary bands).
  const double first_centre = mel_to_hz(lo + (hi - lo) / (spec.n_mels + 1), MelScale::htk);
  const double last_centre =
      mel_to_hz(lo + (hi - lo) * spec.n_mels / (spec.n_mels + 1), MelScale::htk);
  for (int c = 0; c < C; ++c) {
    if (c * bin_hz < first_centre || c * bin_hz > last_centre) continue;
    INFO("bin " << c);
    CHECK(column_sum[size_t(c)] == Approx(1.0).margin(1e-6));
  }
  // VGGish's bank refuses an upper edge above Nyquist (mel_features raises the same).
  CHECK_THROWS(mel_filterbank(vggish_mel_bank_spec(8000, 256)));
}
