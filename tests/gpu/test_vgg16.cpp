// vgg16 on the GPU against torchvision (the same golden data as the CPU test, see
// tests/extractors/vgg16_parity.h): fp32 convolutions and GEMMs, relative error <= 1e-4.
#include "tests/extractors/vgg16_parity.h"

using namespace audiostyle;

TEST_CASE("gpu: vgg16 activations, Grams, losses and input gradient match torchvision (fp32)",
          "[vgg16]") {
  auto backend = make_cuda_backend();
  test::check_parity(test::vgg16_philox_parity(*backend, Precision::fp32), 7, 4, 9);
}

TEST_CASE("gpu: the converter's vgg16 file gives torchvision's activations (fp32)", "[vgg16]") {
  auto backend = make_cuda_backend();
  test::check_errors(test::vgg16_converted_parity(*backend, Precision::fp32), 2);
}
