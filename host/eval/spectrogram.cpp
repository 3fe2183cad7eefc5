// Power, mel and dB spectrograms with librosa's definitions (measures.h).
#include <algorithm>
#include <cmath>

#include "audiostyle/errors.h"
#include "host/eval/measures.h"

namespace audiostyle::eval {

Spectrogram power_spectrogram(Backend& backend, const std::vector<float>& audio, int n_fft,
                              int hop) {
  AS_CHECK(!audio.empty(), "power_spectrogram: empty audio");
  auto stft = backend.make_stft({n_fft, hop, int64_t(audio.size())});
  const int64_t T = stft->shape().n_frames();
  const int C = stft->shape().n_bins();
  Buffer<float> samples(backend, int64_t(audio.size())), spectrum(backend, 2 * T * C);
  samples.upload(audio);
  stft->forward(samples.get(), spectrum.get());
  const std::vector<float> complex_bins = spectrum.download();  // [T, C, 2]
  Spectrogram power{T, C, std::vector<float>(size_t(T * C))};
  for (size_t i = 0; i < power.values.size(); ++i) {
    const double re = complex_bins[2 * i], im = complex_bins[2 * i + 1];
    power.values[i] = float(re * re + im * im);
  }
  return power;
}

Spectrogram mel_spectrogram(const Spectrogram& power, const std::vector<float>& filterbank,
                            int n_mels) {
  const int C = power.n_bands;
  AS_CHECK(filterbank.size() == size_t(n_mels) * C, "mel_spectrogram: filterbank shape");
  Spectrogram mel{power.n_frames, n_mels, std::vector<float>(size_t(power.n_frames) * n_mels)};
  for (int64_t t = 0; t < power.n_frames; ++t) {
    const float* frame = power.values.data() + t * C;
    for (int m = 0; m < n_mels; ++m) {
      const float* w = filterbank.data() + size_t(m) * C;
      double sum = 0;
      for (int c = 0; c < C; ++c) sum += double(w[c]) * frame[c];
      mel.values[size_t(t * n_mels + m)] = float(sum);
    }
  }
  return mel;
}

Spectrogram power_to_db(const Spectrogram& power, double top_db) {
  constexpr double kAmin = 1e-10;
  Spectrogram db = power;
  double top = -1e300;
  for (float& v : db.values) {
    v = float(10.0 * std::log10(std::max(double(v), kAmin)));
    top = std::max(top, double(v));
  }
  if (top_db > 0)
    for (float& v : db.values) v = float(std::max(double(v), top - top_db));
  return db;
}

std::vector<double> long_term_spectrum_db(const Spectrogram& mel_power) {
  const int M = mel_power.n_bands;
  std::vector<double> mean(size_t(M), 0.0);
  for (int64_t t = 0; t < mel_power.n_frames; ++t)
    for (int m = 0; m < M; ++m) mean[size_t(m)] += mel_power.at(t, m);
  double level = 0;
  for (double& v : mean) {
    v = 10.0 * std::log10(std::max(v / double(std::max<int64_t>(mel_power.n_frames, 1)), 1e-10));
    level += v / M;
  }
  for (double& v : mean) v -= level;
  return mean;
}

double rms_difference_db(const std::vector<double>& a, const std::vector<double>& b) {
  AS_CHECK(a.size() == b.size() && !a.empty(), "rms_difference_db: band counts differ");
  double sum = 0;
  for (size_t i = 0; i < a.size(); ++i) sum += (a[i] - b[i]) * (a[i] - b[i]);
  return std::sqrt(sum / double(a.size()));
}

}  // namespace audiostyle::eval
