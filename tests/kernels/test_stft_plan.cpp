// kernels/stft.cu's index arithmetic and plan parameters (kernels/stft_plan.h), run on the host:
// frames built with frame_source, transformed through the cuFFT plans' advanced-layout addressing
// by a naive DFT in double, the C2R input made Hermitian with hermitian_zeroed, the overlap-add
// gathered over overlap_frames with the plan's own tables; all against the CPU twin (FFTW). Only
// cuFFT itself is left for the GPU tests.
#include <catch2/catch.hpp>
#include <cmath>
#include <complex>
#include <limits>
#include <vector>

#include "audiostyle/backend.h"
#include "kernels/stft_plan.h"
#include "tests/support.h"

using namespace audiostyle;

namespace {

constexpr double kPi = 3.141592653589793238462643383279502884;
// Double DFTs and float tables against FFTW in float: float rounding of sums of n_fft terms,
// ~1e-7 relative; a wrong index or stride is an O(1) error.
constexpr double kTolerance = 1e-5;

size_t checked(int64_t index, size_t size) {
  REQUIRE(index >= 0);
  REQUIRE(index < int64_t(size));
  return size_t(index);
}

// audio [n_samples] -> spec [T, C, 2] through frame_source, the R2C layout and a naive DFT.
std::vector<float> forward_by_plan(const StftShape& shape, const std::vector<float>& audio) {
  const auto tables = cuda::stft_tables(shape);
  const cuda::FftLayout layout = cuda::stft_r2c_layout(shape);
  const int n_fft = shape.n_fft;
  REQUIRE(layout.n == n_fft);
  REQUIRE(layout.batch == shape.n_frames());
  std::vector<float> frames(size_t(shape.n_frames() * n_fft));  // the kernel's [T, n_fft]
  for (int64_t t = 0; t < shape.n_frames(); ++t)
    for (int n = 0; n < n_fft; ++n) {
      const int64_t source = cuda::frame_source(t, n, shape.hop, n_fft);
      frames[size_t(t * n_fft + n)] =
          source >= 0 && source < shape.n_samples ? tables.window[size_t(n)] * audio[size_t(source)]
                                                  : 0.f;
    }
  std::vector<float> spec(size_t(shape.n_frames() * shape.n_bins() * 2),
                          std::numeric_limits<float>::quiet_NaN());
  for (long long b = 0; b < layout.batch; ++b)
    for (long long f = 0; f < layout.n / 2 + 1; ++f) {
      std::complex<double> sum = 0;
      for (long long x = 0; x < layout.n; ++x)
        sum += double(frames[checked(b * layout.idist + x * layout.istride, frames.size())]) *
               std::polar(1.0, -2 * kPi * double(f * x) / double(layout.n));
      const size_t out = checked(2 * (b * layout.odist + f * layout.ostride), spec.size());
      spec[out] = float(sum.real());
      spec[out + 1] = float(sum.imag());
    }
  return spec;
}

// bins [T, C, 2] -> frames [T, n_fft] through the C2R layout: an unnormalised real inverse DFT,
// as cuFFT's, of the Hermitian extension of each frame's half spectrum.
std::vector<float> c2r_by_plan(const StftShape& shape, const std::vector<float>& bins) {
  const cuda::FftLayout layout = cuda::stft_c2r_layout(shape);
  const int n_fft = shape.n_fft;
  std::vector<float> frames(size_t(shape.n_frames() * n_fft),
                            std::numeric_limits<float>::quiet_NaN());
  for (long long b = 0; b < layout.batch; ++b)
    for (long long x = 0; x < layout.n; ++x) {
      double sum = 0;
      for (long long f = 0; f < layout.n; ++f) {  // the full spectrum, by Hermitian symmetry
        const long long g = f <= layout.n / 2 ? f : layout.n - f;
        const size_t in = checked(2 * (b * layout.idist + g * layout.istride), bins.size());
        const double imag = f <= layout.n / 2 ? bins[in + 1] : -bins[in + 1];
        const std::complex<double> value(bins[in], imag);
        sum += (value * std::polar(1.0, 2 * kPi * double(f * x) / double(layout.n))).real();
      }
      frames[checked(b * layout.odist + x * layout.ostride, frames.size())] = float(sum);
    }
  return frames;
}

// frames [T, n_fft] -> audio [n_samples]: the overlap-add gather over overlap_frames with
// `window`, times `envelope` where one is given (stft.cu's one overlap_add_kernel serves the
// inverse and, without an envelope, the adjoint).
std::vector<float> gather_by_plan(const StftShape& shape, const std::vector<float>& frames,
                                  const std::vector<float>& window,
                                  const std::vector<float>* envelope) {
  const int n_fft = shape.n_fft;
  std::vector<float> audio(size_t(shape.n_samples));
  for (int64_t i = 0; i < shape.n_samples; ++i) {
    const int64_t p = i + n_fft / 2;
    int64_t t_first, t_last;
    cuda::overlap_frames(p, n_fft, shape.hop, shape.n_frames(), t_first, t_last);
    float sum = 0.f;
    for (int64_t t = t_first; t <= t_last; ++t) {
      const int64_t n = p - t * shape.hop;
      REQUIRE(n >= 0);
      REQUIRE(n < n_fft);
      sum += window[size_t(n)] * frames[size_t(t * n_fft + n)];
    }
    audio[size_t(i)] = envelope ? sum * (*envelope)[size_t(i)] : sum;
  }
  return audio;
}

// spec [T, C, 2] -> audio [n_samples] through hermitian_zeroed, the C2R layout and the gather with
// the synthesis window and the envelope.
std::vector<float> inverse_by_plan(const StftShape& shape, const std::vector<float>& spec) {
  const auto tables = cuda::stft_tables(shape);
  std::vector<float> bins(spec.size());
  for (size_t i = 0; i < spec.size(); ++i)
    bins[i] = cuda::hermitian_zeroed(int64_t(i), shape.n_bins()) ? 0.f : spec[i];
  return gather_by_plan(shape, c2r_by_plan(shape, bins), tables.synthesis_window,
                        &tables.inverse_envelope);
}

// grad_spec [T, C, 2] -> grad_audio [n_samples], stft.cu's backward: adjoint_bin_scale, the C2R
// layout, then the gather with the analysis window and no envelope.
std::vector<float> backward_by_plan(const StftShape& shape, const std::vector<float>& grad_spec) {
  const auto tables = cuda::stft_tables(shape);
  std::vector<float> bins(grad_spec.size());
  for (size_t i = 0; i < grad_spec.size(); ++i)
    bins[i] = cuda::adjoint_bin_scale(int64_t(i), shape.n_bins()) * grad_spec[i];
  return gather_by_plan(shape, c2r_by_plan(shape, bins), tables.window, nullptr);
}

template <class T>
Buffer<T> upload(Backend& backend, const std::vector<T>& host) {
  Buffer<T> buffer(backend, int64_t(host.size()));
  buffer.upload(host);
  return buffer;
}

}  // namespace

TEST_CASE("overlap_frames lists exactly the frames that cover a position", "[kernels][stft_plan]") {
  for (int n_fft : {2, 4, 8, 16, 64})
    for (int hop : {1, 2, 3, 5, n_fft / 4 + 1, n_fft / 2, n_fft, n_fft + 3}) {
      if (hop < 1) continue;
      for (int64_t n_samples : {1, 7, 50}) {
        const StftShape shape{n_fft, hop, n_samples};
        // Every padded position the gather visits, and a few past it.
        for (int64_t p = 0; p < n_samples + n_fft + 2 * hop; ++p) {
          int64_t t_first, t_last;
          cuda::overlap_frames(p, n_fft, hop, shape.n_frames(), t_first, t_last);
          INFO("n_fft " << n_fft << " hop " << hop << " n_samples " << n_samples << " p " << p);
          for (int64_t t = 0; t < shape.n_frames(); ++t) {
            const bool covers = p - t * hop >= 0 && p - t * hop < n_fft;
            REQUIRE(covers == (t >= t_first && t <= t_last));
          }
        }
      }
    }
}

TEST_CASE("stft_window_tap: a periodic Hann of win_length taps centred in n_fft, as librosa pads it",
          "[kernels][stft_plan]") {
  // librosa.util.pad_center(librosa.filters.get_window("hann", L), size=n_fft), printed by numpy:
  // the left pad is (n_fft - L) // 2, an odd remainder goes right, and a one-tap window is [1].
  struct Case {
    StftShape shape;
    std::vector<double> window;
  };
  const Case cases[] = {
      {{8, 2, 10, 5}, {0, 0, 0.34549150281252633, 0.9045084971874737, 0.9045084971874737,
                       0.34549150281252633, 0, 0}},
      {{8, 2, 10, 6}, {0, 0, 0.25, 0.75, 1, 0.75, 0.25, 0}},
      {{4, 1, 10, 1}, {0, 1, 0, 0}},
      // win_length 0 and win_length n_fft: the plain periodic Hann of n_fft taps.
      {{8, 2, 10, 0}, {0, 0.14644660940672624, 0.5, 0.8535533905932737, 1, 0.8535533905932737, 0.5,
                       0.14644660940672624}},
      {{8, 2, 10, 8}, {0, 0.14644660940672624, 0.5, 0.8535533905932737, 1, 0.8535533905932737, 0.5,
                       0.14644660940672624}},
  };
  for (const Case& c : cases) {
    INFO("n_fft " << c.shape.n_fft << " win_length " << c.shape.win_length);
    const auto tables = cuda::stft_tables(c.shape);
    REQUIRE(tables.window.size() == c.window.size());
    for (int n = 0; n < c.shape.n_fft; ++n) {
      INFO("tap " << n);
      CHECK(cuda::stft_window_tap(c.shape, n) == Approx(c.window[size_t(n)]).margin(1e-15));
      CHECK(tables.window[size_t(n)] == Approx(c.window[size_t(n)]).margin(1e-7));
      CHECK(tables.synthesis_window[size_t(n)] == Approx(c.window[size_t(n)] / c.shape.n_fft));
    }
  }
}

TEST_CASE("adjoint_bin_scale: interior bins 1/2, DC and Nyquist real parts 1, their imaginary 0",
          "[kernels][stft_plan]") {
  const int n_bins = 5;
  for (int64_t i = 0; i < 3 * n_bins * 2; ++i) {
    const int64_t bin = (i / 2) % n_bins;
    const bool edge = bin == 0 || bin == n_bins - 1;
    CHECK(cuda::adjoint_bin_scale(i, n_bins) == (edge ? (i % 2 ? 0.f : 1.f) : 0.5f));
  }
}

TEST_CASE("hermitian_zeroed picks the imaginary parts of DC and Nyquist only",
          "[kernels][stft_plan]") {
  const int n_bins = 5;
  for (int64_t i = 0; i < 3 * n_bins * 2; ++i) {
    const int64_t bin = (i / 2) % n_bins;
    CHECK(cuda::hermitian_zeroed(i, n_bins) == (i % 2 == 1 && (bin == 0 || bin == n_bins - 1)));
  }
}

TEST_CASE("the STFT plan's framing, cuFFT layouts and overlap-add give the CPU twin's STFT and adjoint",
          "[kernels][stft_plan]") {
  auto cpu = make_cpu_backend();
  // The last three: windows shorter than n_fft (win_length), odd and even padding.
  for (const StftShape shape : {StftShape{16, 4, 37}, StftShape{64, 16, 200}, StftShape{8, 3, 29},
                                StftShape{32, 8, 5}, StftShape{16, 4, 37, 11},
                                StftShape{64, 20, 200, 50}, StftShape{32, 8, 60, 1}}) {
    const uint64_t seed = test::fresh_seed();
    INFO("n_fft " << shape.n_fft << " hop " << shape.hop << " n_samples " << shape.n_samples
                  << " win_length " << shape.win_length << ", seed " << seed);
    const auto audio = test::random_uniform(size_t(shape.n_samples), seed);
    auto stft = cpu->make_stft(shape);
    auto audio_b = upload(*cpu, audio);
    Buffer<float> spec_b(*cpu, shape.n_frames() * shape.n_bins() * 2);
    stft->forward(audio_b.get(), spec_b.get());
    CHECK(test::relative_error(forward_by_plan(shape, audio), spec_b.download()) <= kTolerance);

    // A random spectrum, DC and Nyquist imaginary parts included (Griffin-Lim's random phases).
    const auto spec = test::random_normal(size_t(shape.n_frames() * shape.n_bins() * 2), seed + 1);
    auto spec_in = upload(*cpu, spec);
    Buffer<float> rebuilt_b(*cpu, shape.n_samples);
    stft->inverse(spec_in.get(), rebuilt_b.get());
    CHECK(test::relative_error(inverse_by_plan(shape, spec), rebuilt_b.download()) <= kTolerance);
    // The adjoint on the same random gradient (DC and Nyquist imaginary parts must drop out).
    Buffer<float> grad_audio_b(*cpu, shape.n_samples);
    stft->backward(spec_in.get(), grad_audio_b.get());
    CHECK(test::relative_error(backward_by_plan(shape, spec), grad_audio_b.download()) <=
          kTolerance);
  }
}
