// How long a run will take: a work model (FLOP per objective evaluation and per Griffin-Lim
// iteration) priced at rates measured on this machine, or from a few timed evaluations.
#pragma once
#include <cstdint>
#include <string>

#include "audiostyle/config.h"
#include "audiostyle/pipeline.h"

namespace audiostyle::cli {

struct WorkModel {
  double evaluation_flop = 0;    // one objective evaluation over all items of the whole track
  double style_flop = 0;         // the style Gram, once
  double gl_iteration_flop = 0;  // one Griffin-Lim iteration over all items
  double evaluations = 0;        // expected: L-BFGS takes about 1.2 per iteration (measured)
  double gl_iterations = 0;
};
// conv forward + input gradient: 4·T'·F·C·K; Gram and its gradient: 4·T'·F² (per item);
// Griffin-Lim: one STFT and one inverse per iteration, 2.5·n_fft·log2(n_fft) each per frame.
WorkModel work_model(const TransferConfig& config, int64_t output_samples, int items,
                     int64_t style_samples);

struct Estimate {
  double seconds = 0, evaluation_s = 0, gl_iteration_s = 0, fixed_s = 0;
  std::string basis;  // how it was made, for the plan
};
// On the CPU backend, from an sgemm timed now (about 10 ms) at 71 % of its rate (what the conv
// reaches, bench/RESULTS.md) and Griffin-Lim's FFTs at 5 GFLOP/s (9.3 ms per 10 s iteration).
Estimate estimate_cpu(const WorkModel& model);
// From a short run of the same job (a few evaluations and Griffin-Lim iterations): its measured
// stage times scaled to the full counts.
Estimate estimate_from_probe(const WorkModel& model, const TransferResult& probe, int probe_gl);

std::string duration_text(double seconds);  // "1:05", "1:02:03"

}  // namespace audiostyle::cli
