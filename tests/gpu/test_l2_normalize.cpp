// Per-item L2 normalisation and its backward pass on the GPU against the CPU twin. The norms are
// double sums of exact float squares in different orders: relative difference ~1e-16 * sqrt(n),
// held to kReductionTolerance (1e-6) with room; y and grad_x are rounded once to float from double
// arithmetic, so they differ by at most an ulp or so: kReductionTolerance on the norm-wise error.
// Includes a loud item, a silent (all-zero) item, and the in-place backward.
#include <catch2/catch.hpp>

#include "tests/gpu/test_twins.h"

using namespace audiostyle;

TEST_CASE("gpu: l2_normalize and its backward match the CPU", "[l2_normalize]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  test::Twins twins;
  const int64_t count = int64_t(431) * 1025;  // one 10 s spectrogram
  const int batch = 3;
  std::vector<float> x = test::random_uniform(size_t(count * batch), seed, 0.f, 4.f);
  for (int64_t i = 0; i < count; ++i) x[size_t(count + i)] *= 1000.f;        // loud
  for (int64_t i = 0; i < count; ++i) x[size_t(2 * count + i)] = 0.f;        // silent
  const auto grad_y = test::random_normal(x.size(), seed + 1);
  std::vector<float> y[2], grad_x[2], in_place[2];
  std::vector<double> norms[2];
  Backend* backends[2] = {twins.cpu.get(), twins.gpu.get()};
  for (int b = 0; b < 2; ++b) {
    Backend& backend = *backends[b];
    auto x_b = test::buffer_from(backend, x);
    auto y_b = test::poisoned_buffer<float>(backend, count * batch);
    auto norms_b = test::poisoned_buffer<double>(backend, batch);
    backend.l2_normalize(x_b.get(), count, batch, y_b.get(), norms_b.get());
    auto grad_y_b = test::buffer_from(backend, grad_y);
    auto grad_x_b = test::poisoned_buffer<float>(backend, count * batch);
    backend.l2_normalize_backward(y_b.get(), grad_y_b.get(), norms_b.get(), count, batch,
                                  grad_x_b.get());
    backend.l2_normalize_backward(y_b.get(), grad_y_b.get(), norms_b.get(), count, batch,
                                  grad_y_b.get());
    y[b] = y_b.download();
    norms[b] = norms_b.download();
    grad_x[b] = grad_x_b.download();
    in_place[b] = grad_y_b.download();
  }
  for (int item = 0; item < batch; ++item) {
    INFO("item " << item << " norm cpu " << norms[0][item] << " gpu " << norms[1][item]);
    CHECK(test::relative_scalar_error(norms[1][item], norms[0][item]) <=
          test::kReductionTolerance);
  }
  CHECK(norms[1][2] == 0.0);
  CHECK(test::relative_error(y[1], y[0]) <= test::kReductionTolerance);
  CHECK(test::relative_error(grad_x[1], grad_x[0]) <= test::kReductionTolerance);
  CHECK(in_place[1] == grad_x[1]);
  for (int64_t i = 0; i < count; ++i) {
    if (y[1][size_t(2 * count + i)] != 0.f || grad_x[1][size_t(2 * count + i)] != 0.f) {
      FAIL("the silent item is not all zeros at " << i);
      break;
    }
  }
}
