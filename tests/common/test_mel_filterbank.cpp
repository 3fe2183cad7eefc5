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
