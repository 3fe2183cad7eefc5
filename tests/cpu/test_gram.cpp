// CPU Gram (OpenBLAS GEMMs) against double references.
#include <catch2/catch.hpp>

#include "audiostyle/backend.h"
#include "tests/support.h"

using namespace audiostyle;

TEST_CASE("gram forward is scale * A^T A and symmetric", "[gram]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  auto backend = make_cpu_backend();
  for (auto [rows, cols] : {std::pair<int64_t, int>{50, 37}, {7, 128}, {300, 64}}) {
    const auto a = test::random_uniform(size_t(rows * cols), seed, 0.f, 2.f);
    const float scale = 1.0f / float(rows + 3);
    auto gram = backend->make_gram(rows, cols, Precision::fp32);
    std::vector<float> g = test::poisoned(size_t(cols) * cols);
    gram->forward(a.data(), scale, g.data());
    std::vector<double> ref(size_t(cols) * cols, 0.0);
    for (int i = 0; i < cols; ++i)
      for (int j = 0; j < cols; ++j) {
        double acc = 0;
        for (int64_t t = 0; t < rows; ++t) acc += double(a[t * cols + i]) * a[t * cols + j];
        ref[size_t(i) * cols + j] = scale * acc;
      }
    CHECK(test::relative_error(g.data(), ref.data(), g.size()) <= 1e-5);
    for (int i = 0; i < cols; ++i)
      for (int j = 0; j < i; ++j) REQUIRE(g[size_t(i) * cols + j] == g[size_t(j) * cols + i]);
  }
}

TEST_CASE("gram backward accumulates scale * A E", "[gram]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  auto backend = make_cpu_backend();
  const int64_t rows = 45;
  const int cols = 31;
  const auto a = test::random_uniform(size_t(rows * cols), seed);
  auto e = test::random_normal(size_t(cols) * cols, seed + 1);
  for (int i = 0; i < cols; ++i)
    for (int j = 0; j < i; ++j) e[size_t(i) * cols + j] = e[size_t(j) * cols + i];
  const auto initial = test::random_normal(size_t(rows * cols), seed + 2);
  std::vector<float> grad = initial;
  auto gram = backend->make_gram(rows, cols, Precision::fp32);
  gram->backward(a.data(), e.data(), 0.25f, grad.data());
  std::vector<double> ref(size_t(rows * cols));
  for (int64_t t = 0; t < rows; ++t)
    for (int j = 0; j < cols; ++j) {
      double acc = 0;
      for (int i = 0; i < cols; ++i) acc += double(a[t * cols + i]) * e[size_t(i) * cols + j];
      ref[t * cols + j] = initial[t * cols + j] + 0.25 * acc;
    }
  CHECK(test::relative_error(grad.data(), ref.data(), grad.size()) <= 1e-5);
}
