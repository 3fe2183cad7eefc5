// vgg16 on the GPU against torchvision (the same golden data as the CPU test, see
// tests/extractors/vgg16_parity.h): fp32 convolutions and GEMMs, relative error <= 1e-4.
#include "tests/extractors/vgg16_parity.h"

using namespace audiostyle;

TEST_CASE("gpu: vgg16 activations, Grams, losses and input gradient match torchvision (fp32)",
          "[vgg16]") {
  auto backend = make_cuda_backend();
  const test::ParityErrors e = test::vgg16_philox_parity(*backend, Precision::fp32);
  for (const auto* m : {&e.activations, &e.grams, &e.losses})
    for (const auto& [name, error] : *m) {
      INFO(name << " relative error " << error);
      CHECK(error <= test::kVgg16Tolerance);
    }
  INFO("input gradient relative error " << e.gradient);
  CHECK(e.gradient <= test::kVgg16Tolerance);
  CHECK(e.activations.size() == 7);
}

TEST_CASE("gpu: the converter's vgg16 file gives torchvision's activations (fp32)", "[vgg16]") {
  auto backend = make_cuda_backend();
  const auto errors = test::vgg16_converted_parity(*backend, Precision::fp32);
  REQUIRE(errors.size() == 2);
  for (const auto& [name, error] : errors) {
    INFO(name << " relative error " << error);
    CHECK(error <= test::kVgg16Tolerance);
  }
}
