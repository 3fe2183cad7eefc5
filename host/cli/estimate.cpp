#include "host/cli/estimate.h"

#include <cblas.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <vector>

namespace audiostyle::cli {
namespace {

int64_t frames(const TransferConfig& c, int64_t samples) { return 1 + samples / c.hop; }  // center

double stage_ms(const TransferResult& r, const char* stage) {
  for (const auto& t : r.timings_ms)
    if (t.stage == stage) return t.ms;
  return 0;
}

// Best of three 512^3 sgemms: a few ms, enough for a price, not a benchmark.
double sgemm_flop_per_s() {
  constexpr int n = 512;
  std::vector<float> a(size_t(n) * n, 0.5f), b(a), c(a.size());
  double best = 1e30;
  for (int k = 0; k < 3; ++k) {
    const auto start = std::chrono::steady_clock::now();
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.f, a.data(), n, b.data(), n,
                0.f, c.data(), n);
    best = std::min(
        best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return 2.0 * n * n * n / std::max(best, 1e-9);
}

}  // namespace

WorkModel work_model(const TransferConfig& c, int64_t output_samples, int items,
                     int64_t style_samples) {
  const double C = c.n_fft / 2 + 1, F = c.n_filters, K = c.kernel_width;
  auto per_frame = [&](double passes) { return passes * F * C * K + passes * F * F; };
  WorkModel m;
  const double rows = std::max<double>(1, double(frames(c, output_samples)) - K + 1);
  m.evaluation_flop = items * rows * per_frame(4);
  m.style_flop = std::max<double>(1, double(frames(c, style_samples)) - K + 1) * per_frame(2);
  m.gl_iteration_flop =
      items * double(frames(c, output_samples)) * 2 * 2.5 * c.n_fft * std::log2(double(c.n_fft));
  m.gl_iterations = c.gl_iterations;
  m.evaluations = c.optimizer == OptimizerKind::adam ? c.iterations + 1.0 : 1.2 * c.iterations + 1;
  return m;
}

Estimate estimate_cpu(const WorkModel& m) {
  const double gemm = 0.71 * sgemm_flop_per_s(), fft = 5e9;
  Estimate e;
  e.evaluation_s = m.evaluation_flop / gemm;
  e.fixed_s = m.style_flop / gemm;
  e.seconds = e.fixed_s + m.evaluations * e.evaluation_s;
  e.gl_iteration_s = m.gl_iteration_flop / fft;
  e.seconds += m.gl_iterations * e.gl_iteration_s;
  char basis[160];
  std::snprintf(basis, sizeof basis,
                "work model at this CPU's sgemm rate (%.0f GFLOP/s measured now)",
                gemm / 0.71 / 1e9);
  e.basis = basis;
  return e;
}

Estimate estimate_from_probe(const WorkModel& m, const TransferResult& probe, int probe_gl) {
  Estimate e;
  const int evaluations = std::max(1, probe.evaluations);
  e.evaluation_s = stage_ms(probe, "optimise") / 1000 / evaluations;
  e.gl_iteration_s = probe_gl > 0 ? stage_ms(probe, "griffin_lim") / 1000 / probe_gl : 0;
  e.fixed_s = (stage_ms(probe, "style_gram") + stage_ms(probe, "content_features")) / 1000;
  // Segmented runs evaluate each segment: the probe's evaluations already cover every segment.
  const double segments = double(std::max<size_t>(1, probe.segments.size()));
  e.seconds =
      e.fixed_s + m.evaluations * segments * e.evaluation_s + m.gl_iterations * e.gl_iteration_s;
  char basis[160];
  std::snprintf(basis, sizeof basis,
                "%d timed evaluations and %d Griffin-Lim iterations of this job", evaluations,
                probe_gl);
  e.basis = basis;
  return e;
}

std::string duration_text(double seconds) {
  if (!(seconds >= 0) || seconds > 359999) return "--:--";
  const int s = int(seconds + 0.5);
  char text[32];
  if (s >= 3600)
    std::snprintf(text, sizeof text, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
  else
    std::snprintf(text, sizeof text, "%d:%02d", s / 60, s % 60);
  return text;
}

}  // namespace audiostyle::cli
