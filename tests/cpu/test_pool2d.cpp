// 2x2 max pooling (NHWC, stride 2, floor) and its backward pass against a direct reference:
// exact, since pooling only selects. Odd sizes check the floor and the zero gradient of the
// unread last row and column; ties check the first-maximum rule.
#include <catch2/catch.hpp>

#include "audiostyle/backend.h"
#include "tests/cpu/finite_difference.h"
#include "tests/support.h"

using namespace audiostyle;

namespace {

struct PoolShape {
  int B, H, W, C;
};

size_t at(const PoolShape& s, int b, int h, int w, int c) {
  return ((size_t(b) * s.H + h) * s.W + w) * s.C + c;
}

// y and the (dy, dx) row-major index of the first maximum of each window.
void reference(const std::vector<double>& x, const PoolShape& s, std::vector<double>& y,
               std::vector<int>& argmax) {
  const int Ho = s.H / 2, Wo = s.W / 2;
  y.assign(size_t(s.B) * Ho * Wo * s.C, 0);
  argmax.assign(y.size(), 0);
  for (int b = 0; b < s.B; ++b)
    for (int i = 0; i < Ho; ++i)
      for (int j = 0; j < Wo; ++j)
        for (int c = 0; c < s.C; ++c) {
          const size_t out = ((size_t(b) * Ho + i) * Wo + j) * s.C + c;
          y[out] = x[at(s, b, 2 * i, 2 * j, c)];
          for (int k = 1; k < 4; ++k) {
            const double v = x[at(s, b, 2 * i + k / 2, 2 * j + k % 2, c)];
            if (v > y[out]) {
              y[out] = v;
              argmax[out] = k;
            }
          }
        }
}

}  // namespace

TEST_CASE("maxpool2x2 forward and backward match a direct reference", "[pool2d]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  auto backend = make_cpu_backend();
  for (PoolShape s : {PoolShape{2, 6, 8, 3}, PoolShape{1, 7, 5, 16}, PoolShape{3, 2, 3, 1},
                      PoolShape{1, 1, 4, 2}}) {
    INFO("B " << s.B << " H " << s.H << " W " << s.W << " C " << s.C);
    const int Ho = s.H / 2, Wo = s.W / 2;
    const size_t in_count = size_t(s.B) * s.H * s.W * s.C, out_count = size_t(s.B) * Ho * Wo * s.C;
    std::vector<float> x = test::random_normal(in_count, seed);
    // Ties: every third window gets four equal values, so the first one must win.
    for (int b = 0; b < s.B; ++b)
      for (int i = 0; i < Ho; ++i)
        for (int j = 0; j < Wo; ++j)
          for (int c = 0; c < s.C; ++c)
            if ((i + j + c) % 3 == 0)
              for (int k = 1; k < 4; ++k)
                x[at(s, b, 2 * i + k / 2, 2 * j + k % 2, c)] = x[at(s, b, 2 * i, 2 * j, c)];
    std::vector<double> y_ref;
    std::vector<int> argmax;
    reference(test::as_double(x), s, y_ref, argmax);

    std::vector<float> y = test::poisoned(out_count);
    backend->maxpool2x2(x.data(), s.B, s.H, s.W, s.C, y.data());
    if (out_count > 0) CHECK(test::relative_error(y.data(), y_ref.data(), out_count) == 0);

    const std::vector<float> grad_y = test::random_normal(out_count, seed + 1);
    std::vector<float> grad_x = test::poisoned(in_count);
    backend->maxpool2x2_backward(x.data(), y.data(), grad_y.data(), s.B, s.H, s.W, s.C,
                                 grad_x.data());
    std::vector<double> grad_ref(in_count, 0.0);
    for (int b = 0; b < s.B; ++b)
      for (int i = 0; i < Ho; ++i)
        for (int j = 0; j < Wo; ++j)
          for (int c = 0; c < s.C; ++c) {
            const size_t out = ((size_t(b) * Ho + i) * Wo + j) * s.C + c;
            const int k = argmax[out];
            grad_ref[at(s, b, 2 * i + k / 2, 2 * j + k % 2, c)] = grad_y[out];
          }
    for (size_t i = 0; i < in_count; ++i) CHECK(grad_x[i] == grad_ref[i]);
  }
}

TEST_CASE("maxpool2x2 backward matches finite differences of the forward", "[pool2d]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  auto backend = make_cpu_backend();
  const PoolShape s{1, 5, 6, 3};  // odd height: the last row gets no gradient
  const size_t in_count = size_t(s.H) * s.W * s.C, out_count = size_t(s.H / 2) * (s.W / 2) * s.C;
  const std::vector<float> x = test::random_normal(in_count, seed);
  const std::vector<float> grad_y = test::random_normal(out_count, seed + 1);
  std::vector<float> y(out_count), grad_x = test::poisoned(in_count);
  backend->maxpool2x2(x.data(), s.B, s.H, s.W, s.C, y.data());
  backend->maxpool2x2_backward(x.data(), y.data(), grad_y.data(), s.B, s.H, s.W, s.C,
                               grad_x.data());
  const auto g = test::as_double(grad_y);
  const auto loss = [&](const std::vector<double>& v) {
    std::vector<double> pooled;
    std::vector<int> argmax;
    reference(v, s, pooled, argmax);
    return test::weighted_sum(g, pooled);
  };
  const auto fd = test::central_differences(loss, test::as_double(x));
  CHECK(test::relative_error(grad_x.data(), fd.data(), in_count) <= 1e-8);
}
