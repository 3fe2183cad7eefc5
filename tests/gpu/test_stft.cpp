// cuFFT STFT / ISTFT against the CPU (FFTW) twin: forward on a test signal, inverse on the same
// spectrum and on an inconsistent random one, for librosa's common geometries, windows shorter
// than n_fft (win_length) and a clip shorter than one frame. The random spectrum has imaginary parts in its DC and Nyquist bins, which FFTW
// (and numpy's irfft) ignore and cuFFT's C2R would not: the GPU inverse must drop them too.
#include <catch2/catch.hpp>
#include <cmath>

#include "tests/gpu/test_twins.h"

using namespace audiostyle;

namespace {

// A chirp plus noise: energy in every bin, nothing special about the frame boundaries.
std::vector<float> test_signal(int64_t n_samples, uint64_t seed) {
  auto signal = test::random_uniform(size_t(n_samples), seed, -0.1f, 0.1f);
  for (int64_t i = 0; i < n_samples; ++i) {
    const double t = double(i) / 22050.0;
    signal[size_t(i)] += float(0.5 * std::sin(2 * M_PI * (100.0 + 2000.0 * t) * t));
  }
  return signal;
}

}  // namespace

TEST_CASE("gpu: STFT forward and inverse match the CPU", "[stft]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  test::Twins twins;
  // The last two: windows shorter than n_fft (win_length; VGGish's 25 ms at 16 and 22.05 kHz).
  for (StftShape shape : {StftShape{2048, 512, 2 * 22050 + 123}, StftShape{512, 128, 5000},
                          StftShape{2048, 512, 1000}, StftShape{512, 160, 16000, 400},
                          StftShape{1024, 220, 22050 + 7, 551}}) {
    INFO("n_fft " << shape.n_fft << " hop " << shape.hop << " n_samples " << shape.n_samples
                  << " win_length " << shape.win_length);
    const int64_t spec_floats = shape.n_frames() * shape.n_bins() * 2;
    const auto audio = test_signal(shape.n_samples, seed);
    const auto random_spec = test::random_normal(size_t(spec_floats), seed + 1);
    std::vector<float> spec[2], inverse[2], random_inverse[2], random_spec_after[2];
    Backend* backends[2] = {twins.cpu.get(), twins.gpu.get()};
    for (int b = 0; b < 2; ++b) {
      auto stft = backends[b]->make_stft(shape);
      auto audio_b = test::buffer_from(*backends[b], audio);
      auto spec_b = test::poisoned_buffer<float>(*backends[b], spec_floats);
      stft->forward(audio_b.get(), spec_b.get());
      spec[b] = spec_b.download();
      // The inverse of the CPU's spectrum on both, so the comparison isolates the inverse.
      auto cpu_spec_b = test::buffer_from(*backends[b], spec[0]);
      auto inverse_b = test::poisoned_buffer<float>(*backends[b], shape.n_samples);
      stft->inverse(cpu_spec_b.get(), inverse_b.get());
      inverse[b] = inverse_b.download();
      auto random_b = test::buffer_from(*backends[b], random_spec);
      auto random_inverse_b = test::poisoned_buffer<float>(*backends[b], shape.n_samples);
      stft->inverse(random_b.get(), random_inverse_b.get());
      random_inverse[b] = random_inverse_b.download();
      random_spec_after[b] = random_b.download();
    }
    const double forward_error = test::relative_error(spec[1], spec[0]);
    const double inverse_error = test::relative_error(inverse[1], inverse[0]);
    const double random_error = test::relative_error(random_inverse[1], random_inverse[0]);
    const double round_trip_error = test::relative_error(inverse[1], audio);
    INFO("forward " << forward_error << " inverse " << inverse_error << " random inverse "
                    << random_error << " gpu round trip " << round_trip_error);
    CHECK(forward_error <= test::kFp32Tolerance);
    CHECK(inverse_error <= test::kFp32Tolerance);
    CHECK(random_error <= test::kFp32Tolerance);
    CHECK(round_trip_error <= 1e-5);             // a consistent spectrum inverts to the signal
    CHECK(random_spec_after[1] == random_spec);  // inverse leaves its input untouched
  }
}

TEST_CASE("gpu: STFT backward (the adjoint) matches the CPU and passes the dot-product test",
          "[stft][refine]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  test::Twins twins;
  for (StftShape shape : {StftShape{2048, 512, 2 * 22050 + 123}, StftShape{512, 128, 5000},
                          StftShape{2048, 512, 1000}, StftShape{16, 4, 1000},
                          StftShape{1024, 220, 5001, 551}}) {
    INFO("n_fft " << shape.n_fft << " hop " << shape.hop << " n_samples " << shape.n_samples
                  << " win_length " << shape.win_length);
    const int64_t spec_floats = shape.n_frames() * shape.n_bins() * 2;
    const auto audio = test_signal(shape.n_samples, seed);
    // Imaginary parts in DC and Nyquist too: the adjoint must drop them (cuFFT's C2R would not).
    const auto grad_spec = test::random_normal(size_t(spec_floats), seed + 1);
    std::vector<float> grad_audio[2], spec, grad_spec_after;
    Backend* backends[2] = {twins.cpu.get(), twins.gpu.get()};
    for (int b = 0; b < 2; ++b) {
      auto stft = backends[b]->make_stft(shape);
      auto grad_spec_b = test::buffer_from(*backends[b], grad_spec);
      auto grad_audio_b = test::poisoned_buffer<float>(*backends[b], shape.n_samples);
      stft->backward(grad_spec_b.get(), grad_audio_b.get());
      grad_audio[b] = grad_audio_b.download();
      if (b == 1) {
        grad_spec_after = grad_spec_b.download();
        auto audio_b = test::buffer_from(*backends[b], audio);
        auto spec_b = test::poisoned_buffer<float>(*backends[b], spec_floats);
        stft->forward(audio_b.get(), spec_b.get());
        spec = spec_b.download();
      }
    }
    const double error = test::relative_error(grad_audio[1], grad_audio[0]);
    double lhs = 0, rhs = 0, scale = 0;
    for (size_t k = 0; k < spec.size(); ++k) {
      lhs += double(spec[k]) * grad_spec[k];
      scale += std::fabs(double(spec[k]) * grad_spec[k]);
    }
    for (size_t i = 0; i < audio.size(); ++i) rhs += double(audio[i]) * grad_audio[1][i];
    INFO("backward vs cpu " << error << "; <STFT(y), G> " << lhs << " <y, STFT^T(G)> " << rhs);
    CHECK(error <= test::kFp32Tolerance);
    CHECK(std::fabs(lhs - rhs) <= 1e-6 * scale);  // tests/cpu/test_stft.cpp argues the bound
    CHECK(grad_spec_after == grad_spec);           // backward leaves its input untouched
  }
}
