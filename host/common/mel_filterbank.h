// The mel scale and librosa's mel filterbank, shared by the evaluation (host/eval), the plots
// (host/plot) and the mel front ends of the extractors (host/extractors/mel_view.h; VGGish later).
#pragma once
#include <vector>

namespace audiostyle {

// slaney: librosa's default (htk=False), linear below 1 kHz (f / (200/3)), logarithmic above
// (15 + ln(f / 1000) / (ln 6.4 / 27)). htk: 2595 log10(1 + f / 700).
enum class MelScale { slaney, htk };
// slaney: each triangle scaled by 2 / (upper - lower edge in Hz), so every band has the same area
// (librosa's norm='slaney'); none: peak 1 (librosa's norm=None, as VGGish's own front end).
enum class MelNorm { slaney, none };

double hz_to_mel(double hz, MelScale scale = MelScale::slaney);
double mel_to_hz(double mel, MelScale scale = MelScale::slaney);

struct MelBankSpec {
  int sample_rate_hz = 22050;
  int n_fft = 2048;
  int n_mels = 128;
  double fmin_hz = 0;
  double fmax_hz = 0;  // 0: sample_rate_hz / 2
  MelScale scale = MelScale::slaney;
  MelNorm norm = MelNorm::slaney;
};

// librosa.filters.mel(sr, n_fft, n_mels, fmin, fmax, htk, norm): triangles between n_mels + 2
// mel-spaced edges over the FFT bins f_c = c sr / n_fft, c < C = n_fft/2 + 1. [n_mels, C]
// (a band narrower than a bin spacing may hold no bin: an all-zero row, as librosa's).
std::vector<float> mel_filterbank(const MelBankSpec& spec);
// The Slaney-normalised bank on the Slaney scale: librosa.filters.mel's defaults.
std::vector<float> mel_filterbank(int sample_rate_hz, int n_fft, int n_mels, double fmin_hz,
                                  double fmax_hz);

}  // namespace audiostyle
