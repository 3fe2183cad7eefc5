// The mel view of --vgg-input mel (host/extractors/mel_view.h): the projection against its double
// reference and finite differences, and vgg16 behind the view.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "host/common/mel_filterbank.h"
#include "host/extractors/mel_view.h"
#include "host/extractors/vgg16.h"
#include "tests/cpu/finite_difference.h"
#include "tests/support.h"

using namespace audiostyle;

namespace {

// image = log1p(relu(expm1(x) @ Mel^T)) in double, x [rows, C], bank [N, C].
std::vector<double> mel_image(const std::vector<double>& x, const std::vector<float>& bank,
                              int64_t rows, int C, int N) {
  std::vector<double> image(size_t(rows * N));
  for (int64_t r = 0; r < rows; ++r)
    for (int m = 0; m < N; ++m) {
      double sum = 0;
      for (int c = 0; c < C; ++c) sum += double(bank[size_t(m * C + c)]) * std::expm1(x[size_t(r * C + c)]);
      image[size_t(r * N + m)] = std::log1p(std::max(sum, 0.0));
    }
  return image;
}

}  // namespace

TEST_CASE("mel view: the projection is the double reference, its gradient finite differences",
          "[mel]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  auto backend = make_cpu_backend();
  const int rate = 8000, n_fft = 64, N = 12, C = n_fft / 2 + 1;
  const int64_t rows = 6;
  const auto bank = mel_filterbank(MelBankSpec{rate, n_fft, N});
  // Below 0 too: the random start's half, which the unclamped expm1 still differentiates.
  const auto x = test::random_uniform(size_t(rows * C), seed, -0.3f, 2.f);
  const auto upstream = test::random_normal(size_t(rows * N), seed + 1);
  MelProjection projection(*backend, bank.data(), C, N, rows);
  auto magnitude = test::poisoned(size_t(rows * C)), mel = test::poisoned(size_t(rows * N)),
       image = test::poisoned(size_t(rows * N)), grad_x = test::poisoned(size_t(rows * C));
  projection.forward(x.data(), magnitude.data(), mel.data(), image.data());
  const auto reference = mel_image(test::as_double(x), bank, rows, C, N);
  CHECK(test::relative_error(image.data(), reference.data(), image.size()) <= 1e-6);

  auto grad_image = upstream;
  projection.backward(grad_image.data(), magnitude.data(), mel.data(), grad_x.data());
  const auto g = test::as_double(upstream);
  const auto loss = [&](const std::vector<double>& point) {
    return test::weighted_sum(g, mel_image(point, bank, rows, C, N));
  };
  const auto fd = test::central_differences(loss, test::as_double(x));
  CHECK(test::relative_error(grad_x.data(), fd.data(), grad_x.size()) <= 1e-5);
}

TEST_CASE("mel view: vgg16 behind it sees the projection's image, its gradient goes back through",
          "[mel][vgg16]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  auto backend = make_cpu_backend();
  const int B = 2, T = 8, rate = 8000, n_fft = 64, N = 12, C = n_fft / 2 + 1;
  Vgg16Options options;
  options.layers = resolve_vgg16_layers({{"conv2_1", 1.0f}}, {{"conv1_1", 1.0f}, {"pool1", 1.0f}},
                                        true);
  options.n_bins = N;
  const auto weights = vgg16_philox_weights(seed, options.layers.conv_count());
  const MelBankSpec spec{rate, n_fft, N};
  auto view = make_mel_view(*backend, spec,
                            make_vgg16(*backend, weights, options, Precision::fp32));
  auto alone = make_vgg16(*backend, weights, options, Precision::fp32);
  CHECK(view->layers().size() == alone->layers().size());
  CHECK(view->min_frames() == alone->min_frames());
  auto plan = view->plan(T, B);
  auto inner = alone->plan(T, B);
  REQUIRE(plan->outputs().size() == inner->outputs().size());
  // What the memory plan counts for the view (host/extractors/extractors.cpp) is what it holds.
  const MelViewFootprint footprint = mel_view_footprint(T, C, N, B);
  CHECK(plan->activation_count() == inner->activation_count() + footprint.activations);
  CHECK(plan->scratch_count() == inner->scratch_count() + footprint.scratch);

  // The view's plan against the projection and the vgg16 plan run by hand.
  const auto x = test::random_uniform(size_t(B * T * C), seed + 1, 0.f, 2.f);
  auto act = test::poisoned(size_t(plan->activation_count()));
  plan->forward(x.data(), act.data());
  const auto bank = mel_filterbank(spec);
  MelProjection projection(*backend, bank.data(), C, N, int64_t(B) * T);
  std::vector<float> magnitude(size_t(B * T * C)), mel(size_t(B * T * N)), image(size_t(B * T * N));
  projection.forward(x.data(), magnitude.data(), mel.data(), image.data());
  std::vector<float> inner_act(size_t(inner->activation_count()));
  inner->forward(image.data(), inner_act.data());
  std::vector<std::vector<float>> grads, inner_grads;
  std::vector<float*> grad_ptr, inner_grad_ptr;
  for (size_t l = 0; l < plan->outputs().size(); ++l) {
    const LayerOutput& o = plan->outputs()[l];
    const LayerOutput& io = inner->outputs()[l];
    CHECK(o.offset == io.offset);
    const std::vector<float> out(act.begin() + o.offset, act.begin() + o.offset + B * o.shape.count());
    const std::vector<float> ref(inner_act.begin() + io.offset,
                                 inner_act.begin() + io.offset + B * io.shape.count());
    CHECK(out == ref);
    grads.push_back(test::random_normal(size_t(B * o.shape.count()), seed + 2 + l));
    inner_grads.push_back(grads.back());
  }
  for (size_t l = 0; l < grads.size(); ++l) {
    grad_ptr.push_back(grads[l].data());
    inner_grad_ptr.push_back(inner_grads[l].data());
  }
  auto scratch = test::poisoned(size_t(plan->scratch_count()));
  auto grad_x = test::poisoned(size_t(B * T * C));
  plan->backward(grad_ptr.data(), act.data(), scratch.data(), grad_x.data());
  std::vector<float> inner_scratch(size_t(inner->scratch_count())), grad_image(size_t(B * T * N)),
      ref_grad_x(size_t(B * T * C));
  inner->backward(inner_grad_ptr.data(), inner_act.data(), inner_scratch.data(), grad_image.data());
  projection.backward(grad_image.data(), magnitude.data(), mel.data(), ref_grad_x.data());
  CHECK(grad_x == ref_grad_x);
  double norm = 0;
  for (float v : grad_x) norm += double(v) * v;
  CHECK(norm > 0);
}
