// The objective over a set of layers of one feature plan, on B spectrograms x [B, T, C] (stereo
// channels or one), each item against the same style Grams:
//   f(x) = sum_l c_l sum_b sum((A_lb - Ac_lb)^2) + sum_l s_l sum_b sum((G_lb - Gs_l)^2),
//   A_l = layer l of features(x_b) [rows_l, cols_l],  G_lb = g_l A_lb^T A_lb
// with the gradient
//   dA_lb = 2 c_l (A_lb - Ac_lb) + 4 s_l g_l A_lb (G_lb - Gs_l),  dx_b = sum_l features'^T dA_lb.
// The weights c_l, s_l and g_l come from the extractor's normalisation and the user's layer weights
// (engine.cpp). Method 1 is one layer with the reference's values: c = alpha, s = 1, g = 1 / T (T
// the input frame count, the reference's N_SAMPLES). Content targets Ac and style Grams Gs are
// computed once, before the optimisation.
//
// A style weight s != 1 is applied as sqrt(s) on both G and Gs, so the backend's unweighted
// style_loss gives s sum((G - Gs)^2) and its error is already scaled for the backward pass.
#pragma once
#include <functional>
#include <vector>

#include "host/pipeline/features.h"
#include "host/pipeline/optimizer.h"

namespace audiostyle {

// The terms on one output of the plan (all pointers to backend memory, outliving the objective).
struct LayerTerm {
  float gram_scale = 1;               // g
  float content_weight = 0;           // c
  float style_weight = 0;             // s
  const float* content = nullptr;     // Ac [B, rows, cols]; null: no content term
  const float* style_gram = nullptr;  // Gs [cols, cols]; null: no style term
  Gram* gram = nullptr;               // a plan for (rows, cols, B); needed with a style term
};

// The terms the pipeline puts on the outputs of `plan` (an input of n_frames): the extractor's
// normalisation times the user's layer weights, alpha on every content term. content[l] and
// style_grams[l] are null where output l has no such term; `gram` gives a Gram plan by shape.
std::vector<LayerTerm> make_layer_terms(const FeatureExtractor& extractor, const FeaturePlan& plan,
                                        int64_t n_frames, float alpha,
                                        const std::vector<const float*>& content,
                                        const std::vector<const float*>& style_grams,
                                        const std::function<Gram&(int64_t, int, int)>& gram);

class StyleObjective final : public Objective {
 public:
  // terms[l] for plan.outputs()[l].
  StyleObjective(Backend& backend, FeaturePlan& plan, std::vector<LayerTerm> terms);
  // Method 1's one layer. gram: a plan for (rows, cols, B) of the features.
  // content_features: Ac [B, T', F], or null for texture synthesis (alpha ignored).
  // style_gram: Gs [F, F].
  StyleObjective(Backend& backend, FeaturePlan& plan, Gram& gram, int64_t n_frames,
                 const float* style_gram, const float* content_features, float alpha);

  // values: [total, content, style]; then for B > 1 each item's [content_b...], [style_b...]
  // (stereo channels: the totals are their sums, so a stereo total reads about twice a mono one);
  // then with more than one layer [content_l, style_l] per layer.
  int value_count() const override {
    return layer_base() + (terms_.size() > 1 ? 2 * int(terms_.size()) : 0);
  }
  // Where layer l's content (which 0) or style (which 1) loss lies in values (more than one layer).
  int layer_value_index(size_t l, int which) const { return layer_base() + 2 * int(l) + which; }
  void evaluate(const float* x, float* grad, double* values) override;
  // Backend memory the objective holds (activations, gradients, Gram errors, scaled targets).
  size_t bytes() const;

 private:
  void init();
  int layer_base() const { return batch_ > 1 ? 3 + 2 * batch_ : 3; }
  // B > 1: every (layer, item) loss in its own slot, then summed per item and per layer.
  void evaluate_items(const float* x, float* grad, double* values);
  // out = sum of the slots at `slots` (count of them, each a double in backend memory)
  void sum_slots(const std::vector<double*>& slots, double* out);

  Backend& backend_;
  FeaturePlan& plan_;
  int batch_;
  std::vector<LayerTerm> terms_;
  Buffer<float> activations_, scratch_;
  std::vector<Buffer<float>> grads_, gram_errors_, scaled_style_;
  std::vector<float*> grad_pointers_;
  Buffer<double> zero_;  // a slot holding 0.0: the content loss of texture synthesis
  Buffer<double> cells_;  // B > 1: [L, B, 2] content and style loss of each layer and item
  Buffer<double> pair_;  // two slots for summing layer losses with add_slots
};

}  // namespace audiostyle
