// 2x2 max pooling and its backward pass on the GPU against the CPU twin: exact (selection only),
// at odd sizes (the floor, the unread last row and column) and at conv1_2's output of a 10 s clip,
// with ties so the first-maximum rule is exercised on both.
#include <catch2/catch.hpp>

#include "tests/gpu/test_twins.h"

using namespace audiostyle;

TEST_CASE("gpu: maxpool2x2 forward and backward equal the CPU exactly", "[pool2d]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  test::Twins twins;
  struct Shape {
    int B, H, W, C;
  };
  for (Shape s : {Shape{2, 7, 9, 3}, Shape{1, 1, 5, 8}, Shape{1, 431, 1025, 64}}) {
    INFO("B " << s.B << " H " << s.H << " W " << s.W << " C " << s.C);
    const int64_t in_count = int64_t(s.B) * s.H * s.W * s.C;
    const int64_t out_count = int64_t(s.B) * (s.H / 2) * (s.W / 2) * s.C;
    // Values rounded to a coarse grid, so many windows hold equal maxima.
    std::vector<float> x = test::random_normal(size_t(in_count), seed);
    for (float& v : x) v = float(int(v * 4.f)) / 4.f;
    const auto grad_y = test::random_normal(size_t(out_count), seed + 1);
    std::vector<float> y[2], grad_x[2];
    Backend* backends[2] = {twins.cpu.get(), twins.gpu.get()};
    for (int b = 0; b < 2; ++b) {
      Backend& backend = *backends[b];
      auto x_b = test::buffer_from(backend, x);
      auto y_b = test::poisoned_buffer<float>(backend, out_count);
      backend.maxpool2x2(x_b.get(), s.B, s.H, s.W, s.C, y_b.get());
      auto grad_y_b = test::buffer_from(backend, grad_y);
      auto grad_x_b = test::poisoned_buffer<float>(backend, in_count);
      backend.maxpool2x2_backward(x_b.get(), y_b.get(), grad_y_b.get(), s.B, s.H, s.W, s.C,
                                  grad_x_b.get());
      y[b] = y_b.download();
      grad_x[b] = grad_x_b.download();
    }
    CHECK(y[1] == y[0]);
    CHECK(grad_x[1] == grad_x[0]);
  }
}
