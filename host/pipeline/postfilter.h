// Wang & Chu's post-filters on the optimised magnitude, before phase reconstruction: a low-pass
// (the CNN leaves high-frequency noise) and a gentle boost of the band around the voice.
//   low-pass:  |H(f)| = 1 / sqrt(1 + (f / fc)^8), a 4th-order Butterworth magnitude (-3 dB at fc,
//              -24 dB an octave above);
//   mid boost: gain_dB(f) = D * exp(-ln 2 * (log2(f / f0) / (w / 2))^2), a Gaussian in log
//              frequency: D dB at f0, D / 2 dB at f0 * 2^(+-w / 2) (w octaves of full width at half
//              the boost), 0 dB far away and at DC.
// Applied to the magnitude as one gain per bin (Backend::bin_gain).
#pragma once
#include <vector>

#include "audiostyle/config.h"

namespace audiostyle {

// gains [n_fft / 2 + 1] at bin frequencies k * rate / n_fft; empty when both filters are off.
std::vector<float> postfilter_gains(const TransferConfig& config);

}  // namespace audiostyle
