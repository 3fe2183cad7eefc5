// librosa's and VGGish's mel scales and filterbanks (mel_filterbank.h), in double, rounded to
// float at the end.
#include "host/common/mel_filterbank.h"

#include <algorithm>
#include <cmath>

#include "audiostyle/errors.h"

namespace audiostyle {
namespace {

// Slaney's mel scale constants (librosa.hz_to_mel, htk=False).
constexpr double kLinearHzPerMel = 200.0 / 3;
constexpr double kBreakHz = 1000.0;
constexpr double kBreakMel = kBreakHz / kLinearHzPerMel;  // 15
const double kLogStep = std::log(6.4) / 27.0;

}  // namespace

double hz_to_mel(double hz, MelScale scale) {
  if (scale == MelScale::htk) return 2595.0 * std::log10(1.0 + hz / 700.0);
  if (hz < kBreakHz) return hz / kLinearHzPerMel;
  return kBreakMel + std::log(hz / kBreakHz) / kLogStep;
}

double mel_to_hz(double mel, MelScale scale) {
  if (scale == MelScale::htk) return 700.0 * (std::pow(10.0, mel / 2595.0) - 1.0);
  if (mel < kBreakMel) return mel * kLinearHzPerMel;
  return kBreakHz * std::exp(kLogStep * (mel - kBreakMel));
}

std::vector<float> mel_filterbank(const MelBankSpec& spec) {
  const int n_mels = spec.n_mels, C = spec.n_fft / 2 + 1;
  const double fmax_hz = spec.fmax_hz > 0 ? spec.fmax_hz : spec.sample_rate_hz / 2.0;
  const bool in_mel = spec.shape == MelShape::vggish;
  AS_CHECK(n_mels > 0 && spec.n_fft > 0 && spec.sample_rate_hz > 0 && spec.fmin_hz >= 0 &&
               spec.fmin_hz < fmax_hz && (!in_mel || fmax_hz <= spec.sample_rate_hz / 2.0),
           "mel_filterbank: bad spec");
  // The edges are mel-spaced; the triangles are straight on the axis of the shape: Hz (librosa) or
  // mel (VGGish). Slaney's area norm is in Hz either way.
  std::vector<double> edges_hz(size_t(n_mels + 2)), edges_axis(size_t(n_mels + 2));
  const double mel_lo = hz_to_mel(spec.fmin_hz, spec.scale),
               mel_hi = hz_to_mel(fmax_hz, spec.scale);
  for (int i = 0; i < n_mels + 2; ++i) {
    const double mel = mel_lo + (mel_hi - mel_lo) * i / (n_mels + 1);
    edges_hz[size_t(i)] = mel_to_hz(mel, spec.scale);
    edges_axis[size_t(i)] = in_mel ? mel : edges_hz[size_t(i)];
  }
  std::vector<float> weights(size_t(n_mels) * C, 0.0f);
  for (int m = 0; m < n_mels; ++m) {
    const double lower = edges_axis[size_t(m)], centre = edges_axis[size_t(m + 1)],
                 upper = edges_axis[size_t(m + 2)];
    const double enorm = spec.norm == MelNorm::slaney
                             ? 2.0 / (edges_hz[size_t(m + 2)] - edges_hz[size_t(m)])
                             : 1.0;
    for (int c = 0; c < C; ++c) {
      const double f_hz = double(c) * spec.sample_rate_hz / spec.n_fft;
      const double f = in_mel ? hz_to_mel(f_hz, spec.scale) : f_hz;
      const double rising = (f - lower) / (centre - lower), falling = (upper - f) / (upper - centre);
      weights[size_t(m) * C + c] = float(enorm * std::max(0.0, std::min(rising, falling)));
    }
  }
  return weights;
}

MelBankSpec vggish_mel_bank_spec(int sample_rate_hz, int n_fft) {
  return MelBankSpec{sample_rate_hz, n_fft, 64, 125.0, 7500.0, MelScale::htk, MelNorm::none,
                     MelShape::vggish};
}

std::vector<float> mel_filterbank(int sample_rate_hz, int n_fft, int n_mels, double fmin_hz,
                                  double fmax_hz) {
  return mel_filterbank(MelBankSpec{sample_rate_hz, n_fft, n_mels, fmin_hz, fmax_hz,
                                    MelScale::slaney, MelNorm::slaney});
}

}  // namespace audiostyle
