// The evaluation measures and the L-BFGS pair skip on the CUDA backend against the CPU.
#include <catch2/catch.hpp>

#include <cmath>

#include "host/eval/evaluate.h"
#include "host/eval/measures.h"
#include "host/pipeline/optimizer.h"
#include "tests/gpu/test_twins.h"
#include "tests/pipeline/optimizer_fixtures.h"

using namespace audiostyle;

namespace {

Audio noise_audio(double seconds, uint64_t seed) {
  Audio a;
  a.sample_rate_hz = 22050;
  a.channels.push_back(test::random_uniform(size_t(seconds * 22050), seed, -0.3f, 0.3f));
  return a;
}

}  // namespace

TEST_CASE("gpu: the evaluation's spectrogram and net Gram match the CPU", "[eval]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  test::Twins twins;
  const Audio a = noise_audio(2.0, seed);
  // cuFFT and FFTW in fp32 differ by rounding (~1e-6 relative per bin); 1e-4 leaves margin.
  const auto p_cpu = eval::power_spectrogram(*twins.cpu, a.channels[0], 2048, 512);
  const auto p_gpu = eval::power_spectrogram(*twins.gpu, a.channels[0], 2048, 512);
  CHECK(test::relative_error(p_gpu.values, p_cpu.values) < 1e-4);
  // The Gram in fp32 (the evaluation never uses tf32): sums over ~90 rows and 15 x 1025 taps in
  // a different order, ~1e-6 relative; 1e-4 bound.
  const eval::GramNet net = eval::evaluation_nets(3, 128)[2];
  const auto g_cpu = eval::net_gram(*twins.cpu, net, a.channels[0], 2048, 512);
  const auto g_gpu = eval::net_gram(*twins.gpu, net, a.channels[0], 2048, 512);
  CHECK(test::relative_error(g_gpu, g_cpu) < 1e-4);
}

TEST_CASE("gpu: evaluate gives the CPU's scores", "[eval]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  test::Twins twins;
  const Audio output = noise_audio(1.5, seed), content = noise_audio(1.5, seed + 1),
              style = noise_audio(2.0, seed + 2);
  eval::EvalOptions options;
  options.net_filters = 128;
  const auto cpu = eval::evaluate(*twins.cpu, output, &content, &style, options);
  const auto gpu = eval::evaluate(*twins.gpu, output, &content, &style, options);
  for (size_t i = 0; i < cpu.scores.size(); ++i) {
    INFO(cpu.columns[i]);
    CHECK(*gpu.scores[i].gram_distance == Approx(*cpu.scores[i].gram_distance).epsilon(1e-3).margin(1e-6));
    CHECK(*gpu.scores[i].chroma_similarity == Approx(*cpu.scores[i].chroma_similarity).epsilon(1e-4));
    CHECK(*gpu.scores[i].onset_correlation == Approx(*cpu.scores[i].onset_correlation).epsilon(1e-3));
  }
}

TEST_CASE("gpu: L-BFGS skips a pair that fails the curvature test on the device", "[lbfgs]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  test::Twins twins;
  test::CountingBackend counting(*twins.gpu);
  counting.sabotage_curvature_call = 3;
  const int64_t n = 200;
  const test::Quadratic quadratic(n, seed);
  test::HostObjective objective(*twins.gpu, n, std::cref(quadratic));
  Buffer<float> x(*twins.gpu, n);
  x.upload(test::random_uniform(size_t(n), seed + 1, -3.f, 3.f));
  LbfgsOptions options;
  options.history = 3;
  options.max_iterations = 8;
  options.gtol = 0;
  options.ftol = 0;
  auto optimizer = make_lbfgs(counting, n, options);
  const OptimizerResult result = optimizer->minimize(objective, x.get(), nullptr);
  CHECK(result.iterations == 8);
  CHECK(result.skipped_pairs == 1);
  const auto& valid = counting.direction_valid_pairs;
  REQUIRE(valid.size() >= 6);
  CHECK(valid[3] == 2);
  for (size_t k = 4; k < valid.size(); ++k) CHECK(valid[k] == 3);
}
