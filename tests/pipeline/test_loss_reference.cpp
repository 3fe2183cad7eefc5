// The full objective (features, content term, style Gram, style term and the gradient) against a
// PyTorch reference written from the paper's code (tests/golden/make_loss_golden.py): pins the
// conventions our own double-precision check (tests/gradient_check.h) takes from our code, namely
// the weight std, the 1/T of the Gram (T = input frames), alpha, and the factors of the gradient.
#include <catch2/catch.hpp>

#include <deque>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>

#include "host/pipeline/features.h"
#include "host/pipeline/style_gram.h"
#include "host/pipeline/style_objective.h"
#include "tests/golden/golden.h"
#include "tests/support.h"

using namespace audiostyle;

namespace {

// Plans made on demand and kept alive for style_gram's chunks.
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

std::string golden_path(const std::string& suffix) {
  return test::source_path("tests/golden/loss_small" + suffix);
}

}  // namespace

TEST_CASE("loss reference: the objective, its style Gram and gradient match PyTorch",
          "[loss][golden]") {
  std::ifstream meta_file(golden_path(".json"));
  REQUIRE(meta_file.good());
  const auto meta = nlohmann::json::parse(meta_file);
  const int n_fft = meta["n_fft"], hop = meta["hop"], F = meta["filters"], K = meta["kernel_width"];
  const int C = n_fft / 2 + 1;
  const int64_t T = meta["frames"];
  const uint64_t seed = meta["seed"];
  const float alpha = meta["alpha"];
  const auto content_audio = test::golden::read_f32(golden_path(".content.f32"), meta["n_content"]);
  const auto style_audio = test::golden::read_f32(golden_path(".style.f32"), meta["n_style"]);
  const auto x_point = test::golden::read_f32(golden_path(".x.f32"), size_t(T * C));
  const auto expected_gram = test::golden::read_f32(golden_path(".style_gram.f32"), size_t(F * F));
  const auto expected_grad = test::golden::read_f32(golden_path(".grad.f32"), size_t(T * C));

  auto backend = make_cpu_backend();
  auto extractor = make_random_conv1d(*backend, C, F, K, seed, Precision::fp32);
  // The weight std the extractor uses is the paper's.
  CHECK(random_conv1d_stddev(C, F, K) == Approx(double(meta["weight_std"])).epsilon(1e-7));

  // Content features as the pipeline makes them: STFT, log1p|.|, conv + ReLU.
  auto stft = backend->make_stft({n_fft, hop, int64_t(content_audio.size())});
  REQUIRE(stft->shape().n_frames() == T);
  Buffer<float> audio(*backend, int64_t(content_audio.size())), spec(*backend, 2 * T * C),
      x_content(*backend, T * C);
  audio.upload(content_audio);
  stft->forward(audio.get(), spec.get());
  backend->log1p_magnitude(spec.get(), T * C, x_content.get());
  auto plan = extractor->plan(T, 1);
  Buffer<float> content_features(*backend, plan->shape().count());
  plan->forward(x_content.get(), content_features.get());

  // The style Gram streamed in chunks of 20 rows (several chunks, as a long style would be), by
  // the functions the engine calls, so the extractor's own scales are what this pins.
  Plans plans{*backend, *extractor};
  Buffer<float> gs(*backend, int64_t(F) * F);
  backend->fill(gs.get(), gs.size(), std::numeric_limits<float>::quiet_NaN());
  style_grams(*backend, plans.source(), *extractor, style_audio, n_fft, hop, 0, 20, {gs.get()});
  // float32 STFT, a 715-term conv sum and a 66-row Gram against float64: measured 1.1e-7; a
  // wrong scale (1/rows for 1/T: 66/76) or std (a factor 2 in the Gram) is off by 0.15 or more.
  const double gram_error = test::relative_error(gs.download(), expected_gram);
  INFO("style Gram relative error " << gram_error);
  CHECK(gram_error <= 1e-6);

  auto gram = backend->make_gram(plan->shape().rows, F, Precision::fp32, 1);
  StyleObjective objective(
      *backend, *plan,
      make_layer_terms(*extractor, *plan, T, alpha, {content_features.get()}, {gs.get()},
                       [&](int64_t, int, int) -> Gram& { return *gram; }));
  Buffer<float> x(*backend, T * C), grad(*backend, T * C);
  Buffer<double> values(*backend, objective.value_count());
  x.upload(x_point);
  backend->fill(grad.get(), grad.size(), std::numeric_limits<float>::quiet_NaN());
  objective.evaluate(x.get(), grad.get(), values.get());
  const auto got = values.download();
  const double content = meta["content_loss"], style = meta["style_loss"],
               total = meta["total_loss"];
  INFO("relative errors: total " << std::abs(got[0] - total) / total << ", content "
                                 << std::abs(got[1] - content) / content << ", style "
                                 << std::abs(got[2] - style) / style);
  // Both terms weigh alike here (alpha 10), so a factor in either shows in the total too. Measured
  // relative errors 1e-8 to 2e-8 (sums in double over float terms); the style term is a difference
  // of Grams squared, so its error is the Gram's times ||G|| / ||G - Gs||. 1e-6 leaves room for
  // other BLAS summation orders and fails any factor of the conventions (all >= 1.15).
  CHECK(std::abs(got[1] - content) <= 1e-6 * content);
  CHECK(std::abs(got[2] - style) <= 1e-6 * style);
  CHECK(std::abs(got[0] - total) <= 1e-6 * total);
  const double grad_error = test::relative_error(grad.download(), expected_grad);
  INFO("gradient relative error " << grad_error);
  // Measured 9e-7: float32 through the conv backward (715-term sums) and the Gram backward; 1e-5
  // is ten times that, and a gradient factor (2 for 4/T, alpha for 2 alpha) errs by 0.1 or more.
  CHECK(grad_error <= 1e-5);
}
