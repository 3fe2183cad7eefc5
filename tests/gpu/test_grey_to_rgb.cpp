// Grey to ImageNet-normalised RGB and its backward pass on the GPU against the CPU twin:
// bit-identical, since both use the same float operations in the same order without contraction.
#include <catch2/catch.hpp>

#include "tests/gpu/test_twins.h"

using namespace audiostyle;

TEST_CASE("gpu: grey_to_rgb and its backward equal the CPU bitwise", "[grey_to_rgb]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  test::Twins twins;
  const int64_t pixels = int64_t(431) * 1025 + 3;
  const auto x = test::random_uniform(size_t(pixels), seed, 0.f, 4.f);
  const auto grad_y = test::random_normal(size_t(pixels * 3), seed + 1);
  std::vector<float> y[2], grad_x[2];
  Backend* backends[2] = {twins.cpu.get(), twins.gpu.get()};
  for (int b = 0; b < 2; ++b) {
    Backend& backend = *backends[b];
    auto x_b = test::buffer_from(backend, x);
    auto y_b = test::poisoned_buffer<float>(backend, pixels * 3);
    backend.grey_to_rgb(x_b.get(), pixels, y_b.get());
    auto grad_y_b = test::buffer_from(backend, grad_y);
    auto grad_x_b = test::poisoned_buffer<float>(backend, pixels);
    backend.grey_to_rgb_backward(grad_y_b.get(), pixels, grad_x_b.get());
    y[b] = y_b.download();
    grad_x[b] = grad_x_b.download();
  }
  CHECK(y[1] == y[0]);
  CHECK(grad_x[1] == grad_x[0]);
}
