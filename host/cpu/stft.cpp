// CPU STFT / ISTFT with librosa's conventions (stft(center=True, pad_mode="constant",
// window="hann"), istft(length=n_samples)), on single-precision FFTW.
//
//   forward: spec[t, f] = sum_n w[n] ypad[t*hop + n] e^{-2 pi i f n / n_fft}   (no normalisation)
//            ypad = n_fft/2 zeros | audio | n_fft/2 zeros, w = periodic Hann of win_length taps
//            centred in n_fft, zeros around it (kernels/stft_plan.h stft_window_tap)
//   inverse: y = OLA_t( w * irfft(spec[t]) ) / sum_t w^2(. - t*hop), where the envelope > tiny,
//            then the first n_fft/2 samples of the padded signal dropped, n_samples kept.
//   backward: the forward's adjoint w.r.t. the audio (backend.h): OLA_t( w * c2r(G'[t]) ), G' the
//            gradient with its interior bins halved; no envelope, padded taps dropped.
//            Like numpy's irfft, FFTW's c2r ignores the imaginary parts of the DC and Nyquist bins,
//            which Griffin-Lim's random-phase spectrograms do have (golden random_spec_* cases).
//
// Frames are transformed in blocks of up to kBlockFrames with one batched FFTW plan (advanced
// interface, howmany = block size) plus one plan for the shorter last block, so scratch stays
// cache-sized whatever the clip length and is allocated once here.
//
// Plans use FFTW_ESTIMATE, not FFTW_MEASURE: MEASURE times candidate algorithms at plan time, so
// the algorithm (and hence the float rounding of every output) can change from one run to the next,
// and this is the oracle the CUDA backend and the reproducibility tests compare against. Measured on
// the 2-core dev machine, 10 s at 22.05 kHz, n_fft 2048 / hop 512 (431 frames): ESTIMATE plans in
// ~4 ms and runs forward / inverse in 1.6 / 1.6 ms; MEASURE plans in ~310 ms and runs in 1.2 / 1.2
// ms. A deterministic oracle is worth the 0.4 ms; on the CPU the STFT is a minor cost anyway.
#include <fftw3.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "audiostyle/errors.h"
#include "host/cpu/cpu_ops.h"
#include "kernels/stft_plan.h"

namespace audiostyle::cpu {
namespace {

constexpr int64_t kBlockFrames = 32;

// FFTW's planner (plan creation and destruction) is not thread-safe; execution is.
std::mutex& fftw_planner_mutex() {
  static std::mutex mutex;
  return mutex;
}

struct FftwDeleter {
  void operator()(void* ptr) const noexcept { fftwf_free(ptr); }
};
template <class T>
using FftwArray = std::unique_ptr<T[], FftwDeleter>;

template <class T>
FftwArray<T> fftw_array(size_t count) {
  auto* ptr = static_cast<T*>(fftwf_malloc(sizeof(T) * std::max<size_t>(count, 1)));
  if (!ptr)
    throw DeviceError("out of host memory: fftwf_malloc of " + std::to_string(sizeof(T) * count) +
                      " bytes for the STFT scratch");
  return FftwArray<T>(ptr);
}

// One object is not re-entrant (its scratch is shared by forward and inverse); separate objects may
// run on separate threads.
class CpuStft final : public Stft {
 public:
  explicit CpuStft(const StftShape& shape) : Stft(shape) {
    AS_CHECK(shape.n_fft >= 2 && shape.n_fft % 2 == 0,
             "STFT n_fft must be even and >= 2, got " + std::to_string(shape.n_fft));
    AS_CHECK(shape.hop >= 1, "STFT hop must be >= 1, got " + std::to_string(shape.hop));
    AS_CHECK(shape.window_length() >= 1 && shape.window_length() <= shape.n_fft,
             "STFT win_length must be in [1, n_fft = " + std::to_string(shape.n_fft) + "], got " +
                 std::to_string(shape.win_length));
    AS_CHECK(shape.n_samples >= 1,
             "STFT needs at least one sample, got " + std::to_string(shape.n_samples));
    n_fft_ = shape.n_fft;
    n_bins_ = shape.n_bins();
    n_frames_ = shape.n_frames();
    block_frames_ = std::min(n_frames_, kBlockFrames);

    // Windows and the envelope from the CUDA plan's tables (kernels/stft_plan.h): one formula for
    // the window (win_length taps centred in n_fft) and its sum-square envelope over the output span
    // [n_fft/2, n_fft/2 + n_samples) of the padded signal (librosa.filters.window_sumsquare, sliced
    // as istft slices it; 1 where it is below util.tiny and every contributing tap is zero).
    cuda::StftTables tables = cuda::stft_tables(shape);
    window_ = std::move(tables.window);
    synthesis_window_ = std::move(tables.synthesis_window);
    inverse_envelope_ = std::move(tables.inverse_envelope);

    frames_ = fftw_array<float>(size_t(block_frames_) * size_t(n_fft_));         // [B, n_fft]
    bins_ = fftw_array<fftwf_complex>(size_t(block_frames_) * size_t(n_bins_));  // [B, C]

    full_.make(int(block_frames_), n_fft_, frames_.get(), bins_.get());
    const int tail = int(n_frames_ % block_frames_);
    if (tail > 0) tail_.make(tail, n_fft_, frames_.get(), bins_.get());
  }

  // audio [n_samples] -> spec [T, C, 2]
  void forward(const float* audio, float* spec) override {
    const int64_t n_samples = shape_.n_samples, hop = shape_.hop;
    for (int64_t t0 = 0; t0 < n_frames_; t0 += block_frames_) {
      const int64_t count = std::min(block_frames_, n_frames_ - t0);
      for (int64_t b = 0; b < count; ++b) {
        float* frame = frames_.get() + b * n_fft_;
        const int64_t first = (t0 + b) * hop - n_fft_ / 2;  // audio index of tap 0 (zero padded)
        const int n_lo = int(std::clamp<int64_t>(-first, 0, n_fft_));
        const int n_hi = int(std::clamp<int64_t>(n_samples - first, n_lo, n_fft_));
        std::fill(frame, frame + n_lo, 0.f);
        for (int n = n_lo; n < n_hi; ++n) frame[n] = window_[size_t(n)] * audio[first + n];
        std::fill(frame + n_hi, frame + n_fft_, 0.f);
      }
      fftwf_execute((count == block_frames_ ? full_ : tail_).r2c);
      std::memcpy(spec + t0 * n_bins_ * 2, bins_.get(),
                  sizeof(float) * 2 * size_t(count * n_bins_));
    }
  }

  // spec [T, C, 2] -> audio [n_samples]
  void inverse(const float* spec, float* audio) override {
    // c2r overwrites its input, and `spec` is the caller's: transform a copy.
    c2r_overlap_add(
        [&](int64_t t0, int64_t count) {
          std::memcpy(bins_.get(), spec + t0 * n_bins_ * 2,
                      sizeof(float) * 2 * size_t(count * n_bins_));
        },
        synthesis_window_, audio);
    for (int64_t i = 0; i < shape_.n_samples; ++i) audio[i] *= inverse_envelope_[size_t(i)];
  }

  // grad_spec [T, C, 2] -> grad_audio [n_samples]: the adjoint of forward (backend.h). Per frame,
  // Re(sum_{f < C} G_f e^{+i theta}) is c2r's Hermitian sum G_0 + 2 Re(sum_interior) + G_{N/2}
  // (-1)^n with the interior bins halved (exact in float); the imaginary parts of DC and Nyquist
  // multiply sin(0) = sin(pi n) = 0 in the forward and are zeroed. The scale is the kernel's own
  // (kernels/stft_plan.h). Then each tap's value times the analysis window goes back to the sample
  // it read.
  void backward(const float* grad_spec, float* grad_audio) override {
    c2r_overlap_add(
        [&](int64_t t0, int64_t count) {
          float* bins = reinterpret_cast<float*>(bins_.get());
          const float* block = grad_spec + t0 * n_bins_ * 2;
          for (int64_t k = 0; k < count * n_bins_ * 2; ++k)
            bins[k] = cuda::adjoint_bin_scale(k, n_bins_) * block[k];
        },
        window_, grad_audio);
  }

  size_t workspace_bytes() const override {
    return sizeof(float) * size_t(block_frames_) * size_t(n_fft_) +
           sizeof(fftwf_complex) * size_t(block_frames_) * size_t(n_bins_) +
           sizeof(float) * (window_.size() + synthesis_window_.size() + inverse_envelope_.size());
  }

 private:
  // For each block of frames: fill(t0, count) writes their bins into bins_, c2r turns them into
  // frames_, and out[p - n_fft/2] += window[n] * frame[n] over the taps inside the audio (out is
  // zeroed first). The inverse and the adjoint differ only in the bins and the window.
  template <class Fill>
  void c2r_overlap_add(const Fill& fill, const std::vector<float>& window, float* out) {
    const int64_t n_samples = shape_.n_samples, hop = shape_.hop;
    std::fill(out, out + n_samples, 0.f);
    for (int64_t t0 = 0; t0 < n_frames_; t0 += block_frames_) {
      const int64_t count = std::min(block_frames_, n_frames_ - t0);
      fill(t0, count);
      fftwf_execute((count == block_frames_ ? full_ : tail_).c2r);
      for (int64_t b = 0; b < count; ++b) {
        const float* frame = frames_.get() + b * n_fft_;
        const int64_t first = (t0 + b) * hop - n_fft_ / 2;  // output index of tap 0
        const int n_lo = int(std::clamp<int64_t>(-first, 0, n_fft_));
        const int n_hi = int(std::clamp<int64_t>(n_samples - first, n_lo, n_fft_));
        for (int n = n_lo; n < n_hi; ++n) out[first + n] += window[size_t(n)] * frame[n];
      }
    }
  }

  // A batched r2c/c2r pair between frames [howmany, n_fft] and bins [howmany, C], destroyed with
  // the object (also when a later constructor step throws).
  struct Plans {
    fftwf_plan r2c = nullptr;
    fftwf_plan c2r = nullptr;
    Plans() = default;
    Plans(const Plans&) = delete;
    Plans& operator=(const Plans&) = delete;
    ~Plans() {
      std::lock_guard<std::mutex> lock(fftw_planner_mutex());
      if (r2c) fftwf_destroy_plan(r2c);
      if (c2r) fftwf_destroy_plan(c2r);
    }
    void make(int howmany, int n_fft, float* frames, fftwf_complex* bins) {
      std::lock_guard<std::mutex> lock(fftw_planner_mutex());
      const int n[1] = {n_fft}, n_bins = n_fft / 2 + 1;
      r2c = fftwf_plan_many_dft_r2c(1, n, howmany, frames, nullptr, 1, n_fft, bins, nullptr, 1,
                                    n_bins, FFTW_ESTIMATE);
      c2r = fftwf_plan_many_dft_c2r(1, n, howmany, bins, nullptr, 1, n_bins, frames, nullptr, 1,
                                    n_fft, FFTW_ESTIMATE | FFTW_DESTROY_INPUT);
      if (!r2c || !c2r)
        throw_runtime(__FILE__, __LINE__,
                      "FFTW could not plan a batched r2c/c2r of " + std::to_string(howmany) +
                          " x " + std::to_string(n_fft) + " points");
    }
  };

  int n_fft_ = 0;
  int n_bins_ = 0;
  int64_t n_frames_ = 0;
  int64_t block_frames_ = 0;
  std::vector<float> window_;            // [n_fft] analysis window
  std::vector<float> synthesis_window_;  // [n_fft] window / n_fft
  std::vector<float> inverse_envelope_;  // [n_samples] 1 / window sum-square (1 where it is ~0)
  FftwArray<float> frames_;              // [B, n_fft] windowed frames / irfft output
  FftwArray<fftwf_complex> bins_;        // [B, C] spectra
  Plans full_, tail_;
};

}  // namespace

std::unique_ptr<Stft> make_stft(const StftShape& shape) { return std::make_unique<CpuStft>(shape); }

}  // namespace audiostyle::cpu
