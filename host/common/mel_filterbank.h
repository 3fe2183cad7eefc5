// The mel scale and librosa's mel filterbank, shared by the evaluation (host/eval), the plots
// (host/plot) and the mel front ends of the extractors (host/extractors/mel_view.h; VGGish's bank,
// MelShape::vggish).
#pragma once
#include <vector>

namespace audiostyle {

// slaney: librosa's default (htk=False), linear below 1 kHz (f / (200/3)), logarithmic above
// (15 + ln(f / 1000) / (ln 6.4 / 27)). htk: 2595 log10(1 + f / 700).
enum class MelScale { slaney, htk };
// slaney: each triangle scaled by 2 / (upper - lower edge in Hz), so every band has the same area
// (librosa's norm='slaney'); none: peak 1 (librosa's norm=None, as VGGish's own front end).
enum class MelNorm { slaney, none };
// Where the triangles are straight lines:
// librosa: in Hz over the bins' frequencies f_c = c sr / n_fft (librosa.filters.mel).
// vggish: in mel over the bins' mel values hz_to_mel(f_c): VGGish's
//   mel_features.spectrogram_to_mel_matrix (torchvggish, TF models). Its explicit zeroing of the DC
//   row (HTK) needs no code: f = 0 <= fmin_hz is never inside a band, in either shape.
//   Its scale is 1127 ln(1 + f/700); MelScale::htk's 2595 log10(1 + f/700) differs only by the
//   constant factor 2595 / (1127 ln 10) = 0.9999948, which cancels in the edges (mel-linear between
//   the Hz limits) and in the triangles (ratios of mel differences): the same bank to rounding.
//   Needs fmax_hz <= sample_rate_hz / 2, as VGGish's. See vggish_mel_bank_spec.
enum class MelShape { librosa, vggish };

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
  MelShape shape = MelShape::librosa;
};

// VGGish's front end (vggish_params.py): 64 bands, 125 to 7500 Hz, HTK scale, triangles in mel,
// peak 1, DC excluded. VGGish itself runs at 16 kHz with n_fft 512 (C = 257).
MelBankSpec vggish_mel_bank_spec(int sample_rate_hz = 16000, int n_fft = 512);

// librosa.filters.mel(sr, n_fft, n_mels, fmin, fmax, htk, norm) (shape librosa) or VGGish's
// spectrogram_to_mel_matrix, transposed (shape vggish): triangles between n_mels + 2 mel-spaced
// edges over the FFT bins f_c = c sr / n_fft, c < C = n_fft/2 + 1. [n_mels, C]
// (a band narrower than a bin spacing may hold no bin: an all-zero row, as librosa's).
std::vector<float> mel_filterbank(const MelBankSpec& spec);
// The Slaney-normalised bank on the Slaney scale: librosa.filters.mel's defaults.
std::vector<float> mel_filterbank(int sample_rate_hz, int n_fft, int n_mels, double fmin_hz,
                                  double fmax_hz);

}  // namespace audiostyle
