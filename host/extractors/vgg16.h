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
// pool5 (convX_Y is the output before its ReLU, reluX_Y after); normalisation, weight file and
// Philox weights as conv_stack.h (Philox streams from 16).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "audiostyle/config.h"
#include "audiostyle/pipeline.h"
#include "host/extractors/conv_stack.h"
#include "host/pipeline/features.h"

namespace audiostyle {

// The network: torchvision's 13 convs, default content conv3_1, style conv1_1 .. conv2_2.
const NetSpec& vgg16_net();
constexpr int kVgg16Convs = 13;
const StackConv& vgg16_conv(int index);

using Vgg16Weights = StackWeights;
using Vgg16Layers = StackLayers;
using Vgg16Options = StackOptions;
using Vgg16Footprint = StackFootprint;

Vgg16Weights vgg16_philox_weights(uint64_t seed, int n_convs);
Vgg16Weights parse_vgg16_weights(const uint8_t* bytes, size_t size, int n_convs,
                                 const std::string& what);
Vgg16Weights load_vgg16_weights(const std::string& path, int n_convs);
Vgg16Layers resolve_vgg16_layers(const std::vector<LayerWeight>& content,
                                 const std::vector<LayerWeight>& style, bool with_content);
// Every layer name, in network order.
std::vector<std::string> vgg16_layer_names();

std::unique_ptr<FeatureExtractor> make_vgg16(Backend& backend, const Vgg16Weights& weights,
                                             const Vgg16Options& options, Precision precision);
// The image front (L2 norm, unit RMS, grey to RGB); backend null: for sizes only.
std::shared_ptr<const StackFrontFactory> vgg16_front(Backend* backend);
Vgg16Footprint vgg16_footprint(const Vgg16Layers& layers, int64_t n_frames, int n_bins, int batch);

}  // namespace audiostyle
