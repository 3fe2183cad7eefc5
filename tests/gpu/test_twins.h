// Helpers for the GPU tests: every op runs on the CPU oracle and on the CUDA backend with the same
// inputs; outputs start poisoned (NaN) so an element an op never wrote fails the comparison.
#pragma once
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <memory>
#include <vector>

#include "audiostyle/backend.h"
#include "tests/support.h"

namespace audiostyle::test {

struct Twins {
  std::unique_ptr<Backend> cpu = make_cpu_backend();
  std::unique_ptr<Backend> gpu = make_cuda_backend();
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

inline const char* name_of(Precision precision) {
  switch (precision) {
    case Precision::fp32: return "fp32";
    case Precision::tf32: return "tf32";
    case Precision::bf16: return "bf16";
  }
  return "?";
}

}  // namespace audiostyle::test
