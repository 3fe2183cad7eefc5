// An extractor sum (composite.h) is the weighted sum of its parts: the objective's value and its
// input gradient equal w1 * (part 1's) + w2 * (part 2's) computed alone, on fresh inputs. Parts:
// method 1's random conv and VGGish (Philox weights), so the outputs' offsets, the renamed layers'
// scales, the weights and the summed gradients all carry.
#include <catch2/catch.hpp>

#include <cmath>
#include <deque>

#include "host/extractors/composite.h"
#include "host/extractors/vggish.h"
#include "host/pipeline/style_objective.h"
#include "tests/support.h"

using namespace audiostyle;

namespace {

constexpr int kRate = 16000, kFft = 64, kBins = kFft / 2 + 1;

struct Parts {
  std::unique_ptr<FeatureExtractor> random, vggish;
};

Parts make_parts(Backend& backend, uint64_t seed) {
  const StackLayers layers =
      resolve_stack_layers(vggish_net(), {{"relu2", 0.7f}}, {{"relu1", 1.0f}, {"pool2", 2.0f}}, true);
  return {make_random_conv1d(backend, kBins, 16, 3, seed, Precision::fp32),
          make_vggish(backend, philox_stack_weights(vggish_net(), seed, layers.conv_count()), layers,
                      kRate, kFft, Precision::fp32)};
}

struct Evaluation {
  double value = 0;
  std::vector<float> gradient;
};

// The objective of `extractor` at x with targets (content and style Grams) from y.
Evaluation evaluate(Backend& backend, FeatureExtractor& extractor, const std::vector<float>& x,
                    const std::vector<float>& y, int64_t T, int B) {
  auto plan = extractor.plan(T, B);
  std::deque<std::unique_ptr<Gram>> grams;
  auto gram = [&](int64_t rows, int cols, int batch) -> Gram& {
    grams.push_back(backend.make_gram(rows, cols, Precision::fp32, batch));
    return *grams.back();
  };
  Buffer<float> in(backend, int64_t(y.size())), act(backend, plan->activation_count());
  in.upload(y);
  plan->forward(in.get(), act.get());
  const auto& outputs = plan->outputs();
  std::vector<Buffer<float>> content(outputs.size()), style(outputs.size());
  std::vector<const float*> content_ptr, style_ptr;
  for (size_t l = 0; l < outputs.size(); ++l) {
    const LayerOutput& o = outputs[l];
    if (o.content_weight != 0) {
      content[l] = Buffer<float>(backend, B * o.shape.count());
      backend.copy(content[l].get(), act.get() + o.offset, content[l].bytes());
    }
    if (o.style_weight != 0) {
      style[l] = Buffer<float>(backend, int64_t(o.shape.cols) * o.shape.cols);
      // The first item's Gram as the style.
      gram(o.shape.rows, o.shape.cols, 1)
          .forward(act.get() + o.offset, extractor.scales(o, T).gram_scale, style[l].get());
    }
    content_ptr.push_back(content[l].size() ? content[l].get() : nullptr);
    style_ptr.push_back(style[l].size() ? style[l].get() : nullptr);
  }
  StyleObjective objective(backend, *plan,
                           make_layer_terms(extractor, *plan, T, 0.3f, content_ptr, style_ptr, gram));
  Buffer<float> point(backend, int64_t(x.size())), g(backend, int64_t(x.size()));
  Buffer<double> values(backend, objective.value_count());
  point.upload(x);
  objective.evaluate(point.get(), g.get(), values.get());
  return {values.download()[0], g.download()};
}

}  // namespace

TEST_CASE("composite: value and gradient are the parts' weighted sum", "[composite][vggish]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  auto backend = make_cpu_backend();
  const int B = 2;
  const int64_t T = 100;  // two VGGish examples per item, the second mostly padding
  const size_t n = size_t(B * T * kBins);
  const auto x = test::random_uniform(n, seed + 1, 0.f, 2.f);
  const auto y = test::random_uniform(n, seed + 2, 0.f, 2.f);
  const float w_random = 0.25f, w_vggish = 3.0f;

  Parts alone = make_parts(*backend, seed);
  const Evaluation random = evaluate(*backend, *alone.random, x, y, T, B);
  const Evaluation vggish = evaluate(*backend, *alone.vggish, x, y, T, B);
  REQUIRE(random.value > 0);
  REQUIRE(vggish.value > 0);

  Parts parts = make_parts(*backend, seed);
  std::vector<ExtractorPart> list;
  list.push_back({"random_conv1d", w_random, std::move(parts.random)});
  list.push_back({"vggish", w_vggish, std::move(parts.vggish)});
  auto composite = make_composite(*backend, std::move(list), kBins);
  const Evaluation sum = evaluate(*backend, *composite, x, y, T, B);

  const double expected = w_random * random.value + w_vggish * vggish.value;
  CHECK(std::fabs(sum.value - expected) <= 1e-5 * expected);
  std::vector<double> reference(n);
  for (size_t i = 0; i < n; ++i)
    reference[i] = double(w_random) * random.gradient[i] + double(w_vggish) * vggish.gradient[i];
  const double error = test::relative_error(sum.gradient.data(), reference.data(), n);
  INFO("gradient relative error " << error);
  CHECK(error <= 1e-5);

  // The layers are the parts', renamed and weighted.
  const auto layers = composite->layers();
  REQUIRE(layers.size() == 1 + 3);
  CHECK(layers[0].name == "random_conv1d/conv1d");
  CHECK(layers[0].style_weight == w_random);
  CHECK(layers[1].name == "vggish/relu1");
  CHECK(layers[3].name == "vggish/pool2");
  CHECK(layers[3].style_weight == 2.0f * w_vggish);
  REQUIRE(composite->parts().size() == 2);
}
