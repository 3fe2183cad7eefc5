// STFT, ISTFT and one Griffin-Lim iteration (stages.h for the work counted).
#include <algorithm>
#include <cmath>

#include "bench/stages.h"
#include "host/pipeline/griffinlim.h"

namespace audiostyle::bench {

int rotation_sets(double bytes_per_set) {
  constexpr double kSpanBytes = 256.0 * 1048576.0;
  return int(std::clamp(std::ceil(kSpanBytes / std::max(bytes_per_set, 1.0)), 1.0, 64.0));
}

double real_fft_flop(int n) { return 2.5 * n * std::log2(double(n)); }

void run_spectral_stages(Backend& backend, const BenchSize& size, const StageOptions& o,
                         const std::function<bool(const std::string&)>& wanted,
                         const StageSink& sink) {
  const StftShape shape = size.stft();
  const int64_t T = shape.n_frames(), C = shape.n_bins(), S = shape.n_samples;
  const int B = size.n_batch;
  const double item_audio_bytes = 4.0 * S, item_spec_bytes = 8.0 * T * C;
  auto stft = backend.make_stft(shape);

  // One set = B items of audio [S] and spectra [T, C, 2]; sets are cycled between calls.
  const int sets = rotation_sets(B * (item_audio_bytes + item_spec_bytes));
  Buffer<float> audio(backend, int64_t(sets) * B * S), spec(backend, int64_t(sets) * B * T * C * 2);
  backend.fill_normal(audio.get(), audio.size(), 21, 7, 0.1f);
  backend.fill_normal(spec.get(), spec.size(), 22, 7, 1.0f);
  auto item_audio = [&](int set, int b) { return audio.get() + (int64_t(set) * B + b) * S; };
  auto item_spec = [&](int set, int b) { return spec.get() + (int64_t(set) * B + b) * T * C * 2; };
  const nlohmann::json rotation = {{"input_sets", sets}};

  if (wanted("stft")) {
    int set = 0;
    StageResult r{"stft", "memory"};
    r.flop = double(B) * T * (real_fft_flop(shape.n_fft) + shape.n_fft);
    r.bytes = B * (item_audio_bytes + item_spec_bytes);
    r.timing = time_backend(backend, [&] {
      for (int b = 0; b < B; ++b) stft->forward(item_audio(set, b), item_spec(set, b));
      set = (set + 1) % sets;
    }, o.warmup, o.repeats);
    r.details = rotation;
    sink(r);
  }
  if (wanted("istft")) {
    int set = 0;
    StageResult r{"istft", "memory"};
    r.flop = double(B) * T * (real_fft_flop(shape.n_fft) + 2.0 * shape.n_fft) + double(B) * S;
    r.bytes = B * (item_audio_bytes + item_spec_bytes);
    r.timing = time_backend(backend, [&] {
      for (int b = 0; b < B; ++b) stft->inverse(item_spec(set, b), item_audio(set, b));
      set = (set + 1) % sets;
    }, o.warmup, o.repeats);
    r.details = rotation;
    sink(r);
  }
  if (wanted("griffinlim_iteration")) {
    // A real magnitude |STFT(noise)| per item; the slope between runs of `base` and
    // `base + gl_iterations` iterations leaves out the fixed cost (initial phase, final
    // spectral-convergence check) of a run.
    Buffer<float> magnitude(backend, int64_t(B) * T * C), log_magnitude(backend, T * C);
    for (int b = 0; b < B; ++b) {
      stft->forward(item_audio(0, b), item_spec(0, b));
      backend.log1p_magnitude(item_spec(0, b), T * C, log_magnitude.get());
      backend.expm1_clamped(log_magnitude.get(), T * C, magnitude.get() + int64_t(b) * T * C);
    }
    GriffinLim gl(backend, *stft);
    const int base = 2, extra = std::max(1, o.gl_iterations);
    auto run_with = [&](int iterations) {
      GriffinLimOptions options;
      options.iterations = iterations;
      options.momentum = 0.99f;
      return time_backend(backend, [&] {
        for (int b = 0; b < B; ++b)
          gl.run(magnitude.get() + int64_t(b) * T * C, item_audio(0, b), options);
      }, o.warmup, o.repeats);
    };
    const Timing short_run = run_with(base), long_run = run_with(base + extra);
    StageResult r{"griffinlim_iteration", "memory"};
    r.flop = double(B) * T * (2 * real_fft_flop(shape.n_fft) + 3.0 * shape.n_fft + 12.0 * C) +
             double(B) * S;
    r.bytes = double(B) * (36.0 * T * C + 8.0 * S);
    for (size_t i = 0; i < long_run.times_ms.size(); ++i)
      r.timing.times_ms.push_back((long_run.times_ms[i] - short_run.times_ms[i]) / extra);
    r.timing.median_ms = (long_run.median_ms - short_run.median_ms) / extra;
    r.timing.min_ms = *std::min_element(r.timing.times_ms.begin(), r.timing.times_ms.end());
    r.timing.max_ms = *std::max_element(r.timing.times_ms.begin(), r.timing.times_ms.end());
    r.details = {{"method", "slope between runs of " + std::to_string(base) + " and " +
                                std::to_string(base + extra) + " iterations"},
                 {"momentum", 0.99},
                 {"short_run_median_ms", short_run.median_ms},
                 {"long_run_median_ms", long_run.median_ms},
                 // The slope of the fastest runs: on a shared CPU the least disturbed estimate,
                 // and what the Griffin-Lim peers report too.
                 {"per_iteration_min_ms", (long_run.min_ms - short_run.min_ms) / extra},
                 {"working_set_bytes", double(B) * (4 * 8.0 * T * C + 4.0 * T * C + 4.0 * S)}};
    sink(r);
  }
}

}  // namespace audiostyle::bench
