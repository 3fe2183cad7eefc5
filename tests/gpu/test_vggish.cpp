// vggish on the GPU against torchvggish (the CPU test's golden data, see
// tests/extractors/vggish_parity.h): fp32 convolutions and GEMMs, relative error <= 1e-4.
#include "tests/extractors/vggish_parity.h"

using namespace audiostyle;

TEST_CASE("gpu: vggish image, activations, Grams, losses and input gradient match torchvggish",
          "[vggish]") {
  auto backend = make_cuda_backend();
  const test::ParityErrors e = test::vggish_philox_parity(*backend, Precision::fp32);
  for (const auto* m : {&e.activations, &e.grams, &e.losses})
    for (const auto& [name, error] : *m) {
      INFO(name << " relative error " << error);
      CHECK(error <= test::kVgg16Tolerance);
    }
  INFO("input gradient relative error " << e.gradient);
  CHECK(e.gradient <= test::kVgg16Tolerance);
  CHECK(e.activations.size() == 2);
}

TEST_CASE("gpu: the converter's vggish file gives torchvggish's activations (fp32)", "[vggish]") {
  auto backend = make_cuda_backend();
  const auto errors = test::vggish_converted_parity(*backend, Precision::fp32);
  REQUIRE(errors.size() == 2);
  for (const auto& [name, error] : errors) {
    INFO(name << " relative error " << error);
    CHECK(error <= test::kVgg16Tolerance);
  }
}
