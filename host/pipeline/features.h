// Feature extractors behind one interface. An extractor maps a spectrogram x [B, T, C] to a set of
// named layer outputs; the objective (style_objective.h) puts a content and a style term on each.
// Method 1's random 1D conv is the one-layer case; method 2's VGG16 (host/extractors/vgg16.h) gives
// several layers of one forward pass. The forward pass stops at the deepest layer asked for; the
// backward pass carries input gradients only (weights are fixed: no weight gradients).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "audiostyle/backend.h"

namespace audiostyle {

struct FeatureShape {
  int64_t rows = 0;  // positions (frames, or H * W of an image layer)
  int cols = 0;      // channels
  int64_t count() const { return rows * cols; }
};

// One output of a plan: [B, rows, cols] contiguous at `offset` floats into the activations.
struct LayerOutput {
  std::string name;
  FeatureShape shape;  // per item
  int64_t offset = 0;
  float content_weight = 0;  // the user's weight wc_l (0: no content term on this layer)
  float style_weight = 0;    // ws_l (0: no style term)
};

// How a layer's terms are normalised, so a weight means the same at any length and width:
//   G = gram_scale * A^T A,  content = content_scale * sum((A - Ac)^2),
//   style = style_scale * sum((G - Gs)^2).
struct LayerScales {
  float gram_scale = 1, content_scale = 1, style_scale = 1;
};

// The extractor bound to one input length and batch: forward and input-gradient on backend memory.
// The caller allocates the activations (activation_count floats: every tensor the backward pass
// needs, outputs included) and the backward scratch (scratch_count floats).
class FeaturePlan {
 public:
  virtual ~FeaturePlan() = default;
  virtual int batch() const = 0;
  virtual const std::vector<LayerOutput>& outputs() const = 0;  // in network order
  virtual int64_t activation_count() const = 0;                 // for all B items
  virtual int64_t scratch_count() const = 0;
  // x [B, T, C] -> activations (outputs at their offsets)
  virtual void forward(const float* x, float* activations) = 0;
  // grad_x [B, T, C] = sum_l d(output_l)/dx^T grad_outputs[l]; grad_outputs[l] [B, rows_l, cols_l]
  // (one per output) may be overwritten; grad_x is overwritten.
  virtual void backward(float* const* grad_outputs, const float* activations, float* scratch,
                        float* grad_x) = 0;
  virtual size_t workspace_bytes() const = 0;  // what the backend's plans hold
  virtual std::string algorithm() const = 0;

  // The one-output case (method 1): features [B, rows, cols] are the activations.
  FeatureShape shape() const { return outputs().front().shape; }
  void backward(float* grad_features, const float* features, float* grad_x) {
    float* grads[1] = {grad_features};
    backward(grads, features, nullptr, grad_x);
  }
};

class FeatureExtractor {
 public:
  virtual ~FeatureExtractor() = default;
  virtual std::string describe() const = 0;
  virtual int min_frames() const = 0;  // shortest input it accepts
  virtual std::unique_ptr<FeaturePlan> plan(int64_t n_frames, int batch = 1) = 0;
  virtual size_t weight_bytes() const = 0;
  // The layers every plan outputs, in the plans' order (names, channels and weights; rows 0).
  virtual std::vector<LayerOutput> layers() const = 0;
  // Normalisation of output `layer` for an input of n_frames.
  virtual LayerScales scales(const LayerOutput& layer, int64_t n_frames) const = 0;
  // Streaming the style in chunks: consecutive chunks overlap by context_frames() input frames
  // (each output row then counted once) and every chunk but the last is a multiple of
  // frame_multiple() frames (so pooled rows align with the whole track's).
  virtual int64_t context_frames() const = 0;
  virtual int frame_multiple() const { return 1; }
  // Exact when the chunked style Gram equals the whole track's (a 1D conv); an image CNN's chunk
  // edges see zero padding, as the track's own edges do.
  virtual bool chunks_exact() const { return true; }
  // A composite (composite.h) lists its parts, whose outputs follow one another in its own; the
  // style Grams are streamed part by part. Empty: the extractor is one part.
  virtual std::vector<FeatureExtractor*> parts() const { return {}; }
};

// Ulyanov & Lebedev's extractor: one conv layer over time, frequency bins as channels, F random
// filters of width K, VALID, no bias, ReLU. Weights W [F, K, C] ~ N(0, std^2) with
// std = sqrt(2) * sqrt(2 / ((C + F) * K)), drawn from Philox stream kStreamWeights keyed by `seed`.
// One output, "conv1d", with the reference's normalisation: G = A^T A / T (T input frames),
// content and style scales 1 (alpha weighs the content, as the reference).
std::unique_ptr<FeatureExtractor> make_random_conv1d(Backend& backend, int n_channels,
                                                     int n_filters, int kernel_width,
                                                     uint64_t seed, Precision precision);

// The reference's weight standard deviation.
float random_conv1d_stddev(int n_channels, int n_filters, int kernel_width);

}  // namespace audiostyle
