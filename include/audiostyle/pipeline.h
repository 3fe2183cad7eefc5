// The style-transfer pipeline, written once against the Backend:
//   audio -> log1p |STFT| -> features -> optimise the output spectrogram -> Griffin-Lim -> audio.
// One upload of each input, device-only work, one download of the result.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "audiostyle/audio.h"
#include "audiostyle/backend.h"
#include "audiostyle/config.h"

namespace audiostyle {

struct MemoryItem {
  std::string name;
  size_t bytes = 0;
  bool persistent = false;  // held by a cached extractor across runs (weights, style Grams)
};

// Every buffer a segment allocates, sized from (T, C, F, K, B, history) before anything is
// allocated; the backend's own plan scratch is an item of its own.
struct MemoryPlan {
  std::vector<MemoryItem> items;
  size_t total_bytes() const;
  size_t persistent_bytes() const;
  std::string describe() const;  // one line per item, for --verbose
};

struct IterationRecord {
  int segment = 0;
  int iteration = 0;
  int evaluations = 0;
  double total = 0, content = 0, style = 0;  // summed over the items
  // Each item's losses when the run optimises several (stereo or mid-side: two); empty for one.
  std::vector<double> item_content, item_style;
  double grad_max = 0;
  double elapsed_ms = 0;  // since the optimisation started
};

enum class Stage { analyse, optimise, reconstruct };
const char* to_string(Stage s);

struct Progress {
  Stage stage = Stage::analyse;
  int done = 0, total = 0;                     // within the stage
  int segment = 0, segments = 1;               // which segment of a long track
  int item = 0, items = 1;                     // optimise, reconstruct: which item (done/total each)
  double overall = 0;                          // fraction of the whole run done, 0..1
  const IterationRecord* iteration = nullptr;  // during Stage::optimise
  const std::vector<std::string>* item_names = nullptr;  // the items optimised (see TransferResult)
};
// Called from the pipeline's thread; may throw Interrupted to stop cleanly.
using ProgressFn = std::function<void(const Progress&)>;

struct StageTiming {
  std::string stage;
  double ms = 0;
};

struct SegmentPlan {
  int64_t first_sample = 0, n_samples = 0;  // of the output
};

// Waveform refinement (config.refine_iterations > 0): the objective of the re-analysed output,
// f(log1p|STFT(y)|), on the Griffin-Lim output (before) and on the refined samples (after), each
// [total, content, style] summed over the items; measured before the stereo image is matched and
// before the output gain.
struct RefinementRecord {
  bool ran = false;
  int iterations = 0, evaluations = 0;
  std::string stop_reason;
  std::vector<double> before, after;
};

// The bins no extractor sees, filled from the content at the style's level (unseen_fill.h):
// how many, and the range of their per-bin gains in dB.
struct UnseenFillRecord {
  int bins = 0;
  double gain_db_min = 0, gain_db_max = 0;
};

struct TransferResult {
  Audio output;  // at config.sample_rate_hz; mono, or stereo (L/R) for stereo and mid-side runs
  std::string channel_mode;  // "mono", "stereo" or "mid-side": what ran
  // The items optimised together, their losses summed in the totals: {"mono"}, {"left", "right"}
  // or {"mid", "side"}.
  std::vector<std::string> item_names;
  std::vector<double> final_item_content, final_item_style;  // per item, summed over segments
  std::vector<SegmentPlan> segments;  // one entry unless the track was split
  std::string backend, device, extractor, conv_algorithm;
  MemoryPlan memory;
  int64_t content_frames = 0, style_frames = 0;
  std::vector<IterationRecord> iterations;
  std::vector<IterationRecord> initial;  // per segment: the objective at the starting point (iteration 0)
  std::string stop_reason;  // of the last segment's optimiser
  int evaluations = 0;      // over all segments
  double final_total = 0, final_content = 0, final_style = 0;  // summed over segments
  double spectral_convergence_db = 0;  // of the Griffin-Lim reconstruction
  RefinementRecord refinement;         // waveform refinement after Griffin-Lim
  UnseenFillRecord unseen_fill;        // bins = 0: none filled
  double output_gain = 1;              // applied to keep the peak under 0 dBFS (1 = none)
  size_t peak_memory_bytes = 0;        // the backend's high-water mark at the end of the run
  std::vector<StageTiming> timings_ms;
};

// Memory one segment of `output_samples` with `channels` items will allocate; throws nothing.
MemoryPlan plan_memory(const TransferConfig& config, int64_t output_samples, int channels,
                       bool with_content);

// Runs jobs on one backend, keeping what can be reused between them: the random filters (for the
// same seed and shape) and the STFT, conv and Gram plans (for the same shapes). A batch of tracks
// goes through one Engine.
class Engine {
 public:
  explicit Engine(Backend& backend);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Style transfer. Both inputs at config.sample_rate_hz; content of any channel count (handled by
  // config.channels), style downmixed to mono. Throws InputError for inputs too short for the
  // kernel; DeviceError when even the smallest segment does not fit the memory.
  TransferResult transfer(const Audio& content, const Audio& style, const TransferConfig& config,
                          const ProgressFn& progress = {});
  // Texture synthesis: style only (alpha 0), `channels` (1 or 2) of any length.
  TransferResult texture(const Audio& style, int64_t output_samples, int channels,
                         const TransferConfig& config, const ProgressFn& progress = {});
  Backend& backend() { return backend_; }

 private:
  struct Cache;
  // content_items: [B][output_samples] to optimise, or null for a texture of B channels.
  TransferResult run(const std::vector<std::vector<float>>* content_items, int64_t output_samples,
                     int batch, ChannelMode mode, const Audio& style, const TransferConfig& config,
                     const ProgressFn& progress);
  Backend& backend_;
  std::unique_ptr<Cache> cache_;
};

// One-shot conveniences over a temporary Engine.
TransferResult transfer(Backend& backend, const Audio& content, const Audio& style,
                        const TransferConfig& config, const ProgressFn& progress = {});
TransferResult texture(Backend& backend, const Audio& style, int64_t output_samples,
                       const TransferConfig& config, const ProgressFn& progress = {});

}  // namespace audiostyle
