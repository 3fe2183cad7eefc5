// Feature extractors behind one interface: the random 1D conv of method 1 now; pretrained 2D CNNs
// (VGG16, VGGish through cuDNN) and multi-resolution extractors later.
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "audiostyle/backend.h"

namespace audiostyle {

struct FeatureShape {
  int64_t rows = 0;  // feature frames
  int cols = 0;      // feature channels
  int64_t count() const { return rows * cols; }
};

// The extractor bound to one input length and batch: forward and input-gradient on backend memory.
class FeaturePlan {
 public:
  virtual ~FeaturePlan() = default;
  virtual FeatureShape shape() const = 0;  // per item
  virtual int batch() const = 0;
  // x [B, T, C] -> features [B, rows, cols]
  virtual void forward(const float* x, float* features) = 0;
  // grad_x [B, T, C] = d(features)/dx^T grad_features; grad_features may be overwritten.
  virtual void backward(float* grad_features, const float* features, float* grad_x) = 0;
  virtual size_t workspace_bytes() const = 0;
  virtual std::string algorithm() const = 0;
};

class FeatureExtractor {
 public:
  virtual ~FeatureExtractor() = default;
  virtual std::string describe() const = 0;
  virtual int min_frames() const = 0;  // shortest input it accepts
  virtual FeatureShape shape(int64_t n_frames) const = 0;
  virtual std::unique_ptr<FeaturePlan> plan(int64_t n_frames, int batch = 1) = 0;
  virtual size_t weight_bytes() const = 0;
};

// Ulyanov & Lebedev's extractor: one conv layer over time, frequency bins as channels, F random
// filters of width K, VALID, no bias, ReLU. Weights W [F, K, C] ~ N(0, std^2) with
// std = sqrt(2) * sqrt(2 / ((C + F) * K)), drawn from Philox stream kStreamWeights keyed by `seed`.
std::unique_ptr<FeatureExtractor> make_random_conv1d(Backend& backend, int n_channels,
                                                     int n_filters, int kernel_width,
                                                     uint64_t seed, Precision precision);

// The reference's weight standard deviation.
float random_conv1d_stddev(int n_channels, int n_filters, int kernel_width);

}  // namespace audiostyle
