// A band of the spectrogram in front of an extractor (band_view.h).
#include "host/extractors/band_view.h"

#include <algorithm>

#include "audiostyle/errors.h"
#include "host/extractors/input_view.h"

namespace audiostyle {
namespace {

// Activations: the inner plan's first (its outputs' offsets unchanged), then the band [B*T, n].
// Scratch: the inner plan's, then the band's gradient [B*T, n].
class BandViewPlan final : public FeaturePlan {
 public:
  BandViewPlan(Backend& backend, const int* bins, int n_band, int n_bins, int64_t n_frames,
               std::unique_ptr<FeaturePlan> inner)
      : backend_(backend),
        bins_(bins),
        n_band_(n_band),
        n_bins_(n_bins),
        rows_(n_frames * inner->batch()),
        inner_(std::move(inner)) {}

  int batch() const override { return inner_->batch(); }
  const std::vector<LayerOutput>& outputs() const override { return inner_->outputs(); }
  int64_t activation_count() const override { return inner_->activation_count() + rows_ * n_band_; }
  int64_t scratch_count() const override { return inner_->scratch_count() + rows_ * n_band_; }
  void forward(const float* x, float* act) override {
    float* band = act + inner_->activation_count();
    backend_.gather_columns(x, rows_, n_bins_, bins_, n_band_, band);
    inner_->forward(band, act);
  }
  void backward(float* const* grad_outputs, const float* act, float* scratch,
                float* grad_x) override {
    float* grad_band = scratch + inner_->scratch_count();
    inner_->backward(grad_outputs, act, scratch, grad_band);
    backend_.fill(grad_x, rows_ * n_bins_, 0.0f);
    backend_.scatter_columns(grad_band, rows_, n_bins_, bins_, n_band_, grad_x);
  }
  size_t workspace_bytes() const override { return inner_->workspace_bytes(); }
  std::string algorithm() const override { return inner_->algorithm(); }

 private:
  Backend& backend_;
  const int* bins_;
  int n_band_, n_bins_;
  int64_t rows_;
  std::unique_ptr<FeaturePlan> inner_;
};

class BandView final : public InputView {
 public:
  BandView(Backend& backend, const std::vector<int>& bins, int n_bins, std::string what,
           std::unique_ptr<FeatureExtractor> inner)
      : InputView(std::move(inner)),
        backend_(backend),
        n_band_(int(bins.size())),
        n_bins_(n_bins),
        what_(std::move(what)),
        bins_(backend, n_band_) {
    bins_.upload(bins);
  }
  std::string describe() const override {
    return what_ + " (" + std::to_string(n_band_) + " of " + std::to_string(n_bins_) +
           " bins) into " + inner_->describe();
  }
  std::unique_ptr<FeaturePlan> plan(int64_t n_frames, int batch) override {
    return std::make_unique<BandViewPlan>(backend_, bins_.get(), n_band_, n_bins_, n_frames,
                                          inner_->plan(n_frames, batch));
  }

 private:
  size_t view_bytes() const override { return bins_.bytes(); }
  Backend& backend_;
  int n_band_, n_bins_;
  std::string what_;
  Buffer<int> bins_;
};

}  // namespace

std::unique_ptr<FeatureExtractor> make_band_view(Backend& backend, std::vector<int> bins,
                                                 int n_bins, std::string what,
                                                 std::unique_ptr<FeatureExtractor> inner) {
  AS_CHECK(!bins.empty(), "make_band_view: an empty band");
  std::vector<int> sorted = bins;
  std::sort(sorted.begin(), sorted.end());
  AS_CHECK(std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end() &&
               sorted.front() >= 0 && sorted.back() < n_bins,
           "make_band_view: bins must be distinct and inside the spectrogram");
  return std::make_unique<BandView>(backend, bins, n_bins, std::move(what), std::move(inner));
}

}  // namespace audiostyle
