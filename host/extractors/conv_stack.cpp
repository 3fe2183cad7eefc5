#include "host/extractors/conv_stack.h"

#include <algorithm>
#include <cmath>

#include "audiostyle/errors.h"
#include "audiostyle/philox.h"
#include "host/io/weights.h"

namespace audiostyle {

int NetSpec::node_index(const std::string& name) const {
  for (size_t i = 0; i < nodes.size(); ++i)
    if (nodes[i].name == name) return int(i);
  return -1;
}

NetSpec with_nodes(NetSpec spec) {
  spec.nodes.clear();
  int pools = 0;
  for (int j = 0; j < int(spec.convs.size()); ++j) {
    const StackConv& c = spec.convs[size_t(j)];
    spec.nodes.push_back({NodeKind::conv, c.name, j, pools, c.out_channels});
    spec.nodes.push_back({NodeKind::relu, c.relu, j, pools, c.out_channels});
    if (c.pool_after) {
      ++pools;
      spec.nodes.push_back({NodeKind::pool, "pool" + std::to_string(pools), -1, pools,
                            c.out_channels});
    }
  }
  return spec;
}

namespace {

// Where every tensor of one plan lives in its activations, per step of the forward pass.
struct Step {
  int node;
  int64_t height, width;  // of the output
  int64_t in_height, in_width, in_channels;
  int64_t offset = -1;    // of the output in the activations; -1: not stored (fused into the ReLU)
  int64_t input = -1;     // offset of its input
  int64_t count = 0;      // B * images * H * W * C of the output
  int output = -1;        // index into the plan's outputs
};
struct Layout {
  StackImage image;
  int64_t front = 0;  // floats of the front, at offset 0
  std::vector<Step> steps;
  std::vector<LayerOutput> outputs;
  int64_t activations = 0, scratch = 0;
};

Layout make_layout(const StackLayers& layers, const StackFrontFactory& front, int64_t n_frames,
                   int n_bins, int batch) {
  const NetSpec& net = *layers.net;
  Layout l;
  l.image = front.image(n_frames, n_bins);
  l.front = front.floats(n_frames, n_bins, batch);
  int64_t next = l.front;
  auto take = [&](int64_t count) {
    const int64_t at = next;
    next += count;
    return at;
  };
  const int64_t n_images = int64_t(batch) * l.image.images;
  int64_t max_count = n_images * l.image.height * l.image.width * l.image.channels;
  auto requested = [&](const std::string& name, float* wc, float* ws) {
    bool any = false;
    for (const auto& c : layers.content)
      if (c.name == name) *wc = c.weight, any = true;
    for (const auto& s : layers.style)
      if (s.name == name) *ws = s.weight, any = true;
    return any;
  };
  int64_t h = l.image.height, w = l.image.width, channels = l.image.channels;
  // The front's image offset is resolved by the plan (the factory gives only sizes); steps read
  // input -1 as "the front's image".
  int64_t input = -1;
  for (int i = 0; i <= layers.deepest_node; ++i) {
    const StackNode& node = net.nodes[size_t(i)];
    Step s;
    s.node = i;
    s.in_height = h, s.in_width = w, s.in_channels = channels;
    if (node.kind == NodeKind::pool) h /= 2, w /= 2;
    s.height = h, s.width = w;
    s.count = n_images * h * w * node.channels;
    s.input = input;
    float wc = 0, ws = 0;
    const bool is_output = requested(node.name, &wc, &ws);
    // A conv's own output is stored only when asked for; otherwise the conv is fused with its ReLU.
    const bool stored = node.kind != NodeKind::conv || is_output;
    if (stored) s.offset = take(s.count);
    if (is_output) {
      s.output = int(l.outputs.size());
      l.outputs.push_back(
          {node.name, {l.image.images * h * w, node.channels}, s.offset, wc, ws});
    }
    if (node.kind != NodeKind::conv || stored) input = s.offset;  // a fused conv's is the ReLU's
    channels = node.channels;
    max_count = std::max(max_count, s.count);
    l.steps.push_back(s);
  }
  l.activations = next;
  l.scratch = 2 * max_count;
  return l;
}

class StackPlan final : public FeaturePlan {
 public:
  StackPlan(Backend& backend, const NetSpec& net, Layout layout, std::unique_ptr<StackFront> front,
            std::vector<std::unique_ptr<Conv2d>> convs, int batch)
      : backend_(backend),
        net_(net),
        layout_(std::move(layout)),
        front_(std::move(front)),
        convs_(std::move(convs)),
        batch_(batch) {
    for (Step& s : layout_.steps)
      if (s.input < 0) s.input = front_->image_offset();
  }

  int batch() const override { return batch_; }
  const std::vector<LayerOutput>& outputs() const override { return layout_.outputs; }
  int64_t activation_count() const override { return layout_.activations; }
  int64_t scratch_count() const override { return layout_.scratch; }

  void forward(const float* x, float* act) override {
    front_->forward(x, act);
    for (size_t k = 0; k < layout_.steps.size(); ++k) {
      const Step& s = layout_.steps[k];
      const StackNode& node = net_.nodes[size_t(s.node)];
      if (node.kind == NodeKind::conv) {
        Conv2d& conv = *convs_[size_t(node.conv)];
        if (s.offset >= 0) {
          conv.forward(act + s.input, act + s.offset, false);
        } else {
          // Fused: write straight into the ReLU's output.
          conv.forward(act + s.input, act + layout_.steps[k + 1].offset, true);
        }
      } else if (node.kind == NodeKind::relu) {
        const Step& conv_step = layout_.steps[k - 1];
        if (conv_step.offset >= 0) backend_.relu(act + conv_step.offset, s.count, act + s.offset);
      } else {
        backend_.maxpool2x2(act + s.input, n_images(), int(s.in_height), int(s.in_width),
                            int(s.in_channels), act + s.offset);
      }
    }
  }

  void backward(float* const* grad_outputs, const float* act, float* scratch,
                float* grad_x) override {
    float* g = scratch;
    float* h = scratch + layout_.scratch / 2;
    const Step& last = layout_.steps.back();
    backend_.copy(g, grad_outputs[last.output], sizeof(float) * size_t(last.count));
    bool fuse_relu = false;  // the ReLU's mask is still to apply, in the conv's backward
    for (int k = int(layout_.steps.size()) - 1; k >= 0; --k) {
      const Step& s = layout_.steps[size_t(k)];
      const StackNode& node = net_.nodes[size_t(s.node)];
      if (k != int(layout_.steps.size()) - 1 && s.output >= 0)
        backend_.axpy(s.count, 1.0f, grad_outputs[s.output], g);
      if (node.kind == NodeKind::relu) {
        const Step& conv_step = layout_.steps[size_t(k - 1)];
        if (conv_step.offset >= 0) backend_.relu_backward(act + s.offset, s.count, g);
        else fuse_relu = true;
      } else if (node.kind == NodeKind::conv) {
        Conv2d& conv = *convs_[size_t(node.conv)];
        const float* y = fuse_relu ? act + layout_.steps[size_t(k + 1)].offset : act + s.offset;
        conv.backward_input(g, y, h, fuse_relu);
        fuse_relu = false;
        std::swap(g, h);
      } else {
        backend_.maxpool2x2_backward(act + s.input, act + s.offset, g, n_images(),
                                     int(s.in_height), int(s.in_width), int(s.in_channels), h);
        std::swap(g, h);
      }
    }
    front_->backward(act, g, h, grad_x);  // g: the images' gradient
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
  int n_images() const { return int(batch_ * layout_.image.images); }

  Backend& backend_;
  const NetSpec& net_;
  Layout layout_;
  std::unique_ptr<StackFront> front_;
  std::vector<std::unique_ptr<Conv2d>> convs_;  // the convs up to the deepest node
  int batch_;
};

class ConvStack final : public FeatureExtractor {
 public:
  ConvStack(Backend& backend, const StackWeights& weights, const StackOptions& options,
            std::shared_ptr<const StackFrontFactory> front, Precision precision)
      : backend_(backend),
        net_(*options.layers.net),
        options_(options),
        front_(std::move(front)),
        precision_(precision) {
    const int n = options.layers.conv_count();
    AS_CHECK(int(weights.weight.size()) >= n && int(weights.bias.size()) >= n,
             net_.name + ": fewer weights than layers");
    const StackImage image = front_->image(min_frames(), options.n_bins);
    const int need = 1 << options.layers.pools();
    if (image.width < need)
      throw InputError("the " + net_.name + " image is " + std::to_string(image.width) +
                       " wide; " + net_.name + " up to " +
                       net_.nodes[size_t(options.layers.deepest_node)].name + " needs at least " +
                       std::to_string(need));
    for (int j = 0; j < n; ++j) {
      const StackConv& c = net_.convs[size_t(j)];
      AS_CHECK(weights.weight[size_t(j)].size() == size_t(c.out_channels) * c.in_channels * 9 &&
                   weights.bias[size_t(j)].size() == size_t(c.out_channels),
               net_.name + ": weight sizes do not match the layer");
      std::vector<float> kernel = weights.weight[size_t(j)];
      if (net_.transpose_kernels) {
        const float* src = weights.weight[size_t(j)].data();
        for (size_t oi = 0; oi < kernel.size() / 9; ++oi)
          for (int a = 0; a < 3; ++a)
            for (int b = 0; b < 3; ++b) kernel[oi * 9 + a * 3 + b] = src[oi * 9 + b * 3 + a];
      }
      weights_.emplace_back(backend, int64_t(kernel.size()));
      weights_.back().upload(kernel);
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
    return net_.name + " on " + std::to_string(options_.n_bins) + " bins, content " +
           list(options_.layers.content) + ", style " + list(options_.layers.style);
  }
  int min_frames() const override { return front_->min_frames(options_.layers); }
  std::unique_ptr<FeaturePlan> plan(int64_t n_frames, int batch) override {
    if (n_frames < min_frames())
      throw InputError("the spectrogram has " + std::to_string(n_frames) + " frames; " +
                       net_.name + " needs " + std::to_string(min_frames()));
    Layout layout = make_layout(options_.layers, *front_, n_frames, options_.n_bins, batch);
    std::vector<std::unique_ptr<Conv2d>> convs;
    const int n_images = int(batch * layout.image.images);
    for (const Step& s : layout.steps) {
      const StackNode& node = net_.nodes[size_t(s.node)];
      if (node.kind != NodeKind::conv) continue;
      const StackConv& c = net_.convs[size_t(node.conv)];
      Conv2dShape shape{n_images, int(s.height), int(s.width), c.in_channels, c.out_channels};
      auto conv = backend_.make_conv2d(shape, precision_);
      conv->set_weights(weights_[size_t(node.conv)].get(), biases_[size_t(node.conv)].get());
      convs.push_back(std::move(conv));
    }
    return std::make_unique<StackPlan>(backend_, net_, std::move(layout),
                                       front_->make(n_frames, options_.n_bins, batch),
                                       std::move(convs), batch);
  }
  size_t weight_bytes() const override {
    size_t total = 0;
    for (size_t j = 0; j < weights_.size(); ++j) total += weights_[j].bytes() + biases_[j].bytes();
    return total;
  }
  std::vector<LayerOutput> layers() const override {
    auto out = make_layout(options_.layers, *front_, min_frames(), options_.n_bins, 1).outputs;
    for (auto& o : out) o.shape.rows = 0, o.offset = 0;
    return out;
  }
  LayerScales scales(const LayerOutput& layer, int64_t n_frames) const override {
    const int p = net_.nodes[size_t(net_.node_index(layer.name))].pools;
    const StackImage image = front_->image(n_frames, options_.n_bins);
    const double positions =
        double(image.images) * double(image.height >> p) * double(image.width >> p);
    const double channels = layer.shape.cols;
    return {float(1.0 / positions), float(1.0 / (channels * positions)),
            float(1.0 / (4.0 * channels * channels))};
  }
  int64_t context_frames() const override { return 0; }
  int frame_multiple() const override { return front_->frame_multiple(options_.layers); }
  bool chunks_exact() const override { return front_->chunks_exact(); }

 private:
  Backend& backend_;
  const NetSpec& net_;
  StackOptions options_;
  std::shared_ptr<const StackFrontFactory> front_;
  Precision precision_;
  std::vector<Buffer<float>> weights_, biases_;
};

std::vector<int64_t> weight_shape(const StackConv& c) {
  return {c.out_channels, c.in_channels, 3, 3};
}

}  // namespace

int StackLayers::conv_count() const {
  const StackNode& node = net->nodes[size_t(deepest_node)];
  return node.kind == NodeKind::pool ? net->nodes[size_t(deepest_node) - 1].conv + 1
                                     : node.conv + 1;
}
int StackLayers::pools() const { return net->nodes[size_t(deepest_node)].pools; }

StackLayers resolve_stack_layers(const NetSpec& net, const std::vector<LayerWeight>& content,
                                 const std::vector<LayerWeight>& style, bool with_content) {
  auto expand = [&](const std::vector<LayerWeight>& in) {
    std::vector<LayerWeight> out;
    for (const auto& l : in) {
      if (l.name == "all") {
        for (const auto& c : net.convs) out.push_back({c.name, l.weight});
        continue;
      }
      if (net.node_index(l.name) < 0) {
        std::string valid;
        for (const auto& n : net.nodes) valid += (valid.empty() ? "" : ", ") + n.name;
        throw UsageError("unknown " + net.name + " layer '" + l.name + "'; the layers are " +
                         valid + " (or 'all' for the " + std::to_string(net.convs.size()) +
                         " convs)");
      }
      for (const auto& o : out)
        if (o.name == l.name)
          throw UsageError(net.name + " layer '" + l.name + "' is listed twice");
      out.push_back(l);
    }
    return out;
  };
  StackLayers r;
  r.net = &net;
  if (with_content) r.content = content.empty() ? net.default_content : expand(content);
  r.style = style.empty() ? net.default_style : expand(style);
  r.deepest_node = 0;
  for (const auto* set : {&r.content, &r.style})
    for (const auto& l : *set) r.deepest_node = std::max(r.deepest_node, net.node_index(l.name));
  return r;
}

StackWeights philox_stack_weights(const NetSpec& net, uint64_t seed, int n_convs) {
  StackWeights w;
  for (int j = 0; j < n_convs; ++j) {
    const StackConv& c = net.convs[size_t(j)];
    const float stddev = float(std::sqrt(2.0 / (9.0 * c.in_channels)));
    std::vector<float> weight(size_t(c.out_channels) * c.in_channels * 9), bias(size_t(c.out_channels));
    const uint32_t stream = net.philox_stream + uint32_t(2 * j);
    for (size_t i = 0; i < weight.size(); ++i)
      weight[i] = stddev * philox::normal(i, seed, stream);
    for (size_t i = 0; i < bias.size(); ++i) bias[i] = 0.01f * philox::normal(i, seed, stream + 1);
    w.weight.push_back(std::move(weight));
    w.bias.push_back(std::move(bias));
  }
  return w;
}

StackWeights parse_stack_weights(const NetSpec& net, const uint8_t* bytes, size_t size,
                                 int n_convs, const std::string& what) {
  const SafetensorsFile file(bytes, size, what);
  StackWeights w;
  for (int j = 0; j < int(net.convs.size()); ++j) {
    const StackConv& c = net.convs[size_t(j)];
    const std::string name = c.name;
    const bool needed = j < n_convs;
    if (!needed && !file.has(name + ".weight") && !file.has(name + ".bias")) continue;
    auto weight = file.floats(name + ".weight", weight_shape(c));
    auto bias = file.floats(name + ".bias", {c.out_channels});
    for (const auto* t : {&weight, &bias})
      for (float v : *t)
        if (!std::isfinite(v))
          throw InputError(what + ": tensor " + name + " holds non-finite values");
    if (needed) {
      w.weight.push_back(std::move(weight));
      w.bias.push_back(std::move(bias));
    }
  }
  if (n_convs > 0 && file.tensors().empty()) throw InputError(what + " holds no tensors");
  return w;
}

StackWeights load_stack_weights(const NetSpec& net, const std::string& path, int n_convs) {
  const std::string what = "the weights file " + path;
  const auto bytes = read_file_bytes(path, "the weights file");
  return parse_stack_weights(net, bytes.data(), bytes.size(), n_convs, what);
}

std::unique_ptr<FeatureExtractor> make_conv_stack(Backend& backend, const StackWeights& weights,
                                                  const StackOptions& options,
                                                  std::shared_ptr<const StackFrontFactory> front,
                                                  Precision precision) {
  AS_CHECK(options.layers.net && front, "make_conv_stack: no network or front");
  return std::make_unique<ConvStack>(backend, weights, options, std::move(front), precision);
}

StackFootprint stack_footprint(const StackLayers& layers, const StackFrontFactory& front,
                               int64_t n_frames, int n_bins, int batch) {
  StackFootprint f;
  const Layout l = make_layout(layers, front, n_frames, n_bins, batch);
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
  for (int j = 0; j < layers.conv_count(); ++j) {
    const StackConv& c = layers.net->convs[size_t(j)];
    f.weights += int64_t(c.out_channels) * (c.in_channels * 9 + 1);
  }
  return f;
}

}  // namespace audiostyle
