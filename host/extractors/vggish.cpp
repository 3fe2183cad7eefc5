#include "host/extractors/vggish.h"

#include <cfenv>
#include <cmath>

#include "audiostyle/errors.h"
#include "host/extractors/mel_view.h"

namespace audiostyle {
namespace {

int64_t examples(int64_t n_frames) { return (n_frames + kVggishFrames - 1) / kVggishFrames; }

// Floats: the examples [B * E, 96, 64], filled with log(0.01) and then each item's log1p(mel /
// 0.01) added on its first T frames.
class ExamplesFront final : public StackFront {
 public:
  // item_floats: one item's examples, E * 96 * bands (the factory's count for one item).
  ExamplesFront(Backend& backend, int64_t n_frames, int n_bands, int batch, int64_t item_floats)
      : backend_(backend), used_(n_frames * n_bands), item_floats_(item_floats), batch_(batch) {}
  int64_t image_offset() const override { return 0; }
  void forward(const float* x, float* front) override {
    backend_.fill(front, batch_ * item_floats_, std::log(kVggishLogOffset));
    for (int b = 0; b < batch_; ++b)
      backend_.axpy(used_, 1.0f, x + b * used_, front + b * item_floats_);
  }
  void backward(const float*, float* grad_image, float*, float* grad_x) override {
    for (int b = 0; b < batch_; ++b)
      backend_.copy(grad_x + b * used_, grad_image + b * item_floats_, sizeof(float) * size_t(used_));
  }

 private:
  Backend& backend_;
  int64_t used_;         // an item's T * bands, the frames that are the input's
  int64_t item_floats_;  // an item's E * 96 * bands
  int batch_;
};

class ExamplesFactory final : public StackFrontFactory {
 public:
  explicit ExamplesFactory(Backend* backend) : backend_(backend) {}
  std::unique_ptr<StackFront> make(int64_t n_frames, int n_bins, int batch) const override {
    AS_CHECK(backend_, "vggish: a front made without a backend");
    return std::make_unique<ExamplesFront>(*backend_, n_frames, n_bins, batch,
                                           floats(n_frames, n_bins, 1));
  }
  StackImage image(int64_t n_frames, int n_bins) const override {
    return {examples(n_frames), kVggishFrames, n_bins, 1};
  }
  int64_t floats(int64_t n_frames, int n_bins, int batch) const override {
    return int64_t(batch) * examples(n_frames) * kVggishFrames * n_bins;
  }
  int min_frames(const StackLayers&) const override { return 1; }
  int frame_multiple(const StackLayers&) const override { return kVggishFrames; }
  bool chunks_exact() const override { return true; }

 private:
  Backend* backend_;
};

// Python's round(): half to even (the default rounding mode of nearbyint).
int round_half_even(double v) {
  const int mode = std::fegetround();
  std::fesetround(FE_TONEAREST);
  const double r = std::nearbyint(v);
  std::fesetround(mode);
  return int(r);
}

}  // namespace

const NetSpec& vggish_net() {
  static const NetSpec net = with_nodes(NetSpec{
      "vggish",
      {{"conv1", "relu1", 1, 64, true},
       {"conv2", "relu2", 64, 128, true},
       {"conv3_1", "relu3", 128, 256, false},
       {"conv3_2", "relu4", 256, 256, true},
       {"conv4_1", "relu5", 256, 512, false},
       {"conv4_2", "relu6", 512, 512, true}},
      {{"relu5", 1}},
      {{"relu1", 1}},
      40,
      false,
      {}});
  return net;
}

StftGeometry vggish_stft(int sample_rate_hz) {
  StftGeometry g;
  g.win_length = std::max(2, round_half_even(0.025 * sample_rate_hz));
  g.hop = std::max(1, round_half_even(0.010 * sample_rate_hz));
  g.n_fft = 1;
  while (g.n_fft < g.win_length) g.n_fft *= 2;
  return g;
}

std::shared_ptr<const StackFrontFactory> vggish_front(Backend* backend) {
  return std::make_shared<ExamplesFactory>(backend);
}

std::unique_ptr<FeatureExtractor> make_vggish(Backend& backend, const StackWeights& weights,
                                              const StackLayers& layers, int sample_rate_hz,
                                              int n_fft, Precision precision) {
  AS_CHECK(layers.net == &vggish_net(), "make_vggish: layers of another network");
  StackOptions options;
  options.layers = layers;
  options.n_bins = kVggishBands;
  auto stack = make_conv_stack(backend, weights, options, vggish_front(&backend), precision);
  // log(mel + 0.01) = log1p(mel / 0.01) + log(0.01): the bank scaled here, the constant added by
  // the examples front.
  return make_mel_view(backend, vggish_mel_bank_spec(sample_rate_hz, n_fft), std::move(stack),
                       1.0f / kVggishLogOffset);
}

}  // namespace audiostyle
