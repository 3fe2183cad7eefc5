// Method 1's extractor (Ulyanov & Lebedev 2016): one random conv layer over time.
#include <cmath>

#include "audiostyle/philox.h"
#include "host/pipeline/features.h"

namespace audiostyle {
namespace {

class RandomConvPlan final : public FeaturePlan {
 public:
  explicit RandomConvPlan(std::unique_ptr<Conv1d> conv) : conv_(std::move(conv)) {
    const ConvShape& s = conv_->shape();
    outputs_.push_back({"conv1d", {s.out_frames(), s.n_filters}, 0, 1.0f, 1.0f});
  }
  int batch() const override { return conv_->shape().n_batch; }
  const std::vector<LayerOutput>& outputs() const override { return outputs_; }
  int64_t activation_count() const override { return batch() * outputs_[0].shape.count(); }
  int64_t scratch_count() const override { return 0; }
  void forward(const float* x, float* features) override { conv_->forward_relu(x, features); }
  void backward(float* const* grad_outputs, const float* features, float*, float* grad_x) override {
    conv_->backward_input(grad_outputs[0], features, grad_x);
  }
  size_t workspace_bytes() const override { return conv_->workspace_bytes(); }
  std::string algorithm() const override { return conv_->algorithm(); }

 private:
  std::unique_ptr<Conv1d> conv_;
  std::vector<LayerOutput> outputs_;
};

class RandomConv1d final : public FeatureExtractor {
 public:
  RandomConv1d(Backend& backend, int n_channels, int n_filters, int kernel_width, uint64_t seed,
               Precision precision)
      : backend_(backend),
        n_channels_(n_channels),
        n_filters_(n_filters),
        kernel_width_(kernel_width),
        seed_(seed),
        precision_(precision),
        weights_(backend, int64_t(n_filters) * kernel_width * n_channels) {
    backend.fill_normal(weights_.get(), weights_.size(), seed, philox::kStreamWeights,
                        random_conv1d_stddev(n_channels, n_filters, kernel_width));
  }

  std::string describe() const override {
    return "random conv1d: " + std::to_string(n_filters_) + " filters x " +
           std::to_string(kernel_width_) + " taps over " + std::to_string(n_channels_) +
           " bins, seed " + std::to_string(seed_);
  }
  int min_frames() const override { return kernel_width_; }
  std::unique_ptr<FeaturePlan> plan(int64_t n_frames, int batch) override {
    auto conv = backend_.make_conv1d({n_frames, n_channels_, n_filters_, kernel_width_, batch},
                                     precision_);
    conv->set_weights(weights_.get());
    return std::make_unique<RandomConvPlan>(std::move(conv));
  }
  size_t weight_bytes() const override { return weights_.bytes(); }
  std::vector<LayerOutput> layers() const override {
    return {{"conv1d", {0, n_filters_}, 0, 1.0f, 1.0f}};
  }
  // The reference divides the Gram by the input frame count (its N_SAMPLES), not the rows.
  LayerScales scales(const LayerOutput&, int64_t n_frames) const override {
    return {1.0f / float(n_frames), 1.0f, 1.0f};
  }
  int64_t context_frames() const override { return kernel_width_ - 1; }

 private:
  Backend& backend_;
  int n_channels_, n_filters_, kernel_width_;
  uint64_t seed_;
  Precision precision_;
  Buffer<float> weights_;
};

}  // namespace

float random_conv1d_stddev(int n_channels, int n_filters, int kernel_width) {
  return float(std::sqrt(2.0) * std::sqrt(2.0 / (double(n_channels + n_filters) * kernel_width)));
}

std::unique_ptr<FeatureExtractor> make_random_conv1d(Backend& backend, int n_channels,
                                                     int n_filters, int kernel_width,
                                                     uint64_t seed, Precision precision) {
  return std::make_unique<RandomConv1d>(backend, n_channels, n_filters, kernel_width, seed,
                                        precision);
}

}  // namespace audiostyle
