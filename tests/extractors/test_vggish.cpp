// The vggish extractor (host/extractors/vggish.h): against torchvggish (vggish_parity.h), its front
// end from audio against torchvggish's own preprocessing at 16 kHz, a sine's band at 22.05 kHz,
// and the examples' framing.
#include <catch2/catch.hpp>

#include <cmath>
#include <deque>

#include "host/extractors/vggish.h"
#include "host/pipeline/style_gram.h"
#include "tests/extractors/vggish_parity.h"
#include "tests/golden/golden.h"

using namespace audiostyle;

namespace {

// The padded log-mel image [E * 96, 64] the extractor's convs see for one item of audio, at the
// extractor's own STFT geometry for the rate (vggish_stft).
std::vector<float> vggish_image(Backend& backend, const std::vector<float>& audio, int rate,
                                int64_t* frames) {
  const StftGeometry g = vggish_stft(rate);
  auto stft = backend.make_stft({g.n_fft, g.hop, int64_t(audio.size()), g.win_length});
  const int64_t T = stft->shape().n_frames();
  const int C = g.n_fft / 2 + 1;
  Buffer<float> a(backend, int64_t(audio.size())), spec(backend, 2 * T * C), x(backend, T * C);
  a.upload(audio);
  stft->forward(a.get(), spec.get());
  backend.log1p_magnitude(spec.get(), T * C, x.get());
  const StackLayers layers = resolve_stack_layers(vggish_net(), {}, {{"relu1", 1}}, false);
  auto extractor = make_vggish(backend, philox_stack_weights(vggish_net(), 1, 1), layers, rate,
                               g.n_fft, Precision::fp32);
  auto plan = extractor->plan(T, 1);
  Buffer<float> act(backend, plan->activation_count());
  plan->forward(x.get(), act.get());
  *frames = T;
  return test::download(backend, act.get(), ((T + 95) / 96) * 96 * kVggishBands);
}

}  // namespace

TEST_CASE("vggish: image, activations, Grams, losses and input gradient match torchvggish",
          "[vggish]") {
  auto backend = make_cpu_backend();
  test::check_parity(test::vggish_philox_parity(*backend, Precision::fp32), 2, 3, 8);
}

TEST_CASE("vggish: the converter's file of a random-init torchvggish gives its activations",
          "[vggish]") {
  auto backend = make_cpu_backend();
  test::check_errors(test::vggish_converted_parity(*backend, Precision::fp32), 2);
}

TEST_CASE("vggish: the front end from audio equals torchvggish's log-mel at 16 kHz", "[vggish]") {
  // VGGish frames from sample 0 uncentred; ours centre frames (tests/golden/README.md): after 120
  // zeros our frame t + 2 is VGGish's frame t.
  const auto signal = test::golden::read_f32(test::source_path("tests/golden/vggish_frontend.signal.f32"), 56000);
  const auto golden =
      test::golden::read_f32(test::source_path("tests/golden/vggish_frontend.log_mel.f32"), 348 * 64);
  std::vector<float> audio(120, 0.0f);
  audio.insert(audio.end(), signal.begin(), signal.end());
  auto backend = make_cpu_backend();
  int64_t T = 0;
  const auto image = vggish_image(*backend, audio, 16000, &T);
  REQUIRE(T == 351);
  double worst = 0;
  for (int t = 0; t < 348; ++t)
    for (int m = 0; m < 64; ++m)
      worst = std::max(worst, std::fabs(double(image[size_t((t + 2) * 64 + m)]) -
                                        double(golden[size_t(t * 64 + m)])));
  // fp32 STFT against float64: a quiet band's log(mel + 0.01) moves by ~1e-5 / 0.01.
  INFO("max |log-mel difference| " << worst);
  CHECK(worst <= 2e-3);
  // The padded tail of the last example is the log-mel of silence.
  CHECK(image.back() == Approx(std::log(0.01f)).margin(1e-6));
}

TEST_CASE("vggish: a sine at 22.05 kHz lands in its band, and the geometry keeps 25 ms / 10 ms",
          "[vggish]") {
  const StftGeometry g = vggish_stft(22050);
  CHECK(g.win_length == 551);  // round(551.25)
  CHECK(g.hop == 220);         // round(220.5), half to even as Python's
  CHECK(g.n_fft == 1024);
  CHECK(vggish_stft(16000).win_length == 400);
  CHECK(vggish_stft(16000).n_fft == 512);
  CHECK(vggish_stft(44100).hop == 441);

  const double f = 1000;
  std::vector<float> audio(22050);
  for (size_t i = 0; i < audio.size(); ++i)
    audio[i] = float(0.5 * std::sin(2 * M_PI * f * double(i) / 22050));
  auto backend = make_cpu_backend();
  int64_t T = 0;
  const auto image = vggish_image(*backend, audio, 22050, &T);
  // Expected: the band whose centre (HTK mel, 64 bands over 125-7500 Hz) is nearest f.
  auto mel = [](double hz) { return 1127.0 * std::log(1 + hz / 700); };
  const double lo = mel(125), hi = mel(7500), target = mel(f);
  int expected = 0;
  for (int k = 1; k < 64; ++k)
    if (std::fabs(lo + (k + 1) * (hi - lo) / 65 - target) <
        std::fabs(lo + (expected + 1) * (hi - lo) / 65 - target))
      expected = k;
  const int64_t t = T / 2;
  int peak = 0;
  for (int m = 1; m < 64; ++m)
    if (image[size_t(t * 64 + m)] > image[size_t(t * 64 + peak)]) peak = m;
  CHECK(std::abs(peak - expected) <= 1);
}

TEST_CASE("vggish: a style streamed in chunks of whole examples gives the whole track's Grams",
          "[vggish][style_gram]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  auto backend = make_cpu_backend();
  const StftGeometry g = vggish_stft(16000);
  const StackLayers layers =
      resolve_stack_layers(vggish_net(), {}, {{"relu1", 1}, {"pool2", 1}}, false);
  auto extractor = make_vggish(*backend, philox_stack_weights(vggish_net(), seed, 2), layers, 16000,
                               g.n_fft, Precision::fp32);
  const auto audio = test::random_uniform(16000 * 3 + 77, seed + 1, -0.5f, 0.5f);
  std::deque<std::unique_ptr<Stft>> stfts;
  std::deque<std::unique_ptr<FeaturePlan>> plans;
  std::deque<std::unique_ptr<Gram>> grams;
  const PlanSource source{[&](const StftShape& s) -> Stft& {
                            stfts.push_back(backend->make_stft(s));
                            return *stfts.back();
                          },
                          [&](int64_t frames, int batch) -> FeaturePlan& {
                            plans.push_back(extractor->plan(frames, batch));
                            return *plans.back();
                          },
                          [&](int64_t rows, int cols, int batch) -> Gram& {
                            grams.push_back(backend->make_gram(rows, cols, Precision::fp32, batch));
                            return *grams.back();
                          }};
  auto grams_with = [&](int64_t chunk_frames) {
    Buffer<float> g1(*backend, 64 * 64), g2(*backend, 128 * 128);
    style_grams(*backend, source, *extractor, audio, g.n_fft, g.hop, g.win_length, chunk_frames,
                {g1.get(), g2.get()});
    return std::make_pair(g1.download(), g2.download());
  };
  const auto whole = grams_with(1 << 20);
  // 302 frames asked in chunks of 100: whole examples make them 96, 96 and 110.
  const auto chunked = grams_with(100);
  CHECK(test::relative_error(chunked.first, whole.first) <= 1e-5);
  CHECK(test::relative_error(chunked.second, whole.second) <= 1e-5);
}
