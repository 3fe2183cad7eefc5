// The accelerated Griffin-Lim update on the GPU against its CPU twin, on fresh random inputs. Both
// compute each element in double with the same roundings (_rn intrinsics, no contraction) and round
// once to float, so they agree to fp32 rounding: kFp32Tolerance (1e-5 relative) leaves margin for
// hypot's last bit.
#include <catch2/catch.hpp>

#include "tests/gpu/test_twins.h"

using namespace audiostyle;

TEST_CASE("gpu: griffinlim_agla_update matches the CPU", "[griffinlim][agla]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  test::Twins twins;
  const int64_t count = 1025 * 173;
  const auto rebuilt = test::random_normal(size_t(2 * count), seed);
  const auto previous = test::random_normal(size_t(2 * count), seed + 1);
  const auto extrapolated = test::random_normal(size_t(2 * count), seed + 2);
  std::vector<float> angles[2], previous_after[2], extrapolated_after[2];
  Backend* backends[2] = {twins.cpu.get(), twins.gpu.get()};
  for (int b = 0; b < 2; ++b) {
    auto rebuilt_b = test::buffer_from(*backends[b], rebuilt);
    auto previous_b = test::buffer_from(*backends[b], previous);
    auto extrapolated_b = test::buffer_from(*backends[b], extrapolated);
    auto angles_b = test::poisoned_buffer<float>(*backends[b], 2 * count);
    backends[b]->griffinlim_agla_update(rebuilt_b.get(), previous_b.get(), extrapolated_b.get(),
                                        angles_b.get(), count, 0.99f, 1.1f, 1.25f);
    angles[b] = angles_b.download();
    previous_after[b] = previous_b.download();
    extrapolated_after[b] = extrapolated_b.download();
  }
  CHECK(test::relative_error(angles[1], angles[0]) <= test::kFp32Tolerance);
  CHECK(test::relative_error(previous_after[1], previous_after[0]) <= test::kFp32Tolerance);
  CHECK(test::relative_error(extrapolated_after[1], extrapolated_after[0]) <=
        test::kFp32Tolerance);
}
