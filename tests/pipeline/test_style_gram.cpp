// The style Gram streamed in chunks equals the Gram of the whole style computed at once.
#include <catch2/catch.hpp>

#include <deque>
#include <limits>
#include <map>

#include "audiostyle/pipeline.h"
#include "host/pipeline/style_gram.h"
#include "tests/pipeline/small_config.h"
#include "tests/support.h"

using namespace audiostyle;

namespace {

struct Plans {
  Backend& backend;
  FeatureExtractor& extractor;
  std::deque<std::unique_ptr<Stft>> stfts;
  std::deque<std::unique_ptr<FeaturePlan>> features;
  std::deque<std::unique_ptr<Gram>> grams;
  PlanSource source() {
    return {[this](const StftShape& s) -> Stft& {
              stfts.push_back(backend.make_stft(s));
              return *stfts.back();
            },
            [this](int64_t frames, int batch) -> FeaturePlan& {
              features.push_back(extractor.plan(frames, batch));
              return *features.back();
            },
            [this](int64_t rows, int cols, int batch) -> Gram& {
              grams.push_back(backend.make_gram(rows, cols, Precision::fp32, batch));
              return *grams.back();
            }};
  }
};

// Gs computed directly: whole-track STFT, features, one Gram.
std::vector<float> direct_gram(Backend& backend, FeatureExtractor& extractor,
                               const std::vector<float>& audio, int n_fft, int hop, int F) {
  auto stft = backend.make_stft({n_fft, hop, int64_t(audio.size())});
  const int64_t T = stft->shape().n_frames();
  const int C = n_fft / 2 + 1;
  Buffer<float> a(backend, int64_t(audio.size())), spec(backend, 2 * T * C), x(backend, T * C);
  a.upload(audio);
  stft->forward(a.get(), spec.get());
  backend.log1p_magnitude(spec.get(), T * C, x.get());
  auto plan = extractor.plan(T, 1);
  Buffer<float> features(backend, plan->shape().count()), gram(backend, int64_t(F) * F);
  plan->forward(x.get(), features.get());
  backend.make_gram(plan->shape().rows, F, Precision::fp32, 1)
      ->forward(features.get(), 1.0f / float(T), gram.get());
  return gram.download();
}

}  // namespace

TEST_CASE("style gram: chunks of any size give the whole track's Gram", "[style_gram]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  auto backend = make_cpu_backend();
  const int n_fft = 256, K = 5, F = 24;
  for (int hop : {64, 100}) {
    const int C = n_fft / 2 + 1;
    auto extractor = make_random_conv1d(*backend, C, F, K, seed, Precision::fp32);
    const auto audio = test::random_uniform(size_t(hop * 150 + 37), seed + hop, -0.5f, 0.5f);
    const auto expected = direct_gram(*backend, *extractor, audio, n_fft, hop, F);
    for (int64_t chunk : {1, 7, 40, 146, 100000}) {
      INFO("hop " << hop << " chunk " << chunk);
      Plans plans{*backend, *extractor};
      Buffer<float> gram(*backend, int64_t(F) * F);
      backend->fill(gram.get(), gram.size(), std::numeric_limits<float>::quiet_NaN());
      style_gram(*backend, plans.source(), audio, n_fft, hop, K, F, chunk, gram.get());
      CHECK(test::relative_error(gram.download(), expected) <= 1e-5);
    }
  }
}

TEST_CASE("style gram: a long style with a short content transfers, memory bounded",
          "[style_gram]") {
  auto backend = make_cpu_backend();
  TransferConfig config = test::small_config(5, 5);
  config.n_filters = 32;
  config.style_chunk_frames = 64;
  Audio content, style;
  content.sample_rate_hz = style.sample_rate_hz = 8000;
  content.channels = {test::random_uniform(8000, test::fresh_seed(), -0.3f, 0.3f)};
  style.channels = {test::random_uniform(8000 * 60, test::fresh_seed(), -0.3f, 0.3f)};  // 60 s
  const auto result = transfer(*backend, content, style, config);
  CHECK(result.style_frames == 1 + 8000 * 60 / 64);
  CHECK(result.output.n_samples() == 8000);
  REQUIRE(!result.iterations.empty());
  CHECK(result.final_style < result.iterations.front().style);
  // The chunked analysis holds a few chunks' worth, not the whole style's features.
  CHECK(style_gram_bytes(8000 * 60, 256, 64, 5, 32, 64) < size_t(1) << 20);
}
