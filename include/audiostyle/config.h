// Everything that defines a run. Defaults are the reference recipe (Ulyanov & Lebedev 2016) without
// its 430-frame cap.
#pragma once
#include <cstdint>
#include <string>

#include "audiostyle/backend.h"

namespace audiostyle {

enum class OptimizerKind { lbfgs, adam };
enum class InitKind { random, content };

struct TransferConfig {
  // Signal
  int sample_rate_hz = 22050;
  int n_fft = 2048;
  int hop = 512;
  double offset_seconds = 0;  // crop of the content (and style) before the run
  double seconds = 0;         // 0 = whole input; for `texture`, the output length

  // Features
  int n_filters = 4096;
  int kernel_width = 11;
  uint64_t seed = 0;

  // Loss
  float alpha = 1e-2f;  // content weight; 0 = texture synthesis

  // Optimiser
  OptimizerKind optimizer = OptimizerKind::lbfgs;
  int iterations = 300;
  float learning_rate = 1e-2f;  // Adam only
  int lbfgs_history = 10;
  double ftol = 2.220446049250313e-09;  // scipy L-BFGS-B: factr 1e7 * machine epsilon
  double gtol = 1e-5;                   // scipy L-BFGS-B: max |g_i| <= gtol stops
  int max_evaluations = 15000;          // scipy's maxfun
  InitKind init = InitKind::random;
  float init_scale = 1e-3f;  // reference: randn * 1e-3

  // Reconstruction
  int gl_iterations = 500;
  float momentum = 0.99f;

  // Execution
  Precision precision = Precision::tf32;  // GEMM precision on CUDA; the CPU is always fp32
};

const char* to_string(OptimizerKind k);
const char* to_string(InitKind k);

}  // namespace audiostyle
