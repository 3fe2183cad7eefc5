// `reconstruct IN -o OUT`: drop the phase of IN's STFT and rebuild audio from the magnitude alone,
// with transfer's rate, channel, STFT, Griffin-Lim, --report and --device flags. The spectral
// convergence it reports measures the phase retrieval on a consistent magnitude.
#include <chrono>
#include <cstdio>
#include <filesystem>

#include "audiostyle/audio.h"
#include "audiostyle/errors.h"
#include "host/cli/commands.h"
#include "host/cli/output_guard.h"
#include "host/cli/progress.h"
#include "host/cli/report.h"
#include "host/io/audio_stdio.h"
#include "host/io/formats.h"
#include "host/io/staged_file.h"
#include "host/pipeline/reconstruct.h"

namespace audiostyle::cli {

struct ReconstructOptions {
  RunOptions run;
  std::string input_path;
};

CLI::App* add_reconstruct_command(CLI::App& app, std::shared_ptr<ReconstructOptions>& options) {
  options = std::make_shared<ReconstructOptions>();
  RunOptions& o = options->run;
  TransferConfig& c = o.config;
  // On a consistent magnitude PGHI then fast Griffin-Lim measured best (README, "Phase
  // reconstruction"), so reconstruct defaults to it; transfer keeps random until measured there.
  o.phase_init = "pghi";
  auto* cmd = app.add_subcommand(
      "reconstruct", "Drop the phase of a file's STFT and rebuild it from the magnitude alone");
  // As transfer: a repeated option's last value wins.
  cmd->option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  cmd->add_option("input", options->input_path, "Audio file")->required();
  cmd->add_option("-o,--output", o.output_path,
                  "Output file: .wav, .flac, .ogg (Vorbis), .opus or .mp3")
      ->required();
  o.n_fft_option = cmd->add_option(
      "--n-fft", c.n_fft,
      "FFT size (even); default 2048 at 22050 Hz, scaled with the rate (same resolution)");
  o.hop_option = cmd->add_option("--hop", c.hop, "Hop in samples; default n_fft / 4");
  cmd->add_option("--win-length", c.win_length,
                  "Hann window length in samples, centred in n_fft with zeros around it "
                  "(librosa's win_length); 0 = n_fft")
      ->capture_default_str();
  cmd->add_option("--sample-rate", o.sample_rate,
                  "Working rate in Hz, or 'native' to keep the input's")
      ->capture_default_str();
  cmd->add_option("--output-rate", o.output_rate,
                  "Rate of the output file: source (the input's), working, or Hz")
      ->capture_default_str();
  cmd->add_option("--channels", o.channels, "auto (keep the input's), mono, stereo or mid-side")
      ->capture_default_str();
  cmd->add_option("--offset", c.offset_seconds, "Start of the crop in seconds")
      ->capture_default_str();
  cmd->add_option("--seconds", c.seconds, "Length of the crop in seconds (0 = whole input)")
      ->capture_default_str();
  cmd->add_option("--gl-iterations", c.gl_iterations, "Griffin-Lim iterations")
      ->capture_default_str();
  cmd->add_option("--momentum", c.momentum, "fgla momentum (0 = original algorithm)")
      ->capture_default_str();
  cmd->add_option("--gl-algorithm", o.gl_algorithm, "fgla (fast) or agla (accelerated)")
      ->capture_default_str();
  cmd->add_option("--phase-init", o.phase_init, "Initial phase: random or pghi")
      ->capture_default_str();
  cmd->add_option("--seed", c.seed, "Seed of the random phase")
      ->check(non_negative_integer())
      ->capture_default_str();
  cmd->add_option("--device", o.device, "auto, cpu or cuda")->capture_default_str();
  cmd->add_option("--format", o.format, "Output samples: pcm16, pcm24 or float")
      ->capture_default_str();
  cmd->add_option("--report", o.report_path, "Write a JSON report of the run");
  cmd->add_flag("--no-clobber", o.no_clobber,
                "Refuse to replace an existing output or report (exit 2 before any work)");
  cmd->add_flag("-q,--quiet", o.quiet, "No progress output");
  cmd->add_flag("-v,--verbose", o.verbose, "Print per-stage timings");
  return cmd;
}

namespace {

nlohmann::json make_reconstruct_report(const ReconstructOptions& options,
                                       const ReconstructResult& result, double total_ms) {
  const RunOptions& o = options.run;
  const TransferConfig& c = o.config;
  nlohmann::json timings = nlohmann::json::object();
  for (const auto& t : result.timings_ms) timings[t.stage] = t.ms;
  timings["total"] = total_ms;
  return {
      {"version", AUDIOSTYLE_VERSION},
      {"config",
       {{"command", "reconstruct"},
        {"input", options.input_path},
        {"sample_rate_hz", c.sample_rate_hz},
        {"n_fft", c.n_fft},
        {"hop", c.hop},
        {"win_length", c.win_length},
        {"offset_seconds", c.offset_seconds},
        {"seconds", c.seconds},
        {"channels", to_string(c.channels)},
        {"gl_iterations", c.gl_iterations},
        {"momentum", c.momentum},
        {"gl_algorithm", to_string(c.gl_algorithm)},
        {"phase_init", to_string(c.phase_init)},
        {"seed", c.seed},
        {"format", o.format}}},
      {"backend", result.backend},
      {"device", result.device},
      {"channel_mode", result.channel_mode},
      {"frames", {{"output", result.n_frames}}},
      {"griffin_lim",
       {{"spectral_convergence_db", result.spectral_convergence_db},
        {"item_spectral_convergence_db", result.item_convergence_db}}},
      {"output_gain", result.output_gain},
      {"timings_ms", timings},
      {"output", {{"path", o.output_path},
                  {"seconds", result.output.seconds()},
                  {"channels", result.output.n_channels()},
                  {"sample_rate_hz", result.output.sample_rate_hz}}},
  };
}

}  // namespace

int run_reconstruct(ReconstructOptions& options) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  RunOptions& o = options.run;
  finalize(o, false);
  TransferConfig& c = o.config;
  if (c.phase_init == PhaseInit::content)
    throw UsageError("reconstruct --phase-init must be random or pghi (content would be the "
                     "input's own phase)");
  // The shared guard: the output and the report are neither the input nor each other.
  std::vector<NamedPath> outputs{{o.output_path, "the output"}};
  if (!o.report_path.empty()) outputs.push_back({o.report_path, "the report"});
  check_output_paths({{options.input_path, "the input"}}, outputs, o.no_clobber);
  check_writable_output(o.output_path);
  if (!o.report_path.empty()) {
    const auto parent = std::filesystem::path(o.report_path).parent_path();
    if (!parent.empty() && !std::filesystem::is_directory(parent))
      throw InputError("cannot write the report " + o.report_path + ": folder " +
                       parent.string() + " does not exist");
  }
  const io::AudioFileInfo source = io::probe_audio(options.input_path);
  const bool keep_channels = c.channels != ChannelMode::mono;
  const Audio input = read_audio(options.input_path,
                                 ReadOptions{o.native_rate ? 0 : c.sample_rate_hz, !keep_channels,
                                             c.offset_seconds, c.seconds});
  if (peak(input) < 1e-5f)
    throw InputError("the input " + options.input_path +
                     " is silent (peak below -100 dBFS): nothing to reconstruct");
  if (o.native_rate) c.sample_rate_hz = input.sample_rate_hz;
  const bool scale = !o.n_fft_given && !o.hop_given;
  if (scale) scale_stft_to_rate(c.sample_rate_hz, c.n_fft, c.hop);
  else if (!o.hop_given) c.hop = c.n_fft / 4;
  check_win_length(c, scale);
  if (StftShape{c.n_fft, c.hop, input.n_samples(), c.win_length}.n_frames() < 2)
    throw InputError("the input " + options.input_path + " is too short for one STFT hop");

  auto backend = choose_backend(o.device, o.quiet);
  ProgressPrinter printer(o.quiet);
  const ReconstructResult result =
      reconstruct(*backend, input, c, [&](const Progress& p) { printer(p); });
  printer.finish();
  Audio output = result.output;
  int output_rate = o.output_rate_working  ? output.sample_rate_hz
                    : o.output_rate_hz > 0 ? o.output_rate_hz
                    : source.ok            ? source.sample_rate_hz
                                           : output.sample_rate_hz;
  output_rate = io::writable_rate(o.output_path, output_rate);
  if (output.sample_rate_hz != output_rate) output = resample(output, output_rate);
  // Staged and renamed into place together, report first, as transfer does.
  io::StagedFile audio_file = io::stage_audio(o.output_path, output, WriteOptions{sample_format(o)});
  const double total_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  if (o.verbose)
    for (const auto& t : result.timings_ms)
      std::fprintf(stderr, "  %-18s %10.1f ms\n", t.stage.c_str(), t.ms);
  io::StagedFile report_file;
  if (!o.report_path.empty()) {
    nlohmann::json report = make_reconstruct_report(options, result, total_ms);
    report["output"]["sample_rate_hz"] = output.sample_rate_hz;
    report["output"]["format"] = io::describe_format(o.output_path, sample_format(o));
    report_file = stage_report(o.report_path, report);
  }
  commit_outputs({&report_file, &audio_file}, o.no_clobber);
  if (!o.quiet)
    std::fprintf(stderr,
                 "audiostyle: wrote %s (%d Hz, %s, %.2f s, %s) in %.1f s on %s: griffin-lim "
                 "%.1f dB\n",
                 o.output_path.c_str(), output.sample_rate_hz, result.channel_mode.c_str(),
                 output.seconds(), io::describe_format(o.output_path, sample_format(o)).c_str(),
                 total_ms / 1000, result.device.c_str(), result.spectral_convergence_db);
  return kExitOk;
}

}  // namespace audiostyle::cli
