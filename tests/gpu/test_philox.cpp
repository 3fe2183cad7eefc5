// Philox fills on the GPU are bit-identical to the CPU's (philox.h's contract), tails included.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>

#include "audiostyle/philox.h"
#include "tests/gpu/test_twins.h"

using namespace audiostyle;

namespace {

bool all_finite(const std::vector<float>& values) {
  for (float v : values)
    if (!std::isfinite(v)) return false;
  return true;
}

}  // namespace

TEST_CASE("gpu: fill_normal and fill_phasor are bit-identical to the CPU", "[philox]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  test::Twins twins;
  for (int64_t count : {int64_t(1), int64_t(3), int64_t(4), int64_t(5), int64_t(1000003)}) {
    for (uint32_t stream : {uint32_t(philox::kStreamWeights), uint32_t(philox::kStreamPhase)}) {
      INFO("count " << count << " stream " << stream);
      auto cpu_normal = test::poisoned_buffer<float>(*twins.cpu, count);
      auto gpu_normal = test::poisoned_buffer<float>(*twins.gpu, count);
      twins.cpu->fill_normal(cpu_normal.get(), count, seed, stream, 0.05f);
      twins.gpu->fill_normal(gpu_normal.get(), count, seed, stream, 0.05f);
      const auto cpu = cpu_normal.download(), gpu = gpu_normal.download();
      REQUIRE(all_finite(cpu));
      CHECK(std::memcmp(cpu.data(), gpu.data(), sizeof(float) * cpu.size()) == 0);

      auto cpu_phasor = test::poisoned_buffer<float>(*twins.cpu, 2 * count);
      auto gpu_phasor = test::poisoned_buffer<float>(*twins.gpu, 2 * count);
      twins.cpu->fill_phasor(cpu_phasor.get(), count, seed, stream);
      twins.gpu->fill_phasor(gpu_phasor.get(), count, seed, stream);
      const auto cpu_p = cpu_phasor.download(), gpu_p = gpu_phasor.download();
      REQUIRE(all_finite(cpu_p));
      CHECK(std::memcmp(cpu_p.data(), gpu_p.data(), sizeof(float) * cpu_p.size()) == 0);
    }
  }
}
