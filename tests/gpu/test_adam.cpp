// Adam on the GPU against the CPU twin over a few steps (the same gradients on both).
#include <catch2/catch.hpp>
#include <cstdio>

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
  // Both backends run kernels/adam_math.h with the same host-computed constants, and every
  // operation in it is correctly rounded on both (no fma contraction, IEEE sqrt and division), so
  // m, v and x are expected bit-identical. The error is measured on the step x - x0 (about 5 lr =
  // 0.05 against |x0| ~ 1), not on x, where a wrong step would hide under x0: one ulp of x in
  // every element is a relative step error of ~2.4e-6, so 1e-6 lets only a few stray elements
  // through while a lost bias correction or a misplaced eps (O(1) in the step) fails.
  std::vector<float> step[2];
  for (int b = 0; b < 2; ++b) {
    step[b].resize(size_t(count));
    for (size_t i = 0; i < size_t(count); ++i) step[b][i] = x[b][i] - x0[i];
  }
  size_t differing = 0;
  for (size_t i = 0; i < size_t(count); ++i)
    differing += (x[1][i] != x[0][i]) + (m[1][i] != m[0][i]) + (v[1][i] != v[0][i]);
  const double step_error = test::relative_error(step[1], step[0]);
  const double m_error = test::relative_error(m[1], m[0]);
  const double v_error = test::relative_error(v[1], v[0]);
  test::print_margin("adam step", step_error, 1e-6);
  std::printf("adam: %zu of 3 x %lld values differ from the CPU\n", differing, (long long)count);
  INFO("relative errors: step " << step_error << " m " << m_error << " v " << v_error << "; "
                                << differing << " of 3 x " << count << " values differ");
  CHECK(step_error <= 1e-6);
  CHECK(m_error <= 1e-6);
  CHECK(v_error <= 1e-6);
  CHECK(differing == 0);
}
