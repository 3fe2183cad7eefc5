// The VGG-style image networks of method 2 (vgg16.h, vggish.h) share one engine: a stack of 3x3
// convs (padding 1, bias), ReLUs and 2x2 max pools over NHWC images, built from a table of its
// convs. What differs is described, not rewritten: the table (names, channels, where the pools
// are), the default layers, the Philox streams of the test weights, whether kernels are transposed
// at load, and the front that turns the optimised spectrogram x [B, T, C] into the stack's images.
//
// Normalisation per layer of N_l channels and M_l positions per item (Gatys et al. 2016):
// G_l = A_l^T A_l / M_l, style term sum((G_l - Gs_l)^2) / (4 N_l^2), content term
// sum((A_l - Ac_l)^2) / (N_l M_l), so a layer weight means the same at any length and width. An
// item's positions are all its images' (VGGish cuts an item into several examples).
//
// Weight file (scripts/convert_weights.py): safetensors with F32 tensors NAME.weight [Cout, Cin, 3,
// 3] (PyTorch's OIHW) and NAME.bias [Cout] per conv. Only the layers up to the deepest one used must
// be present; every one present is checked.
//
// Philox weights (tests and benchmarks without the real file): conv j's weight element i (OIHW
// row-major) = sqrt(2 / (9 Cin)) * normal(i, seed, s + 2j), bias element i = 0.01 * normal(i, seed,
// s + 1 + 2j), s the network's philox_stream (philox.h's mapping; He init keeps activations O(1)).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "audiostyle/config.h"
#include "host/pipeline/features.h"

namespace audiostyle {

struct StackConv {
  const char* name;  // "conv1_1"
  const char* relu;  // "relu1_1"
  int in_channels, out_channels;
  bool pool_after;  // a 2x2 max pool follows its ReLU
};

enum class NodeKind { conv, relu, pool };
struct StackNode {
  NodeKind kind;
  std::string name;
  int conv;      // conv index (conv and relu nodes), -1 for pools
  int pools;     // pools applied to this node's output
  int channels;  // of its output
};

struct NetSpec {
  std::string name;  // "vgg16"
  std::vector<StackConv> convs;
  std::vector<LayerWeight> default_content, default_style;
  uint32_t philox_stream = 0;
  bool transpose_kernels = false;  // see vgg16.h: the paper's frequency-vertical orientation
  std::vector<StackNode> nodes;    // conv, relu (and pool) per conv, in network order
  int node_index(const std::string& name) const;  // -1 when unknown
};
// Fills spec.nodes from spec.convs (pools named pool1, pool2, ...).
NetSpec with_nodes(NetSpec spec);

// Host weights in PyTorch's layout for the first weight.size() convs.
struct StackWeights {
  std::vector<std::vector<float>> weight;  // [Cout, Cin, 3, 3]
  std::vector<std::vector<float>> bias;    // [Cout]
};
StackWeights philox_stack_weights(const NetSpec& net, uint64_t seed, int n_convs);
// The first n_convs convs from a safetensors file's bytes; every conv tensor present is checked.
// Throws InputError naming the first missing or misshapen tensor.
StackWeights parse_stack_weights(const NetSpec& net, const uint8_t* bytes, size_t size,
                                 int n_convs, const std::string& what);
StackWeights load_stack_weights(const NetSpec& net, const std::string& path, int n_convs);

// The layers of a run, resolved: defaults applied, names checked (UsageError listing the valid
// ones), "all" expanded to every conv.
struct StackLayers {
  const NetSpec* net = nullptr;
  std::vector<LayerWeight> content, style;
  int deepest_node = 0;  // index into net->nodes
  int conv_count() const;  // convs up to the deepest node
  int pools() const;       // 2x2 pools up to the deepest node
};
StackLayers resolve_stack_layers(const NetSpec& net, const std::vector<LayerWeight>& content,
                                 const std::vector<LayerWeight>& style, bool with_content);

// The images the stack runs on: `images` per item of height x width x channels (NHWC).
struct StackImage {
  int64_t images = 1, height = 0, width = 0, channels = 0;
};

// The front of one plan: x [B, T, C] -> images [B * images, H, W, channels] and back. Its tensors
// (the images included) live in the first floats of the plan's activations, as many as its
// factory's floats() says; the images' shape is the factory's image().
class StackFront {
 public:
  virtual ~StackFront() = default;
  virtual int64_t image_offset() const = 0;  // within its floats
  virtual void forward(const float* x, float* front) = 0;
  // grad_x [B, T, C] (overwritten) from the images' gradient (may be overwritten); `scratch` holds
  // as many floats as the images.
  virtual void backward(const float* front, float* grad_image, float* scratch, float* grad_x) = 0;
};
// Makes the front for an input of n_frames x n_bins and `batch` items.
class StackFrontFactory {
 public:
  virtual ~StackFrontFactory() = default;
  virtual std::unique_ptr<StackFront> make(int64_t n_frames, int n_bins, int batch) const = 0;
  virtual StackImage image(int64_t n_frames, int n_bins) const = 0;  // without building one
  virtual int64_t floats(int64_t n_frames, int n_bins, int batch) const = 0;
  virtual int min_frames(const StackLayers& layers) const = 0;
  virtual int frame_multiple(const StackLayers& layers) const = 0;
  virtual bool chunks_exact() const = 0;
};

struct StackOptions {
  StackLayers layers;
  int n_bins = 0;  // C
};

std::unique_ptr<FeatureExtractor> make_conv_stack(Backend& backend, const StackWeights& weights,
                                                  const StackOptions& options,
                                                  std::shared_ptr<const StackFrontFactory> front,
                                                  Precision precision);

// Memory one plan of n_frames x n_bins for `batch` items holds: the activations the backward pass
// needs (the front's included), the backward scratch, the outputs' gradients, Gram errors and
// content targets.
struct StackFootprint {
  int64_t activations = 0, scratch = 0, output_grads = 0, gram_errors = 0, content_targets = 0;
  int64_t style_grams = 0, weights = 0;  // independent of the length
};
StackFootprint stack_footprint(const StackLayers& layers, const StackFrontFactory& front,
                               int64_t n_frames, int n_bins, int batch);

}  // namespace audiostyle
