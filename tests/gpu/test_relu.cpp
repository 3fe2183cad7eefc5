// ReLU and its backward pass on the GPU against the CPU twin: exact (a selection, no rounding).
#include <catch2/catch.hpp>

#include "tests/gpu/test_twins.h"

using namespace audiostyle;

TEST_CASE("gpu: relu and relu_backward equal the CPU exactly, in place too", "[relu]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  test::Twins twins;
  const int64_t count = int64_t(431) * 1025 * 64 + 7;  // conv1_1's output of a 10 s clip, odd
  const auto x = test::random_normal(size_t(count), seed);
  const auto grad = test::random_normal(size_t(count), seed + 1);
  std::vector<float> y[2], y_in_place[2], masked[2];
  Backend* backends[2] = {twins.cpu.get(), twins.gpu.get()};
  for (int b = 0; b < 2; ++b) {
    Backend& backend = *backends[b];
    auto x_b = test::buffer_from(backend, x);
    auto y_b = test::poisoned_buffer<float>(backend, count);
    backend.relu(x_b.get(), count, y_b.get());
    y[b] = y_b.download();
    backend.relu(x_b.get(), count, x_b.get());
    y_in_place[b] = x_b.download();
    auto grad_b = test::buffer_from(backend, grad);
    backend.relu_backward(y_b.get(), count, grad_b.get());
    masked[b] = grad_b.download();
  }
  CHECK(y[1] == y[0]);
  CHECK(y_in_place[1] == y[0]);
  CHECK(masked[1] == masked[0]);
}
