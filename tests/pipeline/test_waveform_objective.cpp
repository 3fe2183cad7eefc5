// The waveform objective (host/pipeline/waveform_objective.*): the full loss taken through
// x = log1p|STFT(y)|, its gradient w.r.t. the samples against central finite differences of the
// same composition written out in double here (a direct DFT, then tests/gradient_check.h's
// ReferenceLoss). This checks the STFT's backward pass, the chain rule through the magnitude and
// log1p, and their wiring to StyleObjective, in one number.
#include <catch2/catch.hpp>

#include <cmath>
#include <numbers>
#include <vector>

#include "host/pipeline/waveform_objective.h"
#include "tests/gradient_check.h"

using namespace audiostyle;

namespace {

// log1p|STFT(y_b)| for each of B items in double, by the definition (librosa's conventions:
// periodic Hann, centre zero padding): [B, T, C].
std::vector<double> reference_log_spectrogram(const std::vector<double>& audio, const StftShape& s,
                                              int batch) {
  const double pi = std::numbers::pi;
  const int n_fft = s.n_fft, C = s.n_bins();
  const int64_t T = s.n_frames();
  const size_t taps = static_cast<size_t>(n_fft);
  std::vector<double> window(taps), cos_table(taps), sin_table(taps);
  for (int n = 0; n < n_fft; ++n) {
    window[size_t(n)] = 0.5 - 0.5 * std::cos(2 * pi * n / n_fft);
    cos_table[size_t(n)] = std::cos(2 * pi * n / n_fft);
    sin_table[size_t(n)] = std::sin(2 * pi * n / n_fft);
  }
  std::vector<double> x(static_cast<size_t>(batch * T * C)), frame(taps);
  for (int b = 0; b < batch; ++b)
    for (int64_t t = 0; t < T; ++t) {
      for (int n = 0; n < n_fft; ++n) {
        const int64_t i = t * s.hop + n - n_fft / 2;
        frame[size_t(n)] =
            i >= 0 && i < s.n_samples ? window[size_t(n)] * audio[size_t(b * s.n_samples + i)] : 0;
      }
      for (int f = 0; f < C; ++f) {
        double re = 0, im = 0;
        for (int n = 0; n < n_fft; ++n) {
          const size_t k = size_t((int64_t(f) * n) % n_fft);
          re += frame[size_t(n)] * cos_table[k];
          im -= frame[size_t(n)] * sin_table[k];
        }
        x[size_t((b * T + t) * C + f)] = std::log1p(std::hypot(re, im));
      }
    }
  return x;
}

}  // namespace

TEST_CASE("the waveform objective's gradient matches central finite differences",
          "[gradient][refine]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  auto backend = make_cpu_backend();
  // n_fft 64 gives C = 33 bins; 370 samples at hop 16 give T = 24 frames (ragged: the last frame
  // is mostly padding), the problem size of tests/gradient_check.h.
  const StftShape stft_shape{64, 16, 370};
  const int64_t T = stft_shape.n_frames();
  const int C = stft_shape.n_bins(), F = 20, K = 5;
  REQUIRE(T == 24);
  auto transform = backend->make_stft(stft_shape);
  for (int batch : {1, 2})
    for (bool with_content : {true, false}) {
      const float alpha = 1e-2f;
      auto extractor = make_random_conv1d(*backend, C, F, K, seed, Precision::fp32);
      auto plan = extractor->plan(T, batch);
      const FeatureShape shape = plan->shape();
      // Targets from another spectrogram of the same scale as the output's.
      Buffer<float> x_target(*backend, batch * T * C), content(*backend, batch * shape.count()),
          style_gram(*backend, int64_t(F) * F);
      x_target.upload(test::random_uniform(size_t(batch * T * C), seed + 1, 0.f, 1.f));
      plan->forward(x_target.get(), content.get());
      auto style_gram_plan = backend->make_gram(shape.rows, shape.cols, Precision::fp32, 1);
      style_gram_plan->forward(content.get(), 1.0f / float(T), style_gram.get());
      auto gram = backend->make_gram(shape.rows, shape.cols, Precision::fp32, batch);
      StyleObjective spectrogram(*backend, *plan, *gram, T, style_gram.get(),
                                 with_content ? content.get() : nullptr, alpha);
      WaveformObjective objective(*backend, *transform, spectrogram, batch);
      REQUIRE(objective.n() == batch * stft_shape.n_samples);

      const auto y = test::random_normal(size_t(objective.n()), seed + 2, 0.1f);
      Buffer<float> yb(*backend, objective.n()), gb(*backend, objective.n());
      Buffer<double> values(*backend, objective.value_count());
      yb.upload(y);
      gb.upload(test::poisoned(size_t(objective.n())));
      objective.evaluate(yb.get(), gb.get(), values.get());
      const std::vector<float> grad = gb.download();

      std::vector<float> weights(size_t(F) * K * C);
      for (size_t i = 0; i < weights.size(); ++i)
        weights[i] = philox::normal(i, seed, philox::kStreamWeights) * random_conv1d_stddev(C, F, K);
      const test::ReferenceLoss loss{T, C, F, K, batch, test::as_double(weights),
                                     test::as_double(content.download()),
                                     test::as_double(style_gram.download()), with_content,
                                     double(alpha)};
      auto f = [&](const std::vector<double>& audio) {
        return loss(reference_log_spectrogram(audio, stft_shape, batch));
      };
      const std::vector<double> yd = test::as_double(y);
      const double f_pipeline = values.download()[0], f_reference = f(yd);
      const double value_error = std::fabs(f_pipeline - f_reference) / f_reference;

      // Differences in double of a double loss: h = 1e-6 on samples of ~0.1 leaves truncation
      // (~h^2 f''') and rounding (~1e-16 f / h) far below the tolerance.
      const std::vector<double> fd = test::central_differences(f, yd);
      const double gradient_error = test::relative_error(grad.data(), fd.data(), fd.size());
      INFO("batch " << batch << " content " << with_content << " f " << f_pipeline
                    << " value error " << value_error << " gradient error " << gradient_error);
      // The float pipeline against the double composition. Measured over fresh seeds: value
      // error ~5e-8, gradient error ~1.5e-7 to 2.5e-7 (float rounding of the FFTs, the conv and
      // the Gram; this small problem sits away from ReLU and |S| = 0 kinks). The bounds leave a
      // factor of ~20 / ~40 for other seeds and BLAS builds, while a wrong factor anywhere in the
      // chain (a bin's weight in the adjoint, the 1 / (1 + |S|), the window) moves the gradient
      // by percents.
      CHECK(f_reference > 0);
      CHECK(value_error <= 1e-6);
      CHECK(gradient_error <= 1e-5);
    }
}
