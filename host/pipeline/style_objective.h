// The reference's objective on a spectrogram x [T, C]:
//   f(x) = alpha * sum((A - Ac)^2) + sum((G - Gs)^2),  A = features(x) [T', F],  G = A^T A / T
// with the gradient
//   dA = 2 alpha (A - Ac) + (4 / T) A (G - Gs),  dx = features'(x)^T dA.
// T is the input frame count (the reference's N_SAMPLES). Content features Ac and the style Gram
// Gs are computed once, before the optimisation.
#pragma once
#include <memory>

#include "host/pipeline/features.h"
#include "host/pipeline/optimizer.h"

namespace audiostyle {

class StyleObjective final : public Objective {
 public:
  // content_features: Ac [T', F] in backend memory, or null for texture synthesis (alpha ignored).
  // style_gram: Gs [F, F] in backend memory. Both must outlive the objective.
  StyleObjective(Backend& backend, FeaturePlan& plan, int64_t n_frames, const float* style_gram,
                 const float* content_features, float alpha, Precision precision);

  // values: [total, content, style]
  int value_count() const override { return 3; }
  void evaluate(const float* x, float* grad, double* values) override;

  size_t buffer_bytes() const;

 private:
  Backend& backend_;
  FeaturePlan& plan_;
  int64_t n_frames_;
  FeatureShape shape_;
  const float* style_gram_;
  const float* content_features_;
  float alpha_;
  std::unique_ptr<Gram> gram_;
  Buffer<float> features_, grad_features_, gram_error_;
  Buffer<double> zero_;  // a slot holding 0.0, the content loss of texture synthesis
};

}  // namespace audiostyle
