#include "host/extractors/vgg16.h"

#include <cmath>

#include "audiostyle/errors.h"

namespace audiostyle {
namespace {

// The image: x per item L2-normalised, times sqrt(T C) (unit RMS), grey copied to RGB with the
// ImageNet normalisation. Its floats: unit [B, T, C], scaled [B, T, C], rgb [B, T, C, 3].
class Vgg16Front final : public StackFront {
 public:
  Vgg16Front(Backend& backend, int64_t n_frames, int n_bins, int batch)
      : backend_(backend),
        pixels_(n_frames * n_bins),
        batch_(batch),
        norms_(backend, batch) {}
  int64_t image_offset() const override { return 2 * batch_ * pixels_; }
  void forward(const float* x, float* front) override {
    float* unit = front;
    float* scaled = front + batch_ * pixels_;
    backend_.l2_normalize(x, pixels_, batch_, unit, norms_.get());
    backend_.copy(scaled, unit, sizeof(float) * size_t(batch_ * pixels_));
    backend_.scale(batch_ * pixels_, unit_rms_scale(), scaled);
    backend_.grey_to_rgb(scaled, batch_ * pixels_, front + image_offset());
  }
  void backward(const float* front, float* grad_image, float* scratch, float* grad_x) override {
    backend_.grey_to_rgb_backward(grad_image, batch_ * pixels_, scratch);
    backend_.scale(batch_ * pixels_, unit_rms_scale(), scratch);
    backend_.l2_normalize_backward(front, scratch, norms_.get(), pixels_, batch_, grad_x);
  }

 private:
  float unit_rms_scale() const { return float(std::sqrt(double(pixels_))); }

  Backend& backend_;
  int64_t pixels_;
  int batch_;
  Buffer<double> norms_;  // [B]: each item's L2 norm, from the forward to the backward pass
};

class Vgg16FrontFactory final : public StackFrontFactory {
 public:
  // backend null: for sizes only (footprints).
  explicit Vgg16FrontFactory(Backend* backend) : backend_(backend) {}
  std::unique_ptr<StackFront> make(int64_t n_frames, int n_bins, int batch) const override {
    AS_CHECK(backend_, "vgg16: a front made without a backend");
    return std::make_unique<Vgg16Front>(*backend_, n_frames, n_bins, batch);
  }
  StackImage image(int64_t n_frames, int n_bins) const override {
    return {1, n_frames, n_bins, 3};
  }
  int64_t floats(int64_t n_frames, int n_bins, int batch) const override {
    return 5 * int64_t(batch) * n_frames * n_bins;
  }
  int min_frames(const StackLayers& layers) const override { return 1 << layers.pools(); }
  int frame_multiple(const StackLayers& layers) const override { return 1 << layers.pools(); }
  // An image CNN's chunk edges see zero padding, as the track's own edges do.
  bool chunks_exact() const override { return false; }

 private:
  Backend* backend_;
};

}  // namespace

const NetSpec& vgg16_net() {
  static const NetSpec net = with_nodes(NetSpec{
      "vgg16",
      {{"conv1_1", "relu1_1", 3, 64, false},    {"conv1_2", "relu1_2", 64, 64, true},
       {"conv2_1", "relu2_1", 64, 128, false},  {"conv2_2", "relu2_2", 128, 128, true},
       {"conv3_1", "relu3_1", 128, 256, false}, {"conv3_2", "relu3_2", 256, 256, false},
       {"conv3_3", "relu3_3", 256, 256, true},  {"conv4_1", "relu4_1", 256, 512, false},
       {"conv4_2", "relu4_2", 512, 512, false}, {"conv4_3", "relu4_3", 512, 512, true},
       {"conv5_1", "relu5_1", 512, 512, false}, {"conv5_2", "relu5_2", 512, 512, false},
       {"conv5_3", "relu5_3", 512, 512, true}},
      {{"conv3_1", 1}},
      {{"conv1_1", 1}, {"conv1_2", 1}, {"conv2_1", 1}, {"conv2_2", 1}},
      16,
      true,
      {}});
  return net;
}

const StackConv& vgg16_conv(int index) { return vgg16_net().convs[size_t(index)]; }

std::vector<std::string> vgg16_layer_names() {
  std::vector<std::string> out;
  for (const auto& n : vgg16_net().nodes) out.push_back(n.name);
  return out;
}

Vgg16Layers resolve_vgg16_layers(const std::vector<LayerWeight>& content,
                                 const std::vector<LayerWeight>& style, bool with_content) {
  return resolve_stack_layers(vgg16_net(), content, style, with_content);
}

Vgg16Weights vgg16_philox_weights(uint64_t seed, int n_convs) {
  return philox_stack_weights(vgg16_net(), seed, n_convs);
}

Vgg16Weights parse_vgg16_weights(const uint8_t* bytes, size_t size, int n_convs,
                                 const std::string& what) {
  return parse_stack_weights(vgg16_net(), bytes, size, n_convs, what);
}

Vgg16Weights load_vgg16_weights(const std::string& path, int n_convs) {
  return load_stack_weights(vgg16_net(), path, n_convs);
}

std::shared_ptr<const StackFrontFactory> vgg16_front(Backend* backend) {
  return std::make_shared<Vgg16FrontFactory>(backend);
}

std::unique_ptr<FeatureExtractor> make_vgg16(Backend& backend, const Vgg16Weights& weights,
                                             const Vgg16Options& options, Precision precision) {
  return make_conv_stack(backend, weights, options, vgg16_front(&backend),
                         precision);
}

Vgg16Footprint vgg16_footprint(const Vgg16Layers& layers, int64_t n_frames, int n_bins,
                               int batch) {
  return stack_footprint(layers, *vgg16_front(nullptr), n_frames, n_bins, batch);
}

}  // namespace audiostyle
