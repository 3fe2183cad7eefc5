// An extractor sum (composite.h) is the weighted sum of its parts: the objective's value and its
// input gradient equal w1 * (part 1's) + w2 * (part 2's) computed alone, on fresh inputs. Parts:
// method 1's random conv and VGGish (Philox weights), so the outputs' offsets, the renamed layers'
// scales, the weights and the summed gradients all carry.
#include <catch2/catch.hpp>

#include <cmath>

#include "host/extractors/composite.h"
#include "host/extractors/vggish.h"
#include "tests/extractors/evaluate_objective.h"
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
  const test::Evaluation random = test::evaluate_objective(*backend, *alone.random, x, y, T, B);
  const test::Evaluation vggish = test::evaluate_objective(*backend, *alone.vggish, x, y, T, B);
  REQUIRE(random.value > 0);
  REQUIRE(vggish.value > 0);

  Parts parts = make_parts(*backend, seed);
  std::vector<ExtractorPart> list;
  list.push_back({"random_conv1d", w_random, std::move(parts.random)});
  list.push_back({"vggish", w_vggish, std::move(parts.vggish)});
  auto composite = make_composite(*backend, std::move(list), kBins);
  const test::Evaluation sum = test::evaluate_objective(*backend, *composite, x, y, T, B);

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
