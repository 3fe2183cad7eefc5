// The optimisers' vector ops (host/cpu/vector_ops.cpp) against double references on fresh random
// inputs, outputs poisoned first.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>

#include "host/cpu/cpu_ops.h"
#include "tests/support.h"

using namespace audiostyle;
using audiostyle::test::fresh_seed;
using audiostyle::test::poisoned;
using audiostyle::test::random_uniform;
using audiostyle::test::relative_error;

namespace {
// Lengths that are not multiples of any vector width, plus one long enough for rounding to show.
constexpr int64_t kLengths[] = {1, 7, 1000, 1 << 20};
}

TEST_CASE("fill writes every element", "[cpu][vector_ops]") {
  for (const int64_t count : kLengths) {
    std::vector<float> x = poisoned(size_t(count));
    cpu::fill(x.data(), count, -2.5f);
    CHECK(std::count(x.begin(), x.end(), -2.5f) == count);
  }
}

TEST_CASE("axpy and scale match double references", "[cpu][vector_ops]") {
  const uint64_t seed = fresh_seed();
  INFO("seed " << seed);
  for (const int64_t count : kLengths) {
    const std::vector<float> x = random_uniform(size_t(count), seed);
    const std::vector<float> y0 = random_uniform(size_t(count), seed + 1);
    const float a = -0.37f;
    std::vector<double> ref_axpy(static_cast<size_t>(count)), ref_scale(static_cast<size_t>(count));
    for (size_t i = 0; i < size_t(count); ++i) {
      ref_axpy[i] = double(y0[i]) + double(a) * double(x[i]);
      ref_scale[i] = double(a) * double(x[i]);
    }
    std::vector<float> y = y0;
    cpu::axpy(count, a, x.data(), y.data());
    // At most two float roundings per element (one with FMA), each within 2^-24 of the terms' size.
    // Measured against |y0| + |a x|, not the result: y0 + a x can cancel to almost nothing, and a
    // result-relative bound then fails correct code (a 1-element run did: 2.5e-7 > 2e-7).
    double worst = 0;
    for (size_t i = 0; i < size_t(count); ++i) {
      const double terms = std::fabs(double(y0[i])) + std::fabs(double(a) * double(x[i]));
      const double error = std::fabs(double(y[i]) - ref_axpy[i]);
      worst = std::max(worst, terms > 0 ? error / terms : error);
    }
    INFO("axpy worst error / terms " << worst);
    CHECK(worst <= 2.5 * 0x1p-24);

    std::vector<float> scaled = x;
    cpu::scale(count, a, scaled.data());
    CHECK(relative_error(scaled.data(), ref_scale.data(), size_t(count)) <= 1e-7);
  }
}

TEST_CASE("dot accumulates in double", "[cpu][vector_ops]") {
  const uint64_t seed = fresh_seed();
  INFO("seed " << seed);
  for (const int64_t count : kLengths) {
    const std::vector<float> x = random_uniform(size_t(count), seed, 0.5f, 1.5f);
    const std::vector<float> y = random_uniform(size_t(count), seed + 7, 0.5f, 1.5f);
    // Reference: long double (64-bit significand) sum, far more accurate than the op needs to be.
    long double ref = 0;
    for (size_t i = 0; i < size_t(count); ++i) ref += (long double)x[i] * (long double)y[i];
    double out = std::numeric_limits<double>::quiet_NaN();
    cpu::dot(count, x.data(), y.data(), &out);
    // A float accumulator would be off by ~1e-4 relative at 2^20 terms; double is ~1e-13.
    CHECK(std::fabs(out - double(ref)) <= 1e-12 * std::fabs(double(ref)));
  }
}

TEST_CASE("amax finds the largest magnitude and propagates NaN", "[cpu][vector_ops]") {
  const uint64_t seed = fresh_seed();
  INFO("seed " << seed);
  for (const int64_t count : kLengths) {
    std::vector<float> x = random_uniform(size_t(count), seed, -1.f, 1.f);
    const size_t peak = size_t(seed % uint64_t(count));
    x[peak] = -3.25f;  // the largest magnitude is negative: |.| must be taken
    double out = std::numeric_limits<double>::quiet_NaN();
    cpu::amax(count, x.data(), &out);
    CHECK(out == 3.25);

    x[size_t(count) - 1] = std::numeric_limits<float>::quiet_NaN();
    cpu::amax(count, x.data(), &out);
    CHECK(std::isnan(out));
  }
}
