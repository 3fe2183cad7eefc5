// vgg16 on the CPU against torchvision (see vgg16_parity.h): fp32, relative error <= 1e-4.
#include "tests/extractors/vgg16_parity.h"

using namespace audiostyle;

TEST_CASE("vgg16: activations, Grams, losses and input gradient match torchvision (Philox weights)",
          "[vgg16]") {
  auto backend = make_cpu_backend();
  test::check_parity(test::vgg16_philox_parity(*backend, Precision::fp32), 7, 4, 9);
}

TEST_CASE("vgg16: the converter's file of a random-init torchvision vgg16 gives its activations",
          "[vgg16]") {
  auto backend = make_cpu_backend();
  test::check_errors(test::vgg16_converted_parity(*backend, Precision::fp32), 2);
}
