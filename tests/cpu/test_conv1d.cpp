// CPU conv1d (OpenBLAS, K shifted GEMMs) against a direct double-precision loop.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "audiostyle/backend.h"
#include "tests/support.h"

using namespace audiostyle;

namespace {

struct Shape {
  int64_t T;
  int C, F, K;
};

// A[t, f] = relu(sum_{k,c} x[t+k, c] W[f, k, c]) in double; term_scale (if given) gets each
// output's sum |x w| over the taps it sums, the scale of its fp32 rounding (a pre-activation that
// cancels to near 0 still carries the rounding of its terms).
std::vector<double> reference_forward(const std::vector<float>& x, const std::vector<float>& w,
                                      Shape s, std::vector<double>* term_scale = nullptr) {
  const int64_t rows = s.T - s.K + 1;
  std::vector<double> out(size_t(rows * s.F));
  if (term_scale) term_scale->assign(out.size(), 0.0);
  for (int64_t t = 0; t < rows; ++t)
    for (int f = 0; f < s.F; ++f) {
      double acc = 0, size = 0;
      for (int k = 0; k < s.K; ++k)
        for (int c = 0; c < s.C; ++c) {
          const double term = double(x[(t + k) * s.C + c]) * w[(int64_t(f) * s.K + k) * s.C + c];
          acc += term;
          size += std::fabs(term);
        }
      out[t * s.F + f] = acc > 0 ? acc : 0;
      if (term_scale) (*term_scale)[size_t(t * s.F + f)] = size;
    }
  return out;
}

// ||out - ref|| / ||scale||: the error against the size of the terms summed, which is what fp32
// rounding is proportional to (a norm relative to ref alone blows up when the ReLU leaves one
// nearly cancelled output, as the 1-row shape does about once in a few hundred seeds).
double error_to_scale(const float* out, const std::vector<double>& ref,
                      const std::vector<double>& scale) {
  double num = 0, den = 0;
  for (size_t i = 0; i < ref.size(); ++i) {
    if (!std::isfinite(out[i])) return std::numeric_limits<double>::infinity();
    num += (double(out[i]) - ref[i]) * (double(out[i]) - ref[i]);
    den += scale[i] * scale[i];
  }
  return std::sqrt(num / den);
}

std::vector<double> reference_backward(const std::vector<float>& grad, const std::vector<float>& a,
                                       const std::vector<float>& w, Shape s) {
  const int64_t rows = s.T - s.K + 1;
  std::vector<double> out(size_t(s.T * s.C), 0.0);
  for (int64_t t = 0; t < rows; ++t)
    for (int f = 0; f < s.F; ++f) {
      if (!(a[t * s.F + f] > 0)) continue;
      const double g = grad[t * s.F + f];
      for (int k = 0; k < s.K; ++k)
        for (int c = 0; c < s.C; ++c)
          out[(t + k) * s.C + c] += g * w[(int64_t(f) * s.K + k) * s.C + c];
    }
  return out;
}

}  // namespace

TEST_CASE("conv1d forward and input gradient match a double reference", "[conv1d]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  auto backend = make_cpu_backend();
  for (Shape s : {Shape{40, 33, 24, 5}, Shape{11, 17, 8, 11}, Shape{64, 129, 96, 1}}) {
    INFO("T " << s.T << " C " << s.C << " F " << s.F << " K " << s.K);
    const auto x = test::random_uniform(size_t(s.T * s.C), seed, 0.f, 3.f);
    const auto w = test::random_normal(size_t(s.F) * s.K * s.C, seed + 1, 0.1f);
    const int64_t rows = s.T - s.K + 1;
    auto conv = backend->make_conv1d({s.T, s.C, s.F, s.K}, Precision::fp32);
    conv->set_weights(w.data());

    std::vector<float> a = test::poisoned(size_t(rows * s.F));
    conv->forward_relu(x.data(), a.data());
    std::vector<double> term_scale;
    const auto a_ref = reference_forward(x, w, s, &term_scale);
    // fp32 sums of K C <= 187 terms: about 1e-7 of the terms' size; 1e-5 fails any wrong tap.
    CHECK(error_to_scale(a.data(), a_ref, term_scale) <= 1e-5);

    // Centre the weights' response so about half the features are clipped by the ReLU.
    std::vector<float> grad = test::random_normal(size_t(rows * s.F), seed + 2);
    const auto grad_ref = reference_backward(grad, a, w, s);
    std::vector<float> grad_x = test::poisoned(size_t(s.T * s.C));
    conv->backward_input(grad.data(), a.data(), grad_x.data());
    CHECK(test::relative_error(grad_x.data(), grad_ref.data(), grad_x.size()) <= 1e-5);
  }
}

TEST_CASE("conv1d ReLU clips: negative pre-activations give zero features and no gradient",
          "[conv1d]") {
  auto backend = make_cpu_backend();
  const Shape s{8, 4, 2, 3};
  std::vector<float> x(size_t(s.T * s.C), 1.0f);
  std::vector<float> w(size_t(s.F * s.K * s.C), 0.5f);
  for (int i = 0; i < s.K * s.C; ++i) w[i] = -0.5f;  // filter 0 all negative
  auto conv = backend->make_conv1d({s.T, s.C, s.F, s.K}, Precision::fp32);
  conv->set_weights(w.data());
  std::vector<float> a = test::poisoned(size_t((s.T - s.K + 1) * s.F));
  conv->forward_relu(x.data(), a.data());
  for (int64_t t = 0; t < s.T - s.K + 1; ++t) {
    CHECK(a[t * s.F + 0] == 0.0f);
    CHECK(a[t * s.F + 1] == Approx(0.5 * s.K * s.C));
  }
  std::vector<float> grad(a.size(), 0.0f);
  for (int64_t t = 0; t < s.T - s.K + 1; ++t) grad[t * s.F + 0] = 1.0f;  // only the clipped filter
  std::vector<float> grad_x = test::poisoned(size_t(s.T * s.C));
  conv->backward_input(grad.data(), a.data(), grad_x.data());
  for (float g : grad_x) CHECK(g == 0.0f);
}
