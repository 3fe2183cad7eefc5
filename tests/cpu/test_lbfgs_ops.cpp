// The L-BFGS ops (host/cpu/lbfgs.cpp): curvature test against double arithmetic, and the two-loop
// direction against the dense inverse-BFGS matrix built from the same pairs in double.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "host/cpu/cpu_ops.h"
#include "tests/support.h"

using namespace audiostyle;
using audiostyle::test::fresh_seed;
using audiostyle::test::random_normal;
using audiostyle::test::relative_error;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// A ring of `capacity` pairs of length n in host memory, everything poisoned.
struct Ring {
  Ring(int capacity, int64_t n)
      : s(size_t(capacity * n), float(kNaN)), y(size_t(capacity * n), float(kNaN)),
        rho(size_t(capacity), kNaN), alpha(size_t(capacity), kNaN) {
    h.s = s.data();
    h.y = y.data();
    h.rho = rho.data();
    h.alpha = alpha.data();
    h.gamma = &gamma;
    h.capacity = capacity;
    h.n = n;
  }
  float* s_of(int slot) { return s.data() + int64_t(slot) * h.n; }
  float* y_of(int slot) { return y.data() + int64_t(slot) * h.n; }
  std::vector<float> s, y;
  std::vector<double> rho, alpha;
  double gamma = kNaN;
  LbfgsHistory h;
};

double dot(const float* a, const float* b, int64_t n) {
  double sum = 0;
  for (int64_t i = 0; i < n; ++i) sum += double(a[i]) * double(b[i]);
  return sum;
}

// y = A s with A = I + B^T B / n symmetric positive definite (eigenvalues in [1, ~5]): pairs
// with the curvature of a real quadratic, plus a little noise.
std::vector<float> curved(const std::vector<float>& s, const std::vector<float>& b, int64_t n,
                          uint64_t seed) {
  std::vector<double> bs(static_cast<size_t>(n), 0.0);
  for (int64_t r = 0; r < n; ++r)
    for (int64_t c = 0; c < n; ++c) bs[size_t(r)] += double(b[size_t(r * n + c)]) * s[size_t(c)];
  const std::vector<float> noise = random_normal(size_t(n), seed, 1e-3f);
  std::vector<float> y(static_cast<size_t>(n));
  for (int64_t c = 0; c < n; ++c) {
    double ats = s[size_t(c)];
    for (int64_t r = 0; r < n; ++r) ats += double(b[size_t(r * n + c)]) * bs[size_t(r)] / double(n);
    y[size_t(c)] = float(ats + noise[size_t(c)]);
  }
  return y;
}

// -H g with H the BFGS inverse update applied to gamma I, pairs oldest to newest, skipping
// rho = 0: H <- (I - rho s y^T) H (I - rho y s^T) + rho s s^T. Dense, in double.
std::vector<double> dense_direction(const Ring& ring, const std::vector<float>& g) {
  const LbfgsHistory& h = ring.h;
  const size_t n = size_t(h.n);
  std::vector<double> H(n * n, 0.0), HV(n * n), next(n * n);
  for (size_t i = 0; i < n; ++i) H[i * n + i] = *h.gamma;
  for (int k = h.count - 1; k >= 0; --k) {
    const int slot = (h.newest - k + h.capacity) % h.capacity;
    const double rho = h.rho[size_t(slot)];
    if (rho == 0) continue;
    const float* s = h.s + int64_t(slot) * h.n;
    const float* y = h.y + int64_t(slot) * h.n;
    // HV = H (I - rho y s^T): HV[i][j] = H[i][j] - rho (H y)[i] s[j]
    std::vector<double> Hy(n, 0.0), yH(n, 0.0);
    for (size_t i = 0; i < n; ++i)
      for (size_t j = 0; j < n; ++j) Hy[i] += H[i * n + j] * y[j];
    for (size_t i = 0; i < n; ++i)
      for (size_t j = 0; j < n; ++j) HV[i * n + j] = H[i * n + j] - rho * Hy[i] * s[j];
    // next = (I - rho s y^T) HV + rho s s^T: next[i][j] = HV[i][j] - rho s[i] (y^T HV)[j] + ...
    for (size_t i = 0; i < n; ++i)
      for (size_t j = 0; j < n; ++j) yH[j] += y[i] * HV[i * n + j];
    for (size_t i = 0; i < n; ++i)
      for (size_t j = 0; j < n; ++j)
        next[i * n + j] = HV[i * n + j] - rho * s[i] * yH[j] + rho * double(s[i]) * s[j];
    H.swap(next);
  }
  std::vector<double> d(n, 0.0);
  for (size_t i = 0; i < n; ++i)
    for (size_t j = 0; j < n; ++j) d[i] -= H[i * n + j] * g[j];
  return d;
}

// Fills `count` pairs ending at ring index `newest`, oldest first; pair `invalid_age` (0 = newest,
// -1 = none) gets y = -s, negative curvature. rho and gamma are set in double, independently of
// the op under test, exactly as backend.h specifies.
void fill_pairs(Ring& ring, int count, int newest, int invalid_age, uint64_t seed) {
  const int64_t n = ring.h.n;
  const std::vector<float> b = random_normal(size_t(n * n), seed);
  ring.h.count = count;
  ring.h.newest = newest;
  ring.gamma = 1.0;
  for (int age = count - 1; age >= 0; --age) {
    const int slot = (newest - age + ring.h.capacity) % ring.h.capacity;
    const std::vector<float> s = random_normal(size_t(n), seed + 100 + uint64_t(age));
    std::vector<float> y = curved(s, b, n, seed + 200 + uint64_t(age));
    if (age == invalid_age)
      for (int64_t i = 0; i < n; ++i) y[size_t(i)] = -s[size_t(i)];
    std::copy(s.begin(), s.end(), ring.s_of(slot));
    std::copy(y.begin(), y.end(), ring.y_of(slot));
    const double sy = dot(s.data(), y.data(), n), yy = dot(y.data(), y.data(), n);
    ring.rho[size_t(slot)] = sy > 2.220446049250313e-16 * yy ? 1.0 / sy : 0.0;
    if (ring.rho[size_t(slot)] != 0) ring.gamma = sy / yy;
  }
}

}  // namespace

TEST_CASE("lbfgs_curvature sets rho and gamma of a valid pair", "[cpu][lbfgs]") {
  const uint64_t seed = fresh_seed();
  INFO("seed " << seed);
  const int64_t n = 1000;
  Ring ring(4, n);
  const std::vector<float> b = random_normal(size_t(n * n), seed);
  const std::vector<float> s = random_normal(size_t(n), seed + 1);
  const std::vector<float> y = curved(s, b, n, seed + 2);
  std::copy(s.begin(), s.end(), ring.s_of(3));
  std::copy(y.begin(), y.end(), ring.y_of(3));
  ring.h.newest = 3;
  ring.h.count = 4;
  cpu::lbfgs_curvature(ring.h);

  const double sy = dot(s.data(), y.data(), n), yy = dot(y.data(), y.data(), n);
  REQUIRE(sy > 0);
  CHECK(std::fabs(ring.rho[3] - 1 / sy) <= 1e-12 / sy);
  CHECK(std::fabs(ring.gamma - sy / yy) <= 1e-12 * sy / yy);
  // Only the newest pair's rho is written.
  for (int slot = 0; slot < 3; ++slot) CHECK(std::isnan(ring.rho[size_t(slot)]));
}

TEST_CASE("lbfgs_curvature rejects pairs without positive curvature", "[cpu][lbfgs]") {
  const uint64_t seed = fresh_seed();
  INFO("seed " << seed);
  const int64_t n = 257;
  Ring ring(2, n);
  const std::vector<float> s = random_normal(size_t(n), seed);
  ring.h.newest = 1;
  ring.h.count = 1;

  SECTION("s.y < 0") {
    for (int64_t i = 0; i < n; ++i) {
      ring.s_of(1)[i] = s[size_t(i)];
      ring.y_of(1)[i] = -0.5f * s[size_t(i)];
    }
  }
  SECTION("y = 0 (no change in gradient)") {
    for (int64_t i = 0; i < n; ++i) {
      ring.s_of(1)[i] = s[size_t(i)];
      ring.y_of(1)[i] = 0.f;
    }
  }
  ring.gamma = 0.75;  // the previous valid pair's scale must survive
  cpu::lbfgs_curvature(ring.h);
  CHECK(ring.rho[1] == 0.0);
  CHECK(ring.gamma == 0.75);
}

TEST_CASE("lbfgs_direction matches the dense inverse-BFGS matrix", "[cpu][lbfgs]") {
  const uint64_t seed = fresh_seed();
  INFO("seed " << seed);
  const int64_t n = 48;
  const int capacity = 5;

  struct Case {
    const char* name;
    int count, newest, invalid_age;
  };
  const Case cases[] = {
      {"full ring, wrapped, all valid", 5, 2, -1},
      {"full ring, wrapped, one invalid pair in the middle", 5, 1, 2},
      {"full ring, newest pair invalid", 5, 4, 0},
      {"partly filled ring", 3, 2, -1},
      {"one pair", 1, 0, -1},
      {"empty history: -gamma g", 0, -1, -1},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    Ring ring(capacity, n);
    fill_pairs(ring, c.count, c.newest, c.invalid_age, seed);
    if (c.count == 0) ring.gamma = 0.625;
    const std::vector<float> g = random_normal(size_t(n), seed + 999);
    const std::vector<double> ref = dense_direction(ring, g);
    std::vector<float> direction(static_cast<size_t>(n), float(kNaN));
    cpu::lbfgs_direction(ring.h, g.data(), direction.data());
    // float q/r with one rounding per update over <= 2 x 5 passes: ~1e-6 relative.
    CHECK(relative_error(direction.data(), ref.data(), size_t(n)) <= 1e-5);
    // It is a descent direction: -H g with H positive definite.
    CHECK(dot(direction.data(), g.data(), n) < 0);
    // Slots outside the stored pairs were not read into the result (their NaN would show) and
    // their rho was left alone.
    for (int slot = 0; slot < capacity; ++slot) {
      const int age = (c.newest - slot + capacity) % capacity;
      if (c.count == 0 || age >= c.count) CHECK(std::isnan(ring.rho[size_t(slot)]));
    }
  }
}
