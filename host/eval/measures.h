// Measures of a finished output that are not the loss we optimise (`audiostyle evaluate`). The
// spectral front end follows librosa's definitions (stated with each function) so a number here
// can be checked against librosa's; the STFT runs on the backend, the small maps after it on the
// host. Every spectrogram below is laid out [T, bands], frames major.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "audiostyle/audio.h"
#include "audiostyle/backend.h"
#include "host/common/mel_filterbank.h"

namespace audiostyle::eval {

struct Spectrogram {
  int64_t n_frames = 0;
  int n_bands = 0;
  std::vector<float> values;  // [n_frames, n_bands]
  float at(int64_t t, int b) const { return values[size_t(t * n_bands + b)]; }
};

// |STFT|^2 of mono audio, [T, C] with C = n_fft/2 + 1 (librosa: periodic Hann, center=True with
// zero padding), computed with the backend's STFT plan.
Spectrogram power_spectrogram(Backend& backend, const std::vector<float>& audio, int n_fft, int hop);

// The mel scale and librosa's filterbank live in host/common/mel_filterbank.h (the extractors' mel
// front ends share them); named here for the measures' callers.
using audiostyle::hz_to_mel;
using audiostyle::mel_filterbank;
using audiostyle::mel_to_hz;
// Power mel spectrogram [T, n_mels] = power [T, C] x filterbank^T.
Spectrogram mel_spectrogram(const Spectrogram& power, const std::vector<float>& filterbank,
                            int n_mels);
// librosa.power_to_db(S, ref=1.0, amin=1e-10, top_db): 10 log10(max(S, amin)), floored at
// (max - top_db) when top_db > 0.
Spectrogram power_to_db(const Spectrogram& power, double top_db);

// librosa.filters.chroma(sr, n_fft, n_chroma=12, ctroct=5, octwidth=2, norm=2, base_c=True) with
// tuning 0 (A = 440 Hz): a Gaussian bump per pitch class in octave-wrapped log frequency, each FFT
// bin's weights unit-L2 over the classes, weighted by a Gaussian over octaves centred on octave 5
// (about 880 Hz) two octaves wide. Rows start at C. [12, C]
std::vector<float> chroma_filterbank(int sample_rate_hz, int n_fft);
// librosa.feature.chroma_stft(S=power, tuning=0, norm=inf): chroma [T, 12], each frame divided by
// its largest class (frames with no energy stay zero).
Spectrogram chroma(const Spectrogram& power, const std::vector<float>& filterbank);

// librosa.onset.onset_strength(S=power_to_db(mel, top_db=80), lag=1, aggregate=mean): the mean
// over mel bands of the half-wave-rectified first difference in time, [T] with env[0] = 0.
// (librosa then shifts the envelope by n_fft / (2 hop) frames; both envelopes compared here come
// from the same settings, so the shift is left out.)
std::vector<float> onset_envelope(const Spectrogram& mel_db);

// Mean over frames of the cosine similarity of two chroma sequences (the first min(T_a, T_b)
// frames); a frame where either is all zero counts 0. 1 = identical pitch content.
double chroma_similarity(const Spectrogram& a, const Spectrogram& b);
// Pearson correlation of two envelopes over their first min(T_a, T_b) frames; 0 when either is
// constant. 1 = onsets at the same times with proportional strength.
double pearson(const std::vector<float>& a, const std::vector<float>& b);

// The long-term average spectrum in dB: 10 log10 of the mean mel power over frames, per band,
// shifted to zero mean over bands so that it is the spectral shape (timbre), not the level.
std::vector<double> long_term_spectrum_db(const Spectrogram& mel_power);
// RMS over bands of the difference of two long-term spectra, in dB (0 = the same shape).
double rms_difference_db(const std::vector<double>& a, const std::vector<double>& b);

// One random conv net for the style measure (the project's random_conv1d extractor).
struct GramNet {
  uint64_t seed = 0;
  int n_filters = 0, kernel_width = 0;
};
// Nets with seeds and widths that no optimisation uses: seeds from a base far above what anyone
// passes to --seed, kernel widths 3, 7, 15, none equal to `avoid_kernel_width` (the run's K when
// known; a clash moves that width up by 2 until distinct).
std::vector<GramNet> evaluation_nets(int count, int n_filters, int avoid_kernel_width = 0);
// Gram G = A^T A / T of x = log1p|STFT(audio)| under `net`, over the whole track (streamed in
// chunks as the style Gram is), on the backend. [F, F]
std::vector<float> net_gram(Backend& backend, const GramNet& net, const std::vector<float>& audio,
                            int n_fft, int hop);
// ||G_a - G_b||_F / ||G_b||_F in double: 0 = the same feature statistics.
double relative_gram_distance(const std::vector<float>& a, const std::vector<float>& b);

// Sample statistics over all channels.
struct SignalStats {
  double peak = 0;          // max |x|
  double peak_dbfs = 0;     // 20 log10(peak); -inf for digital silence
  double dc = 0;            // the largest |mean| of a channel
  int64_t clipped = 0;      // samples with |x| >= 32767/32768 (at or beyond 16-bit full scale)
  std::optional<double> lufs;  // ITU-R BS.1770-4 integrated loudness (gated); none when silent
};
SignalStats signal_stats(const Audio& audio);
// Integrated loudness in LUFS (libebur128, EBUR128_MODE_I) of all channels at their own rate;
// nullopt when the signal is below the absolute gate (-70 LUFS) throughout.
std::optional<double> integrated_lufs(const Audio& audio);

}  // namespace audiostyle::eval
