// One evaluation of the vgg16 objective (method 2: forward to the deepest layer, Grams, losses,
// input gradient) on a 10 s clip's spectrogram, through the plan and objective the pipeline runs.
//
//   bench_vgg16 [--device cpu|cuda] [--seconds 10] [--repeats 3] [--json OUT]
//
// Work counted (per conv layer l of Cin -> Cout on H_l x W_l, B items; positions M, channels N):
//   conv forward 2 * 9 Cin Cout H W B, conv input gradient the same (conv1_1's too: the image
//   gradient is needed), Gram forward M N (N + 1) B (one triangle), Gram backward 2 M N^2 B.
// ReLU, pooling, L2 and ImageNet normalisation and the losses are memory-bound and not counted.
// Weights are Philox (host/extractors/vgg16.h): the time does not depend on their values.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>

#include "audiostyle/backend.h"
#include "host/extractors/vgg16.h"
#include "host/pipeline/style_objective.h"

using namespace audiostyle;

int main(int argc, char** argv) {
  CLI::App app("One vgg16 objective evaluation on a clip's spectrogram");
  std::string device = "cpu", json_path;
  double seconds = 10;
  int repeats = 3, n_fft = 2048, hop = 512, rate = 22050;
  app.add_option("--device", device, "cpu or cuda");
  app.add_option("--seconds", seconds, "Clip length");
  app.add_option("--repeats", repeats, "Timed evaluations (after one warm-up)");
  app.add_option("--json", json_path, "Write the result here");
  CLI11_PARSE(app, argc, argv);
  auto backend = device == "cuda" ? make_cuda_backend() : make_cpu_backend();
  const int64_t T = StftShape{n_fft, hop, int64_t(seconds * rate)}.n_frames();
  const int C = n_fft / 2 + 1;

  Vgg16Options options;
  options.layers = resolve_vgg16_layers({}, {}, true);  // the paper's defaults
  options.n_bins = C;
  auto extractor = make_vgg16(*backend, vgg16_philox_weights(1, options.layers.conv_count()),
                              options, Precision::fp32);
  auto plan = extractor->plan(T, 1);
  const auto& outputs = plan->outputs();
  std::vector<std::unique_ptr<Gram>> grams;
  auto gram = [&](int64_t rows, int cols, int batch) -> Gram& {
    grams.push_back(backend->make_gram(rows, cols, Precision::fp32, batch));
    return *grams.back();
  };
  const int64_t n = T * C;
  Buffer<float> x(*backend, n), grad(*backend, n), act(*backend, plan->activation_count());
  backend->fill_normal(x.get(), n, 3, 7, 1.0f);
  plan->forward(x.get(), act.get());
  std::vector<Buffer<float>> targets;
  std::vector<const float*> content, style;
  double flop = 0;
  for (const auto& o : outputs) {
    targets.emplace_back(*backend, o.shape.count());
    backend->copy(targets.back().get(), act.get() + o.offset, targets.back().bytes());
    const bool is_style = o.style_weight != 0;
    Buffer<float> g;
    content.push_back(o.content_weight != 0 ? targets.back().get() : nullptr);
    if (is_style) {
      targets.emplace_back(*backend, int64_t(o.shape.cols) * o.shape.cols);
      gram(o.shape.rows, o.shape.cols, 1)
          .forward(act.get() + o.offset, extractor->scales(o, T).gram_scale, targets.back().get());
      const double M = double(o.shape.rows), N = o.shape.cols;
      flop += M * N * (N + 1) + 2 * M * N * N;
    }
    style.push_back(is_style ? targets.back().get() : nullptr);
  }
  for (int j = 0; j < options.layers.conv_count(); ++j) {
    const StackConv& c = vgg16_conv(j);
    const int pools = vgg16_net().nodes[size_t(vgg16_net().node_index(c.name))].pools;
    const double positions = double(T >> pools) * double(C >> pools);
    flop += 2 * 2.0 * 9 * c.in_channels * c.out_channels * positions;
  }
  backend->fill_normal(x.get(), n, 4, 7, 1.0f);
  StyleObjective objective(*backend, *plan,
                           make_layer_terms(*extractor, *plan, T, 1.0f, content, style, gram));
  Buffer<double> values(*backend, objective.value_count());
  std::vector<double> ms;
  for (int r = 0; r <= repeats; ++r) {
    backend->synchronize();
    const auto start = std::chrono::steady_clock::now();
    objective.evaluate(x.get(), grad.get(), values.get());
    backend->synchronize();
    const double t = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() -
                                                               start).count();
    if (r > 0) ms.push_back(t);  // the first is a warm-up
  }
  std::sort(ms.begin(), ms.end());
  const double median = ms[ms.size() / 2];
  std::printf("vgg16 objective evaluation, %.0f s clip (%lld x %d), layers up to conv3_1, %s on %s\n",
              seconds, (long long)T, C, backend->name().c_str(), backend->device_name().c_str());
  std::printf("  %.3f GFLOP counted, median %.1f ms of %d (min %.1f, max %.1f): %.1f GFLOP/s; conv %s\n",
              flop / 1e9, median, int(ms.size()), ms.front(), ms.back(), flop / median / 1e6,
              plan->algorithm().c_str());
  if (!json_path.empty()) {
    nlohmann::json j = {{"stage", "vgg16_objective"}, {"backend", backend->name()},
                        {"device", backend->device_name()}, {"seconds", seconds},
                        {"frames", T}, {"bins", C}, {"flop", flop}, {"median_ms", median},
                        {"times_ms", ms}, {"gflops", flop / median / 1e6},
                        {"algorithm", plan->algorithm()}, {"layers", extractor->describe()}};
    std::ofstream(json_path) << j.dump(2) << "\n";
  }
  return 0;
}
