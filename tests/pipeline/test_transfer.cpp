// The whole pipeline on the CPU backend at a small size: the objective falls, the output has the
// content's length, runs are reproducible, texture synthesis makes any length.
#include <catch2/catch.hpp>

#include <cmath>

#include "audiostyle/errors.h"
#include "audiostyle/pipeline.h"
#include "tests/pipeline/optimizer_fixtures.h"
#include "tests/pipeline/small_config.h"
#include "tests/support.h"

using namespace audiostyle;

namespace {

constexpr int kRate = 8000;

// A short melody of harmonic tones: a stand-in for real content.
Audio melody(double seconds, double base_hz) {
  Audio audio;
  audio.sample_rate_hz = kRate;
  const int64_t n = int64_t(seconds * kRate);
  audio.channels.assign(1, std::vector<float>(size_t(n)));
  for (int64_t i = 0; i < n; ++i) {
    const double t = double(i) / kRate;
    const double f = base_hz * std::pow(2.0, int(t * 4) % 5 / 12.0 * 2);
    double v = 0;
    for (int h = 1; h <= 4; ++h) v += std::sin(2 * M_PI * f * h * t) / h;
    audio.channels[0][size_t(i)] = float(0.3 * v);
  }
  return audio;
}

// Noise bursts: a texture with a very different spectrum.
Audio noise_texture(double seconds, uint64_t seed) {
  Audio audio;
  audio.sample_rate_hz = kRate;
  auto noise = test::random_uniform(size_t(seconds * kRate), seed, -0.5f, 0.5f);
  for (size_t i = 0; i < noise.size(); ++i) noise[i] *= float(0.5 + 0.5 * std::sin(i * 0.002));
  audio.channels = {noise};
  return audio;
}

using test::small_config;

}  // namespace

TEST_CASE("transfer: L-BFGS drives the objective down on the real pipeline", "[transfer]") {
  auto backend = make_cpu_backend();
  const Audio content = melody(2.0, 220), style = noise_texture(3.0, 11);
  const TransferConfig config = small_config();
  int progress_calls = 0;
  const TransferResult result =
      transfer(*backend, content, style, config, [&](const Progress&) { ++progress_calls; });
  REQUIRE(result.iterations.size() >= 10);
  const double first = result.iterations.front().total, last = result.iterations.back().total;
  INFO("first " << first << " last " << last << " stop " << result.stop_reason);
  CHECK(last < 0.05 * first);
  for (size_t i = 1; i < result.iterations.size(); ++i)
    CHECK(result.iterations[i].total <= result.iterations[i - 1].total);
  CHECK(result.final_content > 0);
  CHECK(result.final_style > 0);
  CHECK(result.output.n_samples() == content.n_samples());
  CHECK(result.output.sample_rate_hz == kRate);
  for (float v : result.output.channels[0]) REQUIRE(std::isfinite(v));
  CHECK(peak(result.output) <= 1.0f);
  CHECK(peak(result.output) > 1e-4f);
  CHECK(result.spectral_convergence_db < -3.0);
  CHECK(progress_calls > 10);
  // The plan made before allocating bounds what the run held at its peak.
  INFO("peak " << result.peak_memory_bytes << " plan " << result.memory.total_bytes());
  CHECK(result.peak_memory_bytes > 0);
  CHECK(result.conv_algorithm.find("openblas") != std::string::npos);
  CHECK(result.peak_memory_bytes <= result.memory.total_bytes());
}

TEST_CASE("transfer: Adam also lowers the objective", "[transfer]") {
  auto backend = make_cpu_backend();
  TransferConfig config = small_config();
  config.optimizer = OptimizerKind::adam;
  config.learning_rate = 0.05f;
  config.iterations = 60;
  const TransferResult result =
      transfer(*backend, melody(1.5, 330), noise_texture(2.0, 5), config);
  REQUIRE(result.iterations.size() == 60);
  CHECK(result.final_total < 0.2 * result.iterations.front().total);
}

TEST_CASE("transfer: the same seed reproduces the output, another seed changes it", "[transfer]") {
  auto backend = make_cpu_backend();
  const Audio content = melody(1.0, 262), style = noise_texture(1.5, 3);
  TransferConfig config = small_config();
  config.iterations = 8;
  config.gl_iterations = 8;
  const auto a = transfer(*backend, content, style, config).output.channels[0];
  const auto b = transfer(*backend, content, style, config).output.channels[0];
  CHECK(test::relative_error(a, b) <= 1e-6);
  config.seed = 8;
  const auto c = transfer(*backend, content, style, config).output.channels[0];
  CHECK(test::relative_error(c, a) > 1e-2);
}

TEST_CASE("texture: style only, any output length", "[transfer]") {
  auto backend = make_cpu_backend();
  TransferConfig config = small_config();
  config.iterations = 10;
  const int64_t samples = int64_t(2.5 * kRate) + 17;
  const TransferResult result = texture(*backend, noise_texture(1.0, 9), samples, config);
  CHECK(result.output.n_samples() == samples);
  CHECK(result.final_content == 0.0);
  REQUIRE(!result.iterations.empty());
  CHECK(result.final_style < result.iterations.front().style);
}

TEST_CASE("transfer: a clip shorter than the kernel is an input error", "[transfer]") {
  auto backend = make_cpu_backend();
  TransferConfig config = small_config();
  config.kernel_width = 11;
  const Audio tiny = melody(0.05, 220);  // 400 samples -> 7 frames at hop 64
  CHECK_THROWS_AS(transfer(*backend, tiny, noise_texture(1.0, 1), config), InputError);
  CHECK_THROWS_AS(transfer(*backend, melody(1.0, 220), tiny, config), InputError);
}

TEST_CASE("transfer: a plan larger than the memory is a clear device error", "[transfer]") {
  auto backend = make_cpu_backend();
  TransferConfig config = small_config();
  config.n_filters = 300000;  // two [F, F] Grams: 720 GB, more than any host has
  const MemoryPlan plan = plan_memory(config, 8000, 1, true);
  CHECK(plan.total_bytes() > (size_t(600) << 30));
  CHECK(plan.describe().find("style gram") != std::string::npos);
  try {
    transfer(*backend, melody(1.0, 220), noise_texture(1.0, 2), config);
    FAIL("expected a DeviceError");
  } catch (const DeviceError& e) {
    CHECK(std::string(e.what()).find("not enough memory") != std::string::npos);
    CHECK(std::string(e.what()).find("MiB") != std::string::npos);
  }
}

TEST_CASE("transfer: stereo and mid-side keep two channels", "[transfer]") {
  auto backend = make_cpu_backend();
  TransferConfig config = small_config();
  config.iterations = 10;
  config.gl_iterations = 10;
  Audio content = melody(1.0, 220);
  content.channels.push_back(melody(1.0, 330).channels[0]);
  const Audio style = noise_texture(1.5, 4);
  for (ChannelMode mode : {ChannelMode::automatic, ChannelMode::stereo, ChannelMode::mid_side}) {
    config.channels = mode;
    const TransferResult result = transfer(*backend, content, style, config);
    INFO(to_string(mode));
    REQUIRE(result.output.n_channels() == 2);
    CHECK(result.output.n_samples() == content.n_samples());
    CHECK(result.channel_mode == (mode == ChannelMode::mid_side ? "mid-side" : "stereo"));
    CHECK(test::relative_error(result.output.channels[0], result.output.channels[1]) > 0.05);
    REQUIRE(!result.iterations.empty());
    CHECK(result.final_total < result.iterations.front().total);
  }
  config.channels = ChannelMode::mono;
  CHECK(transfer(*backend, content, style, config).output.n_channels() == 1);
}

TEST_CASE("engine: a second job with the same style reuses the filters and the style Gram",
          "[transfer]") {
  auto cpu = make_cpu_backend();
  test::CountingBackend counting(*cpu);
  Engine engine(counting);
  TransferConfig config = small_config();
  config.iterations = 3;
  config.gl_iterations = 3;
  const Audio style = noise_texture(2.0, 8);
  engine.transfer(melody(1.0, 220), style, config);
  const size_t first = counting.allocated_bytes;
  engine.transfer(melody(1.0, 262), style, config);
  const size_t second = counting.allocated_bytes - first;
  const size_t filters = size_t(config.n_filters) * config.kernel_width * (config.n_fft / 2 + 1) * 4;
  INFO("first " << first << " second " << second);
  CHECK(second + filters <= first);
  // A different seed means different filters: they are made again.
  config.seed += 1;
  const size_t before = counting.allocated_bytes;
  engine.transfer(melody(1.0, 262), style, config);
  CHECK(counting.allocated_bytes - before >= second + filters);
}

TEST_CASE("transfer: a stereo run optimises a mid, as a mono run of the downmix, and a side, the "
          "totals are the items' sums", "[transfer]") {
  auto backend = make_cpu_backend();
  TransferConfig config = small_config();
  config.iterations = 6;
  config.gl_iterations = 2;
  Audio content = melody(1.0, 220);
  content.channels.push_back(melody(1.0, 330).channels[0]);
  const Audio style = noise_texture(1.5, 4);
  config.channels = ChannelMode::stereo;
  const TransferResult stereo = transfer(*backend, content, style, config);
  config.channels = ChannelMode::mono;  // the downmix (L + R) / 2, the stereo run's mid
  const TransferResult mono = transfer(*backend, content, style, config);
  REQUIRE(stereo.channel_mode == "stereo");
  REQUIRE(stereo.item_names == std::vector<std::string>{"mid", "side"});
  REQUIRE(mono.item_names == std::vector<std::string>{"mono"});
  REQUIRE(stereo.iterations.size() >= mono.iterations.size());
  for (size_t k = 0; k < stereo.iterations.size(); ++k) {
    const IterationRecord& s = stereo.iterations[k];
    INFO("iteration " << k + 1);
    REQUIRE(s.item_content.size() == 2);
    REQUIRE(s.item_style.size() == 2);
    CHECK(s.content == Approx(s.item_content[0] + s.item_content[1]).epsilon(1e-12));
    CHECK(s.style == Approx(s.item_style[0] + s.item_style[1]).epsilon(1e-12));
    CHECK(s.item_style[1] > 0);
    if (k < mono.iterations.size()) {
      // The mid is optimised on its own, so it takes the mono run's path.
      CHECK(s.item_content[0] == Approx(mono.iterations[k].content).epsilon(1e-9));
      CHECK(s.item_style[0] == Approx(mono.iterations[k].style).epsilon(1e-9));
      CHECK(mono.iterations[k].item_content.empty());
    }
  }
  REQUIRE(stereo.final_item_style.size() == 2);
  CHECK(stereo.final_style == Approx(stereo.final_item_style[0] + stereo.final_item_style[1]));
  CHECK(stereo.final_content ==
        Approx(stereo.final_item_content[0] + stereo.final_item_content[1]));
  CHECK(stereo.final_item_style[0] == Approx(mono.final_style).epsilon(1e-9));
  CHECK(mono.final_item_style.at(0) == mono.final_style);
  Audio twin = melody(1.0, 220);
  twin.channels.push_back(twin.channels[0]);
  config.channels = ChannelMode::mid_side;
  CHECK(transfer(*backend, twin, style, config).item_names ==
        std::vector<std::string>{"mid", "side"});
}

TEST_CASE("waveform refinement lowers the re-analysed objective, a texture too, and refuses segments",
          "[transfer][refine]") {
  auto backend = make_cpu_backend();
  const Audio content = melody(2.0, 220), style = noise_texture(2.0, 5);
  TransferConfig config = test::small_config(10, 20);
  config.refine_iterations = 8;
  const TransferResult out = transfer(*backend, content, style, config);
  const RefinementRecord& r = out.refinement;
  REQUIRE(r.ran);
  REQUIRE(r.before.size() == 3);
  REQUIRE(r.after.size() == 3);
  INFO("transfer: " << r.before[0] << " -> " << r.after[0] << " (" << r.stop_reason << ")");
  CHECK(r.after[0] < r.before[0]);
  CHECK(r.before[0] == Approx(r.before[1] + r.before[2]).epsilon(1e-9));
  CHECK(out.output.n_samples() == content.n_samples());

  TransferConfig texture_config = config;
  const TransferResult texture_out = texture(*backend, style, 12000, texture_config);
  REQUIRE(texture_out.refinement.ran);
  CHECK(texture_out.refinement.after[0] < texture_out.refinement.before[0]);
  CHECK(texture_out.refinement.before[1] == 0);  // no content term

  TransferConfig segmented = config;
  segmented.segment_seconds = 1.0;
  segmented.overlap_seconds = 0.25;
  CHECK_THROWS_AS(transfer(*backend, content, style, segmented), UsageError);
}
