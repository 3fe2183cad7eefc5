// The optimisers' vector ops on the GPU against the CPU twins.
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

#include "tests/gpu/test_twins.h"

using namespace audiostyle;

TEST_CASE("gpu: fill, axpy and scale match the CPU", "[vector_ops]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  test::Twins twins;
  const int64_t count = 3000017;
  const auto x = test::random_normal(size_t(count), seed);
  const auto y = test::random_normal(size_t(count), seed + 1);
  std::vector<float> out[2];
  Backend* backends[2] = {twins.cpu.get(), twins.gpu.get()};
  for (int b = 0; b < 2; ++b) {
    auto xb = test::buffer_from(*backends[b], x), yb = test::buffer_from(*backends[b], y);
    backends[b]->axpy(count, -0.37f, xb.get(), yb.get());
    backends[b]->scale(count, 1.7f, yb.get());
    out[b] = yb.download();
  }
  const double error = test::relative_error(out[1], out[0]);
  INFO("axpy+scale relative error " << error);
  CHECK(error <= test::kFp32Tolerance);

  auto filled = test::poisoned_buffer<float>(*twins.gpu, count);
  twins.gpu->fill(filled.get(), count, -3.25f);
  for (float v : filled.download()) REQUIRE(v == -3.25f);
}

TEST_CASE("gpu: dot, amax and add_slots match the CPU", "[vector_ops]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  test::Twins twins;
  for (int64_t count : {int64_t(1), int64_t(255), int64_t(257), int64_t(3000017)}) {
    INFO("count " << count);
    const auto x = test::random_normal(size_t(count), seed);
    const auto y = test::random_uniform(size_t(count), seed + 1, 0.5f, 2.f);
    double dot[2], amax[2], sum[2];
    Backend* backends[2] = {twins.cpu.get(), twins.gpu.get()};
    for (int b = 0; b < 2; ++b) {
      auto xb = test::buffer_from(*backends[b], x), yb = test::buffer_from(*backends[b], y);
      auto slots = test::poisoned_buffer<double>(*backends[b], 4);
      backends[b]->dot(count, xb.get(), yb.get(), slots.get());
      backends[b]->amax(count, xb.get(), slots.get() + 1);
      backends[b]->add_slots(slots.get(), slots.get() + 2);
      const auto host = slots.download();
      dot[b] = host[0], amax[b] = host[1], sum[b] = host[2];
    }
    INFO("dot cpu " << dot[0] << " gpu " << dot[1]);
    CHECK(test::relative_scalar_error(dot[1], dot[0]) <= test::kReductionTolerance);
    CHECK(amax[1] == amax[0]);  // a max is exact
    CHECK(test::relative_scalar_error(sum[1], sum[0]) <= test::kReductionTolerance);
  }
}

TEST_CASE("gpu: amax propagates NaN and an empty dot is zero", "[vector_ops]") {
  auto gpu = test::make_gpu_backend();
  std::vector<float> x(100000, 1.f);
  x[77777] = std::numeric_limits<float>::quiet_NaN();
  x[5] = -4.f;
  auto xb = test::buffer_from(*gpu, x);
  auto slots = test::poisoned_buffer<double>(*gpu, 2);
  gpu->amax(int64_t(x.size()), xb.get(), slots.get());
  gpu->dot(0, xb.get(), xb.get(), slots.get() + 1);
  const auto host = slots.download();
  CHECK(std::isnan(host[0]));
  CHECK(host[1] == 0.0);
}
