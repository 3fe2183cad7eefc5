// Helpers for the GPU tests: every op runs on the CPU oracle and on the CUDA backend with the same
// inputs; outputs start poisoned (NaN) so an element an op never wrote fails the comparison.
#pragma once
#include <catch2/catch.hpp>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "audiostyle/backend.h"
#include "tests/support.h"

namespace audiostyle::test {

// The CUDA backend on the first usable device (cuda_devices() skips those this build cannot run
// on), as the CLI chooses it.
inline std::unique_ptr<Backend> make_gpu_backend() {
  const auto devices = cuda_devices();
  return make_cuda_backend(devices.empty() ? 0 : devices.front().index);
}

struct Twins {
  std::unique_ptr<Backend> cpu = make_cpu_backend();
  std::unique_ptr<Backend> gpu = make_gpu_backend();
};

// A backend buffer holding `host`.
template <class T>
Buffer<T> buffer_from(Backend& backend, const std::vector<T>& host) {
  Buffer<T> buffer(backend, int64_t(host.size()));
  buffer.upload(host);
  return buffer;
}

// A backend buffer of `count` NaNs.
template <class T>
Buffer<T> poisoned_buffer(Backend& backend, int64_t count) {
  return buffer_from(backend, std::vector<T>(size_t(count), std::numeric_limits<T>::quiet_NaN()));
}

// |out - ref| / |ref| for scalars; infinity when out is not finite.
inline double relative_scalar_error(double out, double ref) {
  if (!std::isfinite(out)) return std::numeric_limits<double>::infinity();
  return ref != 0 ? std::fabs(out - ref) / std::fabs(ref) : std::fabs(out);
}

inline double relative_error_double(const std::vector<double>& out,
                                    const std::vector<double>& ref) {
  double num = 0, den = 0;
  if (out.size() != ref.size()) return std::numeric_limits<double>::infinity();
  for (size_t i = 0; i < out.size(); ++i) {
    if (!std::isfinite(out[i])) return std::numeric_limits<double>::infinity();
    num += (out[i] - ref[i]) * (out[i] - ref[i]);
    den += ref[i] * ref[i];
  }
  return den > 0 ? std::sqrt(num / den) : std::sqrt(num);
}

// Tolerances on ||gpu - cpu|| / ||cpu|| (the CPU is fp32 with double sums where they are long).
constexpr double kFp32Tolerance = 1e-5;
constexpr double kTf32Tolerance = 2e-3;
constexpr double kBf16Tolerance = 2e-2;
constexpr double kReductionTolerance = 1e-6;  // a double-accumulated scalar

inline double tolerance_for(Precision precision) {
  switch (precision) {
    case Precision::fp32: return kFp32Tolerance;
    case Precision::tf32: return kTf32Tolerance;
    case Precision::bf16: return kBf16Tolerance;
  }
  return 0;
}

// Limit on ||gpu - cpu|| / ||cpu|| for a GEMM-based op whose outputs each sum k sign-mixed
// products (zero-mean inputs, or zero-mean weights), from the expected rounding of each precision.
// Each limit is 3 standard deviations of the rounding model; the norm-wise ratio over thousands of
// elements sits close to one standard deviation, so a systematic error of a third of the limit
// shows, while a wrong index or stride is an O(1) error.
//   fp32: both sides (cuBLAS, OpenBLAS) sum in fp32 in different orders. A recursive sum of k
//     sign-mixed terms, each partial sum rounded with relative error uniform in +-u (u = 2^-24),
//     errs by about u sqrt(k / 6) of its size (variance u^2/3 sum_j j sigma^2 against a result of
//     size sqrt(k) sigma); two independent such sums differ by sqrt(2) of that; a few roundings
//     more (products, alpha, the beta accumulation) add 4 to k / 6. Floor 1e-6 for tiny k, where
//     the model's few roundings say little.
//   tf32: the operands lose their low 13 mantissa bits (10 kept). Rounded to nearest, each product
//     errs by sqrt(2/3) 2^-11 (std) at random; if the tensor cores truncate, each product is also
//     shrunk by up to 2^-10 on average, a bias that no sign-mixing cancels (the earlier Gram's
//     ~7e-4 on positive features). Limit: the bias 2^-10 plus 3 std of truncation's random part,
//     sqrt(2) 2^-10 / sqrt(12).
//   bf16: the operands are rounded to nearest bf16 (8 significant bits, u = 2^-8) by our own
//     conversion kernels: each product errs by u sqrt(2/3) (std) at random, independent of k.
// The fp32 accumulation in tf32 and bf16 adds the fp32 term above, negligible against these.
// Checked on the host by emulating the operand rounding in numpy against float64 (Gram R = 420,
// F = 512; conv-like k = 11 * 1025): bf16 1.8e-3 (Gram) and 2.4e-3 (conv) against the limit 9.6e-3,
// so a systematic 1% error fails; tf32 rounded 2.2e-4 to 2.9e-4, truncated 7.4e-4 to 7.8e-4
// against 2.2e-3; fp32 (blocked sgemm) 3-4e-7 against 2.2e-6 and 1.1e-5. On all-positive Gram
// inputs the same bf16 rounding measured 1.4e-4, ten times less: why the error is measured on
// zero-mean inputs.
inline double gemm_tolerance(Precision precision, int64_t k) {
  constexpr double u32 = 1.0 / 16777216.0;  // 2^-24
  constexpr double tf32_ulp = 1.0 / 1024.0;  // 2^-10, tf32's spacing at 1
  constexpr double u16 = 1.0 / 256.0;        // 2^-8, bf16's unit roundoff
  switch (precision) {
    case Precision::fp32:
      return std::max(1e-6, 3 * std::sqrt(2.0) * u32 * std::sqrt(double(k) / 6 + 4));
    case Precision::tf32: return tf32_ulp + 3 * std::sqrt(2.0) * tf32_ulp / std::sqrt(12.0);
    case Precision::bf16: return 3 * u16 * std::sqrt(2.0 / 3.0);
  }
  return 0;
}

// One line on stdout per measured error, passing or not, so the first GPU runs show each margin
// (INFO appears only when a check fails): "margin <what>: <error> of <limit> (<ratio>)".
inline void print_margin(const std::string& what, double error, double limit) {
  std::printf("margin %s: %.3g of %.3g (%.0f%%)\n", what.c_str(), error, limit,
              limit > 0 ? 100.0 * error / limit : 0.0);
}

inline const char* name_of(Precision precision) {
  switch (precision) {
    case Precision::fp32: return "fp32";
    case Precision::tf32: return "tf32";
    case Precision::bf16: return "bf16";
  }
  return "?";
}

}  // namespace audiostyle::test
