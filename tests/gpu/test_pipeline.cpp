// The pipeline on the CUDA backend against the CPU oracle: the gradient check on the device, and an
// end-to-end run whose final objective is within 2% of the CPU run with the same seed (fp32).
#include <catch2/catch.hpp>

#include <cmath>

#include "audiostyle/pipeline.h"
#include "tests/gpu/test_twins.h"
#include "tests/gradient_check.h"

using namespace audiostyle;

TEST_CASE("gpu: the full loss gradient matches finite differences on the device", "[pipeline]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  auto backend = test::make_gpu_backend();
  for (bool with_content : {true, false}) {
    const auto check = test::check_gradient(*backend, seed, 1e-2f, with_content, Precision::fp32);
    INFO("content " << with_content << " value error " << check.value_error
                    << " gradient error " << check.gradient_error);
    CHECK(check.value_error <= 1e-5);
    CHECK(check.gradient_error <= 1e-3);
  }
}

TEST_CASE("gpu: an end-to-end run reaches the CPU's objective within 2% (fp32)",
          "[pipeline][large]") {
  const int rate = 22050;
  Audio content, style;
  content.sample_rate_hz = style.sample_rate_hz = rate;
  content.channels = {test::random_uniform(size_t(2 * rate), test::fresh_seed(), -0.3f, 0.3f)};
  for (size_t i = 0; i < content.channels[0].size(); ++i)
    content.channels[0][i] += 0.4f * float(std::sin(2 * M_PI * 330.0 * double(i) / rate));
  style.channels = {test::random_uniform(size_t(3 * rate), test::fresh_seed(), -0.5f, 0.5f)};
  TransferConfig config;
  config.n_filters = 512;
  config.iterations = 40;
  config.gl_iterations = 50;
  config.precision = Precision::fp32;
  config.seed = 1234;
  auto cpu = make_cpu_backend();
  auto gpu = test::make_gpu_backend();
  const TransferResult on_cpu = transfer(*cpu, content, style, config);
  const TransferResult on_gpu = transfer(*gpu, content, style, config);
  INFO("cpu " << on_cpu.final_total << " gpu " << on_gpu.final_total);
  CHECK(std::fabs(on_gpu.final_total - on_cpu.final_total) <= 0.02 * on_cpu.final_total);
  REQUIRE(!on_cpu.iterations.empty());  // a regression fails here instead of crashing below
  REQUIRE(!on_gpu.iterations.empty());
  CHECK(on_gpu.iterations.front().total == Approx(on_cpu.iterations.front().total).epsilon(1e-4));
  CHECK(on_gpu.output.n_samples() == content.n_samples());
  CHECK(std::fabs(on_gpu.spectral_convergence_db - on_cpu.spectral_convergence_db) < 1.0);
}
