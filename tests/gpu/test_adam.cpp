// Adam on the GPU against the CPU twin over a few steps (the same gradients on both).
#include <catch2/catch.hpp>

#include "tests/gpu/test_twins.h"

using namespace audiostyle;

TEST_CASE("gpu: adam_step matches the CPU over five steps", "[adam]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  test::Twins twins;
  const int64_t count = (int64_t(1) << 20) + 7;
  const auto x0 = test::random_normal(size_t(count), seed);
  const std::vector<float> zeros(size_t(count), 0.f);
  Backend* backends[2] = {twins.cpu.get(), twins.gpu.get()};
  std::vector<float> x[2], m[2], v[2];
  for (int b = 0; b < 2; ++b) {
    auto xb = test::buffer_from(*backends[b], x0);
    auto mb = test::buffer_from(*backends[b], zeros), vb = test::buffer_from(*backends[b], zeros);
    for (int step = 1; step <= 5; ++step) {
      auto grad = test::buffer_from(*backends[b], test::random_normal(size_t(count), seed + step));
      backends[b]->adam_step(count, xb.get(), grad.get(), mb.get(), vb.get(), 1e-2f, 0.9f, 0.999f,
                             1e-8f, step);
    }
    x[b] = xb.download(), m[b] = mb.download(), v[b] = vb.download();
  }
  const double x_error = test::relative_error(x[1], x[0]);
  const double m_error = test::relative_error(m[1], m[0]);
  const double v_error = test::relative_error(v[1], v[0]);
  INFO("relative errors x " << x_error << " m " << m_error << " v " << v_error);
  CHECK(x_error <= test::kFp32Tolerance);
  CHECK(m_error <= test::kFp32Tolerance);
  CHECK(v_error <= test::kFp32Tolerance);
}
