#include "host/pipeline/style_objective.h"

#include <cmath>

#include "audiostyle/errors.h"

namespace audiostyle {

std::vector<LayerTerm> make_layer_terms(const FeatureExtractor& extractor, const FeaturePlan& plan,
                                        int64_t n_frames, float alpha,
                                        const std::vector<const float*>& content,
                                        const std::vector<const float*>& style_grams,
                                        const std::function<Gram&(int64_t, int, int)>& gram) {
  const auto& outputs = plan.outputs();
  AS_CHECK(content.size() == outputs.size() && style_grams.size() == outputs.size(),
           "make_layer_terms: one content and one style pointer per output");
  std::vector<LayerTerm> terms;
  for (size_t l = 0; l < outputs.size(); ++l) {
    const LayerOutput& out = outputs[l];
    const LayerScales scales = extractor.scales(out, n_frames);
    LayerTerm term;
    term.gram_scale = scales.gram_scale;
    term.content_weight = alpha * out.content_weight * scales.content_scale;
    term.style_weight = out.style_weight * scales.style_scale;
    term.content = content[l];
    if (style_grams[l]) {
      term.style_gram = style_grams[l];
      term.gram = &gram(out.shape.rows, out.shape.cols, plan.batch());
    }
    terms.push_back(term);
  }
  return terms;
}

StyleObjective::StyleObjective(Backend& backend, FeaturePlan& plan, std::vector<LayerTerm> terms)
    : backend_(backend), plan_(plan), batch_(plan.batch()), terms_(std::move(terms)) {
  init();
}

StyleObjective::StyleObjective(Backend& backend, FeaturePlan& plan, Gram& gram, int64_t n_frames,
                               const float* style_gram, const float* content_features,
                               float alpha)
    : backend_(backend), plan_(plan), batch_(plan.batch()) {
  AS_CHECK(plan.outputs().size() == 1, "StyleObjective: the one-layer form needs one output");
  LayerTerm term;
  term.gram_scale = 1.0f / float(n_frames);
  term.content_weight = alpha;
  term.style_weight = 1.0f;
  term.content = content_features;
  term.style_gram = style_gram;
  term.gram = &gram;
  terms_.push_back(term);
  init();
}

void StyleObjective::init() {
  const auto& outputs = plan_.outputs();
  AS_CHECK(terms_.size() == outputs.size(), "StyleObjective: one term per plan output");
  activations_ = Buffer<float>(backend_, plan_.activation_count());
  scratch_ = Buffer<float>(backend_, plan_.scratch_count());
  for (size_t l = 0; l < terms_.size(); ++l) {
    const LayerTerm& t = terms_[l];
    const FeatureShape& shape = outputs[l].shape;
    grads_.emplace_back(backend_, batch_ * shape.count());
    grad_pointers_.push_back(grads_.back().get());
    const int64_t n_gram = int64_t(shape.cols) * shape.cols;
    if (t.style_gram) {
      AS_CHECK(t.gram && t.gram->rows() == shape.rows && t.gram->cols() == shape.cols &&
                   t.gram->batch() == batch_,
               "StyleObjective: the Gram plan does not match the features");
      gram_errors_.emplace_back(backend_, batch_ * n_gram);
    } else {
      gram_errors_.emplace_back();
    }
    if (t.style_gram && t.style_weight != 1.0f) {
      Buffer<float> scaled(backend_, n_gram);
      backend_.copy(scaled.get(), t.style_gram, scaled.bytes());
      backend_.scale(n_gram, std::sqrt(t.style_weight), scaled.get());
      scaled_style_.push_back(std::move(scaled));
    } else {
      scaled_style_.emplace_back();
    }
  }
  zero_ = Buffer<double>(backend_, 1);
  if (batch_ > 1) cells_ = Buffer<double>(backend_, int64_t(terms_.size()) * batch_ * 2);
  zero_.upload({0.0});
  pair_ = Buffer<double>(backend_, 2);
}

size_t StyleObjective::bytes() const {
  size_t total = activations_.bytes() + scratch_.bytes();
  for (size_t l = 0; l < terms_.size(); ++l)
    total += grads_[l].bytes() + gram_errors_[l].bytes() + scaled_style_[l].bytes();
  return total;
}

void StyleObjective::sum_slots(const std::vector<double*>& slots, double* out) {
  if (slots.empty()) {
    backend_.copy(out, zero_.get(), sizeof(double));
    return;
  }
  backend_.copy(pair_.get(), slots[0], sizeof(double));
  for (size_t i = 1; i < slots.size(); ++i) {
    backend_.copy(pair_.get() + 1, slots[i], sizeof(double));
    backend_.add_slots(pair_.get(), pair_.get());
  }
  backend_.copy(out, pair_.get(), sizeof(double));
}

void StyleObjective::evaluate_items(const float* x, float* grad, double* values) {
  const auto& outputs = plan_.outputs();
  const int B = batch_;
  const size_t L = terms_.size();
  auto cell = [&](size_t l, int b, int which) { return cells_.get() + (l * B + b) * 2 + which; };
  plan_.forward(x, activations_.get());
  for (size_t l = 0; l < L; ++l) {
    const LayerTerm& t = terms_[l];
    const float* a = activations_.get() + outputs[l].offset;
    const int64_t per_item = outputs[l].shape.count();
    const int64_t n_gram = int64_t(outputs[l].shape.cols) * outputs[l].shape.cols;
    if (t.style_gram) {
      const float root = t.style_weight == 1.0f ? 1.0f : std::sqrt(t.style_weight);
      const float* target = scaled_style_[l].size() ? scaled_style_[l].get() : t.style_gram;
      t.gram->forward(a, t.gram_scale * root, gram_errors_[l].get());
      for (int b = 0; b < B; ++b) {
        float* error = gram_errors_[l].get() + b * n_gram;
        backend_.style_loss(error, target, n_gram, 1, error, cell(l, b, 1));
      }
    }
    for (int b = 0; b < B; ++b) {
      if (!t.style_gram) backend_.copy(cell(l, b, 1), zero_.get(), sizeof(double));
      if (t.content)
        backend_.content_loss(a + b * per_item, t.content + b * per_item, per_item,
                              t.content_weight, grads_[l].get() + b * per_item, cell(l, b, 0));
      else
        backend_.copy(cell(l, b, 0), zero_.get(), sizeof(double));
    }
    if (!t.content) backend_.fill(grads_[l].get(), B * per_item, 0.0f);
    if (t.style_gram) {
      const float root = t.style_weight == 1.0f ? 1.0f : std::sqrt(t.style_weight);
      t.gram->backward(a, gram_errors_[l].get(), 4.0f * root * t.gram_scale, grads_[l].get());
    }
  }
  plan_.backward(grad_pointers_.data(), activations_.get(), scratch_.get(), grad);
  // Per item (summed over layers), per layer (summed over items), then the totals.
  for (int which = 0; which < 2; ++which)
    for (int b = 0; b < B; ++b) {
      std::vector<double*> slots;
      for (size_t l = 0; l < L; ++l) slots.push_back(cell(l, b, which));
      sum_slots(slots, values + 3 + which * B + b);
    }
  if (L > 1)
    for (size_t l = 0; l < L; ++l)
      for (int which = 0; which < 2; ++which) {
        std::vector<double*> slots;
        for (int b = 0; b < B; ++b) slots.push_back(cell(l, b, which));
        sum_slots(slots, values + layer_value_index(l, which));
      }
  for (int which = 0; which < 2; ++which) {
    std::vector<double*> slots;
    for (int b = 0; b < B; ++b) slots.push_back(values + 3 + which * B + b);
    sum_slots(slots, values + 1 + which);
  }
  backend_.add_slots(values + 1, values);
}

void StyleObjective::evaluate(const float* x, float* grad, double* values) {
  if (batch_ > 1) return evaluate_items(x, grad, values);
  const auto& outputs = plan_.outputs();
  const bool one = terms_.size() == 1;
  // Where layer l's losses go: straight into the totals when there is one layer.
  auto content_slot = [&](size_t l) { return one ? values + 1 : values + layer_value_index(l, 0); };
  auto style_slot = [&](size_t l) { return one ? values + 2 : values + layer_value_index(l, 1); };

  plan_.forward(x, activations_.get());
  std::vector<double*> content_slots, style_slots;
  for (size_t l = 0; l < terms_.size(); ++l) {
    const LayerTerm& t = terms_[l];
    if (!t.style_gram) continue;
    const float* a = activations_.get() + outputs[l].offset;
    const int64_t n_gram = int64_t(outputs[l].shape.cols) * outputs[l].shape.cols;
    const float root = t.style_weight == 1.0f ? 1.0f : std::sqrt(t.style_weight);
    const float* target = scaled_style_[l].size() ? scaled_style_[l].get() : t.style_gram;
    t.gram->forward(a, t.gram_scale * root, gram_errors_[l].get());
    backend_.style_loss(gram_errors_[l].get(), target, n_gram, batch_, gram_errors_[l].get(),
                        style_slot(l));
    style_slots.push_back(style_slot(l));
  }
  for (size_t l = 0; l < terms_.size(); ++l) {
    const LayerTerm& t = terms_[l];
    const float* a = activations_.get() + outputs[l].offset;
    const int64_t n_features = batch_ * outputs[l].shape.count();
    if (t.content) {
      backend_.content_loss(a, t.content, n_features, t.content_weight, grads_[l].get(),
                            content_slot(l));
      content_slots.push_back(content_slot(l));
    } else {
      backend_.fill(grads_[l].get(), n_features, 0.0f);
      backend_.copy(content_slot(l), zero_.get(), sizeof(double));
    }
    if (!one && !t.style_gram) backend_.copy(style_slot(l), zero_.get(), sizeof(double));
  }
  // d/dA s sum((g A^T A - Gs)^2) = 4 s g A (G - Gs); the error already carries sqrt(s).
  for (size_t l = 0; l < terms_.size(); ++l) {
    const LayerTerm& t = terms_[l];
    if (!t.style_gram) continue;
    const float root = t.style_weight == 1.0f ? 1.0f : std::sqrt(t.style_weight);
    t.gram->backward(activations_.get() + outputs[l].offset, gram_errors_[l].get(),
                     4.0f * root * t.gram_scale, grads_[l].get());
  }
  plan_.backward(grad_pointers_.data(), activations_.get(), scratch_.get(), grad);
  if (!one) {
    sum_slots(content_slots, values + 1);
    sum_slots(style_slots, values + 2);
  } else if (!terms_[0].style_gram) {
    backend_.copy(values + 2, zero_.get(), sizeof(double));
  }
  backend_.add_slots(values + 1, values);
}

}  // namespace audiostyle
