// The CUDA twins of host/cpu/cpu_ops.h: one op per kernels/<name>.cu, each enqueued on the
// backend's single stream. Pointers are device memory; scalars ("slots") are device doubles and
// nothing here reads back to the host.
#pragma once
#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <cstdint>
#include <memory>

#include "audiostyle/backend.h"

struct cudnnContext;  // cudnn.h's handle type, declared here so only conv2d.cu includes cuDNN

namespace audiostyle::cuda {

constexpr int kReduceMaxBlocks = 1024;  // partials per reduced value (pass 1 grid cap)
constexpr int kReduceMaxValues = 2;     // spectral_distance reduces two sums at once
constexpr int kScratchSlots = 4;        // device doubles for intermediate scalars (L-BFGS)

// What every op needs, owned by the CudaBackend (kernels/cuda_backend.cu) and valid while it lives.
// Plans copy it; they must not outlive the backend that made them.
struct Context {
  int device = 0;
  cudaStream_t stream = nullptr;
  cublasHandle_t cublas = nullptr;    // stream and workspace set once
  double* reduce_partials = nullptr;  // [kReduceMaxValues * kReduceMaxBlocks]
  double* scratch_slots = nullptr;    // [kScratchSlots]
  cudnnContext* cudnn = nullptr;      // cudnnHandle_t on `stream`; made by the first make_conv2d
};

// vector_ops.cu: throws DeviceError when this build's kernels cannot run on the current device.
void check_kernel_image();

// stft.cu (cuFFT R2C/C2R, plans made once)
std::unique_ptr<Stft> make_stft(const Context& context, const StftShape& shape);
// conv1d.cu (cuBLAS: K shifted GEMMs, each strided-batched over the items)
std::unique_ptr<Conv1d> make_conv1d(const Context& context, const ConvShape& shape,
                                    Precision precision);
// gram.cu (cuBLAS, strided-batched over the items)
std::unique_ptr<Gram> make_gram(const Context& context, int64_t rows, int cols, Precision precision,
                                int batch);
// timer.cpp (a cudaEvent pair on the context's stream)
std::unique_ptr<Timer> make_timer(const Context& context);

// conv2d.cu (cuDNN, NHWC; algorithms chosen by measurement when the plan is made)
std::unique_ptr<Conv2d> make_conv2d(const Context& context, const Conv2dShape& shape,
                                    Precision precision);

// log1p_map.cu
void log1p_map(const Context& context, const float* x, int64_t count, float* y);
void expm1_map(const Context& context, const float* x, int64_t count, float* y);
void one_plus_scale(const Context& context, const float* v, int64_t count, bool divide,
                    float* grad);

// relu.cu
void relu(const Context& context, const float* x, int64_t count, float* y);
void relu_backward(const Context& context, const float* y, int64_t count, float* grad);

// pool2d.cu (NHWC, 2x2 stride 2, floor)
void maxpool2x2(const Context& context, const float* x, int n_batch, int height, int width,
                int channels, float* y);
void maxpool2x2_backward(const Context& context, const float* x, const float* y,
                         const float* grad_y, int n_batch, int height, int width, int channels,
                         float* grad_x);

// l2_normalize.cu (per-item deterministic reductions; uses scratch_slots[3])
void l2_normalize(const Context& context, const float* x, int64_t count, int batch, float* y,
                  double* norms);
void l2_normalize_backward(const Context& context, const float* y, const float* grad_y,
                           const double* norms, int64_t count, int batch, float* grad_x);

// grey_to_rgb.cu
void grey_to_rgb(const Context& context, const float* x, int64_t pixels, float* y);
void grey_to_rgb_backward(const Context& context, const float* grad_y, int64_t pixels,
                          float* grad_x);

// philox.cu
void fill_normal(const Context& context, float* out, int64_t count, uint64_t seed, uint32_t stream,
                 float stddev);
void fill_phasor(const Context& context, float* phasors, int64_t count, uint64_t seed,
                 uint32_t stream);

// spectral.cu
void log1p_magnitude(const Context& context, const float* spec, int64_t count, float* out);
void log1p_magnitude_backward(const Context& context, const float* spec, const float* grad_x,
                              int64_t count, float* grad_spec);
void expm1_clamped(const Context& context, const float* x, int64_t count, float* out);
void apply_magnitude(const Context& context, const float* magnitude, const float* phasor,
                     int64_t count, float* spec);
void spectral_distance(const Context& context, const float* spec, const float* magnitude,
                       int64_t count, double* slots);

// griffinlim.cu
void griffinlim_update(const Context& context, const float* rebuilt, float* previous, float* angles,
                       int64_t count, float momentum);

// griffinlim_agla.cu
void griffinlim_agla_update(const Context& context, const float* rebuilt, float* previous,
                            float* extrapolated, float* angles, int64_t count, float alpha,
                            float beta, float gamma);

// bin_energy.cu
void bin_energy(const Context& context, const float* spec, int64_t n_frames, int n_bins,
                double* energy);

// scale_bins.cu
void scale_bins(const Context& context, float* spec, const float* gain, int64_t n_frames,
                int n_bins);

// loss.cu
// style_loss: gram, error [batch, count], target [count] broadcast to every item
void style_loss(const Context& context, const float* gram, const float* target, int64_t count,
                int batch, float* error, double* loss);
void content_loss(const Context& context, const float* features, const float* target, int64_t count,
                  float alpha, float* grad, double* loss);

// vector_ops.cu
void fill(const Context& context, float* x, int64_t count, float value);
void axpy(const Context& context, int64_t count, float a, const float* x, float* y);
void scale(const Context& context, int64_t count, float a, float* x);
void dot(const Context& context, int64_t count, const float* x, const float* y, double* out);
void amax(const Context& context, int64_t count, const float* x, double* out);
void add_slots(const Context& context, const double* a, double* out);

// gather_columns.cu
void gather_columns(const Context& context, const float* x, int64_t rows, int cols,
                    const int* index, int n_index, float* y);
void scatter_columns(const Context& context, const float* y, int64_t rows, int cols,
                     const int* index, int n_index, float* x);

// bin_gain.cu
void bin_gain(const Context& context, float* x, int64_t rows, int cols, const float* gain);
// Pass 1 of a dot product into context.reduce_partials; returns the block count for
// finalize_partials (reduce.cuh), so callers can attach their own epilogue (lbfgs.cu).
int dot_partials(const Context& context, int64_t count, const float* x, const float* y);

// lbfgs.cu
void lbfgs_curvature(const Context& context, LbfgsHistory& h);
void lbfgs_direction(const Context& context, LbfgsHistory& h, const float* grad, float* direction);

// adam.cu
void adam_step(const Context& context, int64_t count, float* x, const float* grad, float* m,
               float* v, float lr, float beta1, float beta2, float eps, int step);

}  // namespace audiostyle::cuda
