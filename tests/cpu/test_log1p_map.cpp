// log1p and expm1 of real values and their chain rule (the mel front end's maps): the double
// reference rounded once, in place allowed, and the chain rule against finite differences.
#include <catch2/catch.hpp>

#include <cmath>

#include "audiostyle/backend.h"
#include "tests/cpu/finite_difference.h"
#include "tests/support.h"

using namespace audiostyle;

TEST_CASE("log1p_map, expm1_map: the double reference rounded once, in place too",
          "[log1p_map]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  auto backend = make_cpu_backend();
  const size_t n = 1001;
  const std::vector<float> x = test::random_uniform(n, seed, -0.9f, 4.f);
  std::vector<float> log1p_out = test::poisoned(n), expm1_out = test::poisoned(n);
  backend->log1p_map(x.data(), int64_t(n), log1p_out.data());
  backend->expm1_map(x.data(), int64_t(n), expm1_out.data());
  for (size_t i = 0; i < n; ++i) {
    CHECK(log1p_out[i] == float(std::log1p(double(x[i]))));
    CHECK(expm1_out[i] == float(std::expm1(double(x[i]))));
  }
  std::vector<float> in_place = x;
  backend->expm1_map(in_place.data(), int64_t(n), in_place.data());
  CHECK(in_place == expm1_out);
  backend->log1p_map(in_place.data(), int64_t(n), in_place.data());
  CHECK(test::relative_error(in_place, x) <= 1e-6);  // log1p(expm1(x)) = x
}

TEST_CASE("one_plus_scale is the chain rule of expm1_map and log1p_map (finite differences)",
          "[log1p_map]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  auto backend = make_cpu_backend();
  const size_t n = 257;
  const std::vector<float> x = test::random_uniform(n, seed, -0.5f, 3.f);
  const std::vector<float> upstream = test::random_normal(n, seed + 1);
  const auto g = test::as_double(upstream);
  for (const bool log1p : {false, true}) {
    INFO((log1p ? "log1p" : "expm1"));
    std::vector<float> y(n), grad = upstream;
    if (log1p) {
      backend->log1p_map(x.data(), int64_t(n), y.data());
      backend->one_plus_scale(x.data(), int64_t(n), true, grad.data());  // v: the input
    } else {
      backend->expm1_map(x.data(), int64_t(n), y.data());
      backend->one_plus_scale(y.data(), int64_t(n), false, grad.data());  // v: the output
    }
    const auto loss = [&](const std::vector<double>& v) {
      double sum = 0;
      for (size_t i = 0; i < v.size(); ++i)
        sum += g[i] * (log1p ? std::log1p(v[i]) : std::expm1(v[i]));
      return sum;
    };
    const auto fd = test::central_differences(loss, test::as_double(x));
    CHECK(test::relative_error(grad.data(), fd.data(), n) <= 1e-6);
  }
}
