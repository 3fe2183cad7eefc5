// One evaluation of an extractor's objective on the CPU, its targets made from a second input:
// the extractor tests compare these between an extractor and the parts or views it is made of.
#pragma once
#include <deque>
#include <memory>
#include <vector>

#include "audiostyle/backend.h"
#include "host/pipeline/features.h"
#include "host/pipeline/style_objective.h"

namespace audiostyle::test {

struct Evaluation {
  double value = 0;
  std::vector<float> gradient;
};

// The objective of `extractor` at x with targets (content and style Grams) from y.
inline Evaluation evaluate_objective(Backend& backend, FeatureExtractor& extractor,
                                     const std::vector<float>& x, const std::vector<float>& y,
                                     int64_t T, int B) {
  auto plan = extractor.plan(T, B);
  std::deque<std::unique_ptr<Gram>> grams;
  auto gram = [&](int64_t rows, int cols, int batch) -> Gram& {
    grams.push_back(backend.make_gram(rows, cols, Precision::fp32, batch));
    return *grams.back();
  };
  Buffer<float> in(backend, int64_t(y.size())), act(backend, plan->activation_count());
  in.upload(y);
  plan->forward(in.get(), act.get());
  const auto& outputs = plan->outputs();
  std::vector<Buffer<float>> content(outputs.size()), style(outputs.size());
  std::vector<const float*> content_ptr, style_ptr;
  for (size_t l = 0; l < outputs.size(); ++l) {
    const LayerOutput& o = outputs[l];
    if (o.content_weight != 0) {
      content[l] = Buffer<float>(backend, B * o.shape.count());
      backend.copy(content[l].get(), act.get() + o.offset, content[l].bytes());
    }
    if (o.style_weight != 0) {
      style[l] = Buffer<float>(backend, int64_t(o.shape.cols) * o.shape.cols);
      // The first item's Gram as the style.
      gram(o.shape.rows, o.shape.cols, 1)
          .forward(act.get() + o.offset, extractor.scales(o, T).gram_scale, style[l].get());
    }
    content_ptr.push_back(content[l].size() ? content[l].get() : nullptr);
    style_ptr.push_back(style[l].size() ? style[l].get() : nullptr);
  }
  StyleObjective objective(
      backend, *plan, make_layer_terms(extractor, *plan, T, 0.3f, content_ptr, style_ptr, gram));
  Buffer<float> point(backend, int64_t(x.size())), g(backend, int64_t(x.size()));
  Buffer<double> values(backend, objective.value_count());
  point.upload(x);
  objective.evaluate(point.get(), g.get(), values.get());
  return {values.download()[0], g.download()};
}

}  // namespace audiostyle::test
