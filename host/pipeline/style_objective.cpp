#include "host/pipeline/style_objective.h"

#include "audiostyle/errors.h"

namespace audiostyle {

StyleObjective::StyleObjective(Backend& backend, FeaturePlan& plan, Gram& gram, int64_t n_frames,
                               const float* style_gram, const float* content_features,
                               float alpha)
    : backend_(backend),
      plan_(plan),
      gram_(gram),
      n_frames_(n_frames),
      batch_(plan.batch()),
      shape_(plan.shape()),
      style_gram_(style_gram),
      content_features_(content_features),
      alpha_(alpha),
      features_(backend, batch_ * shape_.count()),
      grad_features_(backend, batch_ * shape_.count()),
      gram_error_(backend, int64_t(batch_) * shape_.cols * shape_.cols),
      zero_(backend, 1),
      sum_(backend, 2) {
  AS_CHECK(gram.rows() == shape_.rows && gram.cols() == shape_.cols && gram.batch() == batch_,
           "StyleObjective: the Gram plan does not match the features");
  zero_.upload({0.0});
}

void StyleObjective::evaluate(const float* x, float* grad, double* values) {
  const int64_t n_features = batch_ * shape_.count();
  const int64_t n_gram = int64_t(shape_.cols) * shape_.cols;
  const float inv_frames = 1.0f / float(n_frames_);

  plan_.forward(x, features_.get());
  gram_.forward(features_.get(), inv_frames, gram_error_.get());
  if (batch_ > 1) {
    // Item by item, so each item's losses are reported; the sums are the same losses.
    double* item_content = values + 3;
    double* item_style = values + 3 + batch_;
    const int64_t per_item = shape_.count();
    for (int b = 0; b < batch_; ++b) {
      float* error = gram_error_.get() + b * n_gram;
      backend_.style_loss(error, style_gram_, n_gram, 1, error, item_style + b);
      if (content_features_) {
        backend_.content_loss(features_.get() + b * per_item, content_features_ + b * per_item,
                              per_item, alpha_, grad_features_.get() + b * per_item,
                              item_content + b);
      } else {
        backend_.copy(item_content + b, zero_.get(), sizeof(double));
      }
    }
    if (!content_features_) backend_.fill(grad_features_.get(), n_features, 0.0f);
    sum_items(item_content, values + 1);
    sum_items(item_style, values + 2);
  } else {
    backend_.style_loss(gram_error_.get(), style_gram_, n_gram, batch_, gram_error_.get(),
                        values + 2);
    if (content_features_) {
      backend_.content_loss(features_.get(), content_features_, n_features, alpha_,
                            grad_features_.get(), values + 1);
    } else {
      backend_.fill(grad_features_.get(), n_features, 0.0f);
      backend_.copy(values + 1, zero_.get(), sizeof(double));
    }
  }
  // d/dA sum((A^T A / T - Gs)^2) = (4 / T) A (G - Gs)
  gram_.backward(features_.get(), gram_error_.get(), 4.0f * inv_frames, grad_features_.get());
  plan_.backward(grad_features_.get(), features_.get(), grad);
  backend_.add_slots(values + 1, values);
}

// out = sum of batch_ slots, on the device: pairwise through sum_ (add_slots may alias).
void StyleObjective::sum_items(const double* items, double* out) {
  if (batch_ == 2) {
    backend_.add_slots(items, out);
    return;
  }
  backend_.copy(sum_.get(), items, sizeof(double));
  for (int b = 1; b < batch_; ++b) {
    backend_.copy(sum_.get() + 1, items + b, sizeof(double));
    backend_.add_slots(sum_.get(), sum_.get());
  }
  backend_.copy(out, sum_.get(), sizeof(double));
}

}  // namespace audiostyle
