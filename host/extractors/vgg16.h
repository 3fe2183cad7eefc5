// Method 2 (Wang & Chu, "Music Style Transfer with Pre-trained Convolutional Neural Networks"):
// Gatys-style transfer with ImageNet VGG16 looking at the spectrogram as an image.
//
// The image: the optimised log1p magnitude x [B, T, C], per item L2-normalised (loud and quiet
// tracks weigh the same) and scaled to unit RMS (times sqrt(T C), so pixel values sit near the
// [0, 1] of an ImageNet image whatever the size), grey copied to RGB with torchvision's ImageNet
// mean/std. Any size: no resize, no fully connected layers.
//
// Orientation: the paper's images have frequency vertically and time horizontally, the
// [bins, frames] array librosa gives (row 0 = DC). Our spectrogram lies as [T, C] (frames as rows).
// Rather than transposing every activation, each 3x3 kernel is transposed once at load
// (W'[o, i, a, b] = W[o, i, b, a]): conv(X^T, W) = conv(X, W')^T, and 2x2 max pooling, ReLU, the
// ImageNet normalisation and the Grams are the same on the transposed image, so the network sees
// exactly the paper's orientation while the data stays [T, C] (only a max-pool tie may break the
// other way: measure zero). The parity test feeds torchvision the transposed image to prove it.
//
// Layers as torchvision's vgg16().features: conv1_1 relu1_1 conv1_2 relu1_2 pool1 conv2_1 ...
// pool5 (convX_Y is the output before its ReLU, reluX_Y after). Normalisation per layer of N_l
// channels and M_l positions (Gatys et al. 2016): G_l = A_l^T A_l / M_l, style term
// sum((G_l - Gs_l)^2) / (4 N_l^2) (= Gatys' 1 / (4 N^2 M^2) on the unnormalised Gram), content term
// sum((A_l - Ac_l)^2) / (N_l M_l), so a layer weight means the same at any length and width.
//
// Weight file (scripts/convert_weights.py): safetensors with F32 tensors convX_Y.weight
// [Cout, Cin, 3, 3] (torchvision's OIHW, untransposed) and convX_Y.bias [Cout]. Only the layers up
// to the deepest one used must be present; every one present is checked.
//
// Philox weights (tests and benchmarks without the real file): conv layer j (0 = conv1_1 ... 12 =
// conv5_3) weight element i (OIHW row-major) = sqrt(2 / (9 Cin)) * normal(i, seed, 16 + 2j), bias
// element i = 0.01 * normal(i, seed, 17 + 2j) (philox.h's mapping; He init keeps activations O(1)).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "audiostyle/config.h"
#include "audiostyle/pipeline.h"
#include "host/pipeline/features.h"

namespace audiostyle {

struct Vgg16Conv {
  const char* name;  // "conv1_1"
  int in_channels, out_channels;
  int pools_before;  // 2x2 pools between the input and this layer
};
constexpr int kVgg16Convs = 13;
const Vgg16Conv& vgg16_conv(int index);

// Host weights in torchvision's layout for the first weight.size() conv layers.
struct Vgg16Weights {
  std::vector<std::vector<float>> weight;  // [Cout, Cin, 3, 3]
  std::vector<std::vector<float>> bias;    // [Cout]
};
Vgg16Weights vgg16_philox_weights(uint64_t seed, int n_convs);
// The first n_convs layers from a safetensors file's bytes / from a file; every conv tensor present
// is checked. Throws InputError naming the first missing or misshapen tensor.
Vgg16Weights parse_vgg16_weights(const uint8_t* bytes, size_t size, int n_convs,
                                 const std::string& what);
Vgg16Weights load_vgg16_weights(const std::string& path, int n_convs);

// The layers of a run, resolved: defaults applied (content conv3_1; style conv1_1 conv1_2 conv2_1
// conv2_2), names checked (UsageError listing the valid ones), "all" expanded to the 13 convs.
struct Vgg16Layers {
  std::vector<LayerWeight> content, style;
  int deepest_node = 0;  // index into the features sequence
  int conv_count() const;     // conv layers up to the deepest node
  int pools() const;          // 2x2 pools up to the deepest node
};
Vgg16Layers resolve_vgg16_layers(const std::vector<LayerWeight>& content,
                                 const std::vector<LayerWeight>& style, bool with_content);
// Every layer name, in network order.
std::vector<std::string> vgg16_layer_names();

struct Vgg16Options {
  Vgg16Layers layers;
  int n_bins = 0;  // C: the image's other side
};

std::unique_ptr<FeatureExtractor> make_vgg16(Backend& backend, const Vgg16Weights& weights,
                                             const Vgg16Options& options, Precision precision);

// Memory one plan of n_frames x n_bins for `batch` items holds: the activations the backward pass
// needs, the backward scratch, the outputs' gradients, Gram errors and content targets.
struct Vgg16Footprint {
  int64_t activations = 0, scratch = 0, output_grads = 0, gram_errors = 0, content_targets = 0;
  int64_t style_grams = 0, weights = 0;  // independent of the length
};
Vgg16Footprint vgg16_footprint(const Vgg16Layers& layers, int64_t n_frames, int n_bins, int batch);

}  // namespace audiostyle
