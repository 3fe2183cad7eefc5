// The spectral maps and spectral_distance on the GPU against the CPU twins.
#include <catch2/catch.hpp>

#include "tests/gpu/test_twins.h"

using namespace audiostyle;

TEST_CASE("gpu: log1p_magnitude, expm1_clamped and apply_magnitude match the CPU", "[spectral]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  test::Twins twins;
  const int64_t count = 1025 * 431 + 3;
  const auto spec = test::random_normal(size_t(2 * count), seed, 3.f);
  const auto x = test::random_uniform(size_t(count), seed + 1, -2.f, 6.f);
  const auto magnitude = test::random_uniform(size_t(count), seed + 2, 0.f, 10.f);
  const auto phasor = test::random_normal(size_t(2 * count), seed + 3);
  Backend* backends[2] = {twins.cpu.get(), twins.gpu.get()};
  std::vector<float> log1p[2], expm1[2], applied[2];
  for (int b = 0; b < 2; ++b) {
    Backend& be = *backends[b];
    auto spec_b = test::buffer_from(be, spec), x_b = test::buffer_from(be, x);
    auto magnitude_b = test::buffer_from(be, magnitude), phasor_b = test::buffer_from(be, phasor);
    auto log1p_b = test::poisoned_buffer<float>(be, count);
    auto expm1_b = test::poisoned_buffer<float>(be, count);
    auto applied_b = test::poisoned_buffer<float>(be, 2 * count);
    be.log1p_magnitude(spec_b.get(), count, log1p_b.get());
    be.expm1_clamped(x_b.get(), count, expm1_b.get());
    be.apply_magnitude(magnitude_b.get(), phasor_b.get(), count, applied_b.get());
    log1p[b] = log1p_b.download(), expm1[b] = expm1_b.download(), applied[b] = applied_b.download();
  }
  const double log1p_error = test::relative_error(log1p[1], log1p[0]);
  const double expm1_error = test::relative_error(expm1[1], expm1[0]);
  const double applied_error = test::relative_error(applied[1], applied[0]);
  INFO("log1p " << log1p_error << " expm1 " << expm1_error << " apply " << applied_error);
  CHECK(log1p_error <= test::kFp32Tolerance);
  CHECK(expm1_error <= test::kFp32Tolerance);
  CHECK(applied_error <= test::kFp32Tolerance);
  for (size_t i = 0; i < x.size(); ++i)
    if (x[i] < 0) REQUIRE(expm1[1][i] == 0.f);  // clamped, not slightly negative

  // In place, as the pipeline calls it (expm1_clamped(x, n, x)): the same values as out of place.
  auto in_place_b = test::buffer_from(*twins.gpu, x);
  twins.gpu->expm1_clamped(in_place_b.get(), count, in_place_b.get());
  const auto in_place = in_place_b.download();
  CHECK(in_place == expm1[1]);
}

TEST_CASE("gpu: spectral_distance matches the CPU", "[spectral]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  test::Twins twins;
  for (int64_t count : {int64_t(1), int64_t(1025 * 431)}) {
    INFO("count " << count);
    const auto spec = test::random_normal(size_t(2 * count), seed, 2.f);
    const auto magnitude = test::random_uniform(size_t(count), seed + 1, 0.f, 3.f);
    std::vector<double> slots[2];
    Backend* backends[2] = {twins.cpu.get(), twins.gpu.get()};
    for (int b = 0; b < 2; ++b) {
      auto spec_b = test::buffer_from(*backends[b], spec);
      auto magnitude_b = test::buffer_from(*backends[b], magnitude);
      auto slots_b = test::poisoned_buffer<double>(*backends[b], 2);
      backends[b]->spectral_distance(spec_b.get(), magnitude_b.get(), count, slots_b.get());
      slots[b] = slots_b.download();
    }
    INFO("distance cpu " << slots[0][0] << " gpu " << slots[1][0] << ", energy cpu " << slots[0][1]
                         << " gpu " << slots[1][1]);
    CHECK(test::relative_scalar_error(slots[1][0], slots[0][0]) <= test::kReductionTolerance);
    CHECK(test::relative_scalar_error(slots[1][1], slots[0][1]) <= test::kReductionTolerance);
  }
}

TEST_CASE("gpu: log1p_magnitude_backward matches the CPU, in place too", "[spectral][refine]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  test::Twins twins;
  const int64_t count = 1025 * 431 + 3;
  auto spec = test::random_normal(size_t(2 * count), seed, 3.f);
  spec[0] = spec[1] = 0.f;  // |S| = 0: gradient 0, not NaN
  const auto grad_x = test::random_normal(size_t(count), seed + 1);
  Backend* backends[2] = {twins.cpu.get(), twins.gpu.get()};
  std::vector<float> out[2], in_place[2];
  for (int b = 0; b < 2; ++b) {
    Backend& be = *backends[b];
    auto spec_b = test::buffer_from(be, spec), grad_x_b = test::buffer_from(be, grad_x);
    auto out_b = test::poisoned_buffer<float>(be, 2 * count);
    be.log1p_magnitude_backward(spec_b.get(), grad_x_b.get(), count, out_b.get());
    out[b] = out_b.download();
    be.log1p_magnitude_backward(spec_b.get(), grad_x_b.get(), count, spec_b.get());
    in_place[b] = spec_b.download();
  }
  const double error = test::relative_error(out[1], out[0]);
  INFO("relative error " << error);
  CHECK(error <= test::kFp32Tolerance);
  CHECK(out[1][0] == 0.f);
  CHECK(out[1][1] == 0.f);
  CHECK(in_place[1] == out[1]);
}
