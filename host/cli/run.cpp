// `transfer` and `texture`: read, run, write, report.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "audiostyle/audio.h"
#include "audiostyle/errors.h"
#include "host/cli/commands.h"
#include "host/cli/output_guard.h"
#include "host/cli/progress.h"
#include "host/cli/report.h"
#include "host/io/staged_file.h"

namespace audiostyle::cli {
namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

void check_audible(const Audio& audio, const std::string& role, const std::string& path) {
  constexpr float kSilence = 1e-5f;  // -100 dBFS
  if (peak(audio) < kSilence)
    throw InputError(role + " " + path + " is silent (peak below -100 dBFS): nothing to transfer");
}

void check_report_path(const std::string& path) {
  if (path.empty()) return;
  const auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty() && !std::filesystem::is_directory(parent))
    throw InputError("cannot write the report " + path + ": folder " + parent.string() +
                     " does not exist");
}

// --sample-rate native: the content's own rate, with n_fft and hop scaled unless given.
void resolve_rate(RunOptions& options, int file_rate_hz) {
  TransferConfig& c = options.config;
  if (options.native_rate && (file_rate_hz < 1000 || file_rate_hz > 384000))
    throw InputError("--sample-rate native: the file's rate " + std::to_string(file_rate_hz) +
                     " Hz is outside [1000, 384000] Hz");
  if (options.native_rate) c.sample_rate_hz = file_rate_hz;
  if (!options.n_fft_given && !options.hop_given) scale_stft_to_rate(c.sample_rate_hz, c.n_fft, c.hop);
  else if (!options.hop_given) c.hop = c.n_fft / 4;
}

}  // namespace

std::unique_ptr<Backend> choose_backend(const std::string& device, bool quiet) {
  if (device == "cpu") return make_cpu_backend();
  std::string why;
  // The first usable device: cuda_devices() skips those this build cannot run on.
  const auto devices = cuda_devices(&why);
  const bool found = !devices.empty();
  if (device == "cuda") {
    if (!found) throw DeviceError("--device cuda: no usable CUDA device (" + why + ")");
    return make_cuda_backend(devices.front().index);
  }
  if (found) {
    try {
      return make_cuda_backend(devices.front().index);
    } catch (const DeviceError& e) {
      why = e.what();
    }
  }
  if (!quiet)
    std::fprintf(stderr, "note: no usable CUDA device (%s); running on the CPU\n", why.c_str());
  return make_cpu_backend();
}

TransferResult run_job(Engine& engine, const std::string& command, RunOptions& options,
                       const ProgressFn& progress) {
  const bool texture = command == "texture";
  const auto start = Clock::now();
  TransferConfig& config = options.config;
  check_writable_output(options.output_path);
  check_report_path(options.report_path);
  prepare_plots_dir(options.plots_dir);

  std::vector<StageTiming> io_timings;
  auto stage_start = Clock::now();
  Audio content;
  if (!texture) {
    // Channels are kept for stereo and mid-side; the crop is the content's.
    const bool keep_channels = config.channels != ChannelMode::mono;
    content = read_audio(options.content_path,
                         ReadOptions{options.native_rate ? 0 : config.sample_rate_hz,
                                     !keep_channels, config.offset_seconds, config.seconds});
    check_audible(content, "the content", options.content_path);
    resolve_rate(options, content.sample_rate_hz);
  }
  // A texture at the native rate takes the style's rate.
  const Audio style = read_audio(
      options.style_path,
      ReadOptions{texture && options.native_rate ? 0 : config.sample_rate_hz, true, 0, 0});
  check_audible(style, "the style", options.style_path);
  if (texture) resolve_rate(options, style.sample_rate_hz);
  io_timings.push_back({"read", ms_since(stage_start)});

  const int64_t out_samples = int64_t(std::llround(config.seconds * config.sample_rate_hz));
  if (options.verbose) {
    Backend& backend = engine.backend();
    std::fprintf(stderr, "backend: %s on %s\n", backend.name().c_str(),
                 backend.device_name().c_str());
    std::fprintf(stderr, "stft: n_fft %d, hop %d at %d Hz\n", config.n_fft, config.hop,
                 config.sample_rate_hz);
  }
  TransferResult result =
      texture ? engine.texture(style, out_samples, options.texture_channels, config, progress)
              : engine.transfer(content, style, config, progress);
  if (options.verbose)
    std::fprintf(stderr, "memory plan (per segment):\n%s\n", result.memory.describe().c_str());

  // Staged under temporary names, then renamed into place together, report first: an existing
  // audio output means a finished job (batch --resume relies on it).
  stage_start = Clock::now();
  io::StagedFile audio_file =
      io::stage_audio(options.output_path, result.output, WriteOptions{sample_format(options)});
  io_timings.push_back({"write", ms_since(stage_start)});
  const double total_ms = ms_since(start);
  if (options.verbose)
    for (const auto& t : result.timings_ms)
      std::fprintf(stderr, "  %-18s %10.1f ms\n", t.stage.c_str(), t.ms);
  const nlohmann::json evaluation =
      options.evaluate || !options.plots_dir.empty()
          ? run_extras(engine.backend(), options, texture ? nullptr : &content, style, result)
          : nlohmann::json(nullptr);
  io::StagedFile report_file;
  if (!options.report_path.empty()) {
    nlohmann::json report = make_report(command, options, result, total_ms, io_timings);
    if (!evaluation.is_null()) report["evaluation"] = evaluation;
    report_file = stage_report(options.report_path, report);
  }
  commit_outputs({&report_file, &audio_file}, options.no_clobber);
  return result;
}

int run_single(const std::string& command, RunOptions& options) {
  finalize(options, command == "texture");
  // Checked before the backend starts, so a bad path fails fast.
  std::vector<NamedPath> inputs = {{options.style_path, "the style"}};
  if (command != "texture") inputs.insert(inputs.begin(), {options.content_path, "the content"});
  std::vector<NamedPath> outputs = {{options.output_path, "the output"}};
  if (!options.report_path.empty()) outputs.push_back({options.report_path, "the report"});
  if (!options.plots_dir.empty())
    for (const char* plot : {"spectrograms.png", "losses.png"})
      outputs.push_back({options.plots_dir + "/" + plot, "the plot"});
  check_output_paths(inputs, outputs, options.no_clobber);
  check_writable_output(options.output_path);
  auto backend = choose_backend(options.device, options.quiet);
  Engine engine(*backend);
  ProgressPrinter printer(options.quiet);
  const auto start = Clock::now();
  const TransferResult result =
      run_job(engine, command, options, [&](const Progress& p) { printer(p); });
  printer.finish();
  if (!options.quiet)
    std::fprintf(stderr,
                 "wrote %s (%.1f s, %s) in %.1f s on %s: loss %.4g -> %.4g (%s), "
                 "griffin-lim %.1f dB\n",
                 options.output_path.c_str(), result.output.seconds(),
                 result.channel_mode.c_str(), ms_since(start) / 1000, result.device.c_str(),
                 result.iterations.empty() ? result.final_total : result.iterations.front().total,
                 result.final_total, result.stop_reason.c_str(), result.spectral_convergence_db);
  return kExitOk;
}

}  // namespace audiostyle::cli
