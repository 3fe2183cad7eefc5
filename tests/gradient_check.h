// Gradient check of the full loss through StyleObjective, the code the pipeline runs (features,
// Gram, content and style terms, ReLU and conv backward), against central finite differences of the
// same loss written out in double here. Differencing in double keeps float rounding and ReLU kinks
// out of the check, so the tolerance measures the gradient, not the differencing. Shared by the CPU
// and GPU tests.
//
// What this does not check: the conventions. The double loss below regenerates the weights with
// the project's own Philox and std, and takes 1/T and alpha as the objective does, so a wrong
// convention would be repeated here and pass. Those are pinned by a reference we did not write:
// tests/pipeline/test_loss_reference.cpp (PyTorch, tests/golden/make_loss_golden.py).
#pragma once
#include <algorithm>
#include <cmath>
#include <vector>

#include "audiostyle/philox.h"
#include "host/pipeline/features.h"
#include "host/pipeline/style_objective.h"
#include "tests/cpu/finite_difference.h"
#include "tests/support.h"

namespace audiostyle::test {

struct GradientCheck {
  double f_pipeline = 0, f_reference = 0;
  double value_error = 0;     // |f_pipeline - f_reference| / f_reference
  double gradient_error = 0;  // ||g_pipeline - g_fd|| / ||g_fd|| over every coordinate
};

// The objective in double, summed over B items:
// alpha sum((A_b - Ac_b)^2) + sum((A_b^T A_b / T - Gs)^2), A_b = relu(conv(x_b)).
struct ReferenceLoss {
  int64_t T;
  int C, F, K, B;
  std::vector<double> weights, content, style_gram;  // W [F, K, C], Ac [B, T', F], Gs [F, F]
  bool with_content;
  double alpha;

  double operator()(const std::vector<double>& x) const {
    const int64_t rows = T - K + 1;
    double loss = 0;
    for (int b = 0; b < B; ++b) {
      const double* xb = x.data() + b * T * C;
      std::vector<double> a(size_t(rows * F));
      for (int64_t t = 0; t < rows; ++t)
        for (int f = 0; f < F; ++f) {
          double acc = 0;
          for (int k = 0; k < K; ++k)
            for (int c = 0; c < C; ++c)
              acc += xb[(t + k) * C + c] * weights[size_t((int64_t(f) * K + k) * C + c)];
          a[size_t(t * F + f)] = std::max(acc, 0.0);
        }
      if (with_content)
        for (size_t i = 0; i < a.size(); ++i) {
          const double d = a[i] - content[size_t(b * rows * F) + i];
          loss += alpha * d * d;
        }
      for (int i = 0; i < F; ++i)
        for (int j = 0; j < F; ++j) {
          double g = 0;
          for (int64_t t = 0; t < rows; ++t) g += a[size_t(t * F + i)] * a[size_t(t * F + j)];
          const double e = g / double(T) - style_gram[size_t(i) * F + j];
          loss += e * e;
        }
    }
    return loss;
  }
};

// A small problem (T=24, C=33, F=20, K=5, B items) whose targets come from other random
// spectrograms: the content from B of them, the style Gram from the first.
inline GradientCheck check_gradient(Backend& backend, uint64_t seed, float alpha, bool with_content,
                                    Precision precision, int batch = 1) {
  const int64_t T = 24;
  const int C = 33, F = 20, K = 5, B = batch;
  auto extractor = make_random_conv1d(backend, C, F, K, seed, precision);
  auto plan = extractor->plan(T, B);
  const FeatureShape shape = plan->shape();
  Buffer<float> x_target(backend, B * T * C), content(backend, B * shape.count()),
      style_gram(backend, int64_t(F) * F);
  x_target.upload(random_uniform(size_t(B * T * C), seed + 1, 0.f, 2.f));
  plan->forward(x_target.get(), content.get());
  auto style_gram_plan = backend.make_gram(shape.rows, shape.cols, precision, 1);
  style_gram_plan->forward(content.get(), 1.0f / float(T), style_gram.get());
  auto gram = backend.make_gram(shape.rows, shape.cols, precision, B);
  StyleObjective objective(backend, *plan, *gram, T, style_gram.get(),
                           with_content ? content.get() : nullptr, alpha);

  // The pipeline's value and gradient at a fresh point.
  const auto x = random_uniform(size_t(B * T * C), seed + 2, 0.f, 2.f);
  Buffer<float> xb(backend, B * T * C), gb(backend, B * T * C);
  Buffer<double> values(backend, objective.value_count());
  xb.upload(x);
  objective.evaluate(xb.get(), gb.get(), values.get());
  const std::vector<float> grad = gb.download();

  // The same loss in double, with the extractor's weights regenerated from the same Philox stream.
  std::vector<float> weights(size_t(F) * K * C);
  for (size_t i = 0; i < weights.size(); ++i)
    weights[i] = philox::normal(i, seed, philox::kStreamWeights) * random_conv1d_stddev(C, F, K);
  const ReferenceLoss loss{T, C, F, K, B, as_double(weights), as_double(content.download()),
                           as_double(style_gram.download()), with_content, double(alpha)};
  std::vector<double> xd = as_double(x);
  GradientCheck result;
  result.f_pipeline = values.download()[0];
  result.f_reference = loss(xd);
  result.value_error = std::fabs(result.f_pipeline - result.f_reference) / result.f_reference;

  const std::vector<double> fd = central_differences(loss, xd);
  result.gradient_error = relative_error(grad.data(), fd.data(), fd.size());
  return result;
}

}  // namespace audiostyle::test
