// Stage benchmarks: each pipeline stage alone, on the Backend, at one problem size.
//
// Work counted (B items, T frames, C bins, F filters, K taps, T' = T - K + 1, N = n_fft, S samples,
// m = L-BFGS history; a real FFT of N points counted as 2.5 N log2 N FLOP):
//   stft                 B T (2.5 N log2 N + N)            bytes: audio in, spectrum out
//   istft                B T (2.5 N log2 N + 2N) + B S     bytes: spectrum in, audio out
//   conv_forward         2 B T' F K C                      bytes: x, W in; A out
//   conv_input_gradient  2 B T' F K C                      bytes: dA, A, W in; dx out
//   gram_forward         B T' F (F + 1)  (symmetric: one triangle's products) bytes: A in; G out
//   gram_backward        2 B T' F^2                        bytes: A, E in; dA in and out
//   loss_gradient        3 B F^2 + 4 B T' F                bytes: G, Gs, A, Ac in; E, dA out
//   objective            the five above (f and its gradient, one evaluation)
//   lbfgs_direction      8 m n + n, n = B T C              bytes: the unfused two loop, (10 m + 4) n floats
//   lbfgs_iteration      steady state: direction + unit step + one evaluation + the new pair (8 n
//                        FLOP, 11 n floats of vector updates besides direction and evaluation)
//   lbfgs_minimize       a whole minimisation of a few iterations from the recipe's start, over
//                        their count (evaluations / iteration recorded: early ones take several)
//   griffinlim_iteration B (stft + istft + 12 T C)         bytes: the fused minimum, B (36 T C + 8 S)
// Bytes are the fewest a stage must move (each input read once, each output written once), in
// float32; a stage at more than the copy rate is running from cache.
#pragma once
#include <nlohmann/json.hpp>

#include <functional>
#include <string>
#include <vector>

#include "audiostyle/backend.h"
#include "bench/bench_util.h"
#include "bench/sizes.h"

namespace audiostyle::bench {

struct StageOptions {
  int warmup = 2, repeats = 10;
  Precision precision = Precision::tf32;  // GEMM precision of conv and Gram (CUDA only)
  int lbfgs_iterations = 5;               // per timed minimisation
  int lbfgs_history = 10;
  int gl_iterations = 20;                 // extra Griffin-Lim iterations the slope is taken over
  float alpha = 1e-2f;
};

struct StageResult {
  std::string name;
  std::string bound;  // "gemm": held against the GEMM ceiling and the copy rate; "memory": copy only
  double flop = 0, bytes = 0;
  Timing timing;
  nlohmann::json details = nlohmann::json::object();  // algorithm, evaluations per iteration...
};

using StageSink = std::function<void(const StageResult&)>;

// Runs the stages whose names pass `wanted` (empty: all), reporting each as it finishes.
void run_spectral_stages(Backend& backend, const BenchSize& size, const StageOptions& options,
                         const std::function<bool(const std::string&)>& wanted,
                         const StageSink& sink);
void run_objective_stages(Backend& backend, const BenchSize& size, const StageOptions& options,
                          const std::function<bool(const std::string&)>& wanted,
                          const StageSink& sink);

// stages_conv2d.cpp: conv2d_<layer>_forward / _input_gradient at VGG16's conv1_1 .. conv3_2 on a
// [1, T, C] spectrogram image (pooled before conv2 and conv3), ReLU on; on the CPU also _v1 / _v2,
// the numbered variants of host/cpu/conv2d.cpp. Work: 2 H W Cout 9 Cin FLOP (all taps);
// bytes forward x, W, b in, y out; backward dy, y, W in, dx out.
void run_conv2d_stages(Backend& backend, const BenchSize& size, const StageOptions& options,
                       const std::function<bool(const std::string&)>& wanted,
                       const StageSink& sink);

// Input sets to cycle through so that repeats of a memory-bound stage stream from memory instead
// of re-reading a cache-resident buffer: enough sets to span 256 MiB, at most 64.
int rotation_sets(double bytes_per_set);
double real_fft_flop(int n);

}  // namespace audiostyle::bench
