// vgg16 layer selection: names as torchvision's features, the paper's defaults, 'all', errors; the
// memory plan's footprint is what the plan allocates; the plan outputs what layers() announces.
#include <catch2/catch.hpp>

#include "audiostyle/errors.h"
#include "host/extractors/vgg16.h"

using namespace audiostyle;

TEST_CASE("vgg16: layer names, defaults, 'all' and bad names", "[vgg16]") {
  const auto names = vgg16_layer_names();
  REQUIRE(names.size() == 31);  // torchvision's vgg16().features
  CHECK(names[0] == "conv1_1");
  CHECK(names[4] == "pool1");
  CHECK(names[10] == "conv3_1");
  CHECK(names[30] == "pool5");

  const Vgg16Layers d = resolve_vgg16_layers({}, {}, true);
  REQUIRE(d.content.size() == 1);
  CHECK(d.content[0].name == "conv3_1");
  REQUIRE(d.style.size() == 4);
  CHECK(d.style[3].name == "conv2_2");
  CHECK(d.conv_count() == 5);
  CHECK(d.pools() == 2);
  CHECK(resolve_vgg16_layers({}, {}, false).content.empty());  // texture: no content layers

  const Vgg16Layers all = resolve_vgg16_layers({}, {{"all", 0.5f}}, false);
  REQUIRE(all.style.size() == 13);
  CHECK(all.style[12].name == "conv5_3");
  CHECK(all.style[12].weight == 0.5f);
  CHECK(all.conv_count() == 13);
  CHECK(all.pools() == 4);
  CHECK(resolve_vgg16_layers({}, {{"pool5", 1}}, false).pools() == 5);

  CHECK_THROWS_AS(resolve_vgg16_layers({}, {{"conv9_9", 1}}, false), UsageError);
  CHECK_THROWS_AS(resolve_vgg16_layers({}, {{"conv1_1", 1}, {"conv1_1", 2}}, false), UsageError);
}

TEST_CASE("vgg16: the footprint is the plan's, and plans output the announced layers", "[vgg16]") {
  auto backend = make_cpu_backend();
  Vgg16Options options;
  options.layers = resolve_vgg16_layers({{"relu2_1", 1}}, {{"conv1_1", 1}, {"pool2", 1}}, true);
  options.n_bins = 23;
  auto extractor = make_vgg16(*backend, vgg16_philox_weights(3, options.layers.conv_count()),
                              options, Precision::fp32);
  CHECK(extractor->min_frames() == 4);
  CHECK_THROWS_AS(extractor->plan(3, 1), InputError);
  auto plan = extractor->plan(11, 2);
  const Vgg16Footprint f = vgg16_footprint(options.layers, 11, 23, 2);
  CHECK(f.activations == plan->activation_count());
  CHECK(f.scratch == plan->scratch_count());
  const auto announced = extractor->layers();
  REQUIRE(announced.size() == plan->outputs().size());
  for (size_t l = 0; l < announced.size(); ++l) {
    CHECK(announced[l].name == plan->outputs()[l].name);
    CHECK(announced[l].shape.cols == plan->outputs()[l].shape.cols);
  }
  CHECK(plan->outputs()[0].name == "conv1_1");
  CHECK(plan->outputs()[2].name == "pool2");
  CHECK(plan->outputs()[2].shape.rows == (11 / 4) * (23 / 4));
  // Too few bins for the deepest layer's pooling is a bad input, not a crash.
  options.n_bins = 3;
  CHECK_THROWS_AS(make_vgg16(*backend, vgg16_philox_weights(3, options.layers.conv_count()),
                             options, Precision::fp32),
                  InputError);
}
