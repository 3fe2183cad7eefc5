// The reference's objective on B spectrograms x [B, T, C] (stereo channels or one), each item
// against the same style Gram:
//   f(x) = sum_b alpha * sum((A_b - Ac_b)^2) + sum((G_b - Gs)^2),  A_b = features(x_b) [T', F],
//   G_b = A_b^T A_b / T
// with the gradient
//   dA_b = 2 alpha (A_b - Ac_b) + (4 / T) A_b (G_b - Gs),  dx_b = features'(x_b)^T dA_b.
// T is the input frame count (the reference's N_SAMPLES). Content features Ac and the style Gram
// Gs are computed once, before the optimisation.
#pragma once
#include "host/pipeline/features.h"
#include "host/pipeline/optimizer.h"

namespace audiostyle {

class StyleObjective final : public Objective {
 public:
  // plan: features of B items of n_frames; gram: a plan for (rows, cols, B) of those features.
  // content_features: Ac [B, T', F], or null for texture synthesis (alpha ignored).
  // style_gram: Gs [F, F]. All in backend memory, outliving the objective.
  StyleObjective(Backend& backend, FeaturePlan& plan, Gram& gram, int64_t n_frames,
                 const float* style_gram, const float* content_features, float alpha);

  // values: [total, content, style], then for B > 1 each item's [content_b...], [style_b...]
  // (stereo channels: the totals are their sums, so a stereo total reads about twice a mono one)
  int value_count() const override { return batch_ > 1 ? 3 + 2 * batch_ : 3; }
  void evaluate(const float* x, float* grad, double* values) override;

 private:
  Backend& backend_;
  FeaturePlan& plan_;
  Gram& gram_;
  int64_t n_frames_;
  int batch_;
  FeatureShape shape_;
  const float* style_gram_;
  const float* content_features_;
  float alpha_;
  Buffer<float> features_, grad_features_, gram_error_;
  Buffer<double> zero_;  // a slot holding 0.0, the content loss of texture synthesis
  Buffer<double> sum_;   // [2] running sum of per-item slots
  void sum_items(const double* items, double* out);
};

}  // namespace audiostyle
