#include "host/extractors/vgg16.h"

#include <algorithm>
#include <cmath>

#include "audiostyle/errors.h"
#include "audiostyle/philox.h"
#include "host/io/weights.h"

namespace audiostyle {
namespace {

const Vgg16Conv kConvs[kVgg16Convs] = {
    {"conv1_1", 3, 64, 0},    {"conv1_2", 64, 64, 0},   {"conv2_1", 64, 128, 1},
    {"conv2_2", 128, 128, 1}, {"conv3_1", 128, 256, 2}, {"conv3_2", 256, 256, 2},
    {"conv3_3", 256, 256, 2}, {"conv4_1", 256, 512, 3}, {"conv4_2", 512, 512, 3},
    {"conv4_3", 512, 512, 3}, {"conv5_1", 512, 512, 4}, {"conv5_2", 512, 512, 4},
    {"conv5_3", 512, 512, 4}};

enum class Kind { conv, relu, pool };
struct Node {
  Kind kind;
  std::string name;
  int conv;      // conv layer index (conv and relu nodes), -1 for pools
  int pools;     // pools applied to this node's output
  int channels;  // of its output
};

// torchvision's vgg16().features, 31 nodes.
const std::vector<Node>& nodes() {
  static const std::vector<Node> list = [] {
    std::vector<Node> out;
    int conv = 0;
    const int per_block[5] = {2, 2, 3, 3, 3};
    for (int block = 0; block < 5; ++block) {
      for (int j = 0; j < per_block[block]; ++j, ++conv) {
        const std::string suffix = std::to_string(block + 1) + "_" + std::to_string(j + 1);
        out.push_back({Kind::conv, "conv" + suffix, conv, block, kConvs[conv].out_channels});
        out.push_back({Kind::relu, "relu" + suffix, conv, block, kConvs[conv].out_channels});
      }
      out.push_back({Kind::pool, "pool" + std::to_string(block + 1), -1, block + 1,
                     kConvs[conv - 1].out_channels});
    }
    return out;
  }();
  return list;
}

int node_index(const std::string& name) {
  const auto& list = nodes();
  for (size_t i = 0; i < list.size(); ++i)
    if (list[i].name == name) return int(i);
  return -1;
}

// Where every tensor of one plan lives in its activations, per step of the forward pass.
struct Step {
  int node;
  int64_t height, width;  // of the output
  int64_t in_height, in_width, in_channels;
  int64_t offset = -1;    // of the output in the activations; -1: not stored (fused into the ReLU)
  int64_t input = -1;     // offset of its input
  int64_t count = 0;      // B * H * W * C of the output
  int output = -1;        // index into the plan's outputs
};
struct Layout {
  int64_t unit = 0, scaled = 0, rgb = 0;  // offsets of the normalised grey, scaled grey, RGB
  std::vector<Step> steps;
  std::vector<LayerOutput> outputs;
  int64_t activations = 0, scratch = 0;
};

Layout make_layout(const Vgg16Layers& layers, int64_t n_frames, int n_bins, int batch) {
  Layout l;
  const int64_t pixels = int64_t(batch) * n_frames * n_bins;
  int64_t next = 0;
  auto take = [&](int64_t count) {
    const int64_t at = next;
    next += count;
    return at;
  };
  l.unit = take(pixels);
  l.scaled = take(pixels);
  l.rgb = take(3 * pixels);
  int64_t max_count = 3 * pixels;
  auto requested = [&](const std::string& name, float* wc, float* ws) {
    bool any = false;
    for (const auto& c : layers.content)
      if (c.name == name) *wc = c.weight, any = true;
    for (const auto& s : layers.style)
      if (s.name == name) *ws = s.weight, any = true;
    return any;
  };
  int64_t h = n_frames, w = n_bins, channels = 1;
  int64_t input = l.rgb;
  channels = 3;
  const auto& list = nodes();
  for (int i = 0; i <= layers.deepest_node; ++i) {
    const Node& node = list[size_t(i)];
    Step s;
    s.node = i;
    s.in_height = h, s.in_width = w, s.in_channels = channels;
    if (node.kind == Kind::pool) h /= 2, w /= 2;
    s.height = h, s.width = w;
    s.count = int64_t(batch) * h * w * node.channels;
    s.input = input;
    float wc = 0, ws = 0;
    const bool is_output = requested(node.name, &wc, &ws);
    // A conv's own output is stored only when asked for; otherwise the conv is fused with its ReLU.
    const bool stored = node.kind != Kind::conv || is_output;
    if (stored) s.offset = take(s.count);
    if (is_output) {
      s.output = int(l.outputs.size());
      l.outputs.push_back({node.name, {h * w, node.channels}, s.offset, wc, ws});
    }
    if (node.kind != Kind::conv || stored) input = s.offset;  // a fused conv's output is the ReLU's
    channels = node.channels;
    max_count = std::max(max_count, s.count);
    l.steps.push_back(s);
  }
  l.activations = next;
  l.scratch = 2 * max_count;
  return l;
}

class Vgg16Plan final : public FeaturePlan {
 public:
  Vgg16Plan(Backend& backend, Layout layout, std::vector<std::unique_ptr<Conv2d>> convs,
            int64_t n_frames, int n_bins, int batch)
      : backend_(backend),
        layout_(std::move(layout)),
        convs_(std::move(convs)),
        n_frames_(n_frames),
        n_bins_(n_bins),
        batch_(batch),
        norms_(backend, batch) {}

  int batch() const override { return batch_; }
  const std::vector<LayerOutput>& outputs() const override { return layout_.outputs; }
  int64_t activation_count() const override { return layout_.activations; }
  int64_t scratch_count() const override { return layout_.scratch; }

  void forward(const float* x, float* act) override {
    const int64_t pixels = n_frames_ * n_bins_;
    backend_.l2_normalize(x, pixels, batch_, act + layout_.unit, norms_.get());
    backend_.copy(act + layout_.scaled, act + layout_.unit, sizeof(float) * size_t(batch_ * pixels));
    backend_.scale(batch_ * pixels, unit_rms_scale(), act + layout_.scaled);
    backend_.grey_to_rgb(act + layout_.scaled, batch_ * pixels, act + layout_.rgb);
    const auto& list = nodes();
    for (size_t k = 0; k < layout_.steps.size(); ++k) {
      const Step& s = layout_.steps[k];
      const Node& node = list[size_t(s.node)];
      if (node.kind == Kind::conv) {
        Conv2d& conv = *convs_[size_t(node.conv)];
        if (s.offset >= 0) {
          conv.forward(act + s.input, act + s.offset, false);
        } else {
          // Fused: write straight into the ReLU's output.
          conv.forward(act + s.input, act + layout_.steps[k + 1].offset, true);
        }
      } else if (node.kind == Kind::relu) {
        const Step& conv_step = layout_.steps[k - 1];
        if (conv_step.offset >= 0) backend_.relu(act + conv_step.offset, s.count, act + s.offset);
      } else {
        backend_.maxpool2x2(act + s.input, batch_, int(s.in_height), int(s.in_width),
                            int(s.in_channels), act + s.offset);
      }
    }
  }

  void backward(float* const* grad_outputs, const float* act, float* scratch,
                float* grad_x) override {
    const auto& list = nodes();
    float* g = scratch;
    float* h = scratch + layout_.scratch / 2;
    const Step& last = layout_.steps.back();
    backend_.copy(g, grad_outputs[last.output], sizeof(float) * size_t(last.count));
    bool fuse_relu = false;  // the ReLU's mask is still to apply, in the conv's backward
    for (int k = int(layout_.steps.size()) - 1; k >= 0; --k) {
      const Step& s = layout_.steps[size_t(k)];
      const Node& node = list[size_t(s.node)];
      if (k != int(layout_.steps.size()) - 1 && s.output >= 0)
        backend_.axpy(s.count, 1.0f, grad_outputs[s.output], g);
      if (node.kind == Kind::relu) {
        const Step& conv_step = layout_.steps[size_t(k - 1)];
        if (conv_step.offset >= 0) backend_.relu_backward(act + s.offset, s.count, g);
        else fuse_relu = true;
      } else if (node.kind == Kind::conv) {
        Conv2d& conv = *convs_[size_t(node.conv)];
        const float* y = fuse_relu ? act + layout_.steps[size_t(k + 1)].offset : act + s.offset;
        conv.backward_input(g, y, h, fuse_relu);
        fuse_relu = false;
        std::swap(g, h);
      } else {
        backend_.maxpool2x2_backward(act + s.input, act + s.offset, g, batch_, int(s.in_height),
                                     int(s.in_width), int(s.in_channels), h);
        std::swap(g, h);
      }
    }
    // g: gradient of the RGB image [B, H, W, 3]
    const int64_t pixels = n_frames_ * n_bins_;
    backend_.grey_to_rgb_backward(g, batch_ * pixels, h);
    backend_.scale(batch_ * pixels, unit_rms_scale(), h);
    backend_.l2_normalize_backward(act + layout_.unit, h, norms_.get(), pixels, batch_, grad_x);
  }

  size_t workspace_bytes() const override {
    size_t total = 0;
    for (const auto& c : convs_) total += c->workspace_bytes();
    return total;
  }
  std::string algorithm() const override {
    return convs_.empty() ? "" : "conv2d " + convs_.front()->algorithm();
  }

 private:
  float unit_rms_scale() const { return float(std::sqrt(double(n_frames_) * n_bins_)); }

  Backend& backend_;
  Layout layout_;
  std::vector<std::unique_ptr<Conv2d>> convs_;  // the conv layers up to the deepest node
  int64_t n_frames_;
  int n_bins_, batch_;
  Buffer<double> norms_;  // [B]: each item's L2 norm, from the forward to the backward pass
};

class Vgg16 final : public FeatureExtractor {
 public:
  Vgg16(Backend& backend, const Vgg16Weights& weights, const Vgg16Options& options,
        Precision precision)
      : backend_(backend), options_(options), precision_(precision) {
    const int n = options.layers.conv_count();
    AS_CHECK(int(weights.weight.size()) >= n && int(weights.bias.size()) >= n,
             "vgg16: fewer weights than layers");
    const int need = 1 << options.layers.pools();
    if (options.n_bins < need)
      throw InputError("the spectrogram has " + std::to_string(options.n_bins) +
                       " bins; vgg16 up to " + nodes()[size_t(options.layers.deepest_node)].name +
                       " needs at least " + std::to_string(need));
    for (int j = 0; j < n; ++j) {
      const Vgg16Conv& c = kConvs[j];
      AS_CHECK(weights.weight[size_t(j)].size() == size_t(c.out_channels) * c.in_channels * 9 &&
                   weights.bias[size_t(j)].size() == size_t(c.out_channels),
               "vgg16: weight sizes do not match the layer");
      // Transposed kernels: the network sees the paper's frequency-vertical image (see vgg16.h).
      std::vector<float> transposed(weights.weight[size_t(j)].size());
      const float* src = weights.weight[size_t(j)].data();
      for (size_t oi = 0; oi < transposed.size() / 9; ++oi)
        for (int a = 0; a < 3; ++a)
          for (int b = 0; b < 3; ++b) transposed[oi * 9 + a * 3 + b] = src[oi * 9 + b * 3 + a];
      weights_.emplace_back(backend, int64_t(transposed.size()));
      weights_.back().upload(transposed);
      biases_.emplace_back(backend, c.out_channels);
      biases_.back().upload(weights.bias[size_t(j)]);
    }
  }

  std::string describe() const override {
    auto list = [](const std::vector<LayerWeight>& layers) {
      std::string s;
      for (const auto& l : layers) {
        // Appended piece by piece: GCC 12 warns -Wrestrict (falsely) on ":" + std::string.
        if (!s.empty()) s += ' ';
        s += l.name;
        if (l.weight != 1.0f) s.append(":").append(std::to_string(l.weight));
      }
      return s.empty() ? std::string("none") : s;
    };
    return "vgg16 on " + std::to_string(options_.n_bins) + " bins, content " +
           list(options_.layers.content) + ", style " + list(options_.layers.style);
  }
  int min_frames() const override { return 1 << options_.layers.pools(); }
  std::unique_ptr<FeaturePlan> plan(int64_t n_frames, int batch) override {
    if (n_frames < min_frames())
      throw InputError("the spectrogram has " + std::to_string(n_frames) + " frames; vgg16 needs " +
                       std::to_string(min_frames()));
    Layout layout = make_layout(options_.layers, n_frames, options_.n_bins, batch);
    std::vector<std::unique_ptr<Conv2d>> convs;
    const auto& list = nodes();
    for (const Step& s : layout.steps) {
      const Node& node = list[size_t(s.node)];
      if (node.kind != Kind::conv) continue;
      const Vgg16Conv& c = kConvs[node.conv];
      Conv2dShape shape{batch, int(s.height), int(s.width), c.in_channels, c.out_channels};
      auto conv = backend_.make_conv2d(shape, precision_);
      conv->set_weights(weights_[size_t(node.conv)].get(), biases_[size_t(node.conv)].get());
      convs.push_back(std::move(conv));
    }
    return std::make_unique<Vgg16Plan>(backend_, std::move(layout), std::move(convs), n_frames,
                                       options_.n_bins, batch);
  }
  size_t weight_bytes() const override {
    size_t total = 0;
    for (size_t j = 0; j < weights_.size(); ++j) total += weights_[j].bytes() + biases_[j].bytes();
    return total;
  }
  std::vector<LayerOutput> layers() const override {
    auto out = make_layout(options_.layers, min_frames(), options_.n_bins, 1).outputs;
    for (auto& o : out) o.shape.rows = 0, o.offset = 0;
    return out;
  }
  LayerScales scales(const LayerOutput& layer, int64_t n_frames) const override {
    const int p = nodes()[size_t(node_index(layer.name))].pools;
    const double positions = double(n_frames >> p) * double(options_.n_bins >> p);
    const double channels = layer.shape.cols;
    return {float(1.0 / positions), float(1.0 / (channels * positions)),
            float(1.0 / (4.0 * channels * channels))};
  }
  int64_t context_frames() const override { return 0; }
  int frame_multiple() const override { return 1 << options_.layers.pools(); }
  bool chunks_exact() const override { return false; }

 private:
  Backend& backend_;
  Vgg16Options options_;
  Precision precision_;
  std::vector<Buffer<float>> weights_, biases_;
};

std::vector<int64_t> weight_shape(int j) {
  return {kConvs[j].out_channels, kConvs[j].in_channels, 3, 3};
}

}  // namespace

const Vgg16Conv& vgg16_conv(int index) { return kConvs[index]; }

std::vector<std::string> vgg16_layer_names() {
  std::vector<std::string> out;
  for (const auto& n : nodes()) out.push_back(n.name);
  return out;
}

int Vgg16Layers::conv_count() const { return nodes()[size_t(deepest_node)].kind == Kind::pool
                                                ? nodes()[size_t(deepest_node) - 1].conv + 1
                                                : nodes()[size_t(deepest_node)].conv + 1; }
int Vgg16Layers::pools() const { return nodes()[size_t(deepest_node)].pools; }

Vgg16Layers resolve_vgg16_layers(const std::vector<LayerWeight>& content,
                                 const std::vector<LayerWeight>& style, bool with_content) {
  auto expand = [](const std::vector<LayerWeight>& in) {
    std::vector<LayerWeight> out;
    for (const auto& l : in) {
      if (l.name == "all") {
        for (const auto& c : kConvs) out.push_back({c.name, l.weight});
        continue;
      }
      if (node_index(l.name) < 0) {
        std::string valid;
        for (const auto& n : nodes()) valid += (valid.empty() ? "" : ", ") + n.name;
        throw UsageError("unknown vgg16 layer '" + l.name + "'; the layers are " + valid +
                         " (or 'all' for the 13 convs)");
      }
      for (const auto& o : out)
        if (o.name == l.name) throw UsageError("vgg16 layer '" + l.name + "' is listed twice");
      out.push_back(l);
    }
    return out;
  };
  Vgg16Layers r;
  if (with_content) r.content = content.empty() ? std::vector<LayerWeight>{{"conv3_1", 1}}
                                                : expand(content);
  r.style = style.empty() ? std::vector<LayerWeight>{{"conv1_1", 1}, {"conv1_2", 1},
                                                     {"conv2_1", 1}, {"conv2_2", 1}}
                          : expand(style);
  r.deepest_node = 0;
  for (const auto* set : {&r.content, &r.style})
    for (const auto& l : *set) r.deepest_node = std::max(r.deepest_node, node_index(l.name));
  return r;
}

Vgg16Weights vgg16_philox_weights(uint64_t seed, int n_convs) {
  Vgg16Weights w;
  for (int j = 0; j < n_convs; ++j) {
    const Vgg16Conv& c = kConvs[j];
    const float stddev = float(std::sqrt(2.0 / (9.0 * c.in_channels)));
    std::vector<float> weight(size_t(c.out_channels) * c.in_channels * 9), bias(size_t(c.out_channels));
    for (size_t i = 0; i < weight.size(); ++i)
      weight[i] = stddev * philox::normal(i, seed, uint32_t(16 + 2 * j));
    for (size_t i = 0; i < bias.size(); ++i)
      bias[i] = 0.01f * philox::normal(i, seed, uint32_t(17 + 2 * j));
    w.weight.push_back(std::move(weight));
    w.bias.push_back(std::move(bias));
  }
  return w;
}

Vgg16Weights parse_vgg16_weights(const uint8_t* bytes, size_t size, int n_convs,
                                 const std::string& what) {
  const SafetensorsFile file(bytes, size, what);
  Vgg16Weights w;
  for (int j = 0; j < kVgg16Convs; ++j) {
    const std::string name = kConvs[j].name;
    const bool needed = j < n_convs;
    if (!needed && !file.has(name + ".weight") && !file.has(name + ".bias")) continue;
    auto weight = file.floats(name + ".weight", weight_shape(j));
    auto bias = file.floats(name + ".bias", {kConvs[j].out_channels});
    for (const auto* t : {&weight, &bias})
      for (float v : *t)
        if (!std::isfinite(v))
          throw InputError(what + ": tensor " + name + " holds non-finite values");
    if (needed) {
      w.weight.push_back(std::move(weight));
      w.bias.push_back(std::move(bias));
    }
  }
  if (n_convs > 0 && file.tensors().empty())
    throw InputError(what + " holds no tensors");
  return w;
}

Vgg16Weights load_vgg16_weights(const std::string& path, int n_convs) {
  const std::string what = "the weights file " + path;
  const auto bytes = read_file_bytes(path, "the weights file");
  return parse_vgg16_weights(bytes.data(), bytes.size(), n_convs, what);
}

std::unique_ptr<FeatureExtractor> make_vgg16(Backend& backend, const Vgg16Weights& weights,
                                             const Vgg16Options& options, Precision precision) {
  return std::make_unique<Vgg16>(backend, weights, options, precision);
}

Vgg16Footprint vgg16_footprint(const Vgg16Layers& layers, int64_t n_frames, int n_bins,
                               int batch) {
  Vgg16Footprint f;
  const Layout l = make_layout(layers, n_frames, n_bins, batch);
  f.activations = l.activations;
  f.scratch = l.scratch;
  for (const auto& o : l.outputs) {
    f.output_grads += batch * o.shape.count();
    if (o.style_weight != 0) {
      f.gram_errors += int64_t(batch) * o.shape.cols * o.shape.cols;
      f.style_grams += 2 * int64_t(o.shape.cols) * o.shape.cols;  // the Gram and its scaled copy
    }
    if (o.content_weight != 0) f.content_targets += batch * o.shape.count();
  }
  for (int j = 0; j < layers.conv_count(); ++j)
    f.weights += int64_t(kConvs[j].out_channels) * (kConvs[j].in_channels * 9 + 1);
  return f;
}

}  // namespace audiostyle
