// L-BFGS (host/pipeline/lbfgs.cpp) and its strong-Wolfe line search (host/pipeline/line_search.cpp)
// on the CPU backend, with objectives whose minimisers are known.
#include <catch2/catch.hpp>

#include <cmath>
#include <functional>
#include <limits>

#include "audiostyle/errors.h"
#include "host/pipeline/line_search.h"
#include "host/pipeline/optimizer.h"
#include "tests/pipeline/optimizer_fixtures.h"
#include "tests/support.h"

using namespace audiostyle;
using namespace audiostyle::test;

namespace {

// The standard start (-1.2, 1, -1.2, 1, ...).
std::vector<float> rosenbrock_start(int64_t n) {
  std::vector<float> x0(static_cast<size_t>(n));
  for (size_t i = 0; i < x0.size(); ++i) x0[i] = i % 2 == 0 ? -1.2f : 1.f;
  return x0;
}

struct Run {
  OptimizerResult result;
  std::vector<IterationReport> reports;
  std::vector<size_t> accepted;  // record index of x_0, x_1, ...: the last evaluation per report
  std::vector<float> x;
};

Run run_lbfgs(Backend& backend, HostObjective& objective, const std::vector<float>& x0,
              const LbfgsOptions& options) {
  Run run;
  Buffer<float> x(backend, int64_t(x0.size()));
  x.upload(x0);
  auto optimizer = make_lbfgs(backend, int64_t(x0.size()), options);
  run.accepted.push_back(0);
  run.result = optimizer->minimize(objective, x.get(), [&](const IterationReport& report) {
    run.reports.push_back(report);
    run.accepted.push_back(objective.records.size() - 1);
  });
  run.x = x.download();
  return run;
}

// Strong Wolfe conditions for every accepted step, from the recorded evaluations. The optimiser
// tested them on t d; the test sees the step x_{k+1} - x_k actually taken in float, which differs
// from t d by float rounding of t, t d_i and x_i + t d_i. `slack` bounds what that rounding can
// do to g.s, so a real violation still fails.
void check_strong_wolfe(const Run& run, const HostObjective& objective,
                        const LbfgsOptions& options) {
  const auto slack = [](const std::vector<double>& g, const std::vector<double>& x0,
                        const std::vector<double>& x1) {
    double bound = 0;
    for (size_t i = 0; i < g.size(); ++i)
      bound += std::fabs(g[i]) * 0x1p-23 *
               (std::fabs(x1[i] - x0[i]) + std::fabs(x0[i]) + std::fabs(x1[i]));
    return bound;
  };
  int violations = 0;
  for (size_t k = 0; k + 1 < run.accepted.size(); ++k) {
    const auto& before = objective.records[run.accepted[k]];
    const auto& after = objective.records[run.accepted[k + 1]];
    double slope_before = 0, slope_after = 0;
    for (size_t i = 0; i < before.x.size(); ++i) {
      const double s = after.x[i] - before.x[i];
      slope_before += before.g[i] * s;
      slope_after += after.g[i] * s;
    }
    const double slack_before = slack(before.g, before.x, after.x);
    const double slack_after = slack(after.g, before.x, after.x);
    const bool sufficient = after.f <= before.f + options.c1 * (slope_before + slack_before) +
                                           1e-15 * std::fabs(before.f);
    const bool curvature = std::fabs(slope_after) <=
                           options.c2 * (std::fabs(slope_before) + slack_before) + slack_after;
    if (!sufficient || !curvature || !(slope_before < slack_before)) {
      ++violations;
      UNSCOPED_INFO("iteration " << k + 1 << ": f " << before.f << " -> " << after.f << ", g.s "
                                 << slope_before << " -> " << slope_after << ", slack "
                                 << slack_before << ", " << slack_after);
    }
    CHECK(run.reports[k].step > 0);
  }
  CHECK(violations == 0);
}

void check_monotone(const Run& run, double f0) {
  double previous = f0;
  for (const IterationReport& report : run.reports) {
    CHECK(report.values[0] <= previous);
    previous = report.values[0];
  }
}

double max_offset_from_one(const std::vector<float>& x) {
  double worst = 0;
  for (const float value : x) worst = std::max(worst, std::fabs(double(value) - 1.0));
  return worst;
}

}  // namespace

TEST_CASE("L-BFGS minimises the 2-D Rosenbrock function from (-1.2, 1)", "[pipeline][lbfgs]") {
  auto cpu = make_cpu_backend();
  HostObjective objective(*cpu, 2, rosenbrock);
  const LbfgsOptions options;  // scipy L-BFGS-B defaults: m = 10, ftol 2.2e-9, gtol 1e-5
  const Run run = run_lbfgs(*cpu, objective, {-1.2f, 1.f}, options);
  INFO("iterations " << run.result.iterations << ", evaluations " << run.result.evaluations
                     << ", stop " << run.result.stop_reason << ", f " << run.result.values[0]);
  // scipy 1.17 L-BFGS-B (float64) from the same start: 36 iterations, 44 evaluations.
  CHECK(run.result.iterations <= 60);
  CHECK((run.result.stop_reason == "gtol" || run.result.stop_reason == "ftol"));
  CHECK(max_offset_from_one(run.x) <= 1e-4);
  CHECK(run.result.values[0] <= 1e-8);
  CHECK(run.result.evaluations == int(objective.records.size()));
  REQUIRE(int(run.reports.size()) == run.result.iterations);
  check_monotone(run, objective.records[0].f);
  check_strong_wolfe(run, objective, options);
}

TEST_CASE("L-BFGS minimises the 100-D chained Rosenbrock function", "[pipeline][lbfgs]") {
  auto cpu = make_cpu_backend();
  const int64_t n = 100;
  HostObjective objective(*cpu, n, rosenbrock);
  const std::vector<float> x0 = rosenbrock_start(n);
  LbfgsOptions options;
  options.max_iterations = 2000;
  const Run run = run_lbfgs(*cpu, objective, x0, options);
  INFO("iterations " << run.result.iterations << ", evaluations " << run.result.evaluations
                     << ", stop " << run.result.stop_reason << ", f " << run.result.values[0]);
  // scipy 1.17 L-BFGS-B (float64) from the same start: 513 iterations, 613 evaluations.
  CHECK(run.result.iterations <= 800);
  CHECK((run.result.stop_reason == "gtol" || run.result.stop_reason == "ftol"));
  CHECK(max_offset_from_one(run.x) <= 1e-4);
  check_monotone(run, objective.records[0].f);
  check_strong_wolfe(run, objective, options);
}

TEST_CASE("L-BFGS finds the minimiser of an ill-conditioned quadratic", "[pipeline][lbfgs]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  auto cpu = make_cpu_backend();
  const int64_t n = 500;
  const Quadratic quadratic(n, seed);
  HostObjective objective(*cpu, n, std::cref(quadratic));
  const LbfgsOptions options;
  const Run run = run_lbfgs(*cpu, objective, test::random_uniform(size_t(n), seed + 1, -3.f, 3.f),
                            options);
  INFO("iterations " << run.result.iterations << ", stop " << run.result.stop_reason);
  CHECK((run.result.stop_reason == "gtol" || run.result.stop_reason == "ftol"));
  double worst = 0;
  for (size_t i = 0; i < size_t(n); ++i)
    worst = std::max(worst, std::fabs(double(run.x[i]) - double(quadratic.centre[i])));
  CHECK(worst <= 1e-4);
  CHECK(run.result.iterations <= 100);
  check_monotone(run, objective.records[0].f);
  check_strong_wolfe(run, objective, options);
}

TEST_CASE("L-BFGS stops exactly at max_iterations and returns the last iterate",
          "[pipeline][lbfgs]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  auto cpu = make_cpu_backend();
  const int64_t n = 300;
  const Quadratic quadratic(n, seed);
  HostObjective objective(*cpu, n, std::cref(quadratic));
  LbfgsOptions options;
  options.max_iterations = 5;
  const Run run = run_lbfgs(*cpu, objective, test::random_uniform(size_t(n), seed + 1, -3.f, 3.f),
                            options);
  CHECK(run.result.stop_reason == "max iterations");
  CHECK(run.result.iterations == 5);
  REQUIRE(run.reports.size() == 5);
  for (int k = 0; k < 5; ++k) CHECK(run.reports[size_t(k)].iteration == k + 1);
  // x on return is the last accepted iterate and its reported value is f(x).
  std::vector<double> x(run.x.begin(), run.x.end()), g(static_cast<size_t>(n));
  CHECK(quadratic(x, g) == run.result.values[0]);
  CHECK(run.result.values == run.reports.back().values);
}

TEST_CASE("L-BFGS respects max_evaluations and returns the best accepted point",
          "[pipeline][lbfgs]") {
  auto cpu = make_cpu_backend();
  for (const int budget : {1, 2, 7, 20}) {
    INFO("max_evaluations " << budget);
    HostObjective objective(*cpu, 2, rosenbrock);
    LbfgsOptions options;
    options.max_evaluations = budget;
    const Run run = run_lbfgs(*cpu, objective, {-1.2f, 1.f}, options);
    CHECK(run.result.stop_reason == "max evaluations");
    CHECK(run.result.evaluations <= budget);
    CHECK(int(objective.records.size()) == run.result.evaluations);
    // The returned x is the last accepted point (x_0 if none), not a rejected trial.
    const auto& best = objective.records[run.accepted.back()];
    CHECK(std::vector<double>(run.x.begin(), run.x.end()) == best.x);
    CHECK(run.result.values[0] == best.f);
  }
}

TEST_CASE("L-BFGS reports every value of a multi-valued objective", "[pipeline][lbfgs]") {
  auto cpu = make_cpu_backend();
  HostObjective objective(*cpu, 2, rosenbrock, 3);
  const Run run = run_lbfgs(*cpu, objective, {-1.2f, 1.f}, LbfgsOptions{});
  REQUIRE(!run.reports.empty());
  REQUIRE(run.accepted.size() == run.reports.size() + 1);
  // Each report describes the point the optimiser accepted (its last evaluation before the report),
  // as the objective saw it: f, the extra values in their slots, max |g| and the step taken.
  for (size_t k = 0; k < run.reports.size(); ++k) {
    const IterationReport& report = run.reports[k];
    const auto& before = objective.records[run.accepted[k]];
    const auto& after = objective.records[run.accepted[k + 1]];
    INFO("iteration " << k + 1);
    CHECK(report.iteration == int(k) + 1);
    CHECK(report.evaluations == int(run.accepted[k + 1]) + 1);
    REQUIRE(report.values.size() == 3);
    CHECK(report.values[0] == after.f);
    CHECK(report.values[1] == after.f / 2);
    CHECK(report.values[2] == after.f / 2);
    double grad_max = 0;
    for (double g : after.g) grad_max = std::max(grad_max, std::fabs(g));
    CHECK(report.grad_max == grad_max);
    // The step length t along d: x_{k+1} - x_k = t d. Steepest descent at the start (d = -g_0):
    // t = |x_1 - x_0| / |g_0|, scipy's first step 1 / ||g_0|| accepted or shortened.
    if (k == 0) {
      double moved = 0, g0 = 0;
      for (size_t i = 0; i < before.x.size(); ++i) {
        moved += (after.x[i] - before.x[i]) * (after.x[i] - before.x[i]);
        g0 += before.g[i] * before.g[i];
      }
      CHECK(report.step == Approx(std::sqrt(moved / g0)).epsilon(1e-5));
      CHECK(report.step <= 1 / std::sqrt(g0) * (1 + 1e-6));
    }
  }
  CHECK(run.result.values == run.reports.back().values);
  CHECK(run.result.evaluations == int(objective.records.size()));
}

TEST_CASE("L-BFGS stops when the callback throws and propagates the exception",
          "[pipeline][lbfgs]") {
  auto cpu = make_cpu_backend();
  HostObjective objective(*cpu, 2, rosenbrock);
  Buffer<float> x(*cpu, 2);
  x.upload({-1.2f, 1.f});
  auto optimizer = make_lbfgs(*cpu, 2, LbfgsOptions{});
  int calls = 0;
  CHECK_THROWS_AS(optimizer->minimize(objective, x.get(),
                                      [&](const IterationReport& report) {
                                        ++calls;
                                        if (report.iteration == 3) throw Interrupted("stop");
                                      }),
                  Interrupted);
  CHECK(calls == 3);
  const size_t evaluations_at_stop = objective.records.size();
  // The optimiser is reusable after an interrupted run: it restarts from x.
  const OptimizerResult again = optimizer->minimize(objective, x.get(), nullptr);
  CHECK((again.stop_reason == "gtol" || again.stop_reason == "ftol"));
  CHECK(objective.records.size() > evaluations_at_stop);
}

TEST_CASE("L-BFGS reads one download per evaluation and allocates nothing in minimize",
          "[pipeline][lbfgs]") {
  auto cpu = make_cpu_backend();
  CountingBackend counting(*cpu);
  const int64_t n = 100;
  HostObjective objective(*cpu, n, rosenbrock);  // the objective's own traffic is not counted
  Buffer<float> x(*cpu, n);
  const std::vector<float> x0 = rosenbrock_start(n);
  x.upload(x0);
  LbfgsOptions options;
  options.max_iterations = 2000;
  auto optimizer = make_lbfgs(counting, n, options);
  CHECK(counting.allocated_bytes >= optimizer->state_bytes());
  counting.allocations = counting.downloads = counting.uploads = 0;

  const OptimizerResult result = optimizer->minimize(objective, x.get(), nullptr);
  INFO("evaluations " << result.evaluations << ", downloads " << counting.downloads);
  CHECK(result.evaluations > 100);
  CHECK(counting.downloads == result.evaluations);
  CHECK(counting.allocations == 0);
  CHECK(counting.uploads <= 1);  // H0 = I once per run (more only on a non-descent reset)
}

TEST_CASE("L-BFGS resets to steepest descent when the direction is not a descent direction",
          "[pipeline][lbfgs]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  auto cpu = make_cpu_backend();
  CountingBackend counting(*cpu);
  counting.sabotage_direction_call = 1;  // the second L-BFGS direction comes back as +H g
  const int64_t n = 200;
  const Quadratic quadratic(n, seed);
  HostObjective objective(*cpu, n, std::cref(quadratic));
  const Run run = run_lbfgs(counting, objective,
                            test::random_uniform(size_t(n), seed + 1, -3.f, 3.f), LbfgsOptions{});
  CHECK((run.result.stop_reason == "gtol" || run.result.stop_reason == "ftol"));
  REQUIRE(counting.direction_history_counts.size() >= 3);
  // Call 0 sees the pair from the first (steepest) step, call 1 two pairs and is sabotaged; the
  // reset empties the history, a steepest step adds one pair, so call 2 sees one pair again.
  CHECK(counting.direction_history_counts[0] == 1);
  CHECK(counting.direction_history_counts[1] == 2);
  CHECK(counting.direction_history_counts[2] == 1);
  CHECK(counting.uploads == 3);  // x_0, then H0 = I at the start and at the reset
  check_monotone(run, objective.records[0].f);
  check_strong_wolfe(run, objective, LbfgsOptions{});
}

TEST_CASE("L-BFGS stops at once when the start satisfies gtol", "[pipeline][lbfgs]") {
  auto cpu = make_cpu_backend();
  HostObjective objective(*cpu, 2, rosenbrock);
  const Run run = run_lbfgs(*cpu, objective, {1.f, 1.f}, LbfgsOptions{});
  CHECK(run.result.stop_reason == "gtol");
  CHECK(run.result.iterations == 0);
  CHECK(run.result.evaluations == 1);
  CHECK(run.result.values[0] == 0.0);
}

TEST_CASE("L-BFGS rejects a non-finite start and invalid options", "[pipeline][lbfgs]") {
  auto cpu = make_cpu_backend();
  HostObjective objective(*cpu, 2, rosenbrock);
  Buffer<float> x(*cpu, 2);
  x.upload({std::numeric_limits<float>::quiet_NaN(), 1.f});
  auto optimizer = make_lbfgs(*cpu, 2, LbfgsOptions{});
  CHECK_THROWS_AS(optimizer->minimize(objective, x.get(), nullptr), Error);
  LbfgsOptions bad;
  bad.history = 0;
  CHECK_THROWS_AS(make_lbfgs(*cpu, 2, bad), UsageError);
  bad = LbfgsOptions{};
  bad.c2 = bad.c1 / 2;
  CHECK_THROWS_AS(make_lbfgs(*cpu, 2, bad), UsageError);
}

// --- The line search on its own, on 1-D functions with known answers ----------------------------

namespace {

struct LineFunction {
  std::function<double(double)> value, slope;
  int evaluations = 0;
  LinePoint at(double step) {
    ++evaluations;
    return {step, value(step), slope(step)};
  }
};

}  // namespace

TEST_CASE("strong_wolfe_search extrapolates, zooms and keeps the last trial as the answer",
          "[pipeline][line_search]") {
  SECTION("extrapolation to a far minimum") {
    // phi(t) = (t - 10)^2 / 100 with c2 = 0.1: Wolfe points lie in [9, 11].
    LineFunction phi{[](double t) { return (t - 10) * (t - 10) / 100; },
                     [](double t) { return (t - 10) / 50; }};
    const LineSearchOptions options{1e-4, 0.1, 20};
    LinePoint last;
    const LineSearchResult result = strong_wolfe_search(
        phi.at(0), phi.at(1),
        [&](double t, LinePoint& out) { return (out = last = phi.at(t)), true; }, options);
    CHECK(result.status == LineSearchStatus::converged);
    CHECK(result.point.step >= 9);
    CHECK(result.point.step <= 11);
    CHECK(result.point.step == last.step);
    CHECK(result.evaluations == phi.evaluations - 1);  // phi.at(0) is the origin, not a trial
  }
  SECTION("zoom into a near minimum") {
    // phi(t) = (t - 0.01)^2: the unit trial overshoots 100-fold.
    LineFunction phi{[](double t) { return (t - 0.01) * (t - 0.01); },
                     [](double t) { return 2 * (t - 0.01); }};
    const LineSearchOptions options{1e-4, 0.9, 20};
    LinePoint last;
    const LineSearchResult result = strong_wolfe_search(
        phi.at(0), phi.at(1),
        [&](double t, LinePoint& out) { return (out = last = phi.at(t)), true; }, options);
    REQUIRE(result.status == LineSearchStatus::converged);
    const LinePoint origin = {0, 1e-4, -0.02};
    CHECK(result.point.value <= origin.value + 1e-4 * result.point.step * origin.slope);
    CHECK(std::fabs(result.point.slope) <= 0.9 * std::fabs(origin.slope));
    CHECK(result.point.step == last.step);
  }
  SECTION("backing away from a non-finite trial") {
    // f overflows beyond t = 0.5; the minimum is at 0.3.
    LineFunction phi{[](double t) {
                       return t > 0.5 ? std::numeric_limits<double>::infinity()
                                      : (t - 0.3) * (t - 0.3);
                     },
                     [](double t) {
                       return t > 0.5 ? std::numeric_limits<double>::quiet_NaN() : 2 * (t - 0.3);
                     }};
    const LineSearchResult result = strong_wolfe_search(
        phi.at(0), phi.at(1), [&](double t, LinePoint& out) { return (out = phi.at(t)), true; },
        LineSearchOptions{});
    REQUIRE(result.status == LineSearchStatus::converged);
    CHECK(std::isfinite(result.point.value));
    CHECK(std::fabs(result.point.slope) <= 0.9 * 0.6);
  }
  SECTION("a refused trial reports exhaustion") {
    LineFunction phi{[](double t) { return (t - 0.01) * (t - 0.01); },
                     [](double t) { return 2 * (t - 0.01); }};
    const LineSearchResult result = strong_wolfe_search(
        phi.at(0), phi.at(1), [](double, LinePoint&) { return false; }, LineSearchOptions{});
    CHECK(result.status == LineSearchStatus::exhausted);
    CHECK(result.evaluations == 1);
  }
  SECTION("a function that never satisfies curvature fails within the trial budget") {
    // Linear, unbounded below: sufficient decrease always holds, curvature never does.
    LineFunction phi{[](double t) { return -t; }, [](double) { return -1.0; }};
    const LineSearchResult result = strong_wolfe_search(
        phi.at(0), phi.at(1), [&](double t, LinePoint& out) { return (out = phi.at(t)), true; },
        LineSearchOptions{1e-4, 0.9, 7});
    CHECK(result.status == LineSearchStatus::failed);
    CHECK(result.evaluations == 7);
  }
}

TEST_CASE("cubic_minimizer is exact on a quadratic and clamps", "[pipeline][line_search]") {
  // phi(t) = (t - 2)^2 sampled at 0 and 1: minimiser 2.
  const LinePoint a{0, 4, -4}, b{1, 1, -2};
  CHECK(cubic_minimizer(a, b, 0, 10, -1) == Approx(2.0).epsilon(1e-14));
  CHECK(cubic_minimizer(b, a, 0, 10, -1) == Approx(2.0).epsilon(1e-14));
  CHECK(cubic_minimizer(a, b, 0, 1.5, -1) == 1.5);
  // phi(t) = t^3 - 3t, local minimiser 1, sampled at -2 and 3.
  const LinePoint c{-2, -2, 9}, d{3, 18, 24};
  CHECK(cubic_minimizer(c, d, -2, 3, -1) == Approx(1.0).epsilon(1e-14));
  // A cubic without a local minimiser: the fallback.
  // Rising with slope 1 at both ends but only 0.7 on average: an inflection, no local minimum.
  const LinePoint e{0, 0, 1}, f{1, 0.7, 1};
  const double d1 = e.slope + f.slope - 3 * (e.value - f.value) / (e.step - f.step);
  REQUIRE(d1 * d1 - e.slope * f.slope < 0);
  CHECK(cubic_minimizer(e, f, 0, 1, -1) == -1);
}
