// Chroma and onset envelope with librosa's definitions (measures.h), and the similarity measures
// over them.
#include <algorithm>
#include <cmath>

#include "audiostyle/errors.h"
#include "host/eval/measures.h"

namespace audiostyle::eval {

std::vector<float> chroma_filterbank(int sample_rate_hz, int n_fft) {
  constexpr int kChroma = 12;
  constexpr double kCentreOctave = 5.0, kOctaveWidth = 2.0;
  const int C = n_fft / 2 + 1;
  // Bin positions in chroma units: 12 log2(f / (440 / 16)), for f = k sr / n_fft, k >= 1; the DC
  // bin gets a position 1.5 octaves below bin 1 (librosa's trick for log(0)).
  std::vector<double> position(static_cast<size_t>(n_fft));
  for (int k = 1; k < n_fft; ++k)
    position[size_t(k)] = kChroma * std::log2(double(k) * sample_rate_hz / n_fft / (440.0 / 16));
  position[0] = position[1] - 1.5 * kChroma;
  std::vector<double> width(static_cast<size_t>(n_fft));
  for (int k = 0; k + 1 < n_fft; ++k)
    width[size_t(k)] = std::max(position[size_t(k + 1)] - position[size_t(k)], 1.0);
  width[size_t(n_fft - 1)] = 1.0;

  std::vector<float> weights(size_t(kChroma) * C);
  for (int c = 0; c < C; ++c) {
    double column[kChroma], norm = 0;
    for (int p = 0; p < kChroma; ++p) {
      // Distance from class p wrapped into [-6, 6) semitones.
      double d = std::fmod(position[size_t(c)] - p + kChroma / 2 + 10 * kChroma, double(kChroma)) -
                 kChroma / 2;
      column[p] = std::exp(-0.5 * std::pow(2 * d / width[size_t(c)], 2));
      norm += column[p] * column[p];
    }
    norm = std::sqrt(norm);
    const double octave = position[size_t(c)] / kChroma;
    const double octave_weight = std::exp(-0.5 * std::pow((octave - kCentreOctave) / kOctaveWidth, 2));
    for (int p = 0; p < kChroma; ++p) {
      // base_c: rows rolled by -3 so that row 0 is C (class 0 above is A).
      const int row = (p - 3 + kChroma) % kChroma;
      weights[size_t(row) * C + c] = float(norm > 0 ? column[p] / norm * octave_weight : 0.0);
    }
  }
  return weights;
}

Spectrogram chroma(const Spectrogram& power, const std::vector<float>& filterbank) {
  constexpr int kChroma = 12;
  const int C = power.n_bands;
  AS_CHECK(filterbank.size() == size_t(kChroma) * C, "chroma: filterbank shape");
  Spectrogram out{power.n_frames, kChroma, std::vector<float>(size_t(power.n_frames) * kChroma)};
  for (int64_t t = 0; t < power.n_frames; ++t) {
    double frame[kChroma], top = 0;
    for (int p = 0; p < kChroma; ++p) {
      double sum = 0;
      for (int c = 0; c < C; ++c) sum += double(filterbank[size_t(p) * C + c]) * power.at(t, c);
      frame[p] = sum;
      top = std::max(top, std::fabs(sum));
    }
    // librosa.util.normalize(norm=inf): frames below the smallest normal float are left as they are.
    const double scale = top > 1.1754943508222875e-38 ? 1.0 / top : 1.0;
    for (int p = 0; p < kChroma; ++p) out.values[size_t(t * kChroma + p)] = float(frame[p] * scale);
  }
  return out;
}

std::vector<float> onset_envelope(const Spectrogram& mel_db) {
  const int M = mel_db.n_bands;
  std::vector<float> env(size_t(mel_db.n_frames), 0.0f);
  for (int64_t t = 1; t < mel_db.n_frames; ++t) {
    double sum = 0;
    for (int m = 0; m < M; ++m) sum += std::max(0.0f, mel_db.at(t, m) - mel_db.at(t - 1, m));
    env[size_t(t)] = float(sum / M);
  }
  return env;
}

double chroma_similarity(const Spectrogram& a, const Spectrogram& b) {
  AS_CHECK(a.n_bands == b.n_bands, "chroma_similarity: class counts differ");
  const int64_t T = std::min(a.n_frames, b.n_frames);
  if (T == 0) return 0;
  double total = 0;
  for (int64_t t = 0; t < T; ++t) {
    double ab = 0, aa = 0, bb = 0;
    for (int p = 0; p < a.n_bands; ++p) {
      ab += double(a.at(t, p)) * b.at(t, p);
      aa += double(a.at(t, p)) * a.at(t, p);
      bb += double(b.at(t, p)) * b.at(t, p);
    }
    if (aa > 0 && bb > 0) total += ab / std::sqrt(aa * bb);
  }
  return total / double(T);
}

double pearson(const std::vector<float>& a, const std::vector<float>& b) {
  const size_t T = std::min(a.size(), b.size());
  if (T < 2) return 0;
  double mean_a = 0, mean_b = 0;
  for (size_t t = 0; t < T; ++t) {
    mean_a += a[t];
    mean_b += b[t];
  }
  mean_a /= double(T);
  mean_b /= double(T);
  double ab = 0, aa = 0, bb = 0;
  for (size_t t = 0; t < T; ++t) {
    ab += (a[t] - mean_a) * (b[t] - mean_b);
    aa += (a[t] - mean_a) * (a[t] - mean_a);
    bb += (b[t] - mean_b) * (b[t] - mean_b);
  }
  return aa > 0 && bb > 0 ? ab / std::sqrt(aa * bb) : 0.0;
}

}  // namespace audiostyle::eval
