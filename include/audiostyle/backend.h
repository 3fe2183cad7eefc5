// The backend interface: every numerical op the pipeline needs, on memory the backend owns.
// Two implementations: CPU (host/cpu/, the oracle and the fallback) and CUDA (kernels/, the product).
// The pipeline and the optimisers are written once against this interface.
//
// Conventions (all row-major):
//   spectrogram x        [B, T, C] float, T frames, C = n_fft/2 + 1 bins (bins contiguous)
//   complex spectrogram  [T, C, 2] float (re, im interleaved)
//   conv weights W       [F, K, C] float, F filters, K taps
//   features A           [B, T - K + 1, F] float (after ReLU), B items (stereo channels, segments)
//   Gram G               [F, F] float
//   scalars              double, in backend memory ("slots"); read with one download
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace audiostyle {

enum class Precision { fp32, tf32, bf16 };
const char* to_string(Precision p);

// STFT geometry, librosa conventions: periodic Hann, center=True with zero padding.
// win_length (librosa's win_length): the Hann window's taps, centred in the n_fft-point frame with
// (n_fft - win_length) / 2 zeros before it (librosa.util.pad_center); 0 means n_fft.
// Valid shapes have 0 < window_length() <= n_fft.
struct StftShape {
  int n_fft = 2048;
  int hop = 512;
  int64_t n_samples = 0;
  int win_length = 0;
  int n_bins() const { return n_fft / 2 + 1; }
  int window_length() const { return win_length == 0 ? n_fft : win_length; }
  int64_t n_frames() const { return 1 + n_samples / hop; }
};

// Short-time Fourier transform for one shape; plans and scratch made once.
class Stft {
 public:
  virtual ~Stft() = default;
  const StftShape& shape() const { return shape_; }
  // audio [n_samples] -> spec [T, C, 2]
  virtual void forward(const float* audio, float* spec) = 0;
  // spec [T, C, 2] -> audio [n_samples]; overlap-add normalised by the window sum-square where it is
  // not tiny (librosa's istft with length = n_samples). `spec` is not modified.
  virtual void inverse(const float* spec, float* audio) = 0;
  // The adjoint of forward() with respect to the real audio (its backward pass): given
  // grad_spec [T, C, 2] = dL/d(re, im) of spec, grad_audio [n_samples] = dL/d(audio), overwritten:
  //   grad_audio[m] = sum_t w[n] Re(sum_{f < C} grad_spec[t, f] e^{+2 pi i f n / n_fft}),
  //   m = t*hop - n_fft/2 + n. The C bins are the half spectrum: an irfft counts each interior bin
  //   twice (its mirror) and DC and Nyquist once, so interior bins are halved before it. The
  //   padding is constant (zeros), so padded taps' gradient is dropped; no window-sum
  //   normalisation (that is the inverse's). Satisfies <forward(y), G> = <y, backward(G)>.
  //   `grad_spec` is not modified.
  virtual void backward(const float* grad_spec, float* grad_audio) = 0;
  virtual size_t workspace_bytes() const = 0;  // scratch the plan holds

 protected:
  explicit Stft(const StftShape& shape) : shape_(shape) {}
  StftShape shape_;
};

struct ConvShape {
  int64_t n_frames = 0;  // T (input frames per item)
  int n_channels = 0;    // C
  int n_filters = 0;     // F
  int kernel_width = 0;  // K
  int n_batch = 1;       // B: independent items (stereo channels, segments) in one launch
  int64_t out_frames() const { return n_frames - kernel_width + 1; }
};

// 1D convolution over time, VALID, no bias, ReLU, for one shape. Batched: x [B, T, C] ->
// A [B, T', F], each item convolved on its own (no window crosses an item boundary).
class Conv1d {
 public:
  virtual ~Conv1d() = default;
  const ConvShape& shape() const { return shape_; }
  // Called once before forward/backward (and again if the weights change): the plan may keep a
  // padded or converted copy. W [F, K, C]; the pointer must stay valid while the plan is used.
  virtual void set_weights(const float* weights) = 0;
  // A[b, t, f] = relu(sum_{k, c} x[b, t + k, c] * W[f, k, c]); x [B, T, C], A [B, T', F]
  virtual void forward_relu(const float* x, float* features) = 0;
  // grad_x[b, t + k, c] = sum_f (grad_features[b, t, f] * (features[b, t, f] > 0)) * W[f, k, c]
  // grad_x [B, T, C] is overwritten; grad_features may be overwritten with the masked gradient.
  virtual void backward_input(float* grad_features, const float* features, float* grad_x) = 0;
  virtual size_t workspace_bytes() const = 0;
  virtual std::string algorithm() const = 0;  // what was chosen, for the report

 protected:
  explicit Conv1d(const ConvShape& shape) : shape_(shape) {}
  ConvShape shape_;
};

// --- 2D CNN layers (method 2: VGG16, VGGish) ----------------------------------------------------
// Layout NHWC, row-major: image [B, H, W, C] with channels contiguous. Chosen because (a) a feature
// map [B, H*W, C] is then already the [B, rows, cols] matrix that Gram and content_loss take, so
// method 1's Gram and losses serve every layer unchanged; (b) cuDNN's tensor-core kernels prefer
// NHWC; (c) on the CPU, im2col patches [H*W, 9*Cin] times W^T [9*Cin, Cout] is one GEMM whose
// output is NHWC. The spectrogram x [B, T, C] is the grey image [B, H = T, W = C, 1] as it lies.
struct Conv2dShape {
  int n_batch = 1;
  int height = 0;       // H
  int width = 0;        // W
  int in_channels = 0;  // Cin
  int out_channels = 0; // Cout
  int64_t in_count() const { return int64_t(n_batch) * height * width * in_channels; }
  int64_t out_count() const { return int64_t(n_batch) * height * width * out_channels; }
};

// torchvision's ImageNet normalisation, per RGB channel (grey_to_rgb), for both backends.
inline constexpr float kImagenetMean[3] = {0.485f, 0.456f, 0.406f};
inline constexpr float kImagenetStd[3] = {0.229f, 0.224f, 0.225f};

// 3x3 convolution, stride 1, zero padding 1 (output H x W as the input), with bias; optionally
// fused with ReLU. Weights arrive in PyTorch's layout and the plan keeps whatever copy it needs.
class Conv2d {
 public:
  virtual ~Conv2d() = default;
  const Conv2dShape& shape() const { return shape_; }
  // weights [Cout, Cin, 3, 3] (torchvision's OIHW), bias [Cout]; both host or backend memory as
  // the backend documents (backend memory for both backends here: the pipeline uploads once).
  virtual void set_weights(const float* weights, const float* bias) = 0;
  // y[b, h, w, o] = (relu?)(bias[o] + sum_{i, dy, dx} x[b, h+dy-1, w+dx-1, i] * W[o, i, dy, dx])
  virtual void forward(const float* x, float* y, bool relu) = 0;
  // grad_x = conv^T(grad_y), with grad_y first masked by (y > 0) when `relu` (y the forward's
  // output). grad_x [B, H, W, Cin] is overwritten; grad_y may be overwritten.
  virtual void backward_input(float* grad_y, const float* y, float* grad_x, bool relu) = 0;
  virtual size_t workspace_bytes() const = 0;
  virtual std::string algorithm() const = 0;  // what was chosen (and measured), for the report

 protected:
  explicit Conv2d(const Conv2dShape& shape) : shape_(shape) {}
  Conv2dShape shape_;
};

// Gram matrices of features and their backward pass, for one shape; batched over B items.
class Gram {
 public:
  virtual ~Gram() = default;
  // G_b = scale * A_b^T A_b, or G_b += ... when accumulating (a long input in chunks);
  // A [B, rows, cols], G [B, cols, cols] (full, symmetric)
  virtual void forward(const float* features, float scale, float* gram, bool accumulate = false) = 0;
  // dA_b += scale * A_b E_b; A, dA [B, rows, cols], E [B, cols, cols] symmetric
  virtual void backward(const float* features, const float* gram_error, float scale,
                        float* grad_features) = 0;
  virtual size_t workspace_bytes() const = 0;
  int64_t rows() const { return rows_; }
  int cols() const { return cols_; }
  int batch() const { return batch_; }

 protected:
  Gram(int64_t rows, int cols, int batch) : rows_(rows), cols_(cols), batch_(batch) {}
  int64_t rows_;
  int cols_;
  int batch_;
};

// Times device work: events on CUDA, the steady clock after a synchronise on the CPU.
class Timer {
 public:
  virtual ~Timer() = default;
  virtual void start() = 0;
  virtual double stop_ms() = 0;  // waits for the work enqueued since start()
};

// L-BFGS history in backend memory: ring buffers of s = x_{k+1} - x_k and y = g_{k+1} - g_k.
struct LbfgsHistory {
  float* s = nullptr;          // [capacity, n]
  float* y = nullptr;          // [capacity, n]
  double* rho = nullptr;       // [capacity]: 1 / (s.y), 0 for a pair that failed the curvature
                               // test (skipped by the two-loop; the optimiser then uncounts it)
  double* alpha = nullptr;     // [capacity]: two-loop scratch
  double* gamma = nullptr;     // [1]: initial Hessian scale s.y / y.y of the newest valid pair
  int capacity = 0;
  int count = 0;               // pairs stored, <= capacity
  int newest = -1;             // ring index of the newest pair
  int64_t n = 0;               // vector length
};

// A backend drives one device from one host thread.
class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string name() const = 0;         // "cpu" or "cuda"
  virtual std::string device_name() const = 0;  // e.g. "NVIDIA H100 80GB HBM3", "CPU (2 threads)"

  // --- Memory ------------------------------------------------------------------------------
  virtual void* allocate(size_t bytes) = 0;  // throws DeviceError with the size when it cannot
  virtual void deallocate(void* ptr) noexcept = 0;
  virtual void upload(void* dst_backend, const void* src_host, size_t bytes) = 0;
  virtual void download(void* dst_host, const void* src_backend, size_t bytes) = 0;
  virtual void copy(void* dst, const void* src, size_t bytes) = 0;  // backend to backend, no overlap
  virtual void synchronize() = 0;
  virtual size_t available_memory_bytes() const = 0;
  // High-water mark of the bytes held through allocate() (and the backend's own plan scratch)
  // since the backend was made.
  virtual size_t peak_memory_bytes() const = 0;

  // --- Plans (made once per shape) ---------------------------------------------------------
  virtual std::unique_ptr<Stft> make_stft(const StftShape& shape) = 0;
  virtual std::unique_ptr<Conv1d> make_conv1d(const ConvShape& shape, Precision precision) = 0;
  virtual std::unique_ptr<Gram> make_gram(int64_t rows, int cols, Precision precision,
                                          int batch = 1) = 0;
  virtual std::unique_ptr<Timer> make_timer() = 0;
  virtual std::unique_ptr<Conv2d> make_conv2d(const Conv2dShape& shape, Precision precision) = 0;
  // Scratch the backend's own plans hold for one segment of this conv shape (padded or converted
  // copies, library workspaces), beyond the buffers the pipeline allocates: the memory plan adds it.
  virtual size_t plan_scratch_bytes(const ConvShape& shape, Precision precision,
                                    int n_fft) const = 0;

  // --- Random (philox.h: index -> counter mapping) ------------------------------------------
  // out[i] = stddev * normal(i, seed, stream)
  virtual void fill_normal(float* out, int64_t count, uint64_t seed, uint32_t stream,
                           float stddev) = 0;
  // phasors [count, 2] = (cos, sin) of a uniform phase per element
  virtual void fill_phasor(float* phasors, int64_t count, uint64_t seed, uint32_t stream) = 0;

  // --- Spectral maps ------------------------------------------------------------------------
  // out[i] = log1p(|spec[i]|); spec [count, 2]
  virtual void log1p_magnitude(const float* spec, int64_t count, float* out) = 0;
  // The chain rule through x = log1p|spec|: grad_spec[i] = grad_x[i] / (1 + |spec[i]|) *
  // spec[i] / |spec[i]|, 0 where |spec[i]| = 0 (a subgradient). spec, grad_spec [count, 2];
  // grad_x [count]. grad_spec may alias spec (in place).
  virtual void log1p_magnitude_backward(const float* spec, const float* grad_x, int64_t count,
                                        float* grad_spec) = 0;
  // out[i] = max(expm1(x[i]), 0)
  virtual void expm1_clamped(const float* x, int64_t count, float* out) = 0;
  // spec[i] = magnitude[i] * phasor[i]; phasor, spec [count, 2]
  virtual void apply_magnitude(const float* magnitude, const float* phasor, int64_t count,
                               float* spec) = 0;
  // Fast Griffin-Lim update (Perraudin et al. 2013, as librosa):
  //   angles = rebuilt - momentum / (1 + momentum) * previous; angles /= |angles| + 1e-16;
  //   previous = rebuilt.  All [count, 2].
  virtual void griffinlim_update(const float* rebuilt, float* previous, float* angles,
                                 int64_t count, float momentum) = 0;
  // slots[0] = sum (|spec[i]| - magnitude[i])^2, slots[1] = sum magnitude[i]^2
  virtual void spectral_distance(const float* spec, const float* magnitude, int64_t count,
                                 double* slots) = 0;
  // Accelerated Griffin-Lim update (Nenov, Nguyen, Balazs & Bot 2023), rebuilt = P(c) the
  // projection of the last extrapolated estimate c:
  //   t = (1 - gamma) extrapolated + gamma rebuilt;  c = t + alpha (t - previous);
  //   extrapolated = t + beta (t - previous);  previous = t;  angles = c / (|c| + 1e-16).
  // Only c's direction is kept: the next projection replaces its magnitude. All [count, 2].
  virtual void griffinlim_agla_update(const float* rebuilt, float* previous, float* extrapolated,
                                      float* angles, int64_t count, float alpha, float beta,
                                      float gamma) = 0;
  // energy[c] = sum over t of |spec[t, c]|^2 (double, in frame order); spec [n_frames, n_bins, 2],
  // energy [n_bins]
  virtual void bin_energy(const float* spec, int64_t n_frames, int n_bins, double* energy) = 0;
  // spec[t, c] *= gain[c]; spec [n_frames, n_bins, 2], gain [n_bins]
  virtual void scale_bins(float* spec, const float* gain, int64_t n_frames, int n_bins) = 0;

  // --- Losses -------------------------------------------------------------------------------
  // error_b = gram_b - target for each of `batch` items (target broadcast; error may alias gram);
  // *loss = sum over items and elements of error^2. gram, error [batch, count]; target [count]
  virtual void style_loss(const float* gram, const float* target, int64_t count, int batch,
                          float* error, double* loss) = 0;
  // grad = 2 alpha (A - target); *loss = alpha * sum((A - target)^2)
  virtual void content_loss(const float* features, const float* target, int64_t count,
                            float alpha, float* grad, double* loss) = 0;

  // --- Vector ops for the optimisers --------------------------------------------------------
  virtual void fill(float* x, int64_t count, float value) = 0;
  virtual void axpy(int64_t count, float a, const float* x, float* y) = 0;  // y += a x
  virtual void scale(int64_t count, float a, float* x) = 0;                // x *= a
  // *out = sum x[i] y[i] (double accumulation)
  virtual void dot(int64_t count, const float* x, const float* y, double* out) = 0;
  // *out = max |x[i]|
  virtual void amax(int64_t count, const float* x, double* out) = 0;
  // *out = a[0] + a[1] (device-side sum of two slots, so a total needs no host round trip)
  virtual void add_slots(const double* a, double* out) = 0;

  // --- 2D layer ops (NHWC, see Conv2dShape) ---------------------------------------------------
  // y = max(x, 0); may alias.
  virtual void relu(const float* x, int64_t count, float* y) = 0;
  // grad[i] = (y[i] > 0) ? grad[i] : 0, in place (y the ReLU's output).
  virtual void relu_backward(const float* y, int64_t count, float* grad) = 0;
  // 2x2 max pool, stride 2, floor (torchvision's MaxPool2d(2, 2)): x [B, H, W, C] ->
  // y [B, H/2, W/2, C]. A window's gradient goes to its first maximum in (dy, dx) row-major order.
  virtual void maxpool2x2(const float* x, int n_batch, int height, int width, int channels,
                          float* y) = 0;
  // grad_x [B, H, W, C] overwritten (zero where no window reads, e.g. an odd last row);
  // x and y as in the forward.
  virtual void maxpool2x2_backward(const float* x, const float* y, const float* grad_y,
                                   int n_batch, int height, int width, int channels,
                                   float* grad_x) = 0;
  // Per item b: y_b = x_b / ||x_b||_2 (count elements each); norms[b] = ||x_b|| (double, slots).
  // An all-zero item (silence) gives y_b = 0 (and grad_x_b = 0 below), never NaN.
  virtual void l2_normalize(const float* x, int64_t count, int batch, float* y,
                            double* norms) = 0;
  // grad_x_b = (grad_y_b - y_b (y_b . grad_y_b)) / norms[b]; grad_x may alias grad_y.
  virtual void l2_normalize_backward(const float* y, const float* grad_y, const double* norms,
                                     int64_t count, int batch, float* grad_x) = 0;
  // Grey to ImageNet-normalised RGB: y[p, c] = (x[p] - mean[c]) / std[c], x [pixels],
  // y [pixels, 3], mean and std as torchvision (kImagenetMean, kImagenetStd below).
  virtual void grey_to_rgb(const float* x, int64_t pixels, float* y) = 0;
  // grad_x[p] = sum_c grad_y[p, c] / std[c]
  virtual void grey_to_rgb_backward(const float* grad_y, int64_t pixels, float* grad_x) = 0;

  // --- Real log maps (the mel front end, host/extractors/mel_view.h) -----------------------------
  // y = log1p(x), y = expm1(x) (no clamp: x > -1 for log1p); y may alias x.
  virtual void log1p_map(const float* x, int64_t count, float* y) = 0;
  virtual void expm1_map(const float* x, int64_t count, float* y) = 0;
  // Their chain rule: grad[i] *= 1 + v[i] (expm1, v its output), or /= 1 + v[i] when `divide`
  // (log1p, v its input).
  virtual void one_plus_scale(const float* v, int64_t count, bool divide, float* grad) = 0;

  // --- Bin selection (a band of the spectrogram, host/extractors/band_view.h) -------------------
  // y[r, j] = x[r, index[j]]: x [rows, cols], y [rows, n_index], index [n_index] in backend memory.
  virtual void gather_columns(const float* x, int64_t rows, int cols, const int* index,
                              int n_index, float* y) = 0;
  // Its adjoint for distinct indices: x[r, index[j]] = y[r, j]; x's other columns are untouched.
  virtual void scatter_columns(const float* y, int64_t rows, int cols, const int* index,
                               int n_index, float* x) = 0;

  // --- Post-filters --------------------------------------------------------------------------
  // x[r, c] *= gain[c]: a per-bin gain on a magnitude x [rows, cols] (rows = B * T); gain [cols].
  virtual void bin_gain(float* x, int64_t rows, int cols, const float* gain) = 0;

  // L-BFGS: after the optimiser has written pair `h.newest` (s and y), compute its rho and, when
  // it passes the curvature test s.y > eps * y.y, the new gamma. Device-side: no host decision.
  virtual void lbfgs_curvature(LbfgsHistory& h) = 0;
  // direction = -H g by the two-loop recursion (Nocedal & Wright, Algorithm 7.4) over the stored
  // pairs, newest first; H0 = gamma I.
  virtual void lbfgs_direction(LbfgsHistory& h, const float* grad, float* direction) = 0;
  // Adam (Kingma & Ba) with bias correction; step counts from 1. One fused pass.
  virtual void adam_step(int64_t count, float* x, const float* grad, float* m, float* v, float lr,
                         float beta1, float beta2, float eps, int step) = 0;
};

// Owns `count` elements of T in a backend's memory.
template <class T>
class Buffer {
 public:
  Buffer() = default;
  Buffer(Backend& backend, int64_t count) : backend_(&backend), count_(count) {
    if (count_ > 0) ptr_ = static_cast<T*>(backend.allocate(sizeof(T) * size_t(count_)));
  }
  Buffer(Buffer&& o) noexcept { swap(o); }
  Buffer& operator=(Buffer&& o) noexcept {
    Buffer tmp(std::move(o));
    swap(tmp);
    return *this;
  }
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  ~Buffer() {
    if (ptr_) backend_->deallocate(ptr_);
  }
  T* get() const { return ptr_; }
  int64_t size() const { return count_; }
  size_t bytes() const { return sizeof(T) * size_t(count_); }
  void upload(const std::vector<T>& host) {
    backend_->upload(ptr_, host.data(), sizeof(T) * std::min<size_t>(host.size(), size_t(count_)));
  }
  std::vector<T> download() const {
    std::vector<T> host(static_cast<size_t>(count_));
    if (count_ > 0) backend_->download(host.data(), ptr_, bytes());
    return host;
  }

 private:
  void swap(Buffer& o) noexcept {
    std::swap(backend_, o.backend_);
    std::swap(ptr_, o.ptr_);
    std::swap(count_, o.count_);
  }
  Backend* backend_ = nullptr;
  T* ptr_ = nullptr;
  int64_t count_ = 0;
};

struct DeviceInfo {
  int index = 0;
  std::string name;
  size_t total_memory_bytes = 0;
  size_t free_memory_bytes = 0;
  int compute_major = 0, compute_minor = 0;
};

// Backends compiled into this build and the devices they see.
std::unique_ptr<Backend> make_cpu_backend();
bool cuda_compiled();
// Lists CUDA devices; empty (and `why` set) when CUDA is not compiled in or no device is usable.
std::vector<DeviceInfo> cuda_devices(std::string* why = nullptr);
// Throws DeviceError with a clear message when no device is usable.
std::unique_ptr<Backend> make_cuda_backend(int device_index = 0);

}  // namespace audiostyle
