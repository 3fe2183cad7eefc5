// audiostyle: neural audio style transfer from the command line.
#include <CLI/CLI.hpp>
#include <cblas.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "audiostyle/audio.h"
#include "audiostyle/errors.h"
#include "audiostyle/pipeline.h"
#include "host/cli/options.h"
#include "host/cli/progress.h"
#include "host/cli/report.h"

namespace audiostyle::cli {
namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kExitCodes =
    "Exit codes: 0 ok, 2 usage (invalid flags), 3 bad input (missing, unreadable, corrupt, empty,\n"
    "silent or too short audio; unwritable output), 4 runtime or device failure, 130 interrupted.";

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

std::unique_ptr<Backend> choose_backend(const std::string& device, bool quiet) {
  if (device == "cpu") return make_cpu_backend();
  std::string why;
  const bool found = !cuda_devices(&why).empty();
  if (device == "cuda") {
    if (!found) throw DeviceError("--device cuda: no usable CUDA device (" + why + ")");
    return make_cuda_backend(0);
  }
  if (found) {
    try {
      return make_cuda_backend(0);
    } catch (const DeviceError& e) {
      why = e.what();
    }
  }
  if (!quiet) std::fprintf(stderr, "note: no usable CUDA device (%s); running on the CPU\n", why.c_str());
  return make_cpu_backend();
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

int run_command(const std::string& command, RunOptions& options) {
  const bool texture = command == "texture";
  finalize(options, texture);
  const auto start = Clock::now();
  TransferConfig& config = options.config;
  check_writable_output(options.output_path);
  check_report_path(options.report_path);

  std::vector<StageTiming> io_timings;
  auto stage_start = Clock::now();
  ReadOptions style_read{config.sample_rate_hz, true, 0, 0};
  const Audio style = read_audio(options.style_path, style_read);
  check_audible(style, "the style", options.style_path);
  Audio content;
  if (!texture) {
    ReadOptions content_read{config.sample_rate_hz, true, config.offset_seconds, config.seconds};
    content = read_audio(options.content_path, content_read);
    check_audible(content, "the content", options.content_path);
  }
  io_timings.push_back({"read", ms_since(stage_start)});

  auto backend = choose_backend(options.device, options.quiet);
  if (options.verbose) {
    std::fprintf(stderr, "backend: %s on %s\n", backend->name().c_str(),
                 backend->device_name().c_str());
    const int64_t out_samples =
        texture ? int64_t(std::llround(config.seconds * config.sample_rate_hz)) : content.n_samples();
    std::fprintf(stderr, "memory plan:\n%s\n",
                 plan_memory(config, out_samples, style.n_samples(), !texture).describe().c_str());
  }

  ProgressPrinter printer(options.quiet);
  ProgressFn progress = [&](const Progress& p) { printer(p); };
  TransferResult result =
      texture ? audiostyle::texture(*backend, style,
                                    int64_t(std::llround(config.seconds * config.sample_rate_hz)),
                                    config, progress)
              : transfer(*backend, content, style, config, progress);
  printer.finish();
  if (interrupt_requested()) throw Interrupted("interrupted: stopped before writing any output");

  stage_start = Clock::now();
  write_audio(options.output_path, result.output, WriteOptions{sample_format(options)});
  io_timings.push_back({"write", ms_since(stage_start)});
  const double total_ms = ms_since(start);

  if (options.verbose)
    for (const auto& t : result.timings_ms) std::fprintf(stderr, "  %-18s %10.1f ms\n", t.stage.c_str(), t.ms);
  if (!options.report_path.empty())
    write_report(options.report_path, make_report(command, options, result, total_ms, io_timings));
  if (!options.quiet)
    std::fprintf(stderr,
                 "wrote %s (%.1f s) in %.1f s on %s: loss %.4g -> %.4g (%s), "
                 "griffin-lim %.1f dB\n",
                 options.output_path.c_str(), result.output.seconds(), total_ms / 1000,
                 result.device.c_str(),
                 result.iterations.empty() ? result.final_total : result.iterations.front().total,
                 result.final_total, result.stop_reason.c_str(), result.spectral_convergence_db);
  return kExitOk;
}

int run_info() {
  std::printf("audiostyle %s\n", AUDIOSTYLE_VERSION);
  std::printf("backends: cpu%s\n", cuda_compiled() ? ", cuda" : " (cuda not compiled in)");
  std::printf("cpu: %u threads, OpenBLAS %s\n", std::thread::hardware_concurrency(),
              openblas_get_config());
  std::string why;
  const auto devices = cuda_devices(&why);
  if (devices.empty()) std::printf("cuda devices: none (%s)\n", why.c_str());
  for (const auto& d : devices)
    std::printf("cuda device %d: %s, compute capability %d.%d, %.1f GiB (%.1f GiB free)\n",
                d.index, d.name.c_str(), d.compute_major, d.compute_minor,
                d.total_memory_bytes / 1073741824.0, d.free_memory_bytes / 1073741824.0);
  return kExitOk;
}

}  // namespace
}  // namespace audiostyle::cli

int main(int argc, char** argv) {
  using namespace audiostyle;
  using namespace audiostyle::cli;
  CLI::App app{"audiostyle: neural audio style transfer on the GPU"};
  app.footer(kExitCodes);
  app.require_subcommand(1);
  app.set_version_flag("--version", AUDIOSTYLE_VERSION);

  RunOptions transfer_options, texture_options;
  auto* transfer_cmd = app.add_subcommand(
      "transfer", "Render the content's melody and structure in the style's timbre");
  transfer_cmd->add_option("content", transfer_options.content_path, "Content audio file")
      ->required();
  transfer_cmd->add_option("style", transfer_options.style_path, "Style audio file")->required();
  add_run_flags(*transfer_cmd, transfer_options, false);
  transfer_cmd->footer(kExitCodes);

  auto* texture_cmd = app.add_subcommand("texture", "Synthesise a texture from the style alone");
  texture_cmd->add_option("style", texture_options.style_path, "Style audio file")->required();
  add_run_flags(*texture_cmd, texture_options, true);
  texture_cmd->footer(kExitCodes);

  app.add_subcommand("info", "Version, backends compiled in, devices found");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);  // prints help or the error
    return code == 0 ? kExitOk : kExitUsage;
  }

  install_interrupt_handler();
  try {
    if (*transfer_cmd) return run_command("transfer", transfer_options);
    if (*texture_cmd) return run_command("texture", texture_options);
    return run_info();
  } catch (const Error& e) {
    std::fprintf(stderr, "audiostyle: %s\n", e.what());
    return e.exit_code();
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "audiostyle: out of host memory\n");
    return kExitRuntime;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "audiostyle: unexpected error: %s\n", e.what());
    return kExitRuntime;
  }
}
