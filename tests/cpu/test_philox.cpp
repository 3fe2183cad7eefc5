// Philox4x32-10 and the draws built on it (include/audiostyle/philox.h), and the CPU fills
// (host/cpu/philox.cpp): known-answer vectors, the index -> value contract, statistics, and the
// accuracy of the header's own log and sin/cos polynomials.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <fstream>
#include <numbers>
#include <sstream>
#include <string>
#include <vector>

#include "audiostyle/philox.h"
#include "host/cpu/cpu_ops.h"
#include "tests/support.h"

namespace audiostyle {
namespace {

constexpr double kPi = std::numbers::pi;

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), sizeof(float) * a.size()) == 0;
}

double fraction_equal(const std::vector<float>& a, const std::vector<float>& b) {
  size_t equal = 0;
  for (size_t i = 0; i < a.size(); ++i) equal += a[i] == b[i];
  return double(equal) / double(a.size());
}

}  // namespace

TEST_CASE("philox: Philox4x32-10 known-answer vectors (Random123 kat_vectors)", "[philox]") {
  struct Kat {
    uint32_t counter[4], key[2], expected[4];
  };
  const Kat kats[] = {
      {{0, 0, 0, 0}, {0, 0}, {0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u}},
      {{0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu},
       {0xffffffffu, 0xffffffffu},
       {0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu}},
      {{0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u},
       {0xa4093822u, 0x299f31d0u},
       {0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u}},
  };
  for (const auto& kat : kats) {
    const auto block = philox::philox4x32_10(kat.counter[0], kat.counter[1], kat.counter[2],
                                             kat.counter[3], kat.key[0], kat.key[1]);
    for (int word = 0; word < 4; ++word) {
      INFO("counter " << std::hex << kat.counter[0] << " word " << word);
      CHECK(block.v[word] == kat.expected[word]);
    }
  }
  // block_for's mapping: counter {lo32(b), hi32(b), stream, 0}, key {lo32(seed), hi32(seed)}.
  const uint64_t block_index = 0x0000000500000007ull, seed = 0x243f6a8885a308d3ull;
  const auto mapped = philox::block_for(block_index, seed, 99);
  const auto direct = philox::philox4x32_10(7, 5, 99, 0, 0x85a308d3u, 0x243f6a88u);
  CHECK(std::memcmp(mapped.v, direct.v, sizeof(mapped.v)) == 0);
}

TEST_CASE("philox: normal and phasor match an independent transcription of the mapping",
          "[philox]") {
  // tests/golden/philox_known.txt: made by make_philox_golden.py from philox_ref.py, a numpy
  // transcription of the header's documented mapping with libm's log, sin and cos in double. The
  // header's own polynomials differ from libm by at most 2e-6 in log (at 2^-24, where the radius is
  // 5.8) and 1.2e-7 in sin/cos (see the accuracy tests below): |z| error <= 5.8 * (2e-6 / (2 * 16.6)
  // + 1.2e-7) + float rounding ~ 1.5e-6, so 4e-6 passes any correct draw, while a swapped lane or
  // word gives an unrelated value (|difference| ~ 1).
  const std::string path = test::source_path("tests/golden/philox_known.txt");
  std::ifstream file(path);
  REQUIRE(file.good());
  int normals = 0, phasors = 0;
  std::string line;
  while (std::getline(file, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string kind;
    uint64_t seed = 0, index = 0;
    uint32_t stream = 0;
    fields >> kind >> seed >> stream >> index;
    INFO(line);
    if (kind == "normal") {
      double expected = 0;
      fields >> expected;
      REQUIRE(!fields.fail());
      CHECK(std::abs(philox::normal(index, seed, stream) - expected) <= 4e-6);
      ++normals;
    } else {
      REQUIRE(kind == "phasor");
      double expected_re = 0, expected_im = 0;
      fields >> expected_re >> expected_im;
      REQUIRE(!fields.fail());
      float re, im;
      philox::phasor(index, seed, stream, re, im);
      CHECK(std::abs(re - expected_re) <= 4e-7);  // sin/cos error 1.2e-7, no radius
      CHECK(std::abs(im - expected_im) <= 4e-7);
      // The fill the pipeline uses writes (re, im) in that order.
      if (index < 4096) {
        std::vector<float> phasors(2 * (index + 1));
        cpu::fill_phasor(phasors.data(), int64_t(index + 1), seed, stream);
        CHECK(std::abs(phasors[2 * index] - expected_re) <= 4e-7);
        CHECK(std::abs(phasors[2 * index + 1] - expected_im) <= 4e-7);
      }
      ++phasors;
    }
  }
  CHECK(normals == 192);
  CHECK(phasors == 192);
}

TEST_CASE("philox: fill_normal element i is stddev * philox::normal of i", "[philox]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  // Long enough for fill_normal to split the range across threads, and odd.
  const int64_t count = 1'000'003;
  const float stddev = 0.05f;
  auto out = test::poisoned(size_t(count));
  cpu::fill_normal(out.data(), count, seed, philox::kStreamWeights, stddev);
  int64_t mismatches = 0;
  for (int64_t i = 0; i < count; ++i) {
    const float expected =
        philox::fmul(stddev, philox::normal(uint64_t(i), seed, philox::kStreamWeights));
    mismatches += std::memcmp(&out[size_t(i)], &expected, sizeof(float)) != 0;
  }
  CHECK(mismatches == 0);
  // A shorter fill is a prefix of a longer one (the value depends on the index only, not the
  // count or the split across threads).
  auto prefix = test::poisoned(1001);
  cpu::fill_normal(prefix.data(), 1001, seed, philox::kStreamWeights, stddev);
  CHECK(std::memcmp(prefix.data(), out.data(), sizeof(float) * 1001) == 0);

  // The four lanes of a block are the two Box-Muller pairs (u0, u1) and (u2, u3): z0^2 + z1^2 and
  // z2^2 + z3^2 are -2 log u0 and -2 log u2.
  for (uint64_t b = 0; b < 1000; ++b) {
    const auto block = philox::block_for(b, seed, philox::kStreamWeights);
    for (int pair = 0; pair < 2; ++pair) {
      const double z_cos = philox::normal(4 * b + 2 * pair, seed, philox::kStreamWeights);
      const double z_sin = philox::normal(4 * b + 2 * pair + 1, seed, philox::kStreamWeights);
      const double u = ((block.v[2 * pair] >> 8) + 1.0) / 16777216.0;
      CHECK(z_cos * z_cos + z_sin * z_sin == Approx(-2 * std::log(u)).epsilon(2e-6).margin(1e-6));
    }
  }
}

TEST_CASE("philox: fills are reproducible for a seed and differ across seeds and streams",
          "[philox]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  const size_t count = 200'000;
  auto fill = [&](uint64_t s, uint32_t stream) {
    auto out = test::poisoned(count);
    cpu::fill_normal(out.data(), int64_t(count), s, stream, 1.f);
    return out;
  };
  const auto base = fill(seed, philox::kStreamWeights);
  CHECK(same_bits(base, fill(seed, philox::kStreamWeights)));
  CHECK(fraction_equal(base, fill(seed + 1, philox::kStreamWeights)) < 1e-3);
  CHECK(fraction_equal(base, fill(seed ^ (uint64_t(1) << 40), philox::kStreamWeights)) <
        1e-3);  // hi32
  CHECK(fraction_equal(base, fill(seed, philox::kStreamInit)) < 1e-3);
  CHECK(fraction_equal(base, fill(seed, philox::kStreamPhase)) < 1e-3);
  // Blocks past 2^32 use the high counter word: element 4 * 2^32 is not element 0.
  CHECK(philox::normal(uint64_t(1) << 34, seed, 1) != philox::normal(0, seed, 1));

  std::vector<float> phasor_a(2 * count), phasor_b(2 * count);
  cpu::fill_phasor(phasor_a.data(), int64_t(count), seed, philox::kStreamPhase);
  cpu::fill_phasor(phasor_b.data(), int64_t(count), seed, philox::kStreamPhase);
  CHECK(same_bits(phasor_a, phasor_b));
  cpu::fill_phasor(phasor_b.data(), int64_t(count), seed + 1, philox::kStreamPhase);
  CHECK(fraction_equal(phasor_a, phasor_b) < 1e-3);
}

TEST_CASE("philox: normal draws have standard normal statistics", "[philox]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  const int64_t count = 1'000'000;
  std::vector<float> z(static_cast<size_t>(count));
  cpu::fill_normal(z.data(), count, seed, philox::kStreamTest, 1.f);
  double sum = 0, sum_sq = 0;
  int64_t beyond_3_sigma = 0, beyond_1_sigma = 0, not_finite = 0;
  for (float v : z) {
    not_finite += !std::isfinite(v);
    sum += v;
    sum_sq += double(v) * v;
    beyond_3_sigma += std::abs(v) > 3;
    beyond_1_sigma += std::abs(v) > 1;
  }
  REQUIRE(not_finite == 0);
  const double mean = sum / count, stddev = std::sqrt(sum_sq / count - mean * mean);
  const double tail3 = double(beyond_3_sigma) / count, tail1 = double(beyond_1_sigma) / count;
  INFO("mean " << mean << " std " << stddev << " P(|z|>3) " << tail3 << " P(|z|>1) " << tail1);
  // Sampling standard errors: mean 0.001, std 0.0007, P(|z|>3) 0.00005, P(|z|>1) 0.0005.
  CHECK(std::abs(mean) < 0.005);
  CHECK(std::abs(stddev - 1) < 0.005);
  CHECK(std::abs(tail3 - 0.0026998) < 0.0004);
  CHECK(std::abs(tail1 - 0.3173105) < 0.003);
}

TEST_CASE("philox: log_positive matches log over every 24-bit uniform", "[philox]") {
  // Every input uniform_open0 can produce: k * 2^-24, k = 1 .. 2^24.
  double max_abs = 0, max_rel = 0;
  for (uint32_t k = 1; k <= (1u << 24); ++k) {
    const float x = float(k) * 5.9604644775390625e-8f;
    const double ref = std::log(double(x)), got = philox::log_positive(x);
    max_abs = std::max(max_abs, std::abs(got - ref));
    if (ref != 0) max_rel = std::max(max_rel, std::abs(got - ref) / std::abs(ref));
  }
  INFO("log_positive: max abs error " << max_abs << ", max rel error " << max_rel);
  // Measured: 9.95e-7 abs (at log 2^-24 = -16.6), 2.08e-7 rel (~2.5 ulp).
  CHECK(max_rel < 3.6e-7);  // 3 float ulps
  CHECK(max_abs < 2e-6);
  CHECK(philox::log_positive(1.f) == 0.f);
}

TEST_CASE("philox: sincos_2pi matches sin and cos of 2 pi t", "[philox]") {
  double max_sin = 0, max_cos = 0;
  auto check = [&](float t) {
    float s, c;
    philox::sincos_2pi(t, s, c);
    max_sin = std::max(max_sin, std::abs(s - std::sin(2 * kPi * double(t))));
    max_cos = std::max(max_cos, std::abs(c - std::cos(2 * kPi * double(t))));
  };
  // Every input uniform_closed0 can produce (k * 2^-24), then arbitrary floats in [0, 1).
  for (uint32_t k = 0; k < (1u << 24); ++k) check(float(k) * 5.9604644775390625e-8f);
  for (float t : test::random_uniform(1'000'000, test::fresh_seed(), 0.f, 1.f)) check(t);
  for (float t :
       {0.f, 0.125f, 0.25f, 0.375f, 0.5f, 0.625f, 0.75f, 0.875f, std::nextafter(1.f, 0.f)})
    check(t);
  INFO("sincos_2pi: max abs error sin " << max_sin << ", cos " << max_cos);
  // Measured: 9.1e-8 for both (under one float ulp of 1).
  CHECK(max_sin < 1.2e-7);
  CHECK(max_cos < 1.2e-7);
}

TEST_CASE("philox: fill_phasor gives unit phasors with uniform phase", "[philox]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  const int64_t count = 1'000'003;
  auto phasors = test::poisoned(size_t(2 * count));
  cpu::fill_phasor(phasors.data(), count, seed, philox::kStreamPhase);
  double worst_modulus = 0;
  double sum_re = 0, sum_im = 0;
  std::vector<int64_t> octants(8, 0);
  int64_t mismatches = 0;
  for (int64_t i = 0; i < count; ++i) {
    const float re = phasors[size_t(2 * i)], im = phasors[size_t(2 * i + 1)];
    float expected_re, expected_im;
    philox::phasor(uint64_t(i), seed, philox::kStreamPhase, expected_re, expected_im);
    mismatches +=
        re != expected_re || im != expected_im || !std::isfinite(re) || !std::isfinite(im);
    worst_modulus = std::max(worst_modulus, std::abs(std::hypot(double(re), double(im)) - 1));
    sum_re += re;
    sum_im += im;
    const double angle = std::atan2(double(im), double(re));
    octants[size_t(std::clamp(int(std::floor((angle + kPi) / (kPi / 4))), 0, 7))]++;
  }
  CHECK(mismatches == 0);
  INFO("worst | |phasor| - 1 | " << worst_modulus);
  CHECK(worst_modulus < 2.4e-7);
  // Mean of a uniform phasor is 0 (standard error 0.0007 per component).
  CHECK(std::abs(sum_re / count) < 0.005);
  CHECK(std::abs(sum_im / count) < 0.005);
  // Each octant holds 1/8 (standard error 0.00033).
  for (int64_t n : octants) CHECK(std::abs(double(n) / count - 0.125) < 0.003);
}

}  // namespace audiostyle
