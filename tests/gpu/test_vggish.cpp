// vggish on the GPU against torchvggish (the CPU test's golden data, see
// tests/extractors/vggish_parity.h): fp32 convolutions and GEMMs, relative error <= 1e-4.
#include "tests/extractors/vggish_parity.h"

using namespace audiostyle;

TEST_CASE("gpu: vggish image, activations, Grams, losses and input gradient match torchvggish",
          "[vggish]") {
  auto backend = make_cuda_backend();
  test::check_parity(test::vggish_philox_parity(*backend, Precision::fp32), 2, 3, 8);
}

TEST_CASE("gpu: the converter's vggish file gives torchvggish's activations (fp32)", "[vggish]") {
  auto backend = make_cuda_backend();
  test::check_errors(test::vggish_converted_parity(*backend, Precision::fp32), 2);
}
