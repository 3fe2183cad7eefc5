// One evaluation of a method 2 objective (forward to the deepest layer, Grams, losses, input
// gradient) on a 10 s clip's spectrogram, through the plan and objective the pipeline runs.
//
//   bench_vgg16 [--net vgg16|vggish] [--device cpu|cuda] [--seconds 10] [--repeats 3] [--json OUT]
//
// --net vgg16: the paper's defaults (content conv3_1, style conv1_1 conv1_2 conv2_1 conv2_2) on the
//   linear bins, n_fft 2048, hop 512 at 22.05 kHz: a 10 s clip is [T, C] = [431, 1025].
// --net vggish: the vggish recipe's objective (host/cli/recipes.cpp) at VGGish's geometry
//   (vggish_stft(22050): n_fft 1024, window 551, hop 220): [T, C] = [1003, 513], 11 examples of
//   96 x 64. Timed twice: VGGish alone (content relu5:1000, style relu1:1.5, alpha 1e-2; the same
//   net as bench/peers/vggish_peer.py), then the whole recipe, VGGish + 0.1 x method 1's random
//   conv (4096 filters of 11 frames) on the same spectrogram.
//
// Work counted (per conv layer l of Cin -> Cout on H_l x W_l, B items; positions M, channels N):
//   conv forward 2 * 9 Cin Cout H W B, conv input gradient the same (the first conv's too: the
//   image gradient is needed), Gram forward M N (N + 1) B (one triangle), Gram backward 2 M N^2 B.
//   VGGish's mel projection is a GEMM, counted forward and backward: 2 * 2 T C 64. Method 1's
//   conv: forward and input gradient 2 * 2 T' F K C, T' = T - K + 1 (bench/work.py).
// ReLU, pooling, L2 and ImageNet normalisation, expm1/log1p and the losses are memory-bound and
// not counted. Weights are Philox (conv_stack.h): the time does not depend on their values.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>

#include "audiostyle/backend.h"
#include "audiostyle/config.h"
#include "host/extractors/composite.h"
#include "host/extractors/vgg16.h"
#include "host/extractors/vggish.h"
#include "host/pipeline/style_objective.h"

using namespace audiostyle;

namespace {

constexpr int kRateHz = 22050;

// The convs of a stack up to its deepest layer, forward and input gradient.
double stack_conv_flop(const StackLayers& layers, const StackFrontFactory& front,
                       int64_t n_frames, int width) {
  const StackImage image = front.image(n_frames, width);
  double flop = 0;
  for (int j = 0; j < layers.conv_count(); ++j) {
    const StackConv& c = layers.net->convs[size_t(j)];
    const int pools = layers.net->nodes[size_t(layers.net->node_index(c.name))].pools;
    const double positions =
        double(image.images) * double(image.height >> pools) * double(image.width >> pools);
    flop += 2 * 2.0 * 9 * c.in_channels * c.out_channels * positions;
  }
  return flop;
}

struct Timed {
  std::vector<double> ms;  // sorted
  double flop = 0;         // the extractor's (given) plus the Grams' (counted here)
  std::string algorithm, layers;
  double median() const { return ms[ms.size() / 2]; }
  nlohmann::json json(const std::string& stage) const {
    return {{"stage", stage}, {"flop", flop}, {"median_ms", median()}, {"times_ms", ms},
            {"gflops", flop / median() / 1e6}, {"algorithm", algorithm}, {"layers", layers}};
  }
};

// Targets from one random spectrogram, then `repeats` timed evaluations at another (after one
// warm-up). extractor_flop: the extractor's forward and input gradient.
Timed time_objective(Backend& backend, FeatureExtractor& extractor, int64_t T, int C, float alpha,
                     double extractor_flop, int repeats) {
  auto plan = extractor.plan(T, 1);
  std::vector<std::unique_ptr<Gram>> grams;
  auto gram = [&](int64_t rows, int cols, int batch) -> Gram& {
    grams.push_back(backend.make_gram(rows, cols, Precision::fp32, batch));
    return *grams.back();
  };
  const int64_t n = T * C;
  Buffer<float> x(backend, n), grad(backend, n), act(backend, plan->activation_count());
  backend.fill_normal(x.get(), n, 3, 7, 1.0f);
  plan->forward(x.get(), act.get());
  std::vector<Buffer<float>> targets;
  std::vector<const float*> content, style;
  Timed timed;
  timed.flop = extractor_flop;
  for (const auto& o : plan->outputs()) {
    targets.emplace_back(backend, o.shape.count());
    backend.copy(targets.back().get(), act.get() + o.offset, targets.back().bytes());
    const bool is_style = o.style_weight != 0;
    content.push_back(o.content_weight != 0 ? targets.back().get() : nullptr);
    if (is_style) {
      targets.emplace_back(backend, int64_t(o.shape.cols) * o.shape.cols);
      gram(o.shape.rows, o.shape.cols, 1)
          .forward(act.get() + o.offset, extractor.scales(o, T).gram_scale, targets.back().get());
      const double M = double(o.shape.rows), N = o.shape.cols;
      timed.flop += M * N * (N + 1) + 2 * M * N * N;
    }
    style.push_back(is_style ? targets.back().get() : nullptr);
  }
  backend.fill_normal(x.get(), n, 4, 7, 1.0f);
  StyleObjective objective(backend, *plan,
                           make_layer_terms(extractor, *plan, T, alpha, content, style, gram));
  Buffer<double> values(backend, objective.value_count());
  for (int r = 0; r <= repeats; ++r) {
    backend.synchronize();
    const auto start = std::chrono::steady_clock::now();
    objective.evaluate(x.get(), grad.get(), values.get());
    backend.synchronize();
    const double t = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() -
                                                               start).count();
    if (r > 0) timed.ms.push_back(t);  // the first is a warm-up
  }
  std::sort(timed.ms.begin(), timed.ms.end());
  timed.algorithm = plan->algorithm();
  timed.layers = extractor.describe();
  return timed;
}

void print(const char* what, const Timed& t) {
  if (*what) std::printf("%s\n", what);
  std::printf("  %.3f GFLOP counted, median %.1f ms of %d (min %.1f, max %.1f): %.1f GFLOP/s; "
              "conv %s\n",
              t.flop / 1e9, t.median(), int(t.ms.size()), t.ms.front(), t.ms.back(),
              t.flop / t.median() / 1e6, t.algorithm.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("One method 2 objective evaluation on a clip's spectrogram");
  std::string net = "vgg16", device = "cpu", json_path;
  double seconds = 10;
  int repeats = 3;
  app.add_option("--net", net, "vgg16 or vggish (VGGish alone, then the vggish recipe)")
      ->check(CLI::IsMember({"vgg16", "vggish"}));
  app.add_option("--device", device, "cpu or cuda");
  app.add_option("--seconds", seconds, "Clip length");
  app.add_option("--repeats", repeats, "Timed evaluations (after one warm-up)")
      ->check(CLI::PositiveNumber);
  app.add_option("--json", json_path, "Write the result here");
  CLI11_PARSE(app, argc, argv);
  auto backend = device == "cuda" ? make_cuda_backend() : make_cpu_backend();
  const int64_t samples = int64_t(seconds * kRateHz);
  nlohmann::json j;

  if (net == "vgg16") {
    const int64_t T = StftShape{2048, 512, samples}.n_frames();
    const int C = 2048 / 2 + 1;
    Vgg16Options options;
    options.layers = resolve_vgg16_layers({}, {}, true);  // the paper's defaults
    options.n_bins = C;
    auto extractor = make_vgg16(*backend, vgg16_philox_weights(1, options.layers.conv_count()),
                                options, Precision::fp32);
    const Timed t = time_objective(*backend, *extractor, T, C, 1.0f,
                                   stack_conv_flop(options.layers, *vgg16_front(nullptr), T, C),
                                   repeats);
    std::printf("vgg16 objective evaluation, %.0f s clip (%lld x %d), layers up to conv3_1, %s on "
                "%s\n",
                seconds, (long long)T, C, backend->name().c_str(), backend->device_name().c_str());
    print("", t);
    j = t.json("vgg16_objective");
    j.update({{"frames", T}, {"bins", C}});
  } else {
    // The vggish recipe's objective (--content-layers relu5:1000 --style-layers relu1:1.5), alone
    // and summed with 0.1 x method 1's conv (--extractor vggish+random_conv1d --extractor-weights
    // 1,0.1, the recipe before 2026-12-05; alpha, filters, width, seed: defaults).
    const TransferConfig config;
    const StftGeometry g = vggish_stft(kRateHz);
    const int64_t T = StftShape{g.n_fft, g.hop, samples, g.win_length}.n_frames();
    const int C = g.n_fft / 2 + 1;
    const StackLayers layers =
        resolve_stack_layers(vggish_net(), {{"relu5", 1000}}, {{"relu1", 1.5f}}, true);
    auto vggish = [&] {
      return make_vggish(*backend, philox_stack_weights(vggish_net(), 1, layers.conv_count()),
                         layers, kRateHz, g.n_fft, Precision::fp32);
    };
    const double vggish_flop = stack_conv_flop(layers, *vggish_front(nullptr), T, kVggishBands) +
                               2 * 2.0 * double(T) * C * kVggishBands;
    const int F = config.n_filters, K = config.kernel_width;
    const double conv1d_flop = 2 * 2.0 * double(T - K + 1) * F * K * C;

    std::printf("vggish recipe objective evaluation, %.0f s clip (%lld x %d, %lld examples of %d x "
                "%d), %s on %s\n",
                seconds, (long long)T, C, (long long)vggish_front(nullptr)->image(T, C).images,
                kVggishFrames, kVggishBands, backend->name().c_str(),
                backend->device_name().c_str());
    const Timed alone =
        time_objective(*backend, *vggish(), T, C, config.alpha, vggish_flop, repeats);
    print("VGGish alone, the recipe (content relu5, style relu1)", alone);
    std::vector<ExtractorPart> parts;
    parts.push_back({"vggish", 1.0f, vggish()});
    parts.push_back({"random_conv1d", 0.1f,
                     make_random_conv1d(*backend, C, F, K, config.seed, Precision::fp32)});
    auto recipe = make_composite(*backend, std::move(parts), C);
    const Timed whole = time_objective(*backend, *recipe, T, C, config.alpha,
                                       vggish_flop + conv1d_flop, repeats);
    print("VGGish + 0.1 x random conv1d (4096 filters), --extractor vggish+random_conv1d", whole);
    j = alone.json("vggish_objective");
    j.update({{"frames", T}, {"bins", C}, {"hop", g.hop}, {"n_fft", g.n_fft},
              {"win_length", g.win_length}, {"recipe", whole.json("vggish_recipe_objective")}});
  }
  if (!json_path.empty()) {
    j.update({{"backend", backend->name()}, {"device", backend->device_name()},
              {"seconds", seconds}});
    std::ofstream(json_path) << j.dump(2) << "\n";
  }
  return 0;
}
