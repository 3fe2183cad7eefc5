// The device-side L-BFGS ops against the CPU twins: the curvature test after each pushed pair (one
// of them with negative curvature, so rho = 0 and it must be skipped) and the two-loop direction,
// as the ring fills and wraps.
#include <algorithm>
#include <catch2/catch.hpp>

#include "tests/gpu/test_twins.h"

using namespace audiostyle;

namespace {

// An LbfgsHistory with its arrays in one backend's memory.
struct History {
  History(Backend& backend, int capacity, int64_t n)
      : s(backend, capacity * n),
        y(backend, capacity * n),
        rho(backend, capacity),
        alpha(backend, capacity),
        gamma(backend, 1) {
    rho.upload(std::vector<double>(size_t(capacity), 0.0));
    alpha.upload(std::vector<double>(size_t(capacity), 0.0));
    gamma.upload({1.0});
    h.s = s.get(), h.y = y.get(), h.rho = rho.get(), h.alpha = alpha.get(), h.gamma = gamma.get();
    h.capacity = capacity;
    h.n = n;
  }
  Buffer<float> s, y;
  Buffer<double> rho, alpha, gamma;
  LbfgsHistory h;
};

}  // namespace

TEST_CASE("gpu: lbfgs_curvature and lbfgs_direction match the CPU as the ring wraps", "[lbfgs]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  test::Twins twins;
  const int capacity = 5;
  const int64_t n = 100003;
  Backend* backends[2] = {twins.cpu.get(), twins.gpu.get()};
  History history[2] = {History(*twins.cpu, capacity, n), History(*twins.gpu, capacity, n)};
  const auto grad = test::random_normal(size_t(n), seed + 1000);

  for (int pair = 0; pair < 7; ++pair) {
    INFO("pair " << pair);
    const auto s = test::random_normal(size_t(n), seed + 2 * pair);
    auto y = test::random_normal(size_t(n), seed + 2 * pair + 1, 0.3f);
    // y = 0.7 s + noise has s.y > 0; pair 2 has y = -s and fails the curvature test.
    for (int64_t j = 0; j < n; ++j)
      y[size_t(j)] = pair == 2 ? -s[size_t(j)] : 0.7f * s[size_t(j)] + y[size_t(j)];
    std::vector<double> rho[2], gamma[2], alpha[2];
    std::vector<float> direction[2];
    for (int b = 0; b < 2; ++b) {
      LbfgsHistory& h = history[b].h;
      h.newest = (h.newest + 1) % capacity;
      h.count = std::min(h.count + 1, capacity);
      const size_t offset = size_t(h.newest) * size_t(n);
      backends[b]->upload(h.s + offset, s.data(), sizeof(float) * s.size());
      backends[b]->upload(h.y + offset, y.data(), sizeof(float) * y.size());
      backends[b]->lbfgs_curvature(h);
      auto grad_b = test::buffer_from(*backends[b], grad);
      auto direction_b = test::poisoned_buffer<float>(*backends[b], n);
      backends[b]->lbfgs_direction(h, grad_b.get(), direction_b.get());
      rho[b] = history[b].rho.download();
      gamma[b] = history[b].gamma.download();
      alpha[b] = history[b].alpha.download();
      direction[b] = direction_b.download();
    }
    CHECK(test::relative_error_double(rho[1], rho[0]) <= test::kReductionTolerance);
    CHECK(test::relative_scalar_error(gamma[1][0], gamma[0][0]) <= test::kReductionTolerance);
    CHECK(test::relative_error_double(alpha[1], alpha[0]) <= test::kFp32Tolerance);
    const int newest = history[0].h.newest;
    if (pair == 2)
      CHECK(rho[1][size_t(newest)] == 0.0);
    else
      CHECK(rho[1][size_t(newest)] > 0.0);
    const double direction_error = test::relative_error(direction[1], direction[0]);
    INFO("direction relative error " << direction_error);
    CHECK(direction_error <= test::kFp32Tolerance);
  }
}
