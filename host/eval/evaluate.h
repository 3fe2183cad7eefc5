// `audiostyle evaluate`: every measure of measures.h for an output and for the two trivial
// answers (the content itself, the style itself), so that a number can be read against them.
#pragma once
#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "audiostyle/audio.h"
#include "audiostyle/backend.h"
#include "host/eval/measures.h"

namespace audiostyle::eval {

struct EvalOptions {
  int sample_rate_hz = 22050;  // the analysis rate: every input is resampled and downmixed to it
  int n_fft = 2048, hop = 512;
  int n_mels = 128;
  int n_nets = 3, net_filters = 512;
  int avoid_kernel_width = 0;  // the run's K when known (transfer --evaluate)
  // Griffin-Lim's spectral convergence of the output against the optimised magnitude, when the
  // run that made it is at hand (transfer --evaluate); a standalone evaluate has no target.
  std::optional<double> spectral_convergence_db;
};

struct Scores {
  // style (against the style)
  std::optional<double> gram_distance, spectrum_distance_db;
  // content (against the content)
  std::optional<double> chroma_similarity, onset_correlation;
  // signal
  SignalStats signal;
  std::optional<double> spectral_convergence_db;
};

struct Evaluation {
  EvalOptions options;
  std::vector<GramNet> nets;
  std::vector<std::string> columns;  // "output", then "content" and/or "style" as given
  std::vector<Scores> scores;        // one per column
};

// `output`, `content` and `style` at their own rates and channels (signal statistics and loudness
// are taken as they are); content or style may be null, not both.
Evaluation evaluate(Backend& backend, const Audio& output, const Audio* content,
                    const Audio* style, const EvalOptions& options);

// The table printed on stdout: one row per measure, one column per candidate, and which way is
// better.
std::string format_table(const Evaluation& evaluation);
nlohmann::json to_json(const Evaluation& evaluation);

}  // namespace audiostyle::eval
