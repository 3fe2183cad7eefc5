// An extractor that maps the input and runs another on the result (the mel view, mel_view.h; the
// band view, band_view.h): its layers, scales, framing and chunking are the inner extractor's.
#pragma once
#include <memory>

#include "audiostyle/errors.h"
#include "host/pipeline/features.h"

namespace audiostyle {

class InputView : public FeatureExtractor {
 public:
  explicit InputView(std::unique_ptr<FeatureExtractor> inner) : inner_(std::move(inner)) {
    AS_CHECK(inner_, "an input view without an inner extractor");
  }
  int min_frames() const override { return inner_->min_frames(); }
  size_t weight_bytes() const override { return inner_->weight_bytes() + view_bytes(); }
  std::vector<LayerOutput> layers() const override { return inner_->layers(); }
  LayerScales scales(const LayerOutput& layer, int64_t n_frames) const override {
    return inner_->scales(layer, n_frames);
  }
  int64_t context_frames() const override { return inner_->context_frames(); }
  int frame_multiple() const override { return inner_->frame_multiple(); }
  bool chunks_exact() const override { return inner_->chunks_exact(); }

 protected:
  virtual size_t view_bytes() const = 0;  // what the view itself holds (a bank, an index)
  std::unique_ptr<FeatureExtractor> inner_;
};

}  // namespace audiostyle
