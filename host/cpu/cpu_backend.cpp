// The CPU backend: host memory, forwarding each op to its CPU twin.
#include <cblas.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>
#include <thread>
#include <unordered_map>

#include "audiostyle/errors.h"
#include "host/cpu/cpu_ops.h"

#include <unistd.h>

namespace audiostyle {
namespace {

class CpuBackend final : public Backend {
 public:
  std::string name() const override { return "cpu"; }
  std::string device_name() const override {
    // The threads OpenBLAS uses (--threads sets them), not the cores the machine has.
    return "CPU (" + std::to_string(openblas_get_num_threads()) + " threads)";
  }

  void* allocate(size_t bytes) override {
    // 64-byte alignment for SIMD and BLAS.
    const size_t rounded = (bytes + 63) / 64 * 64;
    void* ptr = std::aligned_alloc(64, rounded);
    if (!ptr && bytes > 0)
      throw DeviceError("out of host memory: could not allocate " + std::to_string(bytes >> 20) +
                        " MiB");
    if (ptr) {
      sizes_[ptr] = rounded;
      live_bytes_ += rounded;
      peak_bytes_ = std::max(peak_bytes_, live_bytes_);
    }
    return ptr;
  }
  void deallocate(void* ptr) noexcept override {
    if (!ptr) return;
    const auto it = sizes_.find(ptr);
    if (it != sizes_.end()) {
      live_bytes_ -= it->second;
      sizes_.erase(it);
    }
    std::free(ptr);
  }
  size_t peak_memory_bytes() const override { return peak_bytes_; }
  void upload(void* dst, const void* src, size_t bytes) override { std::memcpy(dst, src, bytes); }
  void download(void* dst, const void* src, size_t bytes) override { std::memcpy(dst, src, bytes); }
  void copy(void* dst, const void* src, size_t bytes) override { std::memmove(dst, src, bytes); }
  void synchronize() override {}
  size_t available_memory_bytes() const override {
    const long pages = sysconf(_SC_AVPHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    return pages > 0 && page > 0 ? size_t(pages) * size_t(page) : 0;
  }

  std::unique_ptr<Stft> make_stft(const StftShape& shape) override { return cpu::make_stft(shape); }
  std::unique_ptr<Conv1d> make_conv1d(const ConvShape& shape, Precision) override {
    return cpu::make_conv1d(shape);
  }
  std::unique_ptr<Gram> make_gram(int64_t rows, int cols, Precision, int batch) override {
    return cpu::make_gram(rows, cols, batch);
  }
  std::unique_ptr<Timer> make_timer() override { return cpu::make_timer(); }
  // Precision is ignored: the CPU computes in fp32 (OpenBLAS) always.
  std::unique_ptr<Conv2d> make_conv2d(const Conv2dShape& shape, Precision) override {
    return cpu::make_conv2d(shape);
  }
  // The CPU plans hold only FFTW's scratch, which the plan's STFT item already counts.
  size_t plan_scratch_bytes(const ConvShape&, Precision, int) const override { return 0; }

  void fill_normal(float* out, int64_t count, uint64_t seed, uint32_t stream,
                   float stddev) override {
    cpu::fill_normal(out, count, seed, stream, stddev);
  }
  void fill_phasor(float* phasors, int64_t count, uint64_t seed, uint32_t stream) override {
    cpu::fill_phasor(phasors, count, seed, stream);
  }

  void log1p_magnitude(const float* spec, int64_t count, float* out) override {
    cpu::log1p_magnitude(spec, count, out);
  }
  void log1p_magnitude_backward(const float* spec, const float* grad_x, int64_t count,
                                float* grad_spec) override {
    cpu::log1p_magnitude_backward(spec, grad_x, count, grad_spec);
  }
  void expm1_clamped(const float* x, int64_t count, float* out) override {
    cpu::expm1_clamped(x, count, out);
  }
  void apply_magnitude(const float* magnitude, const float* phasor, int64_t count,
                       float* spec) override {
    cpu::apply_magnitude(magnitude, phasor, count, spec);
  }
  void griffinlim_update(const float* rebuilt, float* previous, float* angles, int64_t count,
                         float momentum) override {
    cpu::griffinlim_update(rebuilt, previous, angles, count, momentum);
  }
  void spectral_distance(const float* spec, const float* magnitude, int64_t count,
                         double* slots) override {
    cpu::spectral_distance(spec, magnitude, count, slots);
  }
  void griffinlim_agla_update(const float* rebuilt, float* previous, float* extrapolated,
                              float* angles, int64_t count, float alpha, float beta,
                              float gamma) override {
    cpu::griffinlim_agla_update(rebuilt, previous, extrapolated, angles, count, alpha, beta, gamma);
  }
  void bin_energy(const float* spec, int64_t n_frames, int n_bins, double* energy) override {
    cpu::bin_energy(spec, n_frames, n_bins, energy);
  }
  void scale_bins(float* spec, const float* gain, int64_t n_frames, int n_bins) override {
    cpu::scale_bins(spec, gain, n_frames, n_bins);
  }

  void style_loss(const float* gram, const float* target, int64_t count, int batch, float* error,
                  double* loss) override {
    cpu::style_loss(gram, target, count, batch, error, loss);
  }
  void content_loss(const float* features, const float* target, int64_t count, float alpha,
                    float* grad, double* loss) override {
    cpu::content_loss(features, target, count, alpha, grad, loss);
  }

  void fill(float* x, int64_t count, float value) override { cpu::fill(x, count, value); }
  void axpy(int64_t count, float a, const float* x, float* y) override { cpu::axpy(count, a, x, y); }
  void scale(int64_t count, float a, float* x) override { cpu::scale(count, a, x); }
  void dot(int64_t count, const float* x, const float* y, double* out) override {
    cpu::dot(count, x, y, out);
  }
  void amax(int64_t count, const float* x, double* out) override { cpu::amax(count, x, out); }
  void add_slots(const double* a, double* out) override { *out = a[0] + a[1]; }
  void gather_columns(const float* x, int64_t rows, int cols, const int* index, int n_index,
                      float* y) override {
    cpu::gather_columns(x, rows, cols, index, n_index, y);
  }
  void scatter_columns(const float* y, int64_t rows, int cols, const int* index, int n_index,
                       float* x) override {
    cpu::scatter_columns(y, rows, cols, index, n_index, x);
  }
  void bin_gain(float* x, int64_t rows, int cols, const float* gain) override {
    cpu::bin_gain(x, rows, cols, gain);
  }

  void log1p_map(const float* x, int64_t count, float* y) override {
    cpu::log1p_map(x, count, y);
  }
  void expm1_map(const float* x, int64_t count, float* y) override {
    cpu::expm1_map(x, count, y);
  }
  void one_plus_scale(const float* v, int64_t count, bool divide, float* grad) override {
    cpu::one_plus_scale(v, count, divide, grad);
  }
  void relu(const float* x, int64_t count, float* y) override { cpu::relu(x, count, y); }
  void relu_backward(const float* y, int64_t count, float* grad) override {
    cpu::relu_backward(y, count, grad);
  }
  void maxpool2x2(const float* x, int n_batch, int height, int width, int channels,
                  float* y) override {
    cpu::maxpool2x2(x, n_batch, height, width, channels, y);
  }
  void maxpool2x2_backward(const float* x, const float* y, const float* grad_y, int n_batch,
                           int height, int width, int channels, float* grad_x) override {
    cpu::maxpool2x2_backward(x, y, grad_y, n_batch, height, width, channels, grad_x);
  }
  void l2_normalize(const float* x, int64_t count, int batch, float* y, double* norms) override {
    cpu::l2_normalize(x, count, batch, y, norms);
  }
  void l2_normalize_backward(const float* y, const float* grad_y, const double* norms,
                             int64_t count, int batch, float* grad_x) override {
    cpu::l2_normalize_backward(y, grad_y, norms, count, batch, grad_x);
  }
  void grey_to_rgb(const float* x, int64_t pixels, float* y) override {
    cpu::grey_to_rgb(x, pixels, y);
  }
  void grey_to_rgb_backward(const float* grad_y, int64_t pixels, float* grad_x) override {
    cpu::grey_to_rgb_backward(grad_y, pixels, grad_x);
  }

  void lbfgs_curvature(LbfgsHistory& h) override { cpu::lbfgs_curvature(h); }
  void lbfgs_direction(LbfgsHistory& h, const float* grad, float* direction) override {
    cpu::lbfgs_direction(h, grad, direction);
  }
  void adam_step(int64_t count, float* x, const float* grad, float* m, float* v, float lr,
                 float beta1, float beta2, float eps, int step) override {
    cpu::adam_step(count, x, grad, m, v, lr, beta1, beta2, eps, step);
  }

 private:
  std::unordered_map<void*, size_t> sizes_;
  size_t live_bytes_ = 0, peak_bytes_ = 0;
};

}  // namespace

std::unique_ptr<Backend> make_cpu_backend() { return std::make_unique<CpuBackend>(); }

}  // namespace audiostyle
