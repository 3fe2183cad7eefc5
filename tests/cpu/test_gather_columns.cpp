// gather_columns / scatter_columns: a band of bins taken out of [rows, cols] and put back, against
// the index written out; scatter is gather's adjoint and leaves the other columns as they were.
#include <catch2/catch.hpp>

#include <algorithm>
#include <numeric>
#include <random>

#include "audiostyle/backend.h"
#include "tests/support.h"

using namespace audiostyle;

TEST_CASE("gather_columns takes the indexed bins of every row and scatter puts them back",
          "[gather_columns]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  auto backend = make_cpu_backend();
  const int64_t rows = 23;
  const int cols = 131;
  // Two bands in a shuffled order (distinct indices, as the band view's).
  std::vector<int> index(12);
  std::iota(index.begin(), index.begin() + 5, 0);
  std::iota(index.begin() + 5, index.end(), cols - 7);
  std::shuffle(index.begin(), index.end(), std::mt19937_64(seed));
  const int n = int(index.size());
  const auto x = test::random_uniform(size_t(rows * cols), seed, -2.f, 2.f);
  const auto y = test::random_uniform(size_t(rows * n), seed + 1, -2.f, 2.f);
  Buffer<float> xb(*backend, rows * cols), yb(*backend, rows * n);
  Buffer<int> ib(*backend, n);
  ib.upload(index);
  xb.upload(x);
  backend->gather_columns(xb.get(), rows, cols, ib.get(), n, yb.get());
  const auto gathered = yb.download();
  yb.upload(y);
  backend->scatter_columns(yb.get(), rows, cols, ib.get(), n, xb.get());
  const auto scattered = xb.download();

  std::vector<float> gather_ref(size_t(rows * n)), scatter_ref = x;
  double forward_dot = 0, adjoint_dot = 0;
  for (int64_t r = 0; r < rows; ++r)
    for (int j = 0; j < n; ++j) {
      const size_t at = size_t(r * cols + index[size_t(j)]), band = size_t(r * n + j);
      gather_ref[band] = x[at];
      scatter_ref[at] = y[band];
      forward_dot += double(x[at]) * y[band];
    }
  CHECK(gathered == gather_ref);
  CHECK(scattered == scatter_ref);
  // <gather x, y> = <x, scatter y> with scatter into zeros.
  backend->fill(xb.get(), rows * cols, 0.0f);
  backend->scatter_columns(yb.get(), rows, cols, ib.get(), n, xb.get());
  const auto adjoint = xb.download();
  for (size_t i = 0; i < x.size(); ++i) adjoint_dot += double(x[i]) * adjoint[i];
  CHECK(adjoint_dot == Approx(forward_dot).epsilon(1e-12));
}
