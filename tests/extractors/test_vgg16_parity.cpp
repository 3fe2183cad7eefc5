// vgg16 on the CPU against torchvision (see vgg16_parity.h): fp32, relative error <= 1e-4.
#include "tests/extractors/vgg16_parity.h"

using namespace audiostyle;

TEST_CASE("vgg16: activations, Grams, losses and input gradient match torchvision (Philox weights)",
          "[vgg16]") {
  auto backend = make_cpu_backend();
  const test::ParityErrors e = test::vgg16_philox_parity(*backend, Precision::fp32);
  for (const auto* m : {&e.activations, &e.grams, &e.losses})
    for (const auto& [name, error] : *m) {
      INFO(name << " relative error " << error);
      CHECK(error <= test::kVgg16Tolerance);
    }
  INFO("input gradient relative error " << e.gradient);
  CHECK(e.gradient <= test::kVgg16Tolerance);
  CHECK(e.activations.size() == 7);  // every stored layer was compared
  CHECK(e.grams.size() == 4);
  CHECK(e.losses.size() == 9);
}

TEST_CASE("vgg16: the converter's file of a random-init torchvision vgg16 gives its activations",
          "[vgg16]") {
  auto backend = make_cpu_backend();
  const auto errors = test::vgg16_converted_parity(*backend, Precision::fp32);
  REQUIRE(errors.size() == 2);
  for (const auto& [name, error] : errors) {
    INFO(name << " relative error " << error);
    CHECK(error <= test::kVgg16Tolerance);
  }
}
