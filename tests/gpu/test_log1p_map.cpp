// log1p and expm1 of real values and their chain rule on the GPU against the CPU twin.
#include <catch2/catch.hpp>

#include "tests/gpu/test_twins.h"

using namespace audiostyle;

TEST_CASE("gpu: log1p_map, expm1_map and one_plus_scale equal the CPU's", "[log1p_map]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  test::Twins twins;
  const int64_t count = int64_t(431) * 1025 + 7;  // a 10 s clip's spectrogram, odd
  const auto x = test::random_uniform(size_t(count), seed, -0.9f, 4.f);
  const auto grad = test::random_normal(size_t(count), seed + 1);
  std::vector<float> log1p_out[2], expm1_out[2], scaled[2], divided[2];
  Backend* backends[2] = {twins.cpu.get(), twins.gpu.get()};
  for (int b = 0; b < 2; ++b) {
    Backend& backend = *backends[b];
    auto x_b = test::buffer_from(backend, x);
    auto y_b = test::poisoned_buffer<float>(backend, count);
    backend.log1p_map(x_b.get(), count, y_b.get());
    log1p_out[b] = y_b.download();
    backend.expm1_map(x_b.get(), count, y_b.get());
    expm1_out[b] = y_b.download();
    auto grad_b = test::buffer_from(backend, grad);
    backend.one_plus_scale(x_b.get(), count, false, grad_b.get());
    scaled[b] = grad_b.download();
    grad_b.upload(grad);
    backend.one_plus_scale(x_b.get(), count, true, grad_b.get());
    divided[b] = grad_b.download();
  }
  // Double arithmetic rounded once on both sides; only the library log1p/expm1 may differ by an
  // ulp of double, which after rounding to float shows in rare ties.
  constexpr double kLimit = 1e-7;
  const std::pair<const char*, std::vector<float>*> outputs[] = {
      {"log1p_map", log1p_out}, {"expm1_map", expm1_out}, {"one_plus_scale", scaled},
      {"one_plus_scale divide", divided}};
  for (const auto& [name, out] : outputs) {
    const double error = test::relative_error(out[1], out[0]);
    test::print_margin(name, error, kLimit);
    INFO(name);
    CHECK(error <= kLimit);
  }
}
