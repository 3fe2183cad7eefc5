// Per-bin energy on the GPU against its CPU twin, on fresh random spectra. Both sum each bin in frame
// order in double with the same roundings, so they agree to double rounding of the same sequence:
// kReductionTolerance (1e-6) is loose; a wrong index or a missed frame is off by far more.
#include <catch2/catch.hpp>

#include "tests/gpu/test_twins.h"

using namespace audiostyle;

TEST_CASE("gpu: bin_energy matches the CPU", "[bin_energy]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  test::Twins twins;
  const int64_t n_frames = 431;
  const int n_bins = 1025;  // more than one block of threads, not a multiple of the block
  const auto spec = test::random_normal(size_t(2 * n_frames * n_bins), seed);
  std::vector<double> energy[2];
  Backend* backends[2] = {twins.cpu.get(), twins.gpu.get()};
  for (int b = 0; b < 2; ++b) {
    auto spec_b = test::buffer_from(*backends[b], spec);
    auto energy_b = test::poisoned_buffer<double>(*backends[b], n_bins);
    backends[b]->bin_energy(spec_b.get(), n_frames, n_bins, energy_b.get());
    energy[b] = energy_b.download();
  }
  CHECK(test::relative_error_double(energy[1], energy[0]) <= test::kReductionTolerance);
}
