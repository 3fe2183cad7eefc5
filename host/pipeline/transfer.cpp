// The pipeline, written once: every step is a Backend op or plan, so the CPU and CUDA backends run
// the same code. Host work is limited to orchestration and one small read per evaluation.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <optional>
#include <sstream>

#include "audiostyle/errors.h"
#include "audiostyle/philox.h"
#include "audiostyle/pipeline.h"
#include "host/pipeline/features.h"
#include "host/pipeline/griffinlim.h"
#include "host/pipeline/optimizer.h"
#include "host/pipeline/style_objective.h"

namespace audiostyle {

size_t MemoryPlan::total_bytes() const {
  size_t total = 0;
  for (const auto& item : items) total += item.bytes;
  return total;
}

std::string MemoryPlan::describe() const {
  std::ostringstream out;
  out.setf(std::ios::fixed);
  out.precision(1);
  for (const auto& item : items) out << "  " << item.name << ": " << item.bytes / 1048576.0 << " MiB\n";
  out << "  total: " << total_bytes() / 1048576.0 << " MiB";
  return out.str();
}

const char* to_string(Stage s) {
  switch (s) {
    case Stage::analyse: return "analyse";
    case Stage::optimise: return "optimise";
    case Stage::reconstruct: return "reconstruct";
  }
  return "?";
}

MemoryPlan plan_memory(const TransferConfig& config, int64_t output_samples, int64_t style_samples,
                       bool with_content) {
  const int64_t C = config.n_fft / 2 + 1, F = config.n_filters, K = config.kernel_width;
  const StftShape out_shape{config.n_fft, config.hop, output_samples};
  const StftShape style_shape{config.n_fft, config.hop, style_samples};
  const int64_t T = out_shape.n_frames(), Ts = style_shape.n_frames();
  const int64_t out_rows = std::max<int64_t>(T - K + 1, 0);
  const int64_t style_rows = std::max<int64_t>(Ts - K + 1, 0);
  const size_t f4 = sizeof(float);
  const int64_t n = T * C;
  const int64_t optimizer_vectors =
      config.optimizer == OptimizerKind::lbfgs ? 2 * config.lbfgs_history + 5 : 6;
  MemoryPlan plan;
  auto add = [&](std::string name, int64_t count, size_t elem) {
    plan.items.push_back({std::move(name), size_t(std::max<int64_t>(count, 0)) * elem});
  };
  add("conv weights [F, K, C]", F * K * C, f4);
  add("style gram Gs [F, F]", F * F, f4);
  // The style analysis buffers are freed before the optimisation; counted in full (an upper bound).
  add("style audio + spectrum + STFT frames", style_samples + Ts * C * 3 + Ts * config.n_fft * 2, f4);
  add("style features [Ts', F]", style_rows * F, f4);
  add("audio + STFT frames", output_samples + T * config.n_fft * 2, f4);
  if (with_content) add("content features Ac [T', F]", out_rows * F, f4);
  add("spectrogram x, gradient [T, C]", 2 * n, f4);
  add("features A, dA [T', F]", 2 * out_rows * F, f4);
  add("gram error [F, F]", F * F, f4);
  add(std::string("optimiser state (") + to_string(config.optimizer) + ")", optimizer_vectors * n,
      f4);
  add("griffin-lim spectra [4, T, C, 2]", 8 * n, f4);
  return plan;
}

namespace {

using Clock = std::chrono::steady_clock;

// Times stages with the backend synchronised at each boundary (coarse stages only).
class StageTimer {
 public:
  explicit StageTimer(Backend& backend) : backend_(backend), start_(Clock::now()) {}
  void mark(const std::string& stage, std::vector<StageTiming>& out) {
    backend_.synchronize();
    const auto now = Clock::now();
    out.push_back({stage, std::chrono::duration<double, std::milli>(now - start_).count()});
    start_ = now;
  }

 private:
  Backend& backend_;
  Clock::time_point start_;
};

// log1p |STFT(audio)| into x [T, C]; audio_host is uploaded once.
void spectrogram(Backend& backend, Stft& stft, const std::vector<float>& audio_host, float* x) {
  const StftShape& shape = stft.shape();
  Buffer<float> audio(backend, shape.n_samples);
  Buffer<float> spec(backend, 2 * shape.n_frames() * shape.n_bins());
  audio.upload(audio_host);
  stft.forward(audio.get(), spec.get());
  backend.log1p_magnitude(spec.get(), shape.n_frames() * shape.n_bins(), x);
}

void check_length(const char* role, int64_t n_frames, int min_frames, const TransferConfig& c) {
  if (n_frames >= min_frames) return;
  const double needed_s = double(int64_t(min_frames - 1) * c.hop) / c.sample_rate_hz;
  throw InputError(std::string(role) + " is too short: " + std::to_string(n_frames) +
                   " STFT frames, the kernel needs at least " + std::to_string(min_frames) +
                   " (about " + std::to_string(int(std::ceil(needed_s * 1000))) + " ms)");
}

void check_fits(Backend& backend, const MemoryPlan& plan) {
  const size_t available = backend.available_memory_bytes();
  const size_t needed = plan.total_bytes();
  if (available == 0 || needed <= available) return;
  throw DeviceError("not enough memory on " + backend.device_name() + ": the run needs " +
                    std::to_string(needed >> 20) + " MiB, " + std::to_string(available >> 20) +
                    " MiB are available (shorten it with --seconds or use fewer --filters)");
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

// The shared body of transfer() and texture(): content is null for texture synthesis.
TransferResult run(Backend& backend, const Audio* content, int64_t output_samples,
                   const Audio& style, const TransferConfig& config, const ProgressFn& progress) {
  AS_CHECK(style.n_channels() == 1 && (!content || content->n_channels() == 1),
           "the pipeline takes mono audio");
  TransferResult result;
  result.backend = backend.name();
  result.device = backend.device_name();
  StageTimer timer(backend);
  if (progress) progress({Stage::analyse, 0, 3, nullptr});

  const int n_bins = config.n_fft / 2 + 1;
  const StftShape out_shape{config.n_fft, config.hop, output_samples};
  const StftShape style_shape{config.n_fft, config.hop, style.n_samples()};
  const int64_t T = out_shape.n_frames();
  result.content_frames = T;
  result.style_frames = style_shape.n_frames();
  check_length(content ? "the content" : "the requested output", T, config.kernel_width, config);
  check_length("the style", result.style_frames, config.kernel_width, config);

  result.memory = plan_memory(config, output_samples, style.n_samples(), content != nullptr);
  check_fits(backend, result.memory);

  auto extractor = make_random_conv1d(backend, n_bins, config.n_filters, config.kernel_width,
                                      config.seed, config.precision);
  result.extractor = extractor->describe();

  // Style Gram Gs = As^T As / Ts, once; the style's buffers are freed before the optimisation.
  Buffer<float> style_gram(backend, int64_t(config.n_filters) * config.n_filters);
  {
    auto stft = backend.make_stft(style_shape);
    Buffer<float> x_style(backend, result.style_frames * n_bins);
    spectrogram(backend, *stft, style.channels[0], x_style.get());
    auto plan = extractor->plan(result.style_frames);
    Buffer<float> features(backend, plan->shape().count());
    plan->forward(x_style.get(), features.get());
    auto gram = backend.make_gram(plan->shape().rows, plan->shape().cols, config.precision);
    gram->forward(features.get(), 1.0f / float(result.style_frames), style_gram.get());
  }
  timer.mark("style_gram", result.timings_ms);
  if (progress) progress({Stage::analyse, 1, 3, nullptr});

  auto stft = backend.make_stft(out_shape);
  auto plan = extractor->plan(T);
  result.conv_algorithm = plan->algorithm();
  const int64_t n = T * n_bins;
  Buffer<float> x(backend, n);
  std::optional<Buffer<float>> content_features;
  if (content) {
    spectrogram(backend, *stft, content->channels[0], x.get());
    content_features.emplace(backend, plan->shape().count());
    plan->forward(x.get(), content_features->get());
  }
  if (!content || config.init == InitKind::random)
    backend.fill_normal(x.get(), n, config.seed, philox::kStreamInit, config.init_scale);
  timer.mark("content_features", result.timings_ms);
  if (progress) progress({Stage::analyse, 2, 3, nullptr});

  {
    StyleObjective objective(backend, *plan, T, style_gram.get(),
                             content ? content_features->get() : nullptr, config.alpha,
                             config.precision);
    auto optimizer = make_optimizer(backend, n, config);
    const auto start = Clock::now();
    const int total = config.iterations;
    auto on_iteration = [&](const IterationReport& report) {
      IterationRecord record;
      record.iteration = report.iteration;
      record.evaluations = report.evaluations;
      record.total = report.values.at(0);
      record.content = report.values.at(1);
      record.style = report.values.at(2);
      record.grad_max = report.grad_max;
      record.elapsed_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
      result.iterations.push_back(record);
      if (progress) progress({Stage::optimise, report.iteration, total, &result.iterations.back()});
    };
    const OptimizerResult optimized = optimizer->minimize(objective, x.get(), on_iteration);
    result.stop_reason = optimized.stop_reason;
    result.evaluations = optimized.evaluations;
    if (optimized.values.size() >= 3) {
      result.final_total = optimized.values[0];
      result.final_content = optimized.values[1];
      result.final_style = optimized.values[2];
    }
  }
  content_features.reset();
  timer.mark("optimise", result.timings_ms);

  // Magnitude expm1(x), then phase retrieval.
  {
    Buffer<float> magnitude(backend, n);
    Buffer<float> audio(backend, output_samples);
    backend.expm1_clamped(x.get(), n, magnitude.get());
    GriffinLim griffinlim(backend, *stft);
    GriffinLimOptions options{config.gl_iterations, config.momentum, config.seed};
    result.spectral_convergence_db =
        griffinlim.run(magnitude.get(), audio.get(), options, [&](int done, int total) {
          if (progress) progress({Stage::reconstruct, done, total, nullptr});
        });
    timer.mark("griffin_lim", result.timings_ms);
    result.output.sample_rate_hz = config.sample_rate_hz;
    result.output.channels = {audio.download()};
  }
  timer.mark("download", result.timings_ms);

  // Keep the peak under 0 dBFS rather than clipping.
  float peak_abs = 0;
  for (float v : result.output.channels[0]) peak_abs = std::max(peak_abs, std::fabs(v));
  if (!std::isfinite(peak_abs)) throw Error("the reconstruction produced non-finite samples");
  constexpr float kMaxPeak = 0.989f;  // -0.1 dBFS
  if (peak_abs > kMaxPeak) {
    result.output_gain = kMaxPeak / peak_abs;
    for (float& v : result.output.channels[0]) v *= float(result.output_gain);
  }
  return result;
}

}  // namespace

TransferResult transfer(Backend& backend, const Audio& content, const Audio& style,
                        const TransferConfig& config, const ProgressFn& progress) {
  return run(backend, &content, content.n_samples(), style, config, progress);
}

TransferResult texture(Backend& backend, const Audio& style, int64_t output_samples,
                       const TransferConfig& config, const ProgressFn& progress) {
  TransferConfig texture_config = config;
  texture_config.alpha = 0;
  return run(backend, nullptr, output_samples, style, texture_config, progress);
}

}  // namespace audiostyle
