// Ceilings measured in the same run as the stages, so that a stage's fraction of them stays
// meaningful on a busy or throttled machine:
//   CUDA: a large GEMM in TF32, BF16 and FP32, through the backend's own conv plan with kernel
//         width 1 (a plain [M, K] x [K, N] product with a ReLU epilogue), and a device-to-device
//         copy (bytes read + bytes written).
//   CPU:  OpenBLAS sgemm called directly, the same GEMM through the CPU conv plan, and a memcpy.
#pragma once
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "audiostyle/backend.h"
#include "bench/bench_util.h"

namespace audiostyle::bench {

struct Ceiling {
  std::string name;  // gemm_tf32, gemm_bf16, gemm_fp32, sgemm_openblas, copy
  std::string what;  // the operation and its size
  std::string unit;  // "flop/s" or "B/s"
  double work = 0;   // FLOP or bytes per call
  Timing timing;
  double rate() const { return timing.median_ms > 0 ? work / (timing.median_ms * 1e-3) : 0; }
};

struct CeilingOptions {
  int gemm_size = 8192;              // M = N = K
  double copy_bytes = 1073741824.0;  // bytes copied per call (counted twice: read + write)
  int warmup = 2, repeats = 10;
};

struct Ceilings {
  std::vector<Ceiling> items;
  // The GEMM rate a stage at `precision` is held against: the matching CUDA GEMM; on the CPU
  // (precision ignored) the best fp32 GEMM measured.
  double gemm_rate(Precision precision) const;
  std::string gemm_name(Precision precision) const;
  double copy_rate() const;
  nlohmann::json to_json() const;
};

Ceilings measure_ceilings(Backend& backend, const CeilingOptions& options);

}  // namespace audiostyle::bench
