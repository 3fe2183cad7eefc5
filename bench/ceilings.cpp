#include "bench/ceilings.h"

#include <cblas.h>

#include <algorithm>
#include <cstdio>

namespace audiostyle::bench {
namespace {

// A [M, N] = relu(X [M, K] W^T), W [N, 1, K]: the conv plan with kernel width 1 is a GEMM.
Ceiling gemm_through_conv(Backend& backend, int size, Precision precision,
                          const CeilingOptions& o) {
  const ConvShape shape{size, size, size, 1, 1};
  auto conv = backend.make_conv1d(shape, precision);
  Buffer<float> x(backend, int64_t(size) * size), w(backend, int64_t(size) * size),
      a(backend, int64_t(size) * size);
  // Random operands: zeros can run faster than real data on some GPUs.
  backend.fill_normal(x.get(), x.size(), 11, 7, 1.0f);
  backend.fill_normal(w.get(), w.size(), 12, 7, 1.0f);
  conv->set_weights(w.get());
  Ceiling c;
  c.name = backend.name() == "cpu" ? "gemm_conv_plan_fp32" : std::string("gemm_") + to_string(precision);
  c.what = "conv plan K=1 (" + conv->algorithm() + "), M=N=K=" + std::to_string(size);
  c.unit = "flop/s";
  c.work = 2.0 * size * double(size) * size;
  c.timing = time_backend(backend, [&] { conv->forward_relu(x.get(), a.get()); }, o.warmup,
                          o.repeats);
  return c;
}

Ceiling openblas_sgemm(Backend& backend, int size, const CeilingOptions& o) {
  Buffer<float> a(backend, int64_t(size) * size), b(backend, int64_t(size) * size),
      c(backend, int64_t(size) * size);
  backend.fill_normal(a.get(), a.size(), 13, 7, 1.0f);
  backend.fill_normal(b.get(), b.size(), 14, 7, 1.0f);
  Ceiling out;
  out.name = "sgemm_openblas";
  out.what = "cblas_sgemm, M=N=K=" + std::to_string(size);
  out.unit = "flop/s";
  out.work = 2.0 * size * double(size) * size;
  out.timing = time_backend(
      backend,
      [&] {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, size, size, size, 1.0f, a.get(),
                    size, b.get(), size, 0.0f, c.get(), size);
      },
      o.warmup, o.repeats);
  return out;
}

Ceiling copy(Backend& backend, const CeilingOptions& o) {
  const int64_t count = int64_t(o.copy_bytes / sizeof(float));
  Buffer<float> src(backend, count), dst(backend, count);
  backend.fill_normal(src.get(), count, 15, 7, 1.0f);
  backend.fill(dst.get(), count, 1.0f);  // first touch outside the timing
  Ceiling c;
  c.name = "copy";
  c.what = std::string(backend.name() == "cpu" ? "memcpy" : "device-to-device copy") + " of " +
           human_bytes(double(src.bytes())) + " (read + write counted)";
  c.unit = "B/s";
  c.work = 2.0 * double(src.bytes());
  c.timing = time_backend(backend, [&] { backend.copy(dst.get(), src.get(), src.bytes()); },
                          o.warmup, o.repeats);
  return c;
}

}  // namespace

Ceilings measure_ceilings(Backend& backend, const CeilingOptions& o) {
  Ceilings out;
  if (backend.name() == "cpu") {
    out.items.push_back(openblas_sgemm(backend, o.gemm_size, o));
    out.items.push_back(gemm_through_conv(backend, o.gemm_size, Precision::fp32, o));
  } else {
    for (Precision p : {Precision::tf32, Precision::bf16, Precision::fp32})
      out.items.push_back(gemm_through_conv(backend, o.gemm_size, p, o));
  }
  out.items.push_back(copy(backend, o));
  return out;
}

double Ceilings::gemm_rate(Precision precision) const {
  double best = 0;
  const std::string wanted = gemm_name(precision);
  for (const auto& c : items)
    if (c.name == wanted || (wanted == "gemm_cpu" && c.unit == "flop/s")) best = std::max(best, c.rate());
  return best;
}

std::string Ceilings::gemm_name(Precision precision) const {
  for (const auto& c : items)
    if (c.name == "sgemm_openblas") return "gemm_cpu";  // the CPU has one precision
  return std::string("gemm_") + to_string(precision);
}

double Ceilings::copy_rate() const {
  for (const auto& c : items)
    if (c.name == "copy") return c.rate();
  return 0;
}

nlohmann::json Ceilings::to_json() const {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& c : items)
    out.push_back({{"name", c.name},
                   {"what", c.what},
                   {"unit", c.unit},
                   {"work", c.work},
                   {"times_ms", c.timing.times_ms},
                   {"median_ms", c.timing.median_ms},
                   {"rate", c.rate()}});
  return out;
}

}  // namespace audiostyle::bench
