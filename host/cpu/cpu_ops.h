// CPU twins of the CUDA kernels: one op per file in host/cpu/, named as its kernels/*.cu sibling.
// Plain loops and OpenBLAS/FFTW on host memory, float data with double accumulation where a sum is
// long. They are the numerical oracle the CUDA tests compare against.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>

#include "audiostyle/backend.h"

namespace audiostyle::cpu {

// timer.cpp
std::unique_ptr<Timer> make_timer();

// stft.cpp (FFTW, float, plans made once)
std::unique_ptr<Stft> make_stft(const StftShape& shape);
// conv1d.cpp (OpenBLAS: K shifted GEMMs)
std::unique_ptr<Conv1d> make_conv1d(const ConvShape& shape);

// conv2d.cpp (OpenBLAS; numbered variants, each checked against the double reference)
enum class Conv2dVariant {
  automatic,  // as measured (bench/README.md, conv2d CPU variants)
  im2col,     // variant 1: im2col + one GEMM per row block; backward GEMM + col2im
  shifted,    // variant 2: 9 shifted GEMMs over a zero-bordered block; backward the flipped conv
};
// Variant 1 for every shape: it was faster in every measured pair (bench/README.md, conv2d CPU
// variants); variant 2 stays as a checked, timed alternative.
Conv2dVariant automatic_conv2d_variant(const Conv2dShape& shape);
// scratch_budget_bytes bounds the per-block scratch (0: the default, 32 MiB); tests make it small
// to exercise several blocks.
std::unique_ptr<Conv2d> make_conv2d(const Conv2dShape& shape,
                                    Conv2dVariant variant = Conv2dVariant::automatic,
                                    size_t scratch_budget_bytes = 0);

// log1p_map.cpp
void log1p_map(const float* x, int64_t count, float* y);
void expm1_map(const float* x, int64_t count, float* y);
void one_plus_scale(const float* v, int64_t count, bool divide, float* grad);

// relu.cpp
void relu(const float* x, int64_t count, float* y);
void relu_backward(const float* y, int64_t count, float* grad);

// pool2d.cpp
void maxpool2x2(const float* x, int n_batch, int height, int width, int channels, float* y);
void maxpool2x2_backward(const float* x, const float* y, const float* grad_y, int n_batch,
                         int height, int width, int channels, float* grad_x);

// l2_normalize.cpp
void l2_normalize(const float* x, int64_t count, int batch, float* y, double* norms);
void l2_normalize_backward(const float* y, const float* grad_y, const double* norms,
                           int64_t count, int batch, float* grad_x);

// grey_to_rgb.cpp
void grey_to_rgb(const float* x, int64_t pixels, float* y);
void grey_to_rgb_backward(const float* grad_y, int64_t pixels, float* grad_x);

// philox.cpp
void fill_normal(float* out, int64_t count, uint64_t seed, uint32_t stream, float stddev);
void fill_phasor(float* phasors, int64_t count, uint64_t seed, uint32_t stream);

// spectral.cpp
void log1p_magnitude(const float* spec, int64_t count, float* out);
void log1p_magnitude_backward(const float* spec, const float* grad_x, int64_t count,
                              float* grad_spec);
void expm1_clamped(const float* x, int64_t count, float* out);
void apply_magnitude(const float* magnitude, const float* phasor, int64_t count, float* spec);
void spectral_distance(const float* spec, const float* magnitude, int64_t count, double* slots);

// griffinlim.cpp
void griffinlim_update(const float* rebuilt, float* previous, float* angles, int64_t count,
                       float momentum);

// griffinlim_agla.cpp
void griffinlim_agla_update(const float* rebuilt, float* previous, float* extrapolated,
                            float* angles, int64_t count, float alpha, float beta, float gamma);

// bin_energy.cpp
void bin_energy(const float* spec, int64_t n_frames, int n_bins, double* energy);

// scale_bins.cpp
void scale_bins(float* spec, const float* gain, int64_t n_frames, int n_bins);

// gram.cpp (OpenBLAS)
std::unique_ptr<Gram> make_gram(int64_t rows, int cols, int batch);

// loss.cpp
void style_loss(const float* gram, const float* target, int64_t count, int batch, float* error,
                double* loss);
void content_loss(const float* features, const float* target, int64_t count, float alpha,
                  float* grad, double* loss);

// vector_ops.cpp
void fill(float* x, int64_t count, float value);
void axpy(int64_t count, float a, const float* x, float* y);
void scale(int64_t count, float a, float* x);
void dot(int64_t count, const float* x, const float* y, double* out);
void amax(int64_t count, const float* x, double* out);

// gather_columns.cpp
void gather_columns(const float* x, int64_t rows, int cols, const int* index, int n_index,
                    float* y);
void scatter_columns(const float* y, int64_t rows, int cols, const int* index, int n_index,
                     float* x);

// bin_gain.cpp
void bin_gain(float* x, int64_t rows, int cols, const float* gain);

// lbfgs.cpp
void lbfgs_curvature(LbfgsHistory& h);
void lbfgs_direction(LbfgsHistory& h, const float* grad, float* direction);

// adam.cpp
void adam_step(int64_t count, float* x, const float* grad, float* m, float* v, float lr,
               float beta1, float beta2, float eps, int step);

}  // namespace audiostyle::cpu
