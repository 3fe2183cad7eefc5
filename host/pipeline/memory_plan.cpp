// Every buffer one segment allocates, from (T, C, F, K, B, history), before anything is allocated.
#include <algorithm>
#include <sstream>

#include "audiostyle/pipeline.h"
#include "host/extractors/extractors.h"
#include "host/pipeline/unseen_fill.h"

namespace audiostyle {

size_t MemoryPlan::total_bytes() const {
  size_t total = 0;
  for (const auto& item : items) total += item.bytes;
  return total;
}

size_t MemoryPlan::persistent_bytes() const {
  size_t total = 0;
  for (const auto& item : items) total += item.persistent ? item.bytes : 0;
  return total;
}

std::string MemoryPlan::describe() const {
  std::ostringstream out;
  out.setf(std::ios::fixed);
  out.precision(1);
  for (const auto& item : items)
    out << "  " << item.name << ": " << item.bytes / 1048576.0 << " MiB\n";
  out << "  total: " << total_bytes() / 1048576.0 << " MiB";
  return out.str();
}

MemoryPlan plan_memory(const TransferConfig& config, int64_t output_samples, int channels,
                       bool with_content) {
  const int64_t C = config.n_fft / 2 + 1;
  const int64_t B = std::max(channels, 1);
  const StftShape shape{config.n_fft, config.hop, output_samples, config.win_length};
  const int64_t T = shape.n_frames();
  const int64_t n = B * T * C;
  const int64_t optimizer_vectors =
      config.optimizer == OptimizerKind::lbfgs ? 2 * (config.lbfgs_history + 1) + 4 : 5;  // ring: history + 1 slots
  MemoryPlan plan;
  auto add = [&](std::string name, int64_t count) {
    plan.items.push_back({std::move(name), size_t(std::max<int64_t>(count, 0)) * sizeof(float)});
  };
  // Weights and style Grams first: the items a cached extractor already holds.
  add_extractor_memory(plan, config, T, int(B), with_content);
  add("audio + spectrum + STFT frames", output_samples + T * C * 2 + T * config.n_fft * 2);
  add("spectrogram x, gradient [B, T, C]", 2 * n);
  add(std::string("optimiser state (") + to_string(config.optimizer) + ")", optimizer_vectors * n);
  add("griffin-lim magnitude and spectra [B, T, C] + 4 [T, C, 2]", n + 8 * T * C);
  if (!bins_to_fill(config, with_content).empty())
    add("unseen-bin fill: content audio, spectrum [T, C, 2], magnitude [T, C]",
        output_samples + 3 * T * C);
  if (config.refine_iterations > 0) {
    // Waveform refinement runs after the optimisation's state and its x gradient are freed (the
    // features and Gram error are made again): L-BFGS on B * n_samples, spectra S [B, T, C, 2],
    // x and dx. Only what exceeds the freed buffers is added.
    const int64_t lbfgs_vectors = 2 * (config.lbfgs_history + 1) + 4;
    const int64_t extra =
        lbfgs_vectors * B * output_samples + 4 * n - (optimizer_vectors * n + n);
    if (extra > 0) add("waveform refinement beyond the optimiser's freed state", extra);
  }
  return plan;
}

}  // namespace audiostyle
