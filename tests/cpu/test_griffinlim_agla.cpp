// The accelerated Griffin-Lim update (host/cpu/griffinlim_agla.cpp): against the formulas of Nenov
// et al. (2023) written out in double here, and the identity that with gamma = 1 it is fast
// Griffin-Lim's update with momentum alpha (the direction of t + a (t - t_prev) is that of
// t - a / (1 + a) t_prev).
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "host/cpu/cpu_ops.h"
#include "tests/support.h"

namespace audiostyle {

TEST_CASE("agla update follows Nenov et al.'s three-sequence recursion", "[griffinlim][agla]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  const int64_t count = 4099;
  const auto rebuilt = test::random_normal(size_t(2 * count), seed);
  const auto previous = test::random_normal(size_t(2 * count), seed + 1);
  const auto extrapolated = test::random_normal(size_t(2 * count), seed + 2);
  const double alpha = 0.99, beta = 1.1, gamma = 1.25;
  std::vector<double> t(size_t(2 * count)), d(size_t(2 * count)), c(size_t(2 * count));
  for (size_t j = 0; j < t.size(); ++j) {
    t[j] = (1 - gamma) * extrapolated[j] + gamma * rebuilt[j];
    c[j] = t[j] + alpha * (t[j] - previous[j]);
    d[j] = t[j] + beta * (t[j] - previous[j]);
  }
  std::vector<double> angles_ref(size_t(2 * count));
  for (int64_t i = 0; i < count; ++i) {
    const double norm = std::hypot(c[size_t(2 * i)], c[size_t(2 * i + 1)]) + 1e-16;
    angles_ref[size_t(2 * i)] = c[size_t(2 * i)] / norm;
    angles_ref[size_t(2 * i + 1)] = c[size_t(2 * i + 1)] / norm;
  }
  auto previous_out = previous, extrapolated_out = extrapolated;
  auto angles = test::poisoned(size_t(2 * count));
  cpu::griffinlim_agla_update(rebuilt.data(), previous_out.data(), extrapolated_out.data(),
                              angles.data(), count, float(alpha), float(beta), float(gamma));
  // float inputs, double arithmetic, one rounding per output: a few float ulps at most.
  CHECK(test::relative_error(angles.data(), angles_ref.data(), angles_ref.size()) <= 1e-6);
  CHECK(test::relative_error(previous_out.data(), t.data(), t.size()) <= 1e-6);
  CHECK(test::relative_error(extrapolated_out.data(), d.data(), d.size()) <= 1e-6);
}

TEST_CASE("agla with gamma 1 is fast Griffin-Lim's update", "[griffinlim][agla]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  const int64_t count = 2053;
  const auto rebuilt = test::random_normal(size_t(2 * count), seed);
  const auto previous = test::random_normal(size_t(2 * count), seed + 1);
  const auto extrapolated = test::random_normal(size_t(2 * count), seed + 2);
  const float momentum = 0.99f;
  auto previous_fgla = previous;
  auto angles_fgla = test::poisoned(size_t(2 * count));
  cpu::griffinlim_update(rebuilt.data(), previous_fgla.data(), angles_fgla.data(), count,
                         momentum);
  auto previous_agla = previous, extrapolated_agla = extrapolated;
  auto angles_agla = test::poisoned(size_t(2 * count));
  cpu::griffinlim_agla_update(rebuilt.data(), previous_agla.data(), extrapolated_agla.data(),
                              angles_agla.data(), count, momentum, 1.1f, 1.0f);
  CHECK(test::relative_error(angles_agla, angles_fgla) <= 1e-6);
  CHECK(previous_agla == rebuilt);  // t = rebuilt when gamma = 1
}

}  // namespace audiostyle
