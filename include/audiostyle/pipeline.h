// The style-transfer pipeline, written once against the Backend:
//   audio -> log1p |STFT| -> features -> optimise the output spectrogram -> Griffin-Lim -> audio.
// One upload of each input, device-only work, one download of the result.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "audiostyle/audio.h"
#include "audiostyle/backend.h"
#include "audiostyle/config.h"

namespace audiostyle {

struct MemoryItem {
  std::string name;
  size_t bytes = 0;
};

// Every buffer the run allocates, sized from (T, C, F, K, history) before anything is allocated.
struct MemoryPlan {
  std::vector<MemoryItem> items;
  size_t total_bytes() const;
  std::string describe() const;  // one line per item, for --verbose
};

struct IterationRecord {
  int iteration = 0;
  int evaluations = 0;
  double total = 0, content = 0, style = 0;
  double grad_max = 0;
  double elapsed_ms = 0;  // since the optimisation started
};

enum class Stage { analyse, optimise, reconstruct };
const char* to_string(Stage s);

struct Progress {
  Stage stage = Stage::analyse;
  int done = 0, total = 0;
  const IterationRecord* iteration = nullptr;  // during Stage::optimise
};
// Called from the pipeline's thread; may throw Interrupted to stop cleanly.
using ProgressFn = std::function<void(const Progress&)>;

struct StageTiming {
  std::string stage;
  double ms = 0;
};

struct TransferResult {
  Audio output;  // mono at config.sample_rate_hz
  std::string backend, device, extractor, conv_algorithm;
  MemoryPlan memory;
  int64_t content_frames = 0, style_frames = 0;
  std::vector<IterationRecord> iterations;
  std::string stop_reason;
  int evaluations = 0;
  double final_total = 0, final_content = 0, final_style = 0;
  double spectral_convergence_db = 0;  // of the Griffin-Lim reconstruction
  double output_gain = 1;              // applied to keep the peak under 0 dBFS (1 = none)
  std::vector<StageTiming> timings_ms;
};

// Memory the run will allocate; throws nothing.
MemoryPlan plan_memory(const TransferConfig& config, int64_t output_samples, int64_t style_samples,
                       bool with_content);

// Style transfer: content and style are mono at config.sample_rate_hz. Throws InputError for
// inputs too short for the kernel, DeviceError when the plan does not fit the backend's memory.
TransferResult transfer(Backend& backend, const Audio& content, const Audio& style,
                        const TransferConfig& config, const ProgressFn& progress = {});

// Texture synthesis: style only (alpha 0), output of any length.
TransferResult texture(Backend& backend, const Audio& style, int64_t output_samples,
                       const TransferConfig& config, const ProgressFn& progress = {});

}  // namespace audiostyle
