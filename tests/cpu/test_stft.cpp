// CPU STFT/ISTFT (host/cpu/stft.cpp) against librosa golden data (tests/golden/), a direct DFT in
// double, and signals whose spectrum is known in closed form (sine at a bin, DC, Nyquist, Dirac).
#include <catch2/catch.hpp>

#include <cmath>
#include <complex>
#include <cstring>
#include <numbers>
#include <string>
#include <thread>
#include <vector>

#include "host/cpu/cpu_ops.h"
#include "tests/golden/golden.h"
#include "tests/support.h"

namespace audiostyle {
namespace {

using Complex = std::complex<double>;
constexpr double kPi = std::numbers::pi;

using test::golden::spec_floats;

// librosa's window in double, written out from util.pad_center: get_window("hann", L) (periodic,
// 0.5 - 0.5 cos(2 pi k / L), k < L) with (n_fft - L) // 2 zeros before it and the rest after;
// L = win_length, or n_fft when it is 0; scipy gives a one-tap window the value 1.
std::vector<double> reference_window(const StftShape& s) {
  const int length = s.win_length > 0 ? s.win_length : s.n_fft;
  const int left_pad = (s.n_fft - length) / 2;
  std::vector<double> window(static_cast<size_t>(s.n_fft), 0.0);
  for (int k = 0; k < length; ++k)
    window[size_t(left_pad + k)] = length == 1 ? 1.0 : 0.5 - 0.5 * std::cos(2 * kPi * k / length);
  return window;
}

// The STFT by its definition, in double: spec[t, f] = sum_n w[n] ypad[t*hop + n] e^{-2 pi i f n/N}.
std::vector<Complex> reference_stft(const std::vector<float>& audio, const StftShape& s) {
  const int n_fft = s.n_fft, n_bins = s.n_bins();
  const std::vector<double> window = reference_window(s);
  std::vector<double> cos_table(static_cast<size_t>(n_fft)), sin_table(static_cast<size_t>(n_fft));
  for (int n = 0; n < n_fft; ++n) {
    cos_table[size_t(n)] = std::cos(2 * kPi * n / n_fft);
    sin_table[size_t(n)] = std::sin(2 * kPi * n / n_fft);
  }
  std::vector<Complex> spec(size_t(s.n_frames()) * size_t(n_bins));
  std::vector<double> frame(static_cast<size_t>(n_fft));
  for (int64_t t = 0; t < s.n_frames(); ++t) {
    for (int n = 0; n < n_fft; ++n) {
      const int64_t i = t * s.hop + n - n_fft / 2;
      frame[size_t(n)] = i >= 0 && i < s.n_samples ? window[size_t(n)] * audio[size_t(i)] : 0.0;
    }
    for (int f = 0; f < n_bins; ++f) {
      double re = 0, im = 0;
      for (int n = 0; n < n_fft; ++n) {
        const size_t k = size_t((int64_t(f) * n) % n_fft);  // exact phase index
        re += frame[size_t(n)] * cos_table[k];
        im -= frame[size_t(n)] * sin_table[k];
      }
      spec[size_t(t) * size_t(n_bins) + size_t(f)] = {re, im};
    }
  }
  return spec;
}

// ||out - ref|| / ||ref|| over frame t of a [T, C, 2] float spectrogram.
double frame_error(const std::vector<float>& out, const std::vector<Complex>& ref, int64_t t,
                   int n_bins) {
  double num = 0, den = 0;
  for (int f = 0; f < n_bins; ++f) {
    const size_t k = size_t(t) * size_t(n_bins) + size_t(f);
    if (!std::isfinite(out[2 * k]) || !std::isfinite(out[2 * k + 1])) return INFINITY;
    num += std::norm(Complex(out[2 * k], out[2 * k + 1]) - ref[k]);
    den += std::norm(ref[k]);
  }
  return den > 0 ? std::sqrt(num / den) : std::sqrt(num);
}

std::vector<Complex> to_complex(const std::vector<float>& interleaved) {
  std::vector<Complex> out(interleaved.size() / 2);
  for (size_t k = 0; k < out.size(); ++k) out[k] = {interleaved[2 * k], interleaved[2 * k + 1]};
  return out;
}

std::vector<float> run_forward(const StftShape& shape, const std::vector<float>& audio) {
  auto stft = cpu::make_stft(shape);
  auto spec = test::poisoned(spec_floats(shape));
  stft->forward(audio.data(), spec.data());
  return spec;
}

// Frames whose window lies wholly inside the signal (no zero padding): their spectrum is the
// textbook one.
bool interior(const StftShape& s, int64_t t) {
  return t * s.hop - s.n_fft / 2 >= 0 && t * s.hop + s.n_fft / 2 <= s.n_samples;
}

}  // namespace

TEST_CASE("stft: forward and inverse match librosa golden data", "[stft][golden]") {
  const auto cases = test::golden::stft_cases();
  REQUIRE(cases.size() >= 8);
  // Windows shorter than n_fft (librosa's win_length): one with an even and one with an odd
  // n_fft - win_length, whose extra zero librosa's pad_center puts on the right.
  int short_window_cases = 0, odd_padding_cases = 0;
  for (const auto& c : cases)
    if (c.shape.win_length > 0 && c.shape.win_length < c.shape.n_fft) {
      ++short_window_cases;
      odd_padding_cases += (c.shape.n_fft - c.shape.win_length) % 2;
    }
  REQUIRE(short_window_cases >= 2);
  REQUIRE(odd_padding_cases >= 1);
  for (const auto& c : cases) {
    INFO(c.name << " n_fft " << c.shape.n_fft << " hop " << c.shape.hop << " n_samples "
                << c.shape.n_samples << " win_length " << c.shape.win_length);
    const auto golden_spec = test::golden::read_f32(c.path(".stft.f32"), spec_floats(c.shape));
    const auto golden_audio =
        test::golden::read_f32(c.path(".istft.f32"), size_t(c.shape.n_samples));
    auto stft = cpu::make_stft(c.shape);

    // librosa's inverse of the golden spectrogram. For the random spectrograms this also checks
    // that the imaginary parts at DC and Nyquist are ignored, as numpy's irfft ignores them.
    auto audio = test::poisoned(size_t(c.shape.n_samples));
    stft->inverse(golden_spec.data(), audio.data());
    const double istft_error = test::relative_error(audio, golden_audio);
    INFO("istft relative error " << istft_error);
    CHECK(istft_error <= 1e-5);
    if (!c.from_signal) continue;

    const auto signal = test::golden::read_f32(c.path(".signal.f32"), size_t(c.shape.n_samples));
    auto spec = test::poisoned(spec_floats(c.shape));
    stft->forward(signal.data(), spec.data());
    const double spec_error = test::relative_error(spec, golden_spec);
    INFO("stft relative error " << spec_error);
    CHECK(spec_error <= 1e-5);
    const auto golden_complex = to_complex(golden_spec);
    double worst_frame = 0;
    for (int64_t t = 0; t < c.shape.n_frames(); ++t)
      worst_frame = std::max(worst_frame, frame_error(spec, golden_complex, t, c.shape.n_bins()));
    INFO("worst frame relative error " << worst_frame);
    CHECK(worst_frame <= 1e-5);
  }
}

TEST_CASE("stft: forward matches a direct DFT in double on fresh random signals", "[stft]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  // Lengths: multiple of hop, ragged, shorter than n_fft, shorter than hop; a hop that does not
  // divide n_fft; more frames than one FFTW batch (32) so the tail plan runs.
  // Windows shorter than n_fft (win_length): even and odd padding, and a one-tap window.
  const StftShape shapes[] = {{512, 128, 4096},       {512, 128, 5000},  {512, 128, 300},
                              {512, 128, 100},        {400, 160, 3333},  {256, 64, 64 * 40 + 17},
                              {2048, 512, 1},         {2048, 512, 2047}, {16, 4, 1000},
                              {512, 160, 3333, 400},  {256, 55, 2000, 111}, {16, 4, 100, 1},
                              {64, 16, 30, 63}};
  for (const auto& shape : shapes) {
    INFO("n_fft " << shape.n_fft << " hop " << shape.hop << " n_samples " << shape.n_samples
                  << " win_length " << shape.win_length);
    const auto audio =
        test::random_uniform(size_t(shape.n_samples), seed + uint64_t(shape.n_samples));
    const auto spec = run_forward(shape, audio);
    const auto ref = reference_stft(audio, shape);
    double num = 0, den = 0, worst_frame = 0;
    for (int64_t t = 0; t < shape.n_frames(); ++t)
      worst_frame = std::max(worst_frame, frame_error(spec, ref, t, shape.n_bins()));
    for (size_t k = 0; k < ref.size(); ++k) {
      num += std::norm(Complex(spec[2 * k], spec[2 * k + 1]) - ref[k]);
      den += std::norm(ref[k]);
    }
    INFO("relative error " << std::sqrt(num / den) << ", worst frame " << worst_frame);
    CHECK(std::sqrt(num / den) <= 1e-5);
    CHECK(worst_frame <= 1e-5);
  }
}

TEST_CASE("stft: inverse round trip restores fresh random signals", "[stft]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  // With win_length < n_fft the hop stays below the window's length, so the envelope covers every
  // sample (VGGish's 400 in 512 hop 160; 551 in 1024 hop 220).
  const StftShape shapes[] = {{2048, 512, 22050 + 137}, {2048, 512, 1500},       {2048, 512, 100},
                              {512, 128, 4096},         {512, 128, 300},         {400, 160, 3333},
                              {1024, 256, 1024 * 40},   {2048, 512, 1},          {512, 160, 16000, 400},
                              {1024, 220, 22050, 551},  {1024, 220, 700, 551}};
  for (const auto& shape : shapes) {
    INFO("n_fft " << shape.n_fft << " hop " << shape.hop << " n_samples " << shape.n_samples
                  << " win_length " << shape.win_length);
    const auto audio = test::random_normal(size_t(shape.n_samples), seed ^ uint64_t(shape.n_fft));
    auto stft = cpu::make_stft(shape);
    CHECK(stft->shape().n_frames() == 1 + shape.n_samples / shape.hop);
    CHECK(stft->workspace_bytes() >= sizeof(float) * size_t(shape.n_fft + shape.n_samples));
    auto spec = test::poisoned(spec_floats(shape));
    stft->forward(audio.data(), spec.data());
    const auto spec_before = spec;
    auto back = test::poisoned(size_t(shape.n_samples));
    stft->inverse(spec.data(), back.data());
    const double error = test::relative_error(back, audio);
    INFO("round trip relative error " << error);
    CHECK(error <= 1e-5);
    // inverse() transforms a copy: the caller's spectrogram is untouched (bitwise).
    CHECK(std::memcmp(spec.data(), spec_before.data(), sizeof(float) * spec.size()) == 0);
    // Running it again on the same plan gives the same answer (scratch fully rewritten).
    auto again = test::poisoned(size_t(shape.n_samples));
    stft->inverse(spec.data(), again.data());
    CHECK(std::memcmp(again.data(), back.data(), sizeof(float) * back.size()) == 0);
  }
}

TEST_CASE("stft: a cosine at bin k peaks at k with magnitude A * sum(w) / 2", "[stft]") {
  // x[m] = A cos(2 pi k m / N + theta): an interior frame starting at m0 holds
  //   X(f) = A/2 (e^{i phi} W(f - k) + e^{-i phi} W(f + k)),  phi = 2 pi k m0 / N + theta,
  // with W the periodic Hann's DFT: W(0) = N/2, W(+-1) = -N/4, zero elsewhere. For 1 < k < N/2 - 1
  // that is N A / 4 at k and N A / 8 at k +- 1; k = 0 (DC) and k = N/2 (Nyquist) fold both terms.
  const StftShape shape{512, 128, 512 * 6};
  const int n_fft = shape.n_fft, n_bins = shape.n_bins();
  auto window_dft = [&](int f) {  // W(f), f taken modulo N
    const int g = ((f % n_fft) + n_fft) % n_fft;
    return g == 0 ? n_fft / 2.0 : (g == 1 || g == n_fft - 1) ? -n_fft / 4.0 : 0.0;
  };
  const double amplitude = 0.75, theta = 0.3;
  for (int k : {0, 1, 5, 37, 128, n_fft / 2 - 1, n_fft / 2}) {
    INFO("bin " << k);
    // DC and Nyquist have no phase freedom (cos(theta) and the sign of (-1)^m carry it).
    const double phase0 = (k == 0 || k == n_fft / 2) ? 0.0 : theta;
    std::vector<float> audio(size_t(shape.n_samples));
    for (size_t m = 0; m < audio.size(); ++m)
      audio[m] =
          float(amplitude *
                std::cos(2 * kPi * double((int64_t(k) * int64_t(m)) % n_fft) / n_fft + phase0));
    const auto spec = run_forward(shape, audio);
    int checked = 0;
    for (int64_t t = 0; t < shape.n_frames(); ++t) {
      if (!interior(shape, t)) continue;
      const double phi =
          2 * kPi * double((int64_t(k) * (t * shape.hop - n_fft / 2)) % n_fft) / n_fft + phase0;
      std::vector<Complex> expected(size_t(shape.n_frames()) * size_t(n_bins));
      for (int f = 0; f < n_bins; ++f)
        expected[size_t(t) * size_t(n_bins) + size_t(f)] =
            amplitude / 2 *
            (std::polar(1.0, phi) * window_dft(f - k) + std::polar(1.0, -phi) * window_dft(f + k));
      const double error = frame_error(spec, expected, t, n_bins);
      INFO("frame " << t << " relative error " << error);
      CHECK(error <= 1e-5);
      int peak = 0;
      for (int f = 1; f < n_bins; ++f) {
        const size_t a = size_t(t) * size_t(n_bins) + size_t(f),
                     b = size_t(t) * size_t(n_bins) + size_t(peak);
        if (std::hypot(spec[2 * a], spec[2 * a + 1]) > std::hypot(spec[2 * b], spec[2 * b + 1]))
          peak = f;
      }
      CHECK(peak == k);
      const size_t at = size_t(t) * size_t(n_bins) + size_t(k);
      const double peak_expected = (k == 0 || k == n_fft / 2)
                                       ? amplitude * n_fft / 2 * std::abs(std::cos(phase0))
                                       : amplitude * n_fft / 4;
      CHECK(std::hypot(spec[2 * at], spec[2 * at + 1]) == Approx(peak_expected).epsilon(1e-5));
      ++checked;
    }
    CHECK(checked >= 2);
  }
}

TEST_CASE(
    "stft: a Dirac gives the window tap times a linear phase in every frame including padded ones",
    "[stft]") {
  const StftShape shape{256, 64, 1000};
  const int n_fft = shape.n_fft, n_bins = shape.n_bins();
  for (int64_t position : {int64_t(0), int64_t(5), int64_t(500), shape.n_samples - 1}) {
    INFO("impulse at " << position);
    std::vector<float> audio(size_t(shape.n_samples), 0.f);
    audio[size_t(position)] = 2.f;
    const auto spec = run_forward(shape, audio);
    std::vector<Complex> expected(size_t(shape.n_frames()) * size_t(n_bins));
    for (int64_t t = 0; t < shape.n_frames(); ++t) {
      const int64_t n0 = position - (t * shape.hop - n_fft / 2);
      if (n0 < 0 || n0 >= n_fft) continue;
      const double w = 0.5 - 0.5 * std::cos(2 * kPi * double(n0) / n_fft);
      for (int f = 0; f < n_bins; ++f)
        expected[size_t(t) * size_t(n_bins) + size_t(f)] =
            2.0 * w * std::polar(1.0, -2 * kPi * double((f * n0) % n_fft) / n_fft);
    }
    double num = 0, den = 0;
    for (size_t k = 0; k < expected.size(); ++k) {
      REQUIRE(std::isfinite(spec[2 * k]));
      num += std::norm(Complex(spec[2 * k], spec[2 * k + 1]) - expected[k]);
      den += std::norm(expected[k]);
    }
    INFO("relative error " << std::sqrt(num / den));
    CHECK(std::sqrt(num / den) <= 1e-6);
    // And back: the impulse, alone.
    auto stft = cpu::make_stft(shape);
    auto back = test::poisoned(size_t(shape.n_samples));
    stft->inverse(spec.data(), back.data());
    CHECK(test::relative_error(back, audio) <= 1e-6);
  }
}

TEST_CASE("stft: plans made from many threads at once agree with a serial plan", "[stft]") {
  // FFTW's planner is not thread-safe; make_stft serialises it. Plan concurrently, compare results.
  const StftShape shape{1024, 256, 20000};
  const auto audio = test::random_uniform(size_t(shape.n_samples), test::fresh_seed());
  const auto serial = run_forward(shape, audio);
  std::vector<std::vector<float>> results(8);
  std::vector<std::thread> threads;
  for (size_t k = 0; k < results.size(); ++k)
    threads.emplace_back([&, k] { results[k] = run_forward(shape, audio); });
  for (auto& thread : threads) thread.join();
  for (const auto& result : results)
    CHECK(std::memcmp(result.data(), serial.data(), sizeof(float) * serial.size()) == 0);
}

// The adjoint by its definition, in double: grad[m] = sum over taps (t, n) reading sample m of
// w[n] sum_{f < C} (G_re cos(2 pi f n / N) - G_im sin(2 pi f n / N)), the transpose of
// reference_stft's real-linear map (re S = sum w y cos, im S = -sum w y sin).
std::vector<double> reference_stft_adjoint(const std::vector<float>& grad_spec,
                                           const StftShape& s) {
  const int n_fft = s.n_fft, n_bins = s.n_bins();
  const std::vector<double> window = reference_window(s);
  std::vector<double> grad(size_t(s.n_samples), 0.0);
  for (int64_t t = 0; t < s.n_frames(); ++t)
    for (int n = 0; n < n_fft; ++n) {
      const int64_t i = t * s.hop + n - n_fft / 2;
      if (i < 0 || i >= s.n_samples) continue;
      double sum = 0;
      for (int f = 0; f < n_bins; ++f) {
        const double theta = 2 * kPi * double((int64_t(f) * n) % n_fft) / n_fft;
        const size_t k = 2 * (size_t(t) * size_t(n_bins) + size_t(f));
        sum += grad_spec[k] * std::cos(theta) - grad_spec[k + 1] * std::sin(theta);
      }
      grad[size_t(i)] += window[size_t(n)] * sum;
    }
  return grad;
}

// Shapes for the adjoint: ragged, shorter than n_fft and than hop, a hop not dividing n_fft, more
// frames than one FFTW batch (the tail plan), n_fft 16 where DC and Nyquist are 2 of 9 bins, and
// windows shorter than n_fft (win_length, even and odd padding).
const StftShape kAdjointShapes[] = {{512, 128, 5000},      {512, 128, 300},        {512, 128, 100},
                                    {400, 160, 3333},      {256, 64, 64 * 40 + 17}, {2048, 512, 2047},
                                    {16, 4, 1000},         {512, 160, 5000, 400},  {256, 55, 2000, 111},
                                    {1024, 220, 3000, 551}};

TEST_CASE("stft: backward is the adjoint of forward, <STFT(y), G> = <y, STFT^T(G)>", "[stft]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  for (const auto& shape : kAdjointShapes) {
    INFO("n_fft " << shape.n_fft << " hop " << shape.hop << " n_samples " << shape.n_samples
                  << " win_length " << shape.win_length);
    const auto audio = test::random_normal(size_t(shape.n_samples), seed + uint64_t(shape.n_samples));
    // G has imaginary parts in DC and Nyquist too: they meet sin(0) = 0 in the forward and must
    // contribute nothing.
    const auto grad_spec = test::random_normal(spec_floats(shape), seed + 7);
    auto stft = cpu::make_stft(shape);
    auto spec = test::poisoned(spec_floats(shape));
    stft->forward(audio.data(), spec.data());
    auto grad_audio = test::poisoned(size_t(shape.n_samples));
    const auto grad_spec_before = grad_spec;
    stft->backward(grad_spec.data(), grad_audio.data());
    CHECK(grad_spec == grad_spec_before);
    double lhs = 0, rhs = 0, lhs_abs = 0, rhs_abs = 0;
    for (size_t k = 0; k < spec.size(); ++k) {
      lhs += double(spec[k]) * grad_spec[k];
      lhs_abs += std::fabs(double(spec[k]) * grad_spec[k]);
    }
    for (size_t i = 0; i < audio.size(); ++i) {
      rhs += double(audio[i]) * grad_audio[i];
      rhs_abs += std::fabs(double(audio[i]) * grad_audio[i]);
    }
    // Both sides are float results summed in double: each term carries a few float roundings
    // (~1e-7 relative, the FFT's log2(n_fft) stages included), so the difference is bounded by
    // ~1e-6 of the sum of |terms|, while a wrong DC/Nyquist or interior weight moves it by a
    // share of the sum itself (tens of percent at n_fft 16, ~1% at 2048). Not relative to the
    // value: the terms of random y and G cancel; at seed 6561899932693917940 (n_fft 512, 5000
    // samples) the value was 0.27 against a sum of |terms| of 1.3e5, and rounding alone moved it
    // by 2.2e-4 (8e-4 of the value, 1.8e-9 of the sum).
    const double error = std::fabs(lhs - rhs) / std::max(lhs_abs, rhs_abs);
    INFO("<STFT(y), G> " << lhs << " <y, STFT^T(G)> " << rhs << " relative to sum|terms| "
                         << error);
    CHECK(error <= 1e-6);
  }
}

TEST_CASE("stft: backward matches the adjoint written out in double", "[stft]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  for (const auto& shape : kAdjointShapes) {
    if (shape.n_fft > 512) continue;  // the direct sum is O(T n_fft C)
    INFO("n_fft " << shape.n_fft << " hop " << shape.hop << " n_samples " << shape.n_samples
                  << " win_length " << shape.win_length);
    const auto grad_spec = test::random_normal(spec_floats(shape), seed + uint64_t(shape.n_fft));
    auto stft = cpu::make_stft(shape);
    auto grad_audio = test::poisoned(size_t(shape.n_samples));
    stft->backward(grad_spec.data(), grad_audio.data());
    const auto ref = reference_stft_adjoint(grad_spec, shape);
    const double error = test::relative_error(grad_audio.data(), ref.data(), ref.size());
    INFO("relative error " << error);
    CHECK(error <= 1e-5);
  }
}

TEST_CASE("stft: invalid shapes are refused", "[stft]") {
  CHECK_THROWS(cpu::make_stft(StftShape{511, 128, 1000}));
  CHECK_THROWS(cpu::make_stft(StftShape{512, 0, 1000}));
  CHECK_THROWS(cpu::make_stft(StftShape{512, 128, 0}));
  CHECK_THROWS(cpu::make_stft(StftShape{512, 128, 1000, 513}));  // win_length > n_fft
  CHECK_THROWS(cpu::make_stft(StftShape{512, 128, 1000, -1}));
  CHECK_NOTHROW(cpu::make_stft(StftShape{512, 128, 1000, 512}));
  CHECK_NOTHROW(cpu::make_stft(StftShape{512, 128, 1000, 1}));
}

}  // namespace audiostyle
