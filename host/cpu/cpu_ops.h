// CPU twins of the CUDA kernels: one op per file in host/cpu/, named as its kernels/*.cu sibling.
// Plain loops and OpenBLAS/FFTW on host memory, float data with double accumulation where a sum is
// long. They are the numerical oracle the CUDA tests compare against.
#pragma once
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

// philox.cpp
void fill_normal(float* out, int64_t count, uint64_t seed, uint32_t stream, float stddev);
void fill_phasor(float* phasors, int64_t count, uint64_t seed, uint32_t stream);

// spectral.cpp
void log1p_magnitude(const float* spec, int64_t count, float* out);
void expm1_clamped(const float* x, int64_t count, float* out);
void apply_magnitude(const float* magnitude, const float* phasor, int64_t count, float* spec);
void spectral_distance(const float* spec, const float* magnitude, int64_t count, double* slots);

// griffinlim.cpp
void griffinlim_update(const float* rebuilt, float* previous, float* angles, int64_t count,
                       float momentum);

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

// bin_gain.cpp
void bin_gain(float* x, int64_t rows, int cols, const float* gain);

// lbfgs.cpp
void lbfgs_curvature(LbfgsHistory& h);
void lbfgs_direction(LbfgsHistory& h, const float* grad, float* direction);

// adam.cpp
void adam_step(int64_t count, float* x, const float* grad, float* m, float* v, float lr,
               float beta1, float beta2, float eps, int step);

}  // namespace audiostyle::cpu
