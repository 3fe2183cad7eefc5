// The mel view in front of an image extractor (mel_view.h).
#include "host/extractors/mel_view.h"

#include "host/extractors/input_view.h"

namespace audiostyle {

MelProjection::MelProjection(Backend& backend, const float* bank, int n_bins, int n_mels,
                             int64_t n_rows)
    : backend_(backend), n_bins_(n_bins), n_mels_(n_mels), n_rows_(n_rows) {
  // All rows as one item: with one tap no window crosses an item boundary. fp32: the projection
  // is a small share of the work, and tf32 would round the image the network sees.
  projection_ = backend.make_conv1d(ConvShape{n_rows, n_bins, n_mels, 1, 1}, Precision::fp32);
  projection_->set_weights(bank);
}

void MelProjection::forward(const float* x, float* magnitude, float* mel, float* image) {
  backend_.expm1_map(x, n_rows_ * n_bins_, magnitude);
  projection_->forward_relu(magnitude, mel);
  backend_.log1p_map(mel, n_rows_ * n_mels_, image);
}

void MelProjection::backward(float* grad_image, const float* magnitude, const float* mel,
                             float* grad_x) {
  backend_.one_plus_scale(mel, n_rows_ * n_mels_, true, grad_image);
  projection_->backward_input(grad_image, mel, grad_x);
  backend_.one_plus_scale(magnitude, n_rows_ * n_bins_, false, grad_x);
}

MelViewFootprint mel_view_footprint(int64_t n_frames, int n_bins, int n_mels, int batch) {
  const int64_t rows = n_frames * batch;
  return {rows * (n_bins + 2 * int64_t(n_mels)), rows * n_mels, 2 * rows * (n_bins + 8),
          int64_t(n_mels) * n_bins};
}

namespace {

// Activations: the inner plan's first (its outputs' offsets unchanged), then magnitude [B*T, C],
// mel [B*T, N], image [B*T, N]. Scratch: the inner plan's, then the image's gradient [B*T, N].
class MelViewPlan final : public FeaturePlan {
 public:
  MelViewPlan(Backend& backend, const float* bank, int n_bins, int n_mels, int64_t n_frames,
              std::unique_ptr<FeaturePlan> inner)
      : inner_(std::move(inner)),
        projection_(backend, bank, n_bins, n_mels, n_frames * inner_->batch()),
        n_bins_(n_bins),
        n_mels_(n_mels) {}

  int batch() const override { return inner_->batch(); }
  const std::vector<LayerOutput>& outputs() const override { return inner_->outputs(); }
  int64_t activation_count() const override {
    return inner_->activation_count() + projection_.rows() * (n_bins_ + 2 * int64_t(n_mels_));
  }
  int64_t scratch_count() const override {
    return inner_->scratch_count() + projection_.rows() * n_mels_;
  }
  void forward(const float* x, float* act) override {
    float* magnitude = act + inner_->activation_count();
    float* mel = magnitude + projection_.rows() * n_bins_;
    float* image = mel + projection_.rows() * n_mels_;
    projection_.forward(x, magnitude, mel, image);
    inner_->forward(image, act);
  }
  void backward(float* const* grad_outputs, const float* act, float* scratch,
                float* grad_x) override {
    const float* magnitude = act + inner_->activation_count();
    const float* mel = magnitude + projection_.rows() * n_bins_;
    float* grad_image = scratch + inner_->scratch_count();
    inner_->backward(grad_outputs, act, scratch, grad_image);
    projection_.backward(grad_image, magnitude, mel, grad_x);
  }
  size_t workspace_bytes() const override {
    return inner_->workspace_bytes() + projection_.workspace_bytes();
  }
  std::string algorithm() const override {
    return inner_->algorithm() + "; mel view " + projection_.algorithm();
  }

 private:
  std::unique_ptr<FeaturePlan> inner_;
  MelProjection projection_;
  int n_bins_, n_mels_;
};

class MelView final : public InputView {
 public:
  MelView(Backend& backend, const MelBankSpec& spec, std::unique_ptr<FeatureExtractor> inner,
          float gain)
      : InputView(std::move(inner)),
        backend_(backend),
        spec_(spec),
        bank_(backend, int64_t(spec.n_mels) * (spec.n_fft / 2 + 1)) {
    std::vector<float> bank = mel_filterbank(spec);
    if (gain != 1.0f)
      for (float& v : bank) v *= gain;
    bank_.upload(bank);
  }
  std::string describe() const override {
    return "a mel view (" + std::to_string(spec_.n_mels) + " bands) into " + inner_->describe();
  }
  std::unique_ptr<FeaturePlan> plan(int64_t n_frames, int batch) override {
    return std::make_unique<MelViewPlan>(backend_, bank_.get(), spec_.n_fft / 2 + 1,
                                         spec_.n_mels, n_frames, inner_->plan(n_frames, batch));
  }

 private:
  size_t view_bytes() const override { return bank_.bytes(); }
  Backend& backend_;
  MelBankSpec spec_;
  Buffer<float> bank_;  // [N, C]
};

}  // namespace

std::unique_ptr<FeatureExtractor> make_mel_view(Backend& backend, const MelBankSpec& spec,
                                                std::unique_ptr<FeatureExtractor> inner,
                                                float gain) {
  return std::make_unique<MelView>(backend, spec, std::move(inner), gain);
}

}  // namespace audiostyle
