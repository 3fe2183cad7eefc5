// The pipeline, written once: every step is a Backend op or plan, so the CPU and CUDA backends run
// the same code. Per segment: upload the content, analyse, optimise, reconstruct, download. Host work
// is orchestration and one small read per function evaluation.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <deque>
#include <map>
#include <optional>
#include <tuple>

#include "audiostyle/errors.h"
#include "audiostyle/philox.h"
#include "audiostyle/pipeline.h"
#include "host/extractors/extractors.h"
#include "host/pipeline/channels.h"
#include "host/pipeline/postfilter.h"
#include "host/pipeline/features.h"
#include "host/pipeline/griffinlim.h"
#include "host/pipeline/optimizer.h"
#include "host/pipeline/phase_init.h"
#include "host/pipeline/segments.h"
#include "host/pipeline/stereo_image.h"
#include "host/pipeline/style_gram.h"
#include "host/pipeline/style_objective.h"
#include "host/pipeline/unseen_fill.h"
#include "host/pipeline/waveform_objective.h"

namespace audiostyle {

const char* to_string(Stage s) {
  switch (s) {
    case Stage::analyse: return "analyse";
    case Stage::optimise: return "optimise";
    case Stage::reconstruct: return "reconstruct";
  }
  return "?";
}

namespace {

using Clock = std::chrono::steady_clock;

// A few plans by key, oldest dropped first: a batch of tracks of many lengths must not keep a plan
// (and its workspace) per length.
template <class Key, class Value>
class PlanCache {
 public:
  explicit PlanCache(size_t capacity) : capacity_(capacity) {}
  template <class Make>
  Value& get(const Key& key, Make&& make) {
    for (auto& entry : entries_)
      if (entry.first == key) return *entry.second;
    if (entries_.size() == capacity_) entries_.pop_front();
    entries_.emplace_back(key, make());
    return *entries_.back().second;
  }
  void clear() { entries_.clear(); }

 private:
  size_t capacity_;
  std::deque<std::pair<Key, std::unique_ptr<Value>>> entries_;
};

// Accumulates stage times over segments, with the backend synchronised at each boundary.
class StageTimer {
 public:
  explicit StageTimer(Backend& backend) : backend_(backend), start_(Clock::now()) {}
  void mark(const std::string& stage, std::vector<StageTiming>& out) {
    backend_.synchronize();
    const auto now = Clock::now();
    const double ms = std::chrono::duration<double, std::milli>(now - start_).count();
    start_ = now;
    for (auto& t : out)
      if (t.stage == stage) {
        t.ms += ms;
        return;
      }
    out.push_back({stage, ms});
  }

 private:
  Backend& backend_;
  Clock::time_point start_;
};

uint64_t fnv1a(const void* bytes, size_t count, uint64_t hash = 1469598103934665603ull) {
  const auto* p = static_cast<const unsigned char*>(bytes);
  for (size_t i = 0; i < count; ++i) hash = (hash ^ p[i]) * 1099511628211ull;
  return hash;
}

void validate(const TransferConfig& c) {
  if (c.n_fft < 16 || c.n_fft % 2) throw UsageError("n_fft must be an even number >= 16");
  if (c.hop < 1 || c.hop > c.n_fft) throw UsageError("hop must be in [1, n_fft]");
  if (c.win_length < 0 || c.win_length > c.n_fft)
    throw UsageError("win_length must be in [0, n_fft] (0 = n_fft)");
  if (c.n_filters < 1 || c.kernel_width < 1) throw UsageError("filters and kernel width must be >= 1");
  if (c.sample_rate_hz <= 0) throw UsageError("the sample rate must be positive");
}

void check_length(const std::string& role, int64_t n_frames, int min_frames,
                  const TransferConfig& c) {
  // (For vgg16 the need is its pooling: 2^pools frames for the deepest layer.)
  if (n_frames >= min_frames) return;
  const double needed_s = double(int64_t(min_frames - 1) * c.hop) / c.sample_rate_hz;
  throw InputError(role + " is too short: " + std::to_string(n_frames) +
                   " STFT frames, the kernel needs at least " + std::to_string(min_frames) +
                   " (about " + std::to_string(int(std::ceil(needed_s * 1000))) + " ms)");
}

std::unique_ptr<Optimizer> make_optimizer(Backend& backend, int64_t n, const TransferConfig& c) {
  if (c.optimizer == OptimizerKind::adam) {
    AdamOptions options;
    options.iterations = c.iterations;
    options.learning_rate = c.learning_rate;
    return make_adam(backend, n, options);
  }
  LbfgsOptions options;
  options.max_iterations = c.iterations;
  options.max_evaluations = c.max_evaluations;
  options.history = c.lbfgs_history;
  options.ftol = c.ftol;
  options.gtol = c.gtol;
  return make_lbfgs(backend, n, options);
}

// The pipeline's plan plus what this backend's plans hold for the same shapes.
MemoryPlan plan_memory_on(const Backend& backend, const TransferConfig& config, int64_t samples,
                          int batch, bool with_content) {
  MemoryPlan plan = plan_memory(config, samples, batch, with_content);
  // Only method 1's conv plans hold copies.
  if (!uses_extractor(config, ExtractorKind::random_conv1d)) return plan;
  const ConvShape conv{StftShape{config.n_fft, config.hop, samples, config.win_length}.n_frames(), config.n_fft / 2 + 1,
                       config.n_filters, config.kernel_width, batch};
  const size_t scratch = backend.plan_scratch_bytes(conv, config.precision, config.n_fft);
  if (scratch > 0) plan.items.push_back({backend.name() + " plan scratch", scratch});
  return plan;
}

// Shares of a segment's time, for the overall progress fraction.
constexpr double kAnalyseShare = 0.05, kOptimiseShare = 0.8;

}  // namespace

struct Engine::Cache {
  using ExtractorKey = std::string;  // extractor_key(): everything the extractor depends on
  std::optional<ExtractorKey> extractor_key;
  std::unique_ptr<FeatureExtractor> extractor;
  PlanCache<std::tuple<int, int, int64_t, int>, Stft> stfts{6};
  PlanCache<std::pair<int64_t, int>, FeaturePlan> features{4};
  PlanCache<std::tuple<int64_t, int, int, Precision>, Gram> grams{4};
  // The style Grams of the last style (one per layer with a style term, empty for the others), by
  // a hash of its samples and everything they depend on.
  std::optional<std::tuple<uint64_t, int64_t, int, int, int, int, std::string>> style_key;
  std::vector<Buffer<float>> style_grams;
  // The same style's per-bin energy (unseen_fill.h), made when a run first fills bins.
  std::vector<double> style_energy;
};

Engine::Engine(Backend& backend) : backend_(backend), cache_(std::make_unique<Cache>()) {}
Engine::~Engine() = default;

namespace {

// Everything one run needs beside the Engine's cache.
struct Run {
  Backend& backend;
  const TransferConfig& config;
  const ProgressFn& progress;
  TransferResult& result;
  StageTimer& timer;
  FeatureExtractor& extractor;
  const std::vector<Buffer<float>>& style_grams;
  std::function<Stft&(const StftShape&)> stft;
  std::function<FeaturePlan&(int64_t, int)> features;
  std::function<Gram&(int64_t, int, int)> gram;
  int segment = 0, segments = 1;
  ChannelMode mode = ChannelMode::mono;
  const std::vector<std::vector<float>>* content_items = nullptr;  // whole track; null: texture
  // The bins no extractor sees, filled from the content (unseen_fill.h); the style's energy there.
  std::vector<int> unseen;
  std::vector<double> style_energy;
  // Content targets Ac_l of the segment being optimised (empty where a layer has no content
  // term); kept past the optimisation only for the waveform refinement.
  std::vector<Buffer<float>> content_targets;

  void report(Stage stage, int done, int total, const IterationRecord* iteration = nullptr,
              int item = 0, int items = 1) {
    if (!progress) return;
    double within = 0;
    const double fraction = total > 0 ? double(done) / total : 1.0;
    if (stage == Stage::analyse) within = kAnalyseShare * fraction;
    // Optimisation and Griffin-Lim both run item by item.
    if (stage == Stage::optimise) within = kAnalyseShare + kOptimiseShare * (item + fraction) / items;
    if (stage == Stage::reconstruct)
      within = kAnalyseShare + kOptimiseShare + (1 - kAnalyseShare - kOptimiseShare) * fraction;
    if (stage == Stage::reconstruct) within = kAnalyseShare + kOptimiseShare +
        (1 - kAnalyseShare - kOptimiseShare) * (item + fraction) / items;
    // Griffin-Lim runs once over the whole track, after every segment.
    const double overall = stage == Stage::reconstruct ? within : (segment + within) / segments;
    progress({stage, done, total, segment, segments, item, items, overall, iteration,
              &result.item_names});
  }

  // Optimises one segment: items [B][n_samples] of content (empty for texture) -> x [B, T, C].
  Buffer<float> optimise_segment(const std::vector<std::vector<float>>& content, int batch,
                                 int64_t n_samples) {
    const int C = config.n_fft / 2 + 1;
    Stft& transform = stft({config.n_fft, config.hop, n_samples, config.win_length});
    const int64_t T = transform.shape().n_frames();
    const int64_t n = int64_t(batch) * T * C;
    report(Stage::analyse, 0, 2);

    // One item's plan: the items are optimised one at a time (below).
    FeaturePlan& plan = features(T, 1);
    result.conv_algorithm = plan.algorithm();
    const auto& outputs = plan.outputs();
    Buffer<float> x(backend, n);
    content_targets = std::vector<Buffer<float>>(outputs.size());
    if (!content.empty()) {
      // Targets [B, count] per layer, item by item.
      Buffer<float> audio(backend, n_samples), spectrum(backend, 2 * T * C);
      // One layer: its activations are the target (method 1), written in place.
      const bool in_place =
          outputs.size() == 1 && plan.activation_count() == outputs[0].shape.count();
      Buffer<float> activations(backend, in_place ? 0 : plan.activation_count());
      for (size_t l = 0; l < outputs.size(); ++l)
        if (outputs[l].content_weight != 0 || in_place)
          content_targets[l] = Buffer<float>(backend, batch * outputs[l].shape.count());
      for (int b = 0; b < batch; ++b) {
        audio.upload(content[size_t(b)]);
        transform.forward(audio.get(), spectrum.get());
        backend.log1p_magnitude(spectrum.get(), T * C, x.get() + b * T * C);
        if (in_place) {
          plan.forward(x.get() + b * T * C, content_targets[0].get() + b * plan.activation_count());
          continue;
        }
        plan.forward(x.get() + b * T * C, activations.get());
        for (size_t l = 0; l < outputs.size(); ++l) {
          if (content_targets[l].size() == 0) continue;
          const int64_t count = outputs[l].shape.count();
          backend.copy(content_targets[l].get() + b * count, activations.get() + outputs[l].offset,
                       sizeof(float) * size_t(count));
        }
      }
    }
    if (content.empty() || config.init == InitKind::random) {
      backend.fill_normal(x.get(), n, config.seed, philox::kStreamInit, config.init_scale);
      // The channels of one content start from the same point: from independent noise they
      // drift apart into unrelated renderings (a texture's channels stay independent).
      for (int b = 1; b < batch && !content.empty(); ++b)
        backend.copy(x.get() + b * T * C, x.get(), sizeof(float) * size_t(T * C));
    }
    timer.mark("content_features", result.timings_ms);
    report(Stage::analyse, 2, 2);

    // Each item is optimised on its own, one after the other, from the same starting point: the
    // objective is a sum of per-item terms, but one L-BFGS over the joined items shares its line
    // search and curvature pairs between them, so the mid of a mid-side run drifted from a mono
    // run of the same downmix (held-out onset correlation up to +-0.04 apart on a real recording,
    // tests/pipeline/test_stereo_image.cpp). Alone, item 0 (the mid, the mono downmix) follows
    // the mono run's path exactly.
    std::vector<std::vector<IterationReport>> item_reports(static_cast<size_t>(batch));
    std::vector<std::vector<double>> item_elapsed_ms(static_cast<size_t>(batch));
    std::vector<OptimizerResult> item_results;
    report(Stage::optimise, 0, config.iterations, nullptr, 0, batch);  // starts the stage's clock
    const auto start = Clock::now();
    for (int b = 0; b < batch; ++b) {
      StyleObjective objective = spectrogram_objective(T, 1, b);
      auto optimizer = make_optimizer(backend, T * C, config);
      auto on_iteration = [&](const IterationReport& r) {
        item_reports[size_t(b)].push_back(r);
        item_elapsed_ms[size_t(b)].push_back(
            std::chrono::duration<double, std::milli>(Clock::now() - start).count());
        if (batch == 1) {
          IterationRecord record = iteration_record(item_reports, item_elapsed_ms, r.iteration);
          result.iterations.push_back(record);
          report(Stage::optimise, r.iteration, config.iterations, &result.iterations.back());
        } else {
          // The items so far: the mid alone while it runs, then the mid's and the side's sum.
          const IterationRecord live = iteration_record(item_reports, item_elapsed_ms, r.iteration);
          report(Stage::optimise, r.iteration, config.iterations, &live, b, batch);
        }
      };
      item_results.push_back(optimizer->minimize(objective, x.get() + b * T * C, on_iteration));
    }
    if (batch > 1) {
      size_t longest = 0;
      for (const auto& reports : item_reports) longest = std::max(longest, reports.size());
      for (size_t k = 1; k <= longest; ++k)
        result.iterations.push_back(iteration_record(item_reports, item_elapsed_ms, int(k)));
    }
    // Item values: [total, content, style] each; the run's: their sums, then each item's.
    auto combine = [batch](const std::vector<std::vector<double>>& per_item) {
      std::vector<double> v(3, 0.0);
      for (const auto& item : per_item)
        for (size_t i = 0; i < 3 && i < item.size(); ++i) v[i] += item[i];
      if (batch > 1) {
        for (const auto& item : per_item) v.push_back(item.size() >= 3 ? item[1] : 0.0);
        for (const auto& item : per_item) v.push_back(item.size() >= 3 ? item[2] : 0.0);
      }
      return v;
    };
    std::vector<std::vector<double>> initial_items, final_items;
    double initial_grad_max = 0;
    for (const auto& r : item_results) {
      initial_items.push_back(r.initial_values);
      final_items.push_back(r.values);
      initial_grad_max = std::max(initial_grad_max, r.initial_grad_max);
      result.evaluations += r.evaluations;
    }
    OptimizerResult optimized;
    optimized.initial_values = combine(initial_items);
    optimized.values = combine(final_items);
    optimized.initial_grad_max = initial_grad_max;
    optimized.stop_reason = item_results.back().stop_reason;
    for (const auto& r : item_results)  // the items' reasons when they differ, "mid: ftol; side: gtol"
      if (r.stop_reason != optimized.stop_reason) {
        optimized.stop_reason.clear();
        for (size_t b = 0; b < item_results.size(); ++b)
          optimized.stop_reason += (b ? "; " : "") + result.item_names.at(b) + ": " +
                                   item_results[b].stop_reason;
        break;
      }
    if (optimized.initial_values.size() >= 3) {
      IterationRecord initial;
      initial.segment = segment;
      initial.evaluations = batch;
      initial.total = optimized.initial_values[0];
      initial.content = optimized.initial_values[1];
      initial.style = optimized.initial_values[2];
      initial.grad_max = optimized.initial_grad_max;
      const auto& v = optimized.initial_values;
      if (batch > 1 && v.size() >= size_t(3 + 2 * batch)) {
        initial.item_content.assign(v.begin() + 3, v.begin() + 3 + batch);
        initial.item_style.assign(v.begin() + 3 + batch, v.begin() + 3 + 2 * batch);
      }
      result.initial.push_back(initial);
    }
    result.stop_reason = optimized.stop_reason;
    if (optimized.values.size() >= 3) {
      result.final_total += optimized.values[0];
      result.final_content += optimized.values[1];
      result.final_style += optimized.values[2];
      result.final_item_content.resize(size_t(batch), 0.0);
      result.final_item_style.resize(size_t(batch), 0.0);
      for (int b = 0; b < batch; ++b) {
        const bool items = batch > 1 && optimized.values.size() >= size_t(3 + 2 * batch);
        result.final_item_content[size_t(b)] += items ? optimized.values[size_t(3 + b)]
                                                      : optimized.values[1];
        result.final_item_style[size_t(b)] += items ? optimized.values[size_t(3 + batch + b)]
                                                    : optimized.values[2];
      }
    }
    timer.mark("optimise", result.timings_ms);
    if (config.refine_iterations == 0) content_targets.clear();
    return x;
  }

  // Iteration k (1-based) of the items optimised one after the other: each item's values at its
  // k-th iteration, or at its last when it stopped sooner; totals are the items' sums.
  // elapsed_ms: each item's time at each of its iterations, since the stage started.
  IterationRecord iteration_record(const std::vector<std::vector<IterationReport>>& item_reports,
                                   const std::vector<std::vector<double>>& elapsed_ms,
                                   int k) const {
    IterationRecord record;
    record.segment = segment;
    record.iteration = k;
    const size_t items = item_reports.size();
    for (size_t b = 0; b < items; ++b) {
      const auto& reports = item_reports[b];
      if (reports.empty()) continue;
      const size_t at = std::min(size_t(std::max(k, 1)), reports.size()) - 1;
      const IterationReport& r = reports[at];
      record.elapsed_ms = std::max(record.elapsed_ms, elapsed_ms[b].at(at));
      record.evaluations += r.evaluations;
      record.total += r.values.at(0);
      record.content += r.values.at(1);
      record.style += r.values.at(2);
      record.grad_max = std::max(record.grad_max, r.grad_max);
      if (items > 1) {
        record.item_content.push_back(r.values.at(1));
        record.item_style.push_back(r.values.at(2));
      }
    }
    return record;
  }

  // The objective on [batch, T, C] with the content targets (items first_item.. of the run's) and
  // the style Grams: the one each item's optimisation runs, and the one the waveform refinement
  // takes through log1p|STFT| (all items).
  StyleObjective spectrogram_objective(int64_t T, int batch, int first_item = 0) {
    FeaturePlan& plan = features(T, batch);
    std::vector<const float*> content_pointers, style_pointers;
    for (size_t l = 0; l < plan.outputs().size(); ++l) {
      const bool has = l < content_targets.size() && content_targets[l].size() > 0;
      content_pointers.push_back(
          has ? content_targets[l].get() + first_item * plan.outputs()[l].shape.count() : nullptr);
      style_pointers.push_back(style_grams[l].size() ? style_grams[l].get() : nullptr);
    }
    return StyleObjective(backend, plan,
                          make_layer_terms(extractor, plan, T, config.alpha, content_pointers,
                                           style_pointers, gram));
  }

  // L-BFGS on the samples audio [B, n_samples] (in place), the objective taken through
  // log1p|STFT| (waveform_objective.h); records the re-analysed objective before and after.
  void refine_waveform(Stft& transform, float* audio, int batch) {
    StyleObjective spectrogram = spectrogram_objective(transform.shape().n_frames(), batch);
    WaveformObjective objective(backend, transform, spectrogram, batch);
    LbfgsOptions options;
    options.max_iterations = config.refine_iterations;
    options.max_evaluations = config.max_evaluations;
    options.history = config.lbfgs_history;
    options.ftol = config.ftol;
    options.gtol = 0;  // the samples' gradient has no scale of its own: stop on iterations, ftol
    auto optimizer = make_lbfgs(backend, objective.n(), options);
    // Progress stays at the end of Griffin-Lim; the callback still lets an interrupt through.
    const OptimizerResult r = optimizer->minimize(objective, audio, [&](const IterationReport&) {
      report(Stage::reconstruct, config.gl_iterations, config.gl_iterations, nullptr, batch - 1,
             batch);
    });
    RefinementRecord& record = result.refinement;
    record.ran = true;
    record.iterations = r.iterations;
    record.evaluations = r.evaluations;
    record.stop_reason = r.stop_reason;
    record.before.assign(r.initial_values.begin(),
                         r.initial_values.begin() + std::min<size_t>(3, r.initial_values.size()));
    record.after.assign(r.values.begin(), r.values.begin() + std::min<size_t>(3, r.values.size()));
    content_targets.clear();
  }

  // Magnitude expm1(x) of the whole track, then phase retrieval item by item (one STFT plan).
  // x [B, T, C] is overwritten with the magnitude.
  std::vector<std::vector<float>> reconstruct(float* x, int batch, int64_t n_samples) {
    const int C = config.n_fft / 2 + 1;
    Stft& transform = stft({config.n_fft, config.hop, n_samples, config.win_length});
    const int64_t T = transform.shape().n_frames();
    backend.expm1_clamped(x, int64_t(batch) * T * C, x);
    if (!unseen.empty() && content_items) {
      result.unseen_fill =
          fill_unseen_bins(backend, transform, *content_items, style_energy, unseen, x);
      timer.mark("unseen_bins", result.timings_ms);
    }
    const std::vector<float> gains = postfilter_gains(config);
    if (!gains.empty()) {
      Buffer<float> gain(backend, C);
      gain.upload(gains);
      backend.bin_gain(x, int64_t(batch) * T, C, gain.get());
    }
    std::vector<std::vector<float>> out(static_cast<size_t>(batch));
    Buffer<float> audio(backend, batch * n_samples);
    GriffinLim griffinlim(backend, transform);
    GriffinLimOptions options = griffinlim_options(config);
    InitialPhase initial_phase(backend, transform, config, mode, content_items);
    double convergence = 0;
    for (int b = 0; b < batch; ++b) {
      report(Stage::reconstruct, 0, config.gl_iterations, nullptr, b, batch);
      options.initial_phasor =
          initial_phase.get(b, x + b * T * C, b > 0 ? griffinlim.phasor() : nullptr);
      convergence += griffinlim.run(x + b * T * C, audio.get() + b * n_samples, options,
                                    [&](int done, int total) {
                                      report(Stage::reconstruct, done, total, nullptr, b, batch);
                                    });
    }
    result.spectral_convergence_db = convergence / batch;
    timer.mark("griffin_lim", result.timings_ms);
    if (config.refine_iterations > 0) {
      refine_waveform(transform, audio.get(), batch);
      timer.mark("refine_waveform", result.timings_ms);
    }
    if (batch == 2 && content_items &&
        (mode == ChannelMode::stereo || mode == ChannelMode::mid_side)) {
      follow_content_image(backend, transform, *content_items, audio.get(), mode);
      timer.mark("stereo_image", result.timings_ms);
    }
    for (int b = 0; b < batch; ++b)
      out[size_t(b)] = std::vector<float>(size_t(n_samples));
    for (int b = 0; b < batch; ++b)
      backend.download(out[size_t(b)].data(), audio.get() + b * n_samples,
                       sizeof(float) * size_t(n_samples));
    return out;
  }
};

// The longest segment whose buffers fit the memory, or 0 when the whole track fits. The filters and
// the style Gram count unless the Engine already holds them (`persistent_held`).
int64_t fitting_segment_samples(Backend& backend, const TransferConfig& config, int64_t total,
                                int batch, bool with_content, bool persistent_held) {
  const size_t available = backend.available_memory_bytes();
  if (available == 0) return 0;  // unknown: do not split
  const size_t budget = size_t(double(available) * 0.9);  // library workspaces, fragmentation
  auto need = [&](int64_t samples) {
    const MemoryPlan plan = plan_memory_on(backend, config, samples, batch, with_content);
    return plan.total_bytes() - (persistent_held ? plan.persistent_bytes() : size_t(0));
  };
  if (need(total) <= budget) return 0;
  const int64_t min_samples =
      int64_t(extractor_min_frames(config, with_content) + 2) * config.hop +
      2 * int64_t(std::llround(config.overlap_seconds * config.sample_rate_hz));
  if (need(min_samples) > budget)
    throw DeviceError("not enough memory on " + backend.device_name() + ": even a " +
                      std::to_string(double(min_samples) / config.sample_rate_hz) +
                      " s segment needs " + std::to_string(need(min_samples) >> 20) + " MiB, " +
                      std::to_string(available >> 20) +
                      " MiB are available (use fewer --filters, or shallower layers)");
  int64_t lo = min_samples, hi = total;
  while (hi - lo > config.hop) {
    const int64_t mid = lo + (hi - lo) / 2;
    (need(mid) <= budget ? lo : hi) = mid;
  }
  return lo;
}

}  // namespace

TransferResult Engine::transfer(const Audio& content, const Audio& style,
                                const TransferConfig& config, const ProgressFn& progress) {
  validate(config);
  if (content.sample_rate_hz != config.sample_rate_hz || style.sample_rate_hz != config.sample_rate_hz)
    throw UsageError("content and style must be at the working rate (" +
                     std::to_string(config.sample_rate_hz) + " Hz)");
  const ChannelMode mode = resolve_channel_mode(config.channels, content.n_channels());
  // A stereo transfer runs as mid and side (L/R out either way): the mid is the downmix, optimised
  // as a mono run of it would be. Optimised as L and R, the downmix was the mean of two separately
  // stylised channels and scored worse than a mono run's (README, "Stereo that stays stereo").
  const ChannelMode items_mode = mode == ChannelMode::stereo ? ChannelMode::mid_side : mode;
  const auto items = to_items(content, items_mode);
  TransferResult result =
      run(&items, content.n_samples(), int(items.size()), items_mode, style, config, progress);
  result.channel_mode = to_string(mode);
  return result;
}

TransferResult Engine::texture(const Audio& style, int64_t output_samples, int channels,
                               const TransferConfig& config, const ProgressFn& progress) {
  validate(config);
  if (channels != 1 && channels != 2) throw UsageError("a texture has 1 or 2 channels");
  if (config.phase_init == PhaseInit::content)
    throw UsageError("--phase-init content needs a content (use random or pghi)");
  TransferConfig texture_config = config;
  texture_config.alpha = 0;
  return run(nullptr, output_samples, channels,
             channels == 2 ? ChannelMode::stereo : ChannelMode::mono, style, texture_config,
             progress);
}

TransferResult Engine::run(const std::vector<std::vector<float>>* content_items,
                           int64_t output_samples, int batch, ChannelMode mode, const Audio& style,
                           const TransferConfig& config, const ProgressFn& progress) {
  Backend& backend = backend_;
  Cache& cache = *cache_;
  TransferResult result;
  result.backend = backend.name();
  result.device = backend.device_name();
  result.channel_mode = to_string(mode);
  result.item_names = batch == 1                     ? std::vector<std::string>{"mono"}
                      : mode == ChannelMode::mid_side ? std::vector<std::string>{"mid", "side"}
                                                      : std::vector<std::string>{"left", "right"};
  result.item_names.resize(size_t(batch), "item");
  StageTimer timer(backend);
  const int C = config.n_fft / 2 + 1;
  const Audio style_mono = style.n_channels() == 1 ? style : downmix(style);
  const std::vector<float>& style_audio = style_mono.channels.at(0);

  const bool with_content = content_items != nullptr;
  result.content_frames = StftShape{config.n_fft, config.hop, output_samples, config.win_length}.n_frames();
  result.style_frames = StftShape{config.n_fft, config.hop, int64_t(style_audio.size()),
                                config.win_length}.n_frames();
  const int min_frames = extractor_min_frames(config, with_content);
  check_length(with_content ? "the content" : "the requested output", result.content_frames,
               min_frames, config);
  check_length("the style", result.style_frames, min_frames, config);
  result.memory = plan_memory_on(backend, config, output_samples, batch, with_content);
  if (progress) progress({Stage::analyse, 0, 2, 0, 1, 0, 1, 0.0, nullptr});

  // The extractor (filters, loaded weights): kept while everything it depends on stays the same.
  const Cache::ExtractorKey extractor_key = audiostyle::extractor_key(config, with_content);
  // Segments: one, unless asked for or the memory requires.
  int64_t segment_samples = int64_t(std::llround(config.segment_seconds * config.sample_rate_hz));
  if (segment_samples <= 0)
    segment_samples = fitting_segment_samples(backend, config, output_samples, batch, with_content,
                                              cache.extractor_key == extractor_key &&
                                                  !cache.style_grams.empty());
  if (segment_samples <= 0) segment_samples = output_samples;
  const int64_t overlap = int64_t(std::llround(config.overlap_seconds * config.sample_rate_hz));
  result.segments = plan_segments(output_samples, segment_samples,
                                  std::min(overlap, (segment_samples - 1) / 2), config.hop);
  for (const auto& s : result.segments)
    check_length(with_content ? "a content segment" : "an output segment",
                 StftShape{config.n_fft, config.hop, s.n_samples, config.win_length}.n_frames(),
                 min_frames, config);
  if (result.segments.size() > 1 && config.refine_iterations > 0)
    throw UsageError("--refine-waveform needs the whole track in one segment, and this run splits "
                     "it into " + std::to_string(result.segments.size()) +
                     " (--segment-seconds, or the device's memory): refine a shorter crop "
                     "(--seconds), or drop --refine-waveform");
  if (result.segments.size() > 1)
    result.memory = plan_memory_on(backend, config, result.segments[0].n_samples, batch, with_content);

  if (cache.extractor_key != extractor_key) {
    cache.features.clear();
    cache.extractor.reset();
    cache.style_key.reset();
    cache.style_grams.clear();
    cache.extractor = make_extractor(backend, config, with_content);
    cache.extractor_key = extractor_key;
  }
  FeatureExtractor& extractor = *cache.extractor;
  result.extractor = extractor.describe();
  auto stft = [&](const StftShape& s) -> Stft& {
    return cache.stfts.get({s.n_fft, s.hop, s.n_samples, s.window_length()}, [&] { return backend.make_stft(s); });
  };
  auto features = [&](int64_t n_frames, int items) -> FeaturePlan& {
    return cache.features.get({n_frames, items}, [&] { return extractor.plan(n_frames, items); });
  };
  auto gram = [&](int64_t rows, int cols, int items) -> Gram& {
    return cache.grams.get({rows, cols, items, config.precision},
                           [&] { return backend.make_gram(rows, cols, config.precision, items); });
  };

  // Style Gram over the whole style, in chunks; kept for the next job with the same style.
  const auto style_key = std::make_tuple(
      fnv1a(style_audio.data(), style_audio.size() * sizeof(float)), int64_t(style_audio.size()),
      config.sample_rate_hz, config.n_fft, config.hop, config.win_length, extractor_key);
  if (cache.style_key != style_key) {
    cache.style_key.reset();
    cache.style_energy.clear();
    const auto layers = extractor.layers();
    if (cache.style_grams.size() != layers.size()) {
      cache.style_grams.clear();
      for (const auto& layer : layers)
        cache.style_grams.emplace_back(
            layer.style_weight != 0 ? Buffer<float>(backend, int64_t(layer.shape.cols) * layer.shape.cols)
                                    : Buffer<float>());
    }
    std::vector<float*> grams;
    for (auto& g : cache.style_grams) grams.push_back(g.size() > 0 ? g.get() : nullptr);
    style_grams(backend, PlanSource{stft, features, gram}, extractor, style_audio, config.n_fft,
                config.hop, config.win_length, style_chunk_frames(config), grams);
    cache.style_key = style_key;
  }
  timer.mark("style_gram", result.timings_ms);
  std::vector<int> unseen = bins_to_fill(config, with_content);
  if (!unseen.empty() && cache.style_energy.empty())
    cache.style_energy = bin_energy_streamed(backend, PlanSource{stft, features, gram}, style_audio,
                                             config.n_fft, config.hop, config.win_length,
                                             style_chunk_frames(config));

  Run run{backend, config, progress, result, timer, extractor, cache.style_grams,
          stft, features, gram};
  run.segments = int(result.segments.size());
  run.mode = mode;
  run.content_items = content_items;
  run.unseen = std::move(unseen);
  run.style_energy = cache.style_energy;
  std::vector<std::vector<float>> out;
  if (result.segments.size() == 1) {
    // The whole track at once: the spectrogram never leaves the device.
    Buffer<float> x = run.optimise_segment(content_items ? *content_items
                                                         : std::vector<std::vector<float>>{},
                                           batch, output_samples);
    run.segment = 0;
    out = run.reconstruct(x.get(), batch, output_samples);
  } else {
    // Segments optimised one by one, their spectrograms stitched on the host, one reconstruction.
    const int64_t T = result.content_frames;
    std::vector<float> sum(size_t(batch * T * C), 0.0f), weight(size_t(T), 0.0f);
    for (size_t i = 0; i < result.segments.size(); ++i) {
      run.segment = int(i);
      const SegmentPlan& s = result.segments[i];
      std::vector<std::vector<float>> content;
      if (with_content)
        for (const auto& item : *content_items)
          content.emplace_back(item.begin() + s.first_sample,
                               item.begin() + s.first_sample + s.n_samples);
      const std::vector<float> x = run.optimise_segment(content, batch, s.n_samples).download();
      stitch_add(sum, weight, x, batch, T, C, result.segments, i, config.n_fft, config.hop);
    }
    for (int b = 0; b < batch; ++b)
      for (int64_t t = 0; t < T; ++t)
        for (int c = 0; c < C; ++c) sum[size_t((b * T + t) * C + c)] /= weight[size_t(t)];
    Buffer<float> x(backend, int64_t(sum.size()));
    x.upload(sum);
    run.segment = int(result.segments.size()) - 1;
    out = run.reconstruct(x.get(), batch, output_samples);
  }
  timer.mark("download", result.timings_ms);
  result.peak_memory_bytes = backend.peak_memory_bytes();

  result.output.sample_rate_hz = config.sample_rate_hz;
  result.output.channels = from_items(std::move(out), mode);
  // Keep the peak under 0 dBFS rather than clipping.
  const float peak_abs = peak(result.output);
  for (const auto& ch : result.output.channels)
    for (float v : ch)
      if (!std::isfinite(v)) throw Error("the reconstruction produced non-finite samples");
  constexpr float kMaxPeak = 0.989f;  // -0.1 dBFS
  if (peak_abs > kMaxPeak) {
    result.output_gain = kMaxPeak / peak_abs;
    for (auto& ch : result.output.channels)
      for (float& v : ch) v *= float(result.output_gain);
  }
  return result;
}

TransferResult transfer(Backend& backend, const Audio& content, const Audio& style,
                        const TransferConfig& config, const ProgressFn& progress) {
  Engine engine(backend);
  return engine.transfer(content, style, config, progress);
}

TransferResult texture(Backend& backend, const Audio& style, int64_t output_samples,
                       const TransferConfig& config, const ProgressFn& progress) {
  Engine engine(backend);
  return engine.texture(style, output_samples, 1, config, progress);
}

}  // namespace audiostyle
