#include "host/extractors/composite.h"

#include <algorithm>
#include <numeric>

#include "audiostyle/errors.h"

namespace audiostyle {
namespace {

// Outputs of part p: its plan's, renamed PART/LAYER, weighted, offsets moved to its activations.
std::vector<LayerOutput> part_outputs(const ExtractorPart& part, std::vector<LayerOutput> outputs,
                                      int64_t offset) {
  for (auto& o : outputs) {
    o.name = part.name + "/" + o.name;
    o.offset += offset;
    o.content_weight *= part.weight;
    o.style_weight *= part.weight;
  }
  return outputs;
}

// Activations: the parts' one after another. Scratch: the largest part's, then grad_x of one part
// [B, T, C] (the parts after the first add theirs into grad_x from there).
class CompositePlan final : public FeaturePlan {
 public:
  CompositePlan(Backend& backend, const std::vector<ExtractorPart>& parts,
                std::vector<std::unique_ptr<FeaturePlan>> plans, int64_t input_count)
      : backend_(backend), plans_(std::move(plans)), input_count_(input_count) {
    int64_t offset = 0;
    for (size_t p = 0; p < plans_.size(); ++p) {
      offsets_.push_back(offset);
      first_output_.push_back(outputs_.size());
      for (auto& o : part_outputs(parts[p], plans_[p]->outputs(), offset))
        outputs_.push_back(std::move(o));
      offset += plans_[p]->activation_count();
      part_scratch_ = std::max(part_scratch_, plans_[p]->scratch_count());
    }
    activations_ = offset;
  }
  int batch() const override { return plans_.front()->batch(); }
  const std::vector<LayerOutput>& outputs() const override { return outputs_; }
  int64_t activation_count() const override { return activations_; }
  int64_t scratch_count() const override {
    return part_scratch_ + (plans_.size() > 1 ? input_count_ : 0);
  }
  void forward(const float* x, float* act) override {
    for (size_t p = 0; p < plans_.size(); ++p) plans_[p]->forward(x, act + offsets_[p]);
  }
  void backward(float* const* grad_outputs, const float* act, float* scratch,
                float* grad_x) override {
    float* part_grad = scratch + part_scratch_;
    for (size_t p = 0; p < plans_.size(); ++p) {
      float* target = p == 0 ? grad_x : part_grad;
      plans_[p]->backward(grad_outputs + first_output_[p], act + offsets_[p], scratch, target);
      if (p > 0) backend_.axpy(input_count_, 1.0f, part_grad, grad_x);
    }
  }
  size_t workspace_bytes() const override {
    size_t total = 0;
    for (const auto& p : plans_) total += p->workspace_bytes();
    return total;
  }
  std::string algorithm() const override {
    std::string text;
    for (const auto& p : plans_) text += (text.empty() ? "" : " + ") + p->algorithm();
    return text;
  }

 private:
  Backend& backend_;
  std::vector<std::unique_ptr<FeaturePlan>> plans_;
  std::vector<int64_t> offsets_;
  std::vector<size_t> first_output_;
  std::vector<LayerOutput> outputs_;
  int64_t input_count_, activations_ = 0, part_scratch_ = 0;
};

class Composite final : public FeatureExtractor {
 public:
  Composite(Backend& backend, std::vector<ExtractorPart> parts, int n_bins)
      : backend_(backend), parts_(std::move(parts)), n_bins_(n_bins) {}

  std::string describe() const override {
    std::string text;
    for (const auto& p : parts_)
      text += (text.empty() ? "" : " + ") + std::to_string(p.weight) + " x " +
              p.extractor->describe();
    return text;
  }
  int min_frames() const override {
    int frames = 1;
    for (const auto& p : parts_) frames = std::max(frames, p.extractor->min_frames());
    return frames;
  }
  std::unique_ptr<FeaturePlan> plan(int64_t n_frames, int batch) override {
    std::vector<std::unique_ptr<FeaturePlan>> plans;
    for (auto& p : parts_) plans.push_back(p.extractor->plan(n_frames, batch));
    return std::make_unique<CompositePlan>(backend_, parts_, std::move(plans),
                                           int64_t(batch) * n_frames * n_bins_);
  }
  size_t weight_bytes() const override {
    size_t total = 0;
    for (const auto& p : parts_) total += p.extractor->weight_bytes();
    return total;
  }
  std::vector<LayerOutput> layers() const override {
    std::vector<LayerOutput> out;
    for (const auto& p : parts_)
      for (auto& o : part_outputs(p, p.extractor->layers(), 0)) out.push_back(std::move(o));
    return out;
  }
  LayerScales scales(const LayerOutput& layer, int64_t n_frames) const override {
    const size_t slash = layer.name.find('/');
    AS_CHECK(slash != std::string::npos, "composite: a layer without its part's name");
    const std::string part = layer.name.substr(0, slash);
    for (const auto& p : parts_) {
      if (p.name != part) continue;
      LayerOutput own = layer;
      own.name = layer.name.substr(slash + 1);
      return p.extractor->scales(own, n_frames);
    }
    AS_CHECK(false, "composite: no part named " + part);
    return {};
  }
  // Streaming uses parts(); these describe the composite as a whole.
  int64_t context_frames() const override {
    int64_t frames = 0;
    for (const auto& p : parts_) frames = std::max(frames, p.extractor->context_frames());
    return frames;
  }
  int frame_multiple() const override {
    int multiple = 1;
    for (const auto& p : parts_) multiple = std::lcm(multiple, p.extractor->frame_multiple());
    return multiple;
  }
  bool chunks_exact() const override {
    return std::all_of(parts_.begin(), parts_.end(),
                       [](const ExtractorPart& p) { return p.extractor->chunks_exact(); });
  }
  std::vector<FeatureExtractor*> parts() const override {
    std::vector<FeatureExtractor*> out;
    for (const auto& p : parts_) out.push_back(p.extractor.get());
    return out;
  }

 private:
  Backend& backend_;
  std::vector<ExtractorPart> parts_;
  int n_bins_;  // C of the input x [B, T, C]
};

}  // namespace

std::unique_ptr<FeatureExtractor> make_composite(Backend& backend,
                                                 std::vector<ExtractorPart> parts, int n_bins) {
  AS_CHECK(!parts.empty(), "make_composite: no parts");
  return std::make_unique<Composite>(backend, std::move(parts), n_bins);
}

}  // namespace audiostyle
