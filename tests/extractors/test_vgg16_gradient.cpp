// Finite differences of the multi-layer vgg16 objective (the code the pipeline runs: StyleObjective
// over a vgg16 plan with content and style terms on several layers, pooled and not, B = 2) against
// its gradient, along random directions. The objective is float and piecewise smooth (ReLU and
// max-pool kinks by the thousand even in this small net), so central differences agree only to a
// few percent (measured: median over 9 directions 0.4% to 4% with h = 1e-3 for most seeds, past 10%
// for a few; larger h
// crosses more kinks, smaller h drowns in rounding). The check therefore bounds the median at 10%:
// it catches structural errors (dropping the gradients of the shallower outputs gives 140% and
// more), while the exact check is the torchvision parity test (input gradient within 4e-7).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "host/extractors/vgg16.h"
#include "host/pipeline/style_objective.h"
#include "tests/support.h"

using namespace audiostyle;

TEST_CASE("vgg16: the multi-layer objective's gradient matches finite differences", "[vgg16]") {
  // A fixed seed: with fresh ones about one run in ten lands near enough kinks that the median
  // passes 10% (measured over the suite's runs), and CI must not flake; the torchvision parity
  // test carries the fresh-input, exact check of the same gradient.
  const uint64_t seed = 5691853253493912638ull;
  INFO("seed " << seed);
  auto backend = make_cpu_backend();
  const int B = 2, T = 12, C = 14;
  Vgg16Options options;
  options.layers = resolve_vgg16_layers({{"conv2_1", 1.0f}, {"relu1_1", 0.5f}},
                                        {{"conv1_1", 1.0f}, {"pool1", 2.0f}, {"conv2_2", 1.0f}},
                                        true);
  options.n_bins = C;
  auto extractor = make_vgg16(*backend, vgg16_philox_weights(seed, options.layers.conv_count()),
                              options, Precision::fp32);
  auto plan = extractor->plan(T, B);
  const auto& outputs = plan->outputs();
  std::vector<std::unique_ptr<Gram>> grams;
  auto gram = [&](int64_t rows, int cols, int batch) -> Gram& {
    grams.push_back(backend->make_gram(rows, cols, Precision::fp32, batch));
    return *grams.back();
  };
  // Targets from other random spectrograms.
  Buffer<float> target(*backend, int64_t(B) * T * C), act(*backend, plan->activation_count());
  target.upload(test::random_uniform(size_t(B * T * C), seed + 1, 0.f, 2.f));
  plan->forward(target.get(), act.get());
  std::vector<Buffer<float>> content(outputs.size()), style(outputs.size());
  std::vector<const float*> content_ptr, style_ptr;
  for (size_t l = 0; l < outputs.size(); ++l) {
    const LayerOutput& o = outputs[l];
    if (o.content_weight != 0) {
      content[l] = Buffer<float>(*backend, B * o.shape.count());
      backend->copy(content[l].get(), act.get() + o.offset, content[l].bytes());
    }
    if (o.style_weight != 0) {
      style[l] = Buffer<float>(*backend, int64_t(o.shape.cols) * o.shape.cols);
      gram(o.shape.rows, o.shape.cols, 1)
          .forward(act.get() + o.offset, extractor->scales(o, T).gram_scale, style[l].get());
    }
    content_ptr.push_back(content[l].size() ? content[l].get() : nullptr);
    style_ptr.push_back(style[l].size() ? style[l].get() : nullptr);
  }
  StyleObjective objective(*backend, *plan,
                           make_layer_terms(*extractor, *plan, T, 0.5f, content_ptr, style_ptr,
                                            gram));
  const int64_t n = int64_t(B) * T * C;
  Buffer<float> x(*backend, n), g(*backend, n);
  Buffer<double> values(*backend, objective.value_count());
  const auto x0 = test::random_uniform(size_t(n), seed + 2, 0.f, 2.f);
  auto f = [&](const std::vector<float>& point) {
    x.upload(point);
    objective.evaluate(x.get(), g.get(), values.get());
    return values.download()[0];
  };
  const double f0 = f(x0);
  const std::vector<float> grad = g.download();
  REQUIRE(f0 > 0);

  std::vector<double> errors;
  for (int d = 0; d < 9; ++d) {
    const auto dir = test::random_normal(size_t(n), seed + 10 + uint64_t(d));
    const double h = 1e-3;
    std::vector<float> plus(x0), minus(x0);
    double directional = 0;
    for (size_t i = 0; i < x0.size(); ++i) {
      plus[i] += float(h * dir[i]);
      minus[i] -= float(h * dir[i]);
      directional += double(grad[i]) * dir[i];
    }
    const double fd = (f(plus) - f(minus)) / (2 * h);
    errors.push_back(std::fabs(fd - directional) / std::fabs(directional));
    INFO("direction " << d << ": fd " << fd << " gradient " << directional);
  }
  std::sort(errors.begin(), errors.end());
  INFO("median relative error " << errors[4] << ", worst " << errors.back());
  CHECK(errors[4] <= 0.1);
}
