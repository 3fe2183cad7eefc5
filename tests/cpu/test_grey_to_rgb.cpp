// Grey to ImageNet-normalised RGB and its backward pass against double references and finite
// differences.
#include <catch2/catch.hpp>

#include "audiostyle/backend.h"
#include "tests/cpu/finite_difference.h"
#include "tests/support.h"

using namespace audiostyle;

namespace {

std::vector<double> reference(const std::vector<double>& x) {
  const double mean[3] = {0.485, 0.456, 0.406}, stddev[3] = {0.229, 0.224, 0.225};
  std::vector<double> y(x.size() * 3);
  for (size_t p = 0; p < x.size(); ++p)
    for (int c = 0; c < 3; ++c) y[p * 3 + c] = (x[p] - mean[c]) / stddev[c];
  return y;
}

}  // namespace

// Two float roundings per output (the subtraction and the division) and the constants' own
// rounding to float: relative error a few 1e-8; 1e-6 fails a swapped channel or a missing mean.
TEST_CASE("grey_to_rgb forward and backward match double references", "[grey_to_rgb]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  auto backend = make_cpu_backend();
  const int64_t pixels = 999;
  const std::vector<float> x = test::random_uniform(size_t(pixels), seed, 0.f, 4.f);
  std::vector<float> y = test::poisoned(size_t(pixels * 3));
  backend->grey_to_rgb(x.data(), pixels, y.data());
  const auto y_ref = reference(test::as_double(x));
  CHECK(test::relative_error(y.data(), y_ref.data(), y.size()) <= 1e-6);

  const std::vector<float> grad_y = test::random_normal(y.size(), seed + 1);
  std::vector<float> grad_x = test::poisoned(size_t(pixels));
  backend->grey_to_rgb_backward(grad_y.data(), pixels, grad_x.data());
  const auto g = test::as_double(grad_y);
  const auto fd = test::central_differences(
      [&](const std::vector<double>& v) { return test::weighted_sum(g, reference(v)); },
      test::as_double(x));
  CHECK(test::relative_error(grad_x.data(), fd.data(), fd.size()) <= 1e-6);
}
