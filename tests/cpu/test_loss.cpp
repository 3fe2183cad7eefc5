// Content and style losses against double references.
#include <catch2/catch.hpp>

#include "audiostyle/backend.h"
#include "tests/support.h"

using namespace audiostyle;

TEST_CASE("style loss: error = G - Gs, loss = sum(error^2), in place allowed", "[loss]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  auto backend = make_cpu_backend();
  const size_t n = 4099;
  const auto g = test::random_normal(n, seed);
  const auto target = test::random_normal(n, seed + 1);
  std::vector<float> error = test::poisoned(n);
  double loss = -1;
  backend->style_loss(g.data(), target.data(), int64_t(n), 1, error.data(), &loss);
  std::vector<double> ref(n);
  double ref_loss = 0;
  for (size_t i = 0; i < n; ++i) {
    ref[i] = double(g[i]) - target[i];
    ref_loss += ref[i] * ref[i];
  }
  CHECK(test::relative_error(error.data(), ref.data(), n) <= 1e-6);
  CHECK(loss == Approx(ref_loss).epsilon(1e-6));
  std::vector<float> in_place = g;
  backend->style_loss(in_place.data(), target.data(), int64_t(n), 1, in_place.data(), &loss);
  CHECK(in_place == error);
}

TEST_CASE("content loss: alpha sum((A - Ac)^2), gradient 2 alpha (A - Ac)", "[loss]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  auto backend = make_cpu_backend();
  const size_t n = 10007;
  const auto a = test::random_uniform(n, seed, 0.f, 4.f);
  const auto target = test::random_uniform(n, seed + 1, 0.f, 4.f);
  const float alpha = 0.37f;
  std::vector<float> grad = test::poisoned(n);
  double loss = -1;
  backend->content_loss(a.data(), target.data(), int64_t(n), alpha, grad.data(), &loss);
  std::vector<double> ref(n);
  double ref_loss = 0;
  for (size_t i = 0; i < n; ++i) {
    const double d = double(a[i]) - target[i];
    ref[i] = 2 * double(alpha) * d;
    ref_loss += double(alpha) * d * d;
  }
  CHECK(test::relative_error(grad.data(), ref.data(), n) <= 1e-6);
  CHECK(loss == Approx(ref_loss).epsilon(1e-6));
}
