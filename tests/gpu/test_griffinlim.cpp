// Griffin-Lim on the GPU against the CPU: the update op on its own, and a 50-iteration fast
// Griffin-Lim loop (STFT, ISTFT, update) from the same Philox phase whose final spectral
// convergence must agree within 0.1 dB.
#include <catch2/catch.hpp>
#include <cmath>

#include "audiostyle/philox.h"
#include "tests/gpu/test_twins.h"

using namespace audiostyle;

TEST_CASE("gpu: griffinlim_update matches the CPU, also with angles aliasing rebuilt",
          "[griffinlim]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  test::Twins twins;
  const int64_t count = 1025 * 173;
  const auto rebuilt = test::random_normal(size_t(2 * count), seed);
  const auto previous = test::random_normal(size_t(2 * count), seed + 1);
  for (bool aliased : {false, true}) {
    INFO("aliased " << aliased);
    std::vector<float> angles[2], previous_after[2];
    Backend* backends[2] = {twins.cpu.get(), twins.gpu.get()};
    for (int b = 0; b < 2; ++b) {
      auto rebuilt_b = test::buffer_from(*backends[b], rebuilt);
      auto previous_b = test::buffer_from(*backends[b], previous);
      auto angles_b = test::poisoned_buffer<float>(*backends[b], 2 * count);
      float* angles_ptr = aliased ? rebuilt_b.get() : angles_b.get();
      backends[b]->griffinlim_update(rebuilt_b.get(), previous_b.get(), angles_ptr, count, 0.99f);
      angles[b] = aliased ? rebuilt_b.download() : angles_b.download();
      previous_after[b] = previous_b.download();
    }
    const double angles_error = test::relative_error(angles[1], angles[0]);
    INFO("angles relative error " << angles_error);
    CHECK(angles_error <= test::kFp32Tolerance);
    CHECK(previous_after[1] == rebuilt);
    CHECK(previous_after[0] == rebuilt);
  }
}

namespace {

// Runs `iterations` of fast Griffin-Lim on `magnitude` [T, C] from the Philox phase of `seed` and
// returns the final spectral convergence 10 log10(sum (|S'| - |S|)^2 / sum |S|^2) in dB.
double griffinlim_convergence_db(Backend& backend, const StftShape& shape,
                                 const std::vector<float>& magnitude, uint64_t seed,
                                 int iterations) {
  auto stft = backend.make_stft(shape);
  const int64_t count = shape.n_frames() * shape.n_bins();
  auto magnitude_b = test::buffer_from(backend, magnitude);
  Buffer<float> angles(backend, 2 * count), previous(backend, 2 * count), spec(backend, 2 * count),
      rebuilt(backend, 2 * count), audio(backend, shape.n_samples);
  Buffer<double> slots(backend, 2);
  backend.fill_phasor(angles.get(), count, seed, philox::kStreamPhase);
  backend.fill(previous.get(), 2 * count, 0.f);
  for (int i = 0; i < iterations; ++i) {
    backend.apply_magnitude(magnitude_b.get(), angles.get(), count, spec.get());
    stft->inverse(spec.get(), audio.get());
    stft->forward(audio.get(), rebuilt.get());
    backend.griffinlim_update(rebuilt.get(), previous.get(), angles.get(), count, 0.99f);
  }
  backend.apply_magnitude(magnitude_b.get(), angles.get(), count, spec.get());
  stft->inverse(spec.get(), audio.get());
  stft->forward(audio.get(), rebuilt.get());
  backend.spectral_distance(rebuilt.get(), magnitude_b.get(), count, slots.get());
  const auto host = slots.download();
  return 10.0 * std::log10(host[0] / host[1]);
}

}  // namespace

TEST_CASE("gpu: 50 Griffin-Lim iterations converge like the CPU's (within 0.1 dB)",
          "[griffinlim]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  test::Twins twins;
  const StftShape shape{2048, 512, 3 * 22050};
  // A harmonic tone with vibrato plus a little noise: a magnitude with a consistent phase to find.
  auto audio = test::random_uniform(size_t(shape.n_samples), seed, -0.02f, 0.02f);
  for (int64_t i = 0; i < shape.n_samples; ++i) {
    const double t = double(i) / 22050.0;
    const double phase = 2 * M_PI * 220.0 * t + 3.0 * std::sin(2 * M_PI * 5.0 * t);
    for (int h = 1; h <= 6; ++h) audio[size_t(i)] += float(0.3 / h * std::sin(h * phase));
  }
  // |STFT| on the CPU, the same target for both backends.
  const int64_t count = shape.n_frames() * shape.n_bins();
  std::vector<float> magnitude(static_cast<size_t>(count));
  {
    auto stft = twins.cpu->make_stft(shape);
    auto audio_b = test::buffer_from(*twins.cpu, audio);
    Buffer<float> spec(*twins.cpu, 2 * count);
    stft->forward(audio_b.get(), spec.get());
    const auto host = spec.download();
    for (int64_t i = 0; i < count; ++i)
      magnitude[size_t(i)] = std::hypot(host[size_t(2 * i)], host[size_t(2 * i + 1)]);
  }
  const double cpu_db = griffinlim_convergence_db(*twins.cpu, shape, magnitude, seed, 50);
  const double gpu_db = griffinlim_convergence_db(*twins.gpu, shape, magnitude, seed, 50);
  INFO("spectral convergence cpu " << cpu_db << " dB, gpu " << gpu_db << " dB");
  REQUIRE(std::isfinite(cpu_db));
  CHECK(cpu_db < -10.0);  // the loop did converge, so the comparison means something
  CHECK(std::fabs(gpu_db - cpu_db) < 0.1);
}
