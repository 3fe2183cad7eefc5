// Adam: the fused step (host/cpu/adam.cpp) and the optimiser (host/pipeline/adam.cpp) against a
// double-precision reference of Kingma & Ba's bias-corrected update, plus convergence on
// Rosenbrock and the return-the-best-point contract.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "audiostyle/errors.h"
#include "host/cpu/cpu_ops.h"
#include "host/pipeline/optimizer.h"
#include "tests/pipeline/optimizer_fixtures.h"
#include "tests/support.h"

using namespace audiostyle;
using namespace audiostyle::test;

namespace {

// The textbook update in double: m, v, x advanced in place.
void adam_reference(std::vector<double>& x, const std::vector<double>& g, std::vector<double>& m,
                    std::vector<double>& v, const AdamOptions& o, int step) {
  const double b1 = o.beta1, b2 = o.beta2;
  for (size_t i = 0; i < x.size(); ++i) {
    m[i] = b1 * m[i] + (1 - b1) * g[i];
    v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
    const double m_hat = m[i] / (1 - std::pow(b1, step));
    const double v_hat = v[i] / (1 - std::pow(b2, step));
    x[i] -= double(o.learning_rate) * m_hat / (std::sqrt(v_hat) + double(o.eps));
  }
}

std::vector<double> widen(const std::vector<float>& v) { return {v.begin(), v.end()}; }

// The displacement x_out - x_in against the reference's: x itself would hide an error in a small
// update behind its own magnitude.
double displacement_error(const std::vector<float>& out, const std::vector<float>& start,
                          const std::vector<double>& ref) {
  double num = 0, den = 0;
  for (size_t i = 0; i < out.size(); ++i) {
    if (!std::isfinite(out[i])) return std::numeric_limits<double>::infinity();
    const double moved = double(out[i]) - start[i], ref_moved = ref[i] - start[i];
    num += (moved - ref_moved) * (moved - ref_moved);
    den += ref_moved * ref_moved;
  }
  return std::sqrt(num / den);
}

}  // namespace

TEST_CASE("adam_step matches the double-precision update", "[cpu][adam]") {
  const uint64_t seed = fresh_seed();
  INFO("seed " << seed);
  const size_t n = 10000;
  AdamOptions options;
  options.learning_rate = 0.05f;

  SECTION("five steps from zero moments (bias correction at work)") {
    const std::vector<float> x0 = random_uniform(n, seed, -2.f, 2.f);
    std::vector<float> x = x0, m(n, 0.f), v(n, 0.f);
    std::vector<double> x_ref = widen(x0), m_ref(n, 0.0), v_ref(n, 0.0);
    for (int step = 1; step <= 5; ++step) {
      // Gradients spanning four decades, so eps and sqrt(v) both matter somewhere.
      std::vector<float> g = random_normal(n, seed + uint64_t(step));
      for (size_t i = 0; i < n; ++i) g[i] *= std::pow(10.f, float(i % 5) - 3.f);
      cpu::adam_step(int64_t(n), x.data(), g.data(), m.data(), v.data(), options.learning_rate,
                     options.beta1, options.beta2, options.eps, step);
      adam_reference(x_ref, widen(g), m_ref, v_ref, options, step);
    }
    CHECK(displacement_error(x, x0, x_ref) <= 1e-5);
    CHECK(relative_error(m.data(), m_ref.data(), n) <= 1e-6);
    CHECK(relative_error(v.data(), v_ref.data(), n) <= 1e-6);
  }
  SECTION("a late step from random moments") {
    const std::vector<float> x0 = random_uniform(n, seed, -2.f, 2.f);
    const std::vector<float> g = random_normal(n, seed + 1);
    std::vector<float> m = random_normal(n, seed + 2, 0.1f);
    std::vector<float> v = random_uniform(n, seed + 3, 1e-4f, 1.f);
    std::vector<double> x_ref = widen(x0), m_ref = widen(m), v_ref = widen(v);
    std::vector<float> x = x0;
    cpu::adam_step(int64_t(n), x.data(), g.data(), m.data(), v.data(), options.learning_rate,
                   options.beta1, options.beta2, options.eps, 1000);
    adam_reference(x_ref, widen(g), m_ref, v_ref, options, 1000);
    CHECK(displacement_error(x, x0, x_ref) <= 1e-5);
    CHECK(relative_error(m.data(), m_ref.data(), n) <= 1e-6);
    CHECK(relative_error(v.data(), v_ref.data(), n) <= 1e-6);
  }
  SECTION("step 0 is rejected") {
    std::vector<float> x(4, 1.f), g(4, 1.f), m(4, 0.f), v(4, 0.f);
    CHECK_THROWS_AS(cpu::adam_step(4, x.data(), g.data(), m.data(), v.data(), 0.1f, 0.9f, 0.999f,
                                   1e-8f, 0),
                    Error);
  }
}

TEST_CASE("Adam's iterates match a double-precision reference run", "[pipeline][adam]") {
  const uint64_t seed = fresh_seed();
  INFO("seed " << seed);
  auto cpu = make_cpu_backend();
  const int64_t n = 2000;
  const Quadratic quadratic(n, seed);
  HostObjective objective(*cpu, n, std::cref(quadratic));
  AdamOptions options;
  options.iterations = 6;
  options.learning_rate = 0.05f;
  const std::vector<float> x0 = random_uniform(size_t(n), seed + 1, -3.f, 3.f);
  Buffer<float> x(*cpu, n);
  x.upload(x0);
  std::vector<double> reported;
  const OptimizerResult result = make_adam(*cpu, n, options)->minimize(
      objective, x.get(), [&](const IterationReport& r) { reported.push_back(r.values[0]); });
  REQUIRE(reported.size() == 6);
  REQUIRE(objective.records.size() == 7);  // 6 iterations + the final point

  // The reference steps from each recorded point with the gradient the optimiser was given
  // there, so every iterate is compared with one exact step of the textbook update.
  std::vector<double> m_ref(size_t(n), 0.0), v_ref(size_t(n), 0.0);
  for (int step = 1; step <= 6; ++step) {
    const auto& here = objective.records[size_t(step - 1)];
    std::vector<double> x_ref = here.x;
    adam_reference(x_ref, here.g, m_ref, v_ref, options, step);
    const auto& next = objective.records[size_t(step)];
    std::vector<float> next_x(next.x.begin(), next.x.end()), here_x(here.x.begin(), here.x.end());
    INFO("step " << step);
    CHECK(displacement_error(next_x, here_x, x_ref) <= 1e-5);
    CHECK(reported[size_t(step - 1)] == here.f);
  }
  CHECK(result.iterations == 6);
  CHECK(result.evaluations == 7);
  CHECK(result.stop_reason == "max iterations");
}

TEST_CASE("Adam minimises the 2-D Rosenbrock function and returns the best point",
          "[pipeline][adam]") {
  auto cpu = make_cpu_backend();
  HostObjective objective(*cpu, 2, rosenbrock);
  AdamOptions options;
  options.iterations = 5000;  // float64 Adam with lr 0.01 is within 1e-2 after ~3750 steps
  options.learning_rate = 0.01f;
  Buffer<float> x(*cpu, 2);
  x.upload({-1.2f, 1.f});
  int reports = 0;
  const OptimizerResult result = make_adam(*cpu, 2, options)->minimize(
      objective, x.get(), [&](const IterationReport& r) {
        ++reports;
        CHECK(r.iteration == reports);
      });
  const std::vector<float> x_out = x.download();
  INFO("x = (" << x_out[0] << ", " << x_out[1] << "), f = " << result.values[0]);
  CHECK(std::fabs(x_out[0] - 1.0) <= 1e-2);
  CHECK(std::fabs(x_out[1] - 1.0) <= 1e-2);
  CHECK(reports == 5000);
  CHECK(result.evaluations == 5001);

  // The returned point is the lowest-f point evaluated, with its values.
  size_t best = 0;
  for (size_t i = 1; i < objective.records.size(); ++i)
    if (objective.records[i].f < objective.records[best].f) best = i;
  CHECK(std::vector<double>(x_out.begin(), x_out.end()) == objective.records[best].x);
  CHECK(result.values[0] == objective.records[best].f);
}

TEST_CASE("Adam returns the best point when it overshoots", "[pipeline][adam]") {
  auto cpu = make_cpu_backend();
  // 0.5 x^2 from x = 1 with a step far too long for it: Adam oscillates around 0.
  HostObjective objective(*cpu, 1, [](const std::vector<double>& x, std::vector<double>& g) {
    g[0] = x[0];
    return 0.5 * x[0] * x[0];
  });
  AdamOptions options;
  options.iterations = 30;
  options.learning_rate = 0.7f;
  Buffer<float> x(*cpu, 1);
  x.upload({1.f});
  const OptimizerResult result = make_adam(*cpu, 1, options)->minimize(objective, x.get(), nullptr);
  size_t best = 0;
  for (size_t i = 1; i < objective.records.size(); ++i)
    if (objective.records[i].f < objective.records[best].f) best = i;
  REQUIRE(best + 1 < objective.records.size());  // the run really did get worse after its best
  CHECK(double(x.download()[0]) == objective.records[best].x[0]);
  CHECK(result.values[0] == objective.records[best].f);
}

TEST_CASE("Adam reads one download per evaluation and allocates nothing in minimize",
          "[pipeline][adam]") {
  auto cpu = make_cpu_backend();
  CountingBackend counting(*cpu);
  HostObjective objective(*cpu, 2, rosenbrock, 3);
  Buffer<float> x(*cpu, 2);
  x.upload({-1.2f, 1.f});
  AdamOptions options;
  options.iterations = 50;
  auto optimizer = make_adam(counting, 2, options);
  CHECK(counting.allocated_bytes >= optimizer->state_bytes());
  counting.allocations = counting.downloads = counting.uploads = 0;
  const OptimizerResult result = optimizer->minimize(
      objective, x.get(), [](const IterationReport& r) { REQUIRE(r.values.size() == 3); });
  CHECK(counting.downloads == result.evaluations);
  CHECK(counting.allocations == 0);
  CHECK(counting.uploads == 0);
  CHECK(result.values.size() == 3);
}
