// The index arithmetic of kernels/stft.cu as plain functions (host and device), so the CPU suite
// checks what the kernels and the cuFFT plans use: tests/kernels/test_stft_plan.cpp frames audio
// with frame_source, transforms it through the plans' advanced-layout addressing with a naive DFT,
// gathers the overlap-add with overlap_frames, and compares with the CPU twin (host/cpu/stft.cpp).
#pragma once
#include <float.h>
#include <stdint.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "audiostyle/backend.h"
#include "kernels/rounded_math.h"

namespace audiostyle::cuda {

// cufftMakePlanMany64's layout arguments for one rank-1 batched transform: element x of transform
// b is at in[b * idist + x * istride] (x < n for real data, < n/2 + 1 for complex), likewise out.
struct FftLayout {
  long long n, inembed, istride, idist, onembed, ostride, odist, batch;
};

// R2C: frames [T, n_fft] float -> bins [T, C] complex (the caller's spec [T, C, 2]).
inline FftLayout stft_r2c_layout(const StftShape& s) {
  return {s.n_fft, s.n_fft, 1, s.n_fft, s.n_bins(), 1, s.n_bins(), s.n_frames()};
}
// C2R: bins [T, C] complex -> frames [T, n_fft] float.
inline FftLayout stft_c2r_layout(const StftShape& s) {
  return {s.n_fft, s.n_bins(), 1, s.n_bins(), s.n_fft, 1, s.n_fft, s.n_frames()};
}

// Sample of the unpadded audio that tap n of frame t reads (librosa's centre padding of n_fft/2);
// outside [0, n_samples) it reads a zero.
AS_MATH int64_t frame_source(int64_t t, int n, int hop, int n_fft) {
  return t * hop - n_fft / 2 + n;
}

// The frames t_first .. t_last whose window covers padded position p (0 <= p - t*hop < n_fft):
// t_first = ceil((p - n_fft + 1) / hop) clamped at 0, t_last = min(floor(p / hop), n_frames - 1).
// Empty (t_first > t_last) only past the last frame.
AS_MATH void overlap_frames(int64_t p, int n_fft, int hop, int64_t n_frames, int64_t& t_first,
                            int64_t& t_last) {
  t_first = p >= n_fft ? (p - n_fft + hop) / hop : 0;
  const int64_t last = p / hop;
  t_last = last < n_frames - 1 ? last : n_frames - 1;
}

// Element i of a [T, C, 2] spectrum is an imaginary part that the C2R copy zeroes (DC, Nyquist).
AS_MATH bool hermitian_zeroed(int64_t i, int n_bins) {
  const int64_t bin = (i >> 1) % n_bins;
  return (i & 1) && (bin == 0 || bin == n_bins - 1);
}

// The factor the STFT's adjoint (Stft::backward) puts on element i of a [T, C, 2] gradient before
// the C2R: an irfft counts each interior bin twice (it and its mirror) and DC and Nyquist once,
// while the forward produced each of the C bins once, so interior bins take 1/2 (exact); the
// imaginary parts of DC and Nyquist meet sin(0) = sin(pi n) = 0 in the forward and are zeroed
// (which also keeps cuFFT's C2R input Hermitian).
AS_MATH float adjoint_bin_scale(int64_t i, int n_bins) {
  const int64_t bin = (i >> 1) % n_bins;
  if (bin == 0 || bin == n_bins - 1) return (i & 1) ? 0.f : 1.f;
  return 0.5f;
}

// Tap n of the analysis window, in double: a periodic Hann of L = s.window_length() taps,
// 0.5 - 0.5 cos(2 pi k / L) at k = n - (n_fft - L) / 2, and zero outside 0 <= k < L (librosa's
// util.pad_center of get_window("hann", L), left pad (n_fft - L) // 2). The one formula of the
// window: the CUDA plan's tables and the CPU twin (host/cpu/stft.cpp) both take it from here.
inline double stft_window_tap(const StftShape& s, int n) {
  // std::numbers::pi's value, spelled out so this also builds as C++17 (nvcc).
  constexpr double kPi = 3.141592653589793238462643383279502884;
  const int length = s.window_length();
  const int k = n - (s.n_fft - length) / 2;
  if (k < 0 || k >= length) return 0.0;
  if (length == 1) return 1.0;  // scipy's get_window("hann", 1) is [1] (its length guard), not 0
  return 0.5 - 0.5 * std::cos(2.0 * kPi * k / length);
}

// The plan's tables, computed on the host in double and rounded once; the CPU twin uses them too:
//   window [n_fft] = stft_window_tap (periodic Hann of win_length taps centred in n_fft),
//   synthesis_window = window / n_fft (irfft's 1/n_fft folded in), inverse_envelope [n_samples] =
//   1 / sum_t window^2(. - t hop) over the output span (librosa.filters.window_sumsquare with the
//   same win_length) where that exceeds the smallest normal float (librosa's util.tiny), else 1.
struct StftTables {
  std::vector<float> window, synthesis_window, inverse_envelope;
};

inline StftTables stft_tables(const StftShape& s) {
  const int n_fft = s.n_fft;
  StftTables tables;
  tables.window.resize(size_t(n_fft));
  tables.synthesis_window.resize(size_t(n_fft));
  std::vector<double> window_sq(static_cast<size_t>(n_fft));
  for (int n = 0; n < n_fft; ++n) {
    const double w = stft_window_tap(s, n);
    tables.window[size_t(n)] = float(w);
    tables.synthesis_window[size_t(n)] = float(w / n_fft);
    window_sq[size_t(n)] = w * w;
  }
  std::vector<double> envelope(static_cast<size_t>(s.n_samples), 0.0);
  for (int64_t t = 0; t < s.n_frames(); ++t) {
    const int64_t first = frame_source(t, 0, s.hop, n_fft);  // output index of window tap 0
    const int n_lo = int(std::max<int64_t>(0, -first));
    const int n_hi = int(std::min<int64_t>(n_fft, s.n_samples - first));
    for (int n = n_lo; n < n_hi; ++n) envelope[size_t(first + n)] += window_sq[size_t(n)];
  }
  tables.inverse_envelope.resize(envelope.size());
  for (size_t i = 0; i < envelope.size(); ++i)
    tables.inverse_envelope[i] = envelope[i] > double(FLT_MIN) ? float(1.0 / envelope[i]) : 1.f;
  return tables;
}

}  // namespace audiostyle::cuda
