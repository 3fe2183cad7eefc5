// Test fixtures for the optimisers (tests/pipeline/test_lbfgs.cpp, test_adam.cpp): objectives
// evaluated on the host through backend transfers, and a Backend decorator that counts traffic.
#pragma once
#include <algorithm>
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "audiostyle/backend.h"
#include "host/pipeline/optimizer.h"
#include "tests/support.h"

namespace audiostyle::test {

// f and g = df/dx in double on the host; returns f.
using HostFunction = std::function<double(const std::vector<double>& x, std::vector<double>& g)>;

// An objective that reads x from backend memory, evaluates on the host and writes g and f back.
// Its transfers go through `io`, a backend the optimiser does not see, so counting the optimiser's
// own downloads is not muddied by the test's. It records every evaluation as the optimiser saw it
// (float x, float-rounded g).
class HostObjective final : public Objective {
 public:
  struct Record {
    std::vector<double> x, g;
    double f = 0;
  };
  HostObjective(Backend& io, int64_t n, HostFunction function, int value_count = 1)
      : io_(io), n_(n), function_(std::move(function)), value_count_(value_count),
        x_float_(size_t(n)), g_float_(size_t(n)) {}
  int value_count() const override { return value_count_; }
  void evaluate(const float* x, float* grad, double* values) override {
    io_.download(x_float_.data(), x, sizeof(float) * size_t(n_));
    Record record;
    record.x.assign(x_float_.begin(), x_float_.end());
    record.g.resize(size_t(n_));
    record.f = function_(record.x, record.g);
    for (size_t i = 0; i < size_t(n_); ++i) {
      g_float_[i] = float(record.g[i]);
      record.g[i] = g_float_[i];
    }
    io_.upload(grad, g_float_.data(), sizeof(float) * size_t(n_));
    // Extra values split f into parts the way the style-transfer loss reports content and style.
    std::vector<double> reported(size_t(value_count_), 0.0);
    reported[0] = record.f;
    for (int part = 1; part < value_count_; ++part)
      reported[size_t(part)] = record.f / (value_count_ - 1);
    io_.upload(values, reported.data(), sizeof(double) * reported.size());
    records.push_back(std::move(record));
  }
  std::vector<Record> records;

 private:
  Backend& io_;
  int64_t n_;
  HostFunction function_;
  int value_count_;
  std::vector<float> x_float_, g_float_;
};

// Chained Rosenbrock (scipy.optimize.rosen): sum_i 100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2.
inline double rosenbrock(const std::vector<double>& x, std::vector<double>& g) {
  double f = 0;
  std::fill(g.begin(), g.end(), 0.0);
  for (size_t i = 0; i + 1 < x.size(); ++i) {
    const double valley = x[i + 1] - x[i] * x[i], offset = 1 - x[i];
    f += 100 * valley * valley + offset * offset;
    g[i] += -400 * x[i] * valley - 2 * offset;
    g[i + 1] += 200 * valley;
  }
  return f;
}

// Diagonal quadratic 0.5 sum_i a_i (x_i - c_i)^2, a_i log-spaced in [1, 100] (condition 100).
struct Quadratic {
  explicit Quadratic(int64_t n, uint64_t seed)
      : curvature(size_t(n)), centre(random_uniform(size_t(n), seed, -2.f, 2.f)) {
    for (int64_t i = 0; i < n; ++i)
      curvature[size_t(i)] = std::pow(100.0, double(i) / double(n - 1));
  }
  double operator()(const std::vector<double>& x, std::vector<double>& g) const {
    double f = 0;
    for (size_t i = 0; i < x.size(); ++i) {
      const double offset = x[i] - centre[i];
      f += 0.5 * curvature[i] * offset * offset;
      g[i] = curvature[i] * offset;
    }
    return f;
  }
  std::vector<double> curvature;
  std::vector<float> centre;
};

// Forwards every call to the CPU backend and counts memory traffic, and can hand the optimiser an
// ascent direction once, to exercise the non-descent reset.
class CountingBackend final : public Backend {
 public:
  explicit CountingBackend(Backend& inner) : inner_(inner) {}
  int allocations = 0, downloads = 0, uploads = 0;
  size_t allocated_bytes = 0;
  size_t available_limit = 0;  // > 0: report at most this much free memory (a small device)
  int sabotage_direction_call = -1;  // 0-based lbfgs_direction call to negate, -1 for none
  std::vector<int> direction_history_counts;  // h.count seen by each lbfgs_direction call
  int sabotage_curvature_call = -1;  // 0-based lbfgs_curvature call whose verdict is forced to 0
  int curvature_calls = 0;
  // Pairs with rho != 0 among the h.count walked by each lbfgs_direction call.
  std::vector<int> direction_valid_pairs;

  std::string name() const override { return inner_.name(); }
  std::string device_name() const override { return inner_.device_name(); }
  void* allocate(size_t bytes) override {
    ++allocations;
    allocated_bytes += bytes;
    return inner_.allocate(bytes);
  }
  void deallocate(void* ptr) noexcept override { inner_.deallocate(ptr); }
  void upload(void* dst, const void* src, size_t bytes) override {
    ++uploads;
    inner_.upload(dst, src, bytes);
  }
  void download(void* dst, const void* src, size_t bytes) override {
    ++downloads;
    inner_.download(dst, src, bytes);
  }
  void copy(void* dst, const void* src, size_t bytes) override { inner_.copy(dst, src, bytes); }
  void synchronize() override { inner_.synchronize(); }
  size_t peak_memory_bytes() const override { return inner_.peak_memory_bytes(); }
  size_t available_memory_bytes() const override {
    const size_t inner = inner_.available_memory_bytes();
    return available_limit > 0 ? std::min(inner, available_limit) : inner;
  }
  std::unique_ptr<Stft> make_stft(const StftShape& shape) override {
    return inner_.make_stft(shape);
  }
  std::unique_ptr<Conv1d> make_conv1d(const ConvShape& shape, Precision precision) override {
    return inner_.make_conv1d(shape, precision);
  }
  std::unique_ptr<Gram> make_gram(int64_t rows, int cols, Precision precision,
                                  int batch) override {
    return inner_.make_gram(rows, cols, precision, batch);
  }
  std::unique_ptr<Timer> make_timer() override { return inner_.make_timer(); }
  std::unique_ptr<Conv2d> make_conv2d(const Conv2dShape& shape, Precision precision) override {
    return inner_.make_conv2d(shape, precision);
  }
  size_t plan_scratch_bytes(const ConvShape& shape, Precision precision,
                            int n_fft) const override {
    return inner_.plan_scratch_bytes(shape, precision, n_fft);
  }
  void fill_normal(float* out, int64_t count, uint64_t seed, uint32_t stream,
                   float stddev) override {
    inner_.fill_normal(out, count, seed, stream, stddev);
  }
  void fill_phasor(float* phasors, int64_t count, uint64_t seed, uint32_t stream) override {
    inner_.fill_phasor(phasors, count, seed, stream);
  }
  void log1p_magnitude(const float* spec, int64_t count, float* out) override {
    inner_.log1p_magnitude(spec, count, out);
  }
  void log1p_magnitude_backward(const float* spec, const float* grad_x, int64_t count,
                                float* grad_spec) override {
    inner_.log1p_magnitude_backward(spec, grad_x, count, grad_spec);
  }
  void expm1_clamped(const float* x, int64_t count, float* out) override {
    inner_.expm1_clamped(x, count, out);
  }
  void log1p_map(const float* x, int64_t count, float* y) override {
    inner_.log1p_map(x, count, y);
  }
  void expm1_map(const float* x, int64_t count, float* y) override {
    inner_.expm1_map(x, count, y);
  }
  void one_plus_scale(const float* v, int64_t count, bool divide, float* grad) override {
    inner_.one_plus_scale(v, count, divide, grad);
  }
  void apply_magnitude(const float* magnitude, const float* phasor, int64_t count,
                       float* spec) override {
    inner_.apply_magnitude(magnitude, phasor, count, spec);
  }
  void griffinlim_update(const float* rebuilt, float* previous, float* angles, int64_t count,
                         float momentum) override {
    inner_.griffinlim_update(rebuilt, previous, angles, count, momentum);
  }
  void spectral_distance(const float* spec, const float* magnitude, int64_t count,
                         double* slots) override {
    inner_.spectral_distance(spec, magnitude, count, slots);
  }
  void griffinlim_agla_update(const float* rebuilt, float* previous, float* extrapolated,
                              float* angles, int64_t count, float alpha, float beta,
                              float gamma) override {
    inner_.griffinlim_agla_update(rebuilt, previous, extrapolated, angles, count, alpha, beta, gamma);
  }
  void bin_energy(const float* spec, int64_t n_frames, int n_bins, double* energy) override {
    inner_.bin_energy(spec, n_frames, n_bins, energy);
  }
  void scale_bins(float* spec, const float* gain, int64_t n_frames, int n_bins) override {
    inner_.scale_bins(spec, gain, n_frames, n_bins);
  }
  void style_loss(const float* gram, const float* target, int64_t count, int batch, float* error,
                  double* loss) override {
    inner_.style_loss(gram, target, count, batch, error, loss);
  }
  void content_loss(const float* features, const float* target, int64_t count, float alpha,
                    float* grad, double* loss) override {
    inner_.content_loss(features, target, count, alpha, grad, loss);
  }
  void fill(float* x, int64_t count, float value) override { inner_.fill(x, count, value); }
  void axpy(int64_t count, float a, const float* x, float* y) override {
    inner_.axpy(count, a, x, y);
  }
  void scale(int64_t count, float a, float* x) override { inner_.scale(count, a, x); }
  void dot(int64_t count, const float* x, const float* y, double* out) override {
    inner_.dot(count, x, y, out);
  }
  void amax(int64_t count, const float* x, double* out) override { inner_.amax(count, x, out); }
  void add_slots(const double* a, double* out) override { inner_.add_slots(a, out); }
  void relu(const float* x, int64_t count, float* y) override { inner_.relu(x, count, y); }
  void relu_backward(const float* y, int64_t count, float* grad) override {
    inner_.relu_backward(y, count, grad);
  }
  void maxpool2x2(const float* x, int n_batch, int height, int width, int channels,
                  float* y) override {
    inner_.maxpool2x2(x, n_batch, height, width, channels, y);
  }
  void maxpool2x2_backward(const float* x, const float* y, const float* grad_y, int n_batch,
                           int height, int width, int channels, float* grad_x) override {
    inner_.maxpool2x2_backward(x, y, grad_y, n_batch, height, width, channels, grad_x);
  }
  void l2_normalize(const float* x, int64_t count, int batch, float* y, double* norms) override {
    inner_.l2_normalize(x, count, batch, y, norms);
  }
  void l2_normalize_backward(const float* y, const float* grad_y, const double* norms,
                             int64_t count, int batch, float* grad_x) override {
    inner_.l2_normalize_backward(y, grad_y, norms, count, batch, grad_x);
  }
  void grey_to_rgb(const float* x, int64_t pixels, float* y) override {
    inner_.grey_to_rgb(x, pixels, y);
  }
  void grey_to_rgb_backward(const float* grad_y, int64_t pixels, float* grad_x) override {
    inner_.grey_to_rgb_backward(grad_y, pixels, grad_x);
  }
  void lbfgs_curvature(LbfgsHistory& h) override {
    inner_.lbfgs_curvature(h);
    if (curvature_calls++ == sabotage_curvature_call) {
      const double failed = 0.0;  // as if s.y <= eps y.y
      inner_.upload(h.rho + h.newest, &failed, sizeof failed);
    }
  }
  void lbfgs_direction(LbfgsHistory& h, const float* grad, float* direction) override {
    // rho read through the inner backend (device memory on CUDA), not counted as traffic.
    std::vector<double> rho(size_t(h.capacity));
    inner_.download(rho.data(), h.rho, sizeof(double) * rho.size());
    int valid = 0;
    for (int k = 0; k < h.count; ++k) valid += rho[size_t((h.newest - k + h.capacity) % h.capacity)] != 0;
    direction_valid_pairs.push_back(valid);
    inner_.lbfgs_direction(h, grad, direction);
    if (int(direction_history_counts.size()) == sabotage_direction_call)
      inner_.scale(h.n, -1.f, direction);
    direction_history_counts.push_back(h.count);
  }
  void adam_step(int64_t count, float* x, const float* grad, float* m, float* v, float lr,
                 float beta1, float beta2, float eps, int step) override {
    inner_.adam_step(count, x, grad, m, v, lr, beta1, beta2, eps, step);
  }
  void bin_gain(float* x, int64_t rows, int cols, const float* gain) override {
    inner_.bin_gain(x, rows, cols, gain);
  }
  void gather_columns(const float* x, int64_t rows, int cols, const int* index, int n_index,
                      float* y) override {
    inner_.gather_columns(x, rows, cols, index, n_index, y);
  }
  void scatter_columns(const float* y, int64_t rows, int cols, const int* index, int n_index,
                       float* x) override {
    inner_.scatter_columns(y, rows, cols, index, n_index, x);
  }

 private:
  Backend& inner_;
};

}  // namespace audiostyle::test
