// The vgg16 extractor against torchvision (tests/golden/make_vgg16_golden.py), on any backend:
// layer activations, style Grams, the multi-layer objective's terms and its input gradient, with the
// Philox weights regenerated from the golden's seed. The golden is float64 PyTorch rounded to
// float32; ours is float32 with double loss sums, so 1e-4 relative bounds fp32 GEMM rounding over
// K = 9 * Cin <= 1152 terms (about sqrt(K) * 6e-8 ~ 2e-6 per layer, compounding over 5 layers) with
// margin. Shared by the CPU test and its GPU twin.
#pragma once
#include <catch2/catch.hpp>

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "host/extractors/vgg16.h"
#include "host/io/weights.h"
#include "host/pipeline/style_objective.h"
#include "tests/support.h"

namespace audiostyle::test {

constexpr double kVgg16Tolerance = 1e-4;

struct Vgg16Golden {
  std::vector<uint8_t> bytes;
  std::unique_ptr<SafetensorsFile> file;
  explicit Vgg16Golden(const std::string& name) {
    const std::string path = source_path("tests/golden/" + name);
    bytes = read_file_bytes(path, "the golden file");
    file = std::make_unique<SafetensorsFile>(bytes.data(), bytes.size(), path);
  }
  std::vector<float> operator[](const std::string& name) const { return file->floats(name); }
  const std::vector<int64_t>& shape(const std::string& name) const {
    return file->tensors().at(name).shape;
  }
};

// "a:1,b:0.5" -> layers
inline std::vector<LayerWeight> parse_layers(const std::string& text) {
  std::vector<LayerWeight> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    const std::string item = text.substr(start, end - start);
    const size_t colon = item.find(':');
    out.push_back({item.substr(0, colon), std::stof(item.substr(colon + 1))});
    start = end + 1;
  }
  return out;
}

struct ParityErrors {
  std::map<std::string, double> activations, grams, losses;
  double gradient = 0;
  double worst() const {
    double w = gradient;
    for (const auto* m : {&activations, &grams, &losses})
      for (const auto& [name, e] : *m) w = std::max(w, e);
    return w;
  }
};

// Every error within kVgg16Tolerance, and exactly as many compared as the golden holds.
inline void check_parity(const ParityErrors& e, size_t activations, size_t grams, size_t losses) {
  for (const auto* m : {&e.activations, &e.grams, &e.losses})
    for (const auto& [name, error] : *m) {
      INFO(name << " relative error " << error);
      CHECK(error <= kVgg16Tolerance);
    }
  INFO("input gradient relative error " << e.gradient);
  CHECK(e.gradient <= kVgg16Tolerance);
  CHECK(e.activations.size() == activations);
  CHECK(e.grams.size() == grams);
  CHECK(e.losses.size() == losses);
}

inline void check_errors(const std::map<std::string, double>& errors, size_t count) {
  REQUIRE(errors.size() == count);
  for (const auto& [name, error] : errors) {
    INFO(name << " relative error " << error);
    CHECK(error <= kVgg16Tolerance);
  }
}

inline std::vector<float> download(Backend& backend, const float* p, int64_t count) {
  std::vector<float> out(static_cast<size_t>(count));
  backend.download(out.data(), p, sizeof(float) * size_t(count));
  return out;
}

// Makes the extractor under test from the golden's layer lists and Philox seed.
using ExtractorFactory = std::function<std::unique_ptr<FeatureExtractor>(
    const std::vector<LayerWeight>& content, const std::vector<LayerWeight>& style, uint64_t seed,
    int n_bins)>;

// The extractor against the golden (make_vgg16_golden.py, make_vggish_golden.py): style Grams,
// the activations stored as act.NAME, the objective's terms and its input gradient; `more` runs
// on the point x after the activations are compared (the network's own extra checks).
inline ParityErrors philox_parity(
    Backend& backend, Precision precision, const std::string& golden_name,
    const ExtractorFactory& factory,
    const std::function<void(const Vgg16Golden&, const Buffer<float>& x, ParityErrors&)>& more = {}) {
  const Vgg16Golden golden(golden_name);
  const auto& meta = golden.file->metadata();
  const uint64_t seed = std::stoull(meta.at("seed"));
  const float alpha = std::stof(meta.at("alpha"));
  const auto& shape = golden.shape("x");  // [B, T, C]
  const int B = int(shape[0]), T = int(shape[1]), C = int(shape[2]);
  const int T_style = int(golden.shape("x_style")[1]);
  ParityErrors errors;

  auto extractor = factory(parse_layers(meta.at("content")), parse_layers(meta.at("style")), seed, C);
  auto plan = extractor->plan(T, B);
  const auto& outputs = plan->outputs();
  std::vector<std::unique_ptr<Gram>> grams;
  auto gram = [&](int64_t rows, int cols, int batch) -> Gram& {
    grams.push_back(backend.make_gram(rows, cols, precision, batch));
    return *grams.back();
  };

  // Content targets and style Grams, as the engine makes them.
  Buffer<float> x_content(backend, int64_t(B) * T * C), activations(backend, plan->activation_count());
  x_content.upload(golden["x_content"]);
  plan->forward(x_content.get(), activations.get());
  std::vector<Buffer<float>> content(outputs.size()), style(outputs.size());
  auto style_plan = extractor->plan(T_style, 1);
  Buffer<float> x_style(backend, int64_t(T_style) * C),
      style_activations(backend, style_plan->activation_count());
  x_style.upload(golden["x_style"]);
  style_plan->forward(x_style.get(), style_activations.get());
  std::vector<const float*> content_pointers, style_pointers;
  for (size_t l = 0; l < outputs.size(); ++l) {
    const LayerOutput& out = outputs[l];
    if (out.content_weight != 0) {
      content[l] = Buffer<float>(backend, B * out.shape.count());
      backend.copy(content[l].get(), activations.get() + out.offset, content[l].bytes());
    }
    if (out.style_weight != 0) {
      const LayerOutput& s = style_plan->outputs()[l];
      style[l] = Buffer<float>(backend, int64_t(s.shape.cols) * s.shape.cols);
      gram(s.shape.rows, s.shape.cols, 1)
          .forward(style_activations.get() + s.offset,
                   extractor->scales(s, T_style).gram_scale, style[l].get());
      errors.grams[out.name] =
          relative_error(style[l].download(), golden["style_gram." + out.name]);
    }
    content_pointers.push_back(content[l].size() ? content[l].get() : nullptr);
    style_pointers.push_back(style[l].size() ? style[l].get() : nullptr);
  }

  // Activations at the point x of every stored layer this plan outputs.
  Buffer<float> x(backend, int64_t(B) * T * C);
  x.upload(golden["x"]);
  plan->forward(x.get(), activations.get());
  for (const auto& out : outputs)
    if (golden.file->has("act." + out.name))
      errors.activations[out.name] = relative_error(
          download(backend, activations.get() + out.offset, B * out.shape.count()),
          golden["act." + out.name]);
  if (more) more(golden, x, errors);

  // The objective: value, per-layer terms and the input gradient.
  StyleObjective objective(backend, *plan,
                           make_layer_terms(*extractor, *plan, T, alpha, content_pointers,
                                            style_pointers, gram));
  Buffer<float> grad(backend, int64_t(B) * T * C);
  Buffer<double> values(backend, objective.value_count());
  objective.evaluate(x.get(), grad.get(), values.get());
  const std::vector<double> v = values.download();
  auto loss_error = [](double ours, float ref) { return std::fabs(ours - ref) / std::fabs(ref); };
  errors.losses["total"] = loss_error(v[0], golden["loss_total"][0]);
  errors.losses["content"] = loss_error(v[1], golden["loss_content"][0]);
  errors.losses["style"] = loss_error(v[2], golden["loss_style"][0]);
  for (size_t l = 0; l < outputs.size(); ++l) {
    const std::string& name = outputs[l].name;
    if (content_pointers[l])
      errors.losses["content." + name] = loss_error(v[size_t(objective.layer_value_index(l, 0))],
                                                   golden["loss_content." + name][0]);
    if (style_pointers[l])
      errors.losses["style." + name] = loss_error(v[size_t(objective.layer_value_index(l, 1))],
                                                 golden["loss_style." + name][0]);
  }
  errors.gradient = relative_error(grad.download(), golden["grad_x"]);
  return errors;
}

inline ParityErrors vgg16_philox_parity(Backend& backend, Precision precision) {
  const auto factory = [&](const std::vector<LayerWeight>& content,
                           const std::vector<LayerWeight>& style, uint64_t seed, int n_bins) {
    Vgg16Options options;
    options.layers = resolve_vgg16_layers(content, style, true);
    options.n_bins = n_bins;
    return make_vgg16(backend, vgg16_philox_weights(seed, options.layers.conv_count()), options,
                      precision);
  };
  return philox_parity(backend, precision, "vgg16_philox_golden.safetensors", factory,
                       [&](const Vgg16Golden& golden, const Buffer<float>& x, ParityErrors& errors) {
    const auto& shape = golden.shape("x");
    const int B = int(shape[0]), T = int(shape[1]), C = int(shape[2]);
    const uint64_t seed = std::stoull(golden.file->metadata().at("seed"));
    // The layers no loss uses here (a pool, a ReLU after a stored conv) through a second plan.
    Vgg16Options others;
    others.n_bins = C;
    others.layers = resolve_vgg16_layers({}, {{"pool1", 1}, {"relu2_2", 1}}, false);
    auto other_extractor = make_vgg16(backend, vgg16_philox_weights(seed, others.layers.conv_count()),
                                      others, precision);
    auto other_plan = other_extractor->plan(T, B);
    Buffer<float> other_activations(backend, other_plan->activation_count());
    other_plan->forward(x.get(), other_activations.get());
    for (const auto& out : other_plan->outputs())
      errors.activations[out.name] = relative_error(
          download(backend, other_activations.get() + out.offset, B * out.shape.count()),
          golden["act." + out.name]);
  });
}

// The converter's output of a random-init torchvision state dict, block 1 only.
inline std::map<std::string, double> vgg16_converted_parity(Backend& backend, Precision precision) {
  const Vgg16Golden golden("vgg16_converted_golden.safetensors");
  const auto& shape = golden.shape("x");
  const int B = int(shape[0]), T = int(shape[1]), C = int(shape[2]);
  Vgg16Options options;
  options.layers = resolve_vgg16_layers({}, {{"relu1_2", 1}, {"pool1", 1}}, false);
  options.n_bins = C;
  const Vgg16Weights weights = load_vgg16_weights(
      source_path("tests/golden/vgg16_converted_tiny.safetensors"), options.layers.conv_count());
  auto extractor = make_vgg16(backend, weights, options, precision);
  auto plan = extractor->plan(T, B);
  Buffer<float> x(backend, int64_t(B) * T * C), activations(backend, plan->activation_count());
  x.upload(golden["x"]);
  plan->forward(x.get(), activations.get());
  std::map<std::string, double> errors;
  for (const auto& out : plan->outputs())
    errors[out.name] = relative_error(
        download(backend, activations.get() + out.offset, B * out.shape.count()),
        golden["act." + out.name]);
  return errors;
}

}  // namespace audiostyle::test
