// ReLU and its backward pass: exact (a selection, no rounding), in place allowed.
#include <catch2/catch.hpp>

#include <cmath>

#include "audiostyle/backend.h"
#include "tests/cpu/finite_difference.h"
#include "tests/support.h"

using namespace audiostyle;

TEST_CASE("relu: max(x, 0), in place, NaN kept; backward masks by the output", "[relu]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  auto backend = make_cpu_backend();
  const size_t n = 1001;
  std::vector<float> x = test::random_normal(n, seed);
  x[7] = std::nanf("");
  x[8] = 0.f;
  x[9] = -0.f;
  std::vector<float> y = test::poisoned(n);
  backend->relu(x.data(), int64_t(n), y.data());
  for (size_t i = 0; i < n; ++i) {
    if (i == 7) {
      CHECK(std::isnan(y[i]));
      continue;
    }
    CHECK(y[i] == (x[i] > 0 ? x[i] : 0.f));
  }
  std::vector<float> in_place = x;
  backend->relu(in_place.data(), int64_t(n), in_place.data());
  for (size_t i = 0; i < n; ++i) CHECK((i == 7 ? std::isnan(in_place[i]) : in_place[i] == y[i]));

  std::vector<float> grad = test::random_normal(n, seed + 1);
  const std::vector<float> upstream = grad;
  backend->relu_backward(y.data(), int64_t(n), grad.data());
  for (size_t i = 0; i < n; ++i) CHECK(grad[i] == (y[i] > 0 ? upstream[i] : 0.f));
}

TEST_CASE("relu backward matches finite differences of the forward", "[relu]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  auto backend = make_cpu_backend();
  const size_t n = 257;
  const std::vector<float> x = test::random_normal(n, seed);
  std::vector<float> y(n), grad = test::random_normal(n, seed + 1);
  const auto g = test::as_double(grad);
  backend->relu(x.data(), int64_t(n), y.data());
  backend->relu_backward(y.data(), int64_t(n), grad.data());
  const auto loss = [&](const std::vector<double>& v) {
    double sum = 0;
    for (size_t i = 0; i < v.size(); ++i) sum += g[i] * std::max(v[i], 0.0);
    return sum;
  };
  const auto fd = test::central_differences(loss, test::as_double(x));
  CHECK(test::relative_error(grad.data(), fd.data(), n) <= 1e-8);
}
