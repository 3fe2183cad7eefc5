// STFT / ISTFT on cuFFT with librosa's conventions (twin of host/cpu/stft.cpp):
//   forward: spec[t, f] = sum_n w[n] ypad[t*hop + n] e^{-2 pi i f n / n_fft}   (no normalisation)
//            ypad = n_fft/2 zeros | audio | n_fft/2 zeros, w = periodic Hann of win_length taps
//            centred in n_fft, zeros around it (stft_plan.h stft_window_tap)
//   inverse: y = OLA_t( w/n_fft * irfft(spec[t]) ) / sum_t w^2(. - t*hop), where the envelope
//            > FLT_MIN, keeping padded samples [n_fft/2, n_fft/2 + n_samples).
//   backward: the forward's adjoint w.r.t. the audio, OLA_t( w * irfft'(grad_spec[t]) ) with
//            irfft' the C2R of the interior-halved half spectrum (stft_plan.h), no envelope.
//
// Plans: one batched cuFFT R2C and one C2R over all T frames (batch = T), made once here with the
// 64-bit planner, both on the backend's stream. Frames [T, n_fft] float and bins [T, C] complex are
// plan scratch; cufftComplex is interleaved (re, im), exactly the [T, C, 2] layout of `spec`, so
// the R2C writes into the caller's spec directly. The overlap-add is a gather (each output sample
// sums the <= ceil(n_fft/hop) frames that cover it, in increasing t like the CPU): deterministic,
// no atomics. The windows and the inverse envelope are computed on the host in double (stft_plan.h,
// the CPU twin's tables too), rounded once to float and uploaded at plan time.
#include <cfloat>
#include <climits>
#include <cmath>
#include <string>
#include <vector>

#include "kernels/cuda_check.h"
#include "kernels/cuda_ops.h"
#include "kernels/device_memory.h"
#include "kernels/launch.cuh"
#include "kernels/stft_plan.h"

namespace audiostyle::cuda {
namespace {

// frames[t, n] = window[n] * audio[t*hop - n_fft/2 + n], zero outside the signal.
__global__ void frame_kernel(const float* __restrict__ audio, const float* __restrict__ window,
                             int64_t n_samples, int n_fft, int hop, int64_t n_frames,
                             float* __restrict__ frames) {
  const int64_t count = n_frames * n_fft;
  for (int64_t i = first_index(); i < count; i += grid_stride()) {
    const int64_t t = i / n_fft;
    const int n = int(i - t * n_fft);
    const int64_t source = frame_source(t, n, hop, n_fft);
    frames[i] = (source >= 0 && source < n_samples) ? __fmul_rn(window[n], audio[source]) : 0.f;
  }
}

// bins = spec with the imaginary parts of the DC and Nyquist bins zeroed. A real signal's spectrum
// has none there; numpy's irfft (librosa) and FFTW's c2r (the CPU twin) ignore them, while cuFFT's
// C2R leaves non-Hermitian input undefined and does let them through. Griffin-Lim's random phases
// put non-zero values there, so they must go.
__global__ void hermitian_copy_kernel(const float* __restrict__ spec, int64_t n_frames, int n_bins,
                                      float* __restrict__ bins) {
  const int64_t count = n_frames * n_bins * 2;
  for (int64_t i = first_index(); i < count; i += grid_stride()) {
    bins[i] = hermitian_zeroed(i, n_bins) ? 0.f : spec[i];
  }
}

// audio[i] = inverse_envelope[i] * sum_t window[n] * frames[t, n], n = p - t*hop, p = i + n_fft/2
// the padded position; t over the frames with 0 <= n < n_fft. The inverse passes the synthesis
// window and its envelope; the adjoint of the forward passes the analysis window and no envelope
// (null: no window-sum normalisation; padded taps read constants and get no gradient).
__global__ void overlap_add_kernel(const float* __restrict__ frames,
                                   const float* __restrict__ window,
                                   const float* __restrict__ inverse_envelope, int64_t n_samples,
                                   int n_fft, int hop, int64_t n_frames,
                                   float* __restrict__ audio) {
  for (int64_t i = first_index(); i < n_samples; i += grid_stride()) {
    const int64_t p = i + n_fft / 2;
    int64_t t_first, t_last;
    overlap_frames(p, n_fft, hop, n_frames, t_first, t_last);
    float sum = 0.f;
    for (int64_t t = t_first; t <= t_last; ++t) {
      const int n = int(p - t * hop);
      sum = __fadd_rn(sum, __fmul_rn(window[n], frames[t * n_fft + n]));
    }
    audio[i] = inverse_envelope ? __fmul_rn(sum, inverse_envelope[i]) : sum;
  }
}

// bins = grad_spec scaled for the adjoint's C2R (stft_plan.h, adjoint_bin_scale).
__global__ void adjoint_copy_kernel(const float* __restrict__ grad_spec, int64_t n_frames,
                                    int n_bins, float* __restrict__ bins) {
  const int64_t count = n_frames * n_bins * 2;
  for (int64_t i = first_index(); i < count; i += grid_stride())
    bins[i] = __fmul_rn(adjoint_bin_scale(i, n_bins), grad_spec[i]);
}

// Owns a cuFFT plan handle.
class CufftPlan {
 public:
  CufftPlan() { CUFFT_CHECK(cufftCreate(&handle_)); }
  ~CufftPlan() { cufftDestroy(handle_); }
  CufftPlan(const CufftPlan&) = delete;
  CufftPlan& operator=(const CufftPlan&) = delete;
  cufftHandle get() const { return handle_; }

 private:
  cufftHandle handle_ = 0;
};

class CudaStft final : public Stft {
 public:
  CudaStft(const Context& context, const StftShape& shape) : Stft(shape), context_(context) {
    CUDA_REQUIRE(shape.n_fft >= 2 && shape.n_fft % 2 == 0,
                 "STFT n_fft must be even and >= 2, got " + std::to_string(shape.n_fft));
    CUDA_REQUIRE(shape.hop >= 1, "STFT hop must be >= 1, got " + std::to_string(shape.hop));
    CUDA_REQUIRE(shape.window_length() >= 1 && shape.window_length() <= shape.n_fft,
                 "STFT win_length must be in [1, n_fft = " + std::to_string(shape.n_fft) +
                     "], got " + std::to_string(shape.win_length));
    CUDA_REQUIRE(shape.n_samples >= 1,
                 "STFT needs at least one sample, got " + std::to_string(shape.n_samples));
    n_fft_ = shape.n_fft;
    n_bins_ = shape.n_bins();
    n_frames_ = shape.n_frames();

    const StftTables tables = stft_tables(shape);
    window_ = DeviceArray<float>(n_fft_);
    synthesis_window_ = DeviceArray<float>(n_fft_);
    inverse_envelope_ = DeviceArray<float>(shape.n_samples);
    frames_ = DeviceArray<float>(n_frames_ * n_fft_);
    bins_ = DeviceArray<float>(n_frames_ * n_bins_ * 2);
    upload(window_, tables.window);
    upload(synthesis_window_, tables.synthesis_window);
    upload(inverse_envelope_, tables.inverse_envelope);

    // One transform of n_fft points per frame; frames n_fft apart, bins C apart (stft_plan.h).
    size_t work_r2c = 0, work_c2r = 0;
    make_plan(r2c_, stft_r2c_layout(shape), CUFFT_R2C, &work_r2c);
    make_plan(c2r_, stft_c2r_layout(shape), CUFFT_C2R, &work_c2r);
    CUFFT_CHECK(cufftSetStream(r2c_.get(), context_.stream));
    CUFFT_CHECK(cufftSetStream(c2r_.get(), context_.stream));
    cufft_work_bytes_ = work_r2c + work_c2r;
    // The uploads above ran on the stream from pageable host vectors about to be destroyed.
    CUDA_CHECK(cudaStreamSynchronize(context_.stream));
  }

  // audio [n_samples] -> spec [T, C, 2]
  void forward(const float* audio, float* spec) override {
    frame_kernel<<<elementwise_blocks(n_frames_ * n_fft_), kBlockThreads, 0, context_.stream>>>(
        audio, window_.get(), shape_.n_samples, n_fft_, shape_.hop, n_frames_, frames_.get());
    CUDA_CHECK_LAUNCH();
    CUFFT_CHECK(cufftExecR2C(r2c_.get(), frames_.get(), reinterpret_cast<cufftComplex*>(spec)));
  }

  // spec [T, C, 2] -> audio [n_samples]; spec is left untouched (C2R overwrites its input, so it
  // transforms a copy, made Hermitian-consistent on the way).
  void inverse(const float* spec, float* audio) override {
    hermitian_copy_kernel<<<elementwise_blocks(bins_.size()), kBlockThreads, 0,
                            context_.stream>>>(spec, n_frames_, n_bins_, bins_.get());
    CUDA_CHECK_LAUNCH();
    CUFFT_CHECK(
        cufftExecC2R(c2r_.get(), reinterpret_cast<cufftComplex*>(bins_.get()), frames_.get()));
    overlap_add_kernel<<<elementwise_blocks(shape_.n_samples), kBlockThreads, 0, context_.stream>>>(
        frames_.get(), synthesis_window_.get(), inverse_envelope_.get(), shape_.n_samples, n_fft_,
        shape_.hop, n_frames_, audio);
    CUDA_CHECK_LAUNCH();
  }

  // grad_spec [T, C, 2] -> grad_audio [n_samples], the adjoint of forward (backend.h); grad_spec
  // is left untouched (the C2R transforms a scaled copy).
  void backward(const float* grad_spec, float* grad_audio) override {
    adjoint_copy_kernel<<<elementwise_blocks(bins_.size()), kBlockThreads, 0, context_.stream>>>(
        grad_spec, n_frames_, n_bins_, bins_.get());
    CUDA_CHECK_LAUNCH();
    CUFFT_CHECK(
        cufftExecC2R(c2r_.get(), reinterpret_cast<cufftComplex*>(bins_.get()), frames_.get()));
    overlap_add_kernel<<<elementwise_blocks(shape_.n_samples), kBlockThreads, 0, context_.stream>>>(
        frames_.get(), window_.get(), nullptr, shape_.n_samples, n_fft_, shape_.hop, n_frames_,
        grad_audio);
    CUDA_CHECK_LAUNCH();
  }

  size_t workspace_bytes() const override {
    return window_.bytes() + synthesis_window_.bytes() + inverse_envelope_.bytes() +
           frames_.bytes() + bins_.bytes() + cufft_work_bytes_;
  }

 private:
  static void make_plan(CufftPlan& plan, FftLayout layout, cufftType type, size_t* work_bytes) {
    CUFFT_CHECK(cufftMakePlanMany64(plan.get(), 1, &layout.n, &layout.inembed, layout.istride,
                                    layout.idist, &layout.onembed, layout.ostride, layout.odist,
                                    type, layout.batch, work_bytes));
  }

  void upload(DeviceArray<float>& dst, const std::vector<float>& src) {
    CUDA_CHECK(cudaMemcpyAsync(dst.get(), src.data(), sizeof(float) * src.size(),
                               cudaMemcpyHostToDevice, context_.stream));
  }

  Context context_;
  int n_fft_ = 0;
  int n_bins_ = 0;
  int64_t n_frames_ = 0;
  DeviceArray<float> window_;            // [n_fft] analysis window
  DeviceArray<float> synthesis_window_;  // [n_fft] window / n_fft
  DeviceArray<float> inverse_envelope_;  // [n_samples] 1 / window sum-square (1 where it is ~0)
  DeviceArray<float> frames_;            // [T, n_fft] windowed frames / C2R output
  DeviceArray<float> bins_;              // [T, C, 2] copy of the spectrum for the C2R
  CufftPlan r2c_, c2r_;
  size_t cufft_work_bytes_ = 0;
};

}  // namespace

std::unique_ptr<Stft> make_stft(const Context& context, const StftShape& shape) {
  return std::make_unique<CudaStft>(context, shape);
}

}  // namespace audiostyle::cuda
