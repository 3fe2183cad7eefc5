// Per-item L2 normalisation and its backward pass against double references and finite
// differences; the zero item gives zeros, not NaN.
#include <catch2/catch.hpp>

#include <cmath>

#include "audiostyle/backend.h"
#include "tests/cpu/finite_difference.h"
#include "tests/support.h"

using namespace audiostyle;

namespace {

std::vector<double> normalized(const std::vector<double>& x, int64_t count, int batch) {
  std::vector<double> y(x.size());
  for (int b = 0; b < batch; ++b) {
    double sum = 0;
    for (int64_t i = 0; i < count; ++i) sum += x[b * count + i] * x[b * count + i];
    for (int64_t i = 0; i < count; ++i) y[b * count + i] = x[b * count + i] / std::sqrt(sum);
  }
  return y;
}

}  // namespace

// One float rounding per output element over a double computation: relative error ~6e-8; 1e-6
// leaves margin and fails a missing or wrong norm.
TEST_CASE("l2_normalize forward and backward match double references", "[l2_normalize]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  auto backend = make_cpu_backend();
  const int64_t count = 517;
  const int batch = 3;
  std::vector<float> x = test::random_normal(size_t(count * batch), seed);
  for (int64_t i = 0; i < count; ++i) x[count + i] *= 1000.f;  // a loud item weighs as a quiet one
  const auto xd = test::as_double(x);
  std::vector<float> y = test::poisoned(x.size());
  std::vector<double> norms(batch, std::nan(""));
  backend->l2_normalize(x.data(), count, batch, y.data(), norms.data());
  const auto y_ref = normalized(xd, count, batch);
  CHECK(test::relative_error(y.data(), y_ref.data(), y.size()) <= 1e-6);
  for (int b = 0; b < batch; ++b) {
    double sum = 0;
    for (int64_t i = 0; i < count; ++i) sum += xd[b * count + i] * xd[b * count + i];
    CHECK(norms[b] == Approx(std::sqrt(sum)).epsilon(1e-12));
  }

  const std::vector<float> grad_y = test::random_normal(x.size(), seed + 1);
  std::vector<float> grad_x = test::poisoned(x.size());
  backend->l2_normalize_backward(y.data(), grad_y.data(), norms.data(), count, batch,
                                 grad_x.data());
  const auto g = test::as_double(grad_y);
  const auto loss = [&](const std::vector<double>& v) {
    return test::weighted_sum(g, normalized(v, count, batch));
  };
  // Differences step relative to the items' scales (the loud item is 1000x larger).
  std::vector<double> fd(x.size());
  for (int b = 0; b < batch; ++b) {
    const double h = 1e-6 * (b == 1 ? 1000.0 : 1.0);
    std::vector<double> point = xd;
    for (int64_t i = 0; i < count; ++i) {
      const size_t k = size_t(b * count + i);
      const double saved = point[k];
      point[k] = saved + h;
      const double plus = loss(point);
      point[k] = saved - h;
      const double minus = loss(point);
      point[k] = saved;
      fd[k] = (plus - minus) / (2 * h);
    }
  }
  for (int b = 0; b < batch; ++b) {
    INFO("item " << b);
    CHECK(test::relative_error(grad_x.data() + b * count, fd.data() + b * count, size_t(count)) <=
          1e-5);
  }

  // In place (grad_x aliasing grad_y) gives the same values.
  std::vector<float> in_place = grad_y;
  backend->l2_normalize_backward(y.data(), in_place.data(), norms.data(), count, batch,
                                 in_place.data());
  CHECK(in_place == grad_x);
}

TEST_CASE("l2_normalize of an all-zero item gives zeros and a zero gradient", "[l2_normalize]") {
  auto backend = make_cpu_backend();
  const int64_t count = 10;
  std::vector<float> x(size_t(2 * count), 0.f);
  for (int64_t i = 0; i < count; ++i) x[count + i] = float(i + 1);
  std::vector<float> y = test::poisoned(x.size());
  std::vector<double> norms(2, -1);
  backend->l2_normalize(x.data(), count, 2, y.data(), norms.data());
  CHECK(norms[0] == 0);
  for (int64_t i = 0; i < count; ++i) CHECK(y[i] == 0.f);
  CHECK(y[count + 9] == Approx(10.0 / std::sqrt(385.0)));
  std::vector<float> grad(x.size(), 1.f);
  backend->l2_normalize_backward(y.data(), grad.data(), norms.data(), count, 2, grad.data());
  for (int64_t i = 0; i < count; ++i) CHECK(grad[i] == 0.f);
  for (float g : grad) CHECK(std::isfinite(g));
}
