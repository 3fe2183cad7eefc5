// `transfer` and `texture`: read, run, level, write, report.
#include <cblas.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <optional>

#include "audiostyle/audio.h"
#include "audiostyle/errors.h"
#include "host/cli/commands.h"
#include "host/cli/estimate.h"
#include "host/cli/output_guard.h"
#include "host/cli/progress.h"
#include "host/cli/recipes.h"
#include "host/cli/report.h"
#include "host/extractors/extractors.h"
#include "host/io/audio_stdio.h"
#include "host/io/formats.h"
#include "host/io/loudness.h"
#include "host/pipeline/channels.h"
#include "host/io/staged_file.h"

namespace audiostyle::cli {
namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

std::string seconds_text(double s) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3g s", s);
  return text;
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
  if (uses_extractor(c, ExtractorKind::vggish)) {
    // VGGish frames the spectrogram its own way at any rate: given sizes must agree with it.
    if (options.n_fft_given || options.hop_given || c.win_length > 0) check_vggish_geometry(c);
    apply_extractor_geometry(c);
  } else {
    const bool scale = !options.n_fft_given && !options.hop_given;
    if (scale)
      scale_stft_to_rate(c.sample_rate_hz, c.n_fft, c.hop);
    else if (!options.hop_given)
      c.hop = c.n_fft / 4;
    check_win_length(c, scale);
  }
  conv1d_bins(c);  // a --conv1d-band with no bin at this geometry says so before any work
}

// A working rate so low that the STFT has too few bins for a timbre to show (--sample-rate 1000
// gives n_fft 90): said once, the run goes on. Kept in one place so a stricter limit can replace
// it.
void warn_coarse_stft(const RunOptions& options) {
  const TransferConfig& c = options.config;
  constexpr int kMinBins = 129;  // n_fft 256
  if (options.quiet || c.n_fft / 2 + 1 >= kMinBins) return;
  std::fprintf(stderr,
               "audiostyle: warning: n_fft %d at %d Hz gives %d frequency bins; below %d the style "
               "has little to work with (a working rate of 8000 Hz or more, or --n-fft 256+)\n",
               c.n_fft, c.sample_rate_hz, c.n_fft / 2 + 1, kMinBins);
}

// Crop against the file's length, before decoding: an offset past the end is a usage problem
// naming the length; a length past the end is clamped with a notice.
void check_crop(RunOptions& options, const std::string& shown, const io::AudioFileInfo& info) {
  TransferConfig& c = options.config;
  if (!info.ok || info.n_frames < 0) return;
  const double length_s = info.seconds();
  if (c.offset_seconds > 0 && c.offset_seconds >= length_s)
    throw UsageError("--offset " + seconds_text(c.offset_seconds) + " is at or beyond the end of " +
                     shown + " (" + seconds_text(length_s) + " long)");
  if (c.seconds > 0 && c.offset_seconds + c.seconds > length_s + 0.5 / info.sample_rate_hz) {
    const double kept = length_s - c.offset_seconds;
    if (!options.quiet)
      std::fprintf(stderr,
                   "audiostyle: note: --offset %g --seconds %g runs past the end of %s (%s long): "
                   "using the %s there\n",
                   c.offset_seconds, c.seconds, shown.c_str(), seconds_text(length_s).c_str(),
                   seconds_text(kept).c_str());
    c.seconds = kept;
  }
}

// A file (or "-": stdin through a spool) at its own rate with all its channels.
Audio read_source(const std::string& path, double offset_s, double seconds_s, SourceInfo& info,
                  std::optional<io::StdinSpool>& spool) {
  std::string real = path;
  if (io::is_stdio(path)) {
    spool.emplace();
    real = spool->path();
  }
  Audio audio;
  try {
    audio = read_audio(real, ReadOptions{0, false, offset_s, seconds_s});
  } catch (const InputError& e) {
    if (real == path) throw;
    std::string message = e.what();
    if (const auto at = message.find(real); at != std::string::npos)
      message.replace(at, real.size(), "-");
    throw InputError(message);
  }
  const io::AudioFileInfo file = io::probe_audio(real);
  info.path = path;
  info.sample_rate_hz = audio.sample_rate_hz;
  info.channels = audio.n_channels();
  info.file_seconds = file.seconds();
  info.offset_seconds = offset_s;
  info.seconds = audio.seconds();
  return audio;
}

// To the working rate, as the pipeline takes it: averaged to mono when asked.
Audio to_working(const Audio& source, bool mono, int rate_hz) {
  Audio audio = mono && source.n_channels() > 1 ? downmix(source) : source;
  return audio.sample_rate_hz == rate_hz ? audio : resample(audio, rate_hz);
}

// --loudness: match the source's integrated loudness (or a target), then keep the peaks under the
// ceiling with the look-ahead limiter. Lossy outputs get 1 dB more headroom: their decoders
// overshoot the encoded peaks.
LevelInfo level_output(Audio& out, const RunOptions& options, double source_lufs,
                       double source_peak, bool quiet) {
  LevelInfo level;
  level.mode = options.loudness;
  level.source_lufs = source_lufs;
  level.source_peak = source_peak;
  const bool lossy = io::is_lossy(options.output_path);
  level.ceiling = lossy ? 0.891f : 0.989f;  // -1 dBFS, -0.1 dBFS
  level.before_lufs = io::integrated_loudness(out);
  double gain = 1;
  if (options.loudness != "off") {
    const double target = options.loudness_match ? source_lufs : options.loudness_lufs;
    if (!std::isfinite(target)) {
      if (!quiet)
        std::fprintf(stderr,
                     "audiostyle: warning: the %s is near silence (its loudness is below the -70 "
                     "LUFS gate of ITU-R BS.1770, peak %.1f dBFS): it cannot be matched, so the "
                     "output keeps its own level; --loudness LUFS (e.g. -23) sets one\n",
                     options.content_path.empty() ? "style" : "content",
                     20 * std::log10(std::max(1e-12, level.source_peak)));
    } else if (std::isfinite(level.before_lufs)) {
      level.target_lufs = target;
      gain = std::pow(10.0, (target - level.before_lufs) / 20);
      if (!quiet && options.loudness_match && target < -50)
        std::fprintf(stderr,
                     "audiostyle: warning: the %s is near silence (%.1f LUFS): the output matches "
                     "it; --loudness LUFS (e.g. -23) sets a level instead\n",
                     options.content_path.empty() ? "style" : "content", target);
    }
  }
  // Limiting lowers the loudness a little: raise the gain by what is missing and limit again from
  // the unlimited signal, a few times (each pass lands within a fraction of a dB of the last).
  const int lookahead = std::max(1, out.sample_rate_hz / 200);  // 5 ms
  Audio leveled;
  for (int pass = 0; pass < 4; ++pass) {
    leveled = out;
    level.limited_samples = io::apply_gain_limited(leveled, gain, level.ceiling, lookahead);
    level.after_lufs = io::integrated_loudness(leveled);
    const double missing = level.target_lufs - level.after_lufs;
    if (!std::isfinite(missing) || std::fabs(missing) < 0.1 || level.limited_samples == 0) break;
    gain = std::min(gain * std::pow(10.0, missing / 20), 1000.0);
  }
  level.gain_db = 20 * std::log10(gain);
  if (!quiet && std::fabs(level.target_lufs - level.after_lufs) > 1)
    std::fprintf(
        stderr,
        "audiostyle: note: the output reaches %.1f LUFS, not the %.1f LUFS asked: its peaks "
        "hold it back (ceiling %.1f dBFS)\n",
        level.after_lufs, level.target_lufs, 20 * std::log10(level.ceiling));
  out = std::move(leveled);
  return level;
}

// The plan, before the run (-v and --dry-run).
void print_plan(const Backend& backend, const RunOptions& options, int64_t samples, int items,
                int output_rate_hz) {
  const TransferConfig& c = options.config;
  std::fprintf(stderr, "plan: backend %s on %s\n", backend.name().c_str(),
               backend.device_name().c_str());
  std::fprintf(stderr,
               "plan: %d item%s of %.2f s at %d Hz (working rate); stft n_fft %d, hop %d; "
               "output at %d Hz\n",
               items, items == 1 ? "" : "s", double(samples) / c.sample_rate_hz, c.sample_rate_hz,
               c.n_fft, c.hop, output_rate_hz);
  std::string net;
  for (const ExtractorTerm& t : c.extractors) {
    if (!net.empty()) net += " + ";
    if (t.weight != 1.0f) net += std::to_string(t.weight) + " x ";
    if (t.kind == ExtractorKind::random_conv1d) {
      net += std::to_string(c.n_filters) + " filters x " + std::to_string(c.kernel_width) + " frames";
      continue;
    }
    auto names = [](const std::vector<LayerWeight>& layers) {
      std::string text;
      for (const auto& l : layers) text += (text.empty() ? "" : ",") + l.name;
      return text.empty() ? std::string("default") : text;
    };
    const std::string image =
        t.kind == ExtractorKind::vggish ? "its 64-band log-mel"
        : c.vgg_input == VggInput::mel  ? std::to_string(c.mel_bins) + " mel bands"
                                        : "linear bins";
    net += std::string(to_string(t.kind)) + " on " + image + ", content " +
           names(c.content_layers) + ", style " + names(c.style_layers);
  }
  std::fprintf(stderr, "plan: %s, %s %d iterations, griffin-lim %d\n", net.c_str(),
               to_string(c.optimizer), c.iterations, c.gl_iterations);
}

std::string items_text(int items) {
  return items == 1 ? "mono" : std::to_string(items) + " channels";
}

}  // namespace

std::string plain_device_reason(const std::string& why) {
  if (why.find("insufficient") != std::string::npos ||
      why.find("no CUDA-capable") != std::string::npos ||
      why.find("no device") != std::string::npos || why.find("not found") != std::string::npos ||
      why.find("libcuda") != std::string::npos)
    return "no GPU found";
  if (why.find("not compiled") != std::string::npos) return "this build has no CUDA backend";
  return why;
}

std::unique_ptr<Backend> choose_backend(const std::string& device, bool quiet) {
  if (device == "cpu") return make_cpu_backend();
  std::string why;
  // The first usable device: cuda_devices() skips those this build cannot run on.
  const auto devices = cuda_devices(&why);
  const bool found = !devices.empty();
  if (device == "cuda") {
    if (!found)
      throw DeviceError("--device cuda: " + plain_device_reason(why) + " (CUDA says: " + why + ")");
    return make_cuda_backend(devices.front().index);
  }
  if (found) {
    try {
      return make_cuda_backend(devices.front().index);
    } catch (const DeviceError& e) {
      why = e.what();
    }
  }
  if (!quiet) {
    const std::string plain = plain_device_reason(why);
    if (plain == why || why.rfind(plain, 0) == 0)
      std::fprintf(stderr, "audiostyle: note: %s; running on the CPU\n", why.c_str());
    else
      std::fprintf(stderr, "audiostyle: note: %s; running on the CPU (CUDA says: %s)\n",
                   plain.c_str(), why.c_str());
  }
  return make_cpu_backend();
}

TransferResult run_job(Engine& engine, const std::string& command, RunOptions& options,
                       const ProgressFn& progress, RunPlan* plan) {
  const bool texture = command == "texture";
  const bool to_stdout = io::is_stdio(options.output_path);
  const auto start = Clock::now();
  TransferConfig& config = options.config;
  check_output_format(options);
  if (!to_stdout && !options.dry_run) check_writable_output(options.output_path);
  check_report_path(options.report_path);
  prepare_plots_dir(options.plots_dir);

  RunRecord record;
  std::vector<StageTiming> io_timings;
  auto stage_start = Clock::now();
  std::optional<io::StdinSpool> content_spool, style_spool;
  Audio content, style_source;
  if (!texture) {
    if (!io::is_stdio(options.content_path))
      check_crop(options, options.content_path, io::probe_audio(options.content_path));
    Audio content_source = read_source(options.content_path, config.offset_seconds, config.seconds,
                                       record.content, content_spool);
    check_audible(content_source, "the content", options.content_path);
    if (content_source.n_channels() > 2 && config.channels == ChannelMode::automatic &&
        !options.quiet)
      std::fprintf(stderr,
                   "audiostyle: note: the content has %d channels: --channels auto downmixes them "
                   "to mono (--channels stereo takes the first two)\n",
                   content_source.n_channels());
    resolve_rate(options, content_source.sample_rate_hz);
    record.content.loudness_lufs = io::integrated_loudness(content_source);
    record.content.peak = peak(content_source);
    content =
        to_working(content_source, config.channels == ChannelMode::mono, config.sample_rate_hz);
    style_source = read_source(options.style_path, 0, 0, record.style, style_spool);
    record.output_source = record.content;
  } else {
    style_source = read_source(options.style_path, 0, 0, record.style, style_spool);
    resolve_rate(options, style_source.sample_rate_hz);
    record.style.loudness_lufs = io::integrated_loudness(style_source);
    record.style.peak = peak(style_source);
    record.output_source = record.style;
  }
  check_audible(style_source, "the style", options.style_path);
  if (!texture) {
    record.style.loudness_lufs = io::integrated_loudness(style_source);
    record.style.peak = peak(style_source);
  }
  const Audio style = to_working(style_source, true, config.sample_rate_hz);
  style_source = Audio{};
  io_timings.push_back({"read", ms_since(stage_start)});
  warn_coarse_stft(options);

  const int64_t out_samples =
      texture ? int64_t(std::llround(config.seconds * config.sample_rate_hz)) : content.n_samples();
  const int items =
      texture
          ? options.texture_channels
          : (resolve_channel_mode(config.channels, content.n_channels()) == ChannelMode::mono ? 1
                                                                                              : 2);
  int output_rate = options.output_rate_working  ? config.sample_rate_hz
                    : options.output_rate_hz > 0 ? options.output_rate_hz
                                                 : record.output_source.sample_rate_hz;
  if (const int writable = io::writable_rate(options.output_path, output_rate);
      writable != output_rate) {
    if (!options.quiet)
      std::fprintf(stderr, "audiostyle: note: Opus stores 8, 12, 16, 24 or 48 kHz: writing %d Hz\n",
                   writable);
    output_rate = writable;
  }
  Backend& backend = engine.backend();
  const WorkModel model = work_model(config, out_samples, items, style.n_samples());
  // A GEMM FLOP costs about 1/50 of an FFT FLOP here (0.24 TFLOP/s against 5 GFLOP/s on the CPU).
  constexpr double kFftToGemmCost = 50;
  if (plan)
    *plan = RunPlan{config.iterations, config.gl_iterations, items,
                    model.gl_iteration_flop / (model.evaluation_flop * 1.2) * kFftToGemmCost};
  if (options.verbose || options.dry_run) {
    print_plan(backend, options, out_samples, items, output_rate);
    if (!options.dry_run)  // the dry run prints the plan of the segments it measured instead
      std::fprintf(stderr,
                   "memory plan (whole track; split into segments when it does not fit):\n%s\n",
                   plan_memory(config, out_samples, items, !texture).describe().c_str());
  }
  // The CPU with a heavy recipe: say how long, and what is lighter, before the wait.
  if (backend.name() == "cpu" && !options.quiet && !options.dry_run) {
    const Estimate estimate = estimate_cpu(model);
    constexpr double kSlowRunSeconds = 60;
    if (estimate.seconds > kSlowRunSeconds) {
      std::string lighter;
      // cpu-fast is a lighter method 1: no lighter answer for a vgg16 run.
      const Recipe* fast = find_recipe("cpu-fast");
      if (fast && options.recipe != "cpu-fast" &&
          pretrained_extractor(config) == ExtractorKind::random_conv1d) {
        // The preset's flags on a parser of its own (transfer's flags hold every preset flag).
        RunOptions light = options;
        CLI::App parser;
        add_run_flags(parser, light, false, true);
        std::vector<std::string> flags(fast->flags.rbegin(), fast->flags.rend());
        try {
          parser.parse(flags);
          lighter = "; --recipe cpu-fast takes about " +
                    duration_text(estimate_cpu(work_model(light.config, out_samples, items,
                                                          style.n_samples()))
                                      .seconds);
        } catch (const CLI::ParseError&) {
          lighter = "; --recipe cpu-fast is lighter";
        }
      }
      std::fprintf(stderr,
                   "audiostyle: warning: on the CPU this run takes about %s (estimate: %s)%s; "
                   "audiostyle --list-recipes lists the presets\n",
                   duration_text(estimate.seconds).c_str(), estimate.basis.c_str(),
                   lighter.c_str());
    }
  }

  auto run_engine = [&](const TransferConfig& c, const ProgressFn& fn) {
    try {
      return texture ? engine.texture(style, out_samples, options.texture_channels, c, fn)
                     : engine.transfer(content, style, c, fn);
    } catch (const InputError& e) {
      const std::string message = e.what();
      const bool cropped = config.offset_seconds > 0 || config.seconds > 0;
      if (!texture && cropped && message.find("too short") != std::string::npos)
        throw InputError(message + "; the crop (" +
                         (config.offset_seconds > 0
                              ? "--offset " + seconds_text(config.offset_seconds) +
                                    (config.seconds > 0 ? ", " : "")
                              : std::string()) +
                         (config.seconds > 0 ? "--seconds " + seconds_text(config.seconds)
                                             : std::string()) +
                         ") leaves " + seconds_text(content.seconds()) + " of " +
                         options.content_path);
      throw;
    }
  };

  if (options.dry_run) {
    // A few evaluations and Griffin-Lim iterations of this very job, timed.
    TransferConfig probe_config = config;
    probe_config.iterations = std::min(config.iterations, 2);
    probe_config.gl_iterations = std::min(config.gl_iterations, 2);
    // Waveform refinement is not probed (nor estimated): it would run in full.
    probe_config.refine_iterations = 0;
    const TransferResult probe = run_engine(probe_config, [](const Progress&) {
      if (interrupt_requested()) throw Interrupted("interrupted");
    });
    const Estimate estimate = estimate_from_probe(model, probe, probe_config.gl_iterations);
    std::fprintf(stderr, "plan: %zu segment%s", probe.segments.size(),
                 probe.segments.size() == 1 ? "" : "s");
    for (const auto& s : probe.segments)
      std::fprintf(stderr, " [%lld, +%lld)", (long long)s.first_sample, (long long)s.n_samples);
    std::fprintf(stderr, " samples at %d Hz\n", config.sample_rate_hz);
    std::fprintf(stderr, "memory plan (per segment):\n%s\n", probe.memory.describe().c_str());
    std::fprintf(stderr,
                 "estimate: %s (%s: %.3g s per evaluation x %.0f, %.3g s per griffin-lim iteration "
                 "x %d, %.3g s analysis)\n",
                 duration_text(estimate.seconds).c_str(), estimate.basis.c_str(),
                 estimate.evaluation_s, model.evaluations * probe.segments.size(),
                 estimate.gl_iteration_s, config.gl_iterations, estimate.fixed_s);
    std::fprintf(stderr, "dry run: nothing written\n");
    return probe;
  }

  TransferResult result = run_engine(config, progress);

  // Staged under temporary names, then renamed into place together, report first: an existing
  // audio output means a finished job (batch --resume relies on it).
  stage_start = Clock::now();
  if (result.output.sample_rate_hz != output_rate)
    result.output = resample(result.output, output_rate);
  record.level = level_output(result.output, options, record.output_source.loudness_lufs,
                              record.output_source.peak, options.quiet);
  io_timings.push_back({"level", ms_since(stage_start)});
  stage_start = Clock::now();
  io::StagedFile audio_file;  // renamed into place with the report, after everything else
  if (to_stdout)
    io::write_audio_stdout(result.output, WriteOptions{sample_format(options)});
  else
    audio_file =
        io::stage_audio(options.output_path, result.output, WriteOptions{sample_format(options)});
  record.format = io::describe_format(options.output_path, sample_format(options));
  io_timings.push_back({"write", ms_since(stage_start)});
  const double total_ms = ms_since(start);
  if (options.verbose)
    for (const auto& t : result.timings_ms)
      std::fprintf(stderr, "  %-18s %10.1f ms\n", t.stage.c_str(), t.ms);
  std::vector<io::StagedFile> plots;
  const nlohmann::json evaluation =
      options.evaluate || !options.plots_dir.empty()
          ? run_extras(engine.backend(), options, texture ? nullptr : &content, style, result,
                       plots)
          : nlohmann::json(nullptr);
  io::StagedFile report_file;
  if (!options.report_path.empty()) {
    nlohmann::json report = make_report(command, options, result, total_ms, io_timings, record);
    if (!evaluation.is_null()) report["evaluation"] = evaluation;
    report_file = stage_report(options.report_path, report);
  }
  // The audio last: an existing output means a finished job.
  std::vector<io::StagedFile*> staged{&report_file};
  for (io::StagedFile& plot : plots) staged.push_back(&plot);
  staged.push_back(&audio_file);
  commit_outputs(staged, options.no_clobber);
  last_record() = record;
  return result;
}

int run_single(const std::string& command, RunOptions& options) {
  finalize(options, command == "texture");
  check_output_format(options);
  // Checked before the backend starts, so a bad path fails fast.
  // One check for every path the job reads and writes (stdin and stdout are no files).
  std::vector<NamedPath> inputs, outputs;
  if (command != "texture" && !io::is_stdio(options.content_path))
    inputs.push_back({options.content_path, "the content"});
  if (!io::is_stdio(options.style_path)) inputs.push_back({options.style_path, "the style"});
  if (!io::is_stdio(options.output_path)) outputs.push_back({options.output_path, "the output"});
  if (!options.config.weights_path.empty()) inputs.push_back({options.config.weights_path, "the weights"});
  if (!options.report_path.empty()) outputs.push_back({options.report_path, "the report"});
  if (!options.plots_dir.empty())
    for (const char* plot : {"spectrograms.png", "losses.png"})
      outputs.push_back({options.plots_dir + "/" + plot, "the plot"});
  check_output_paths(inputs, outputs, options.no_clobber);
  if (!io::is_stdio(options.output_path) && !options.dry_run)
    check_writable_output(options.output_path);
  if (options.threads > 0) openblas_set_num_threads(options.threads);
  auto backend = choose_backend(options.device, options.quiet);
  if (backend->name() == "cpu" && options.config.precision == Precision::bf16 && !options.quiet)
    std::fprintf(stderr,
                 "audiostyle: warning: --precision bf16 applies to CUDA GEMMs; the CPU backend "
                 "computes in fp32\n");
  Engine engine(*backend);
  ProgressPrinter printer(options.quiet || options.dry_run);
  RunPlan plan;
  const auto start = Clock::now();
  const TransferResult result = run_job(
      engine, command, options,
      [&](const Progress& p) {
        printer.set_plan(plan);
        printer(p);
      },
      &plan);
  printer.finish();
  if (options.quiet || options.dry_run) return kExitOk;
  const RunRecord& record = last_record();
  std::string losses;
  char text[160];
  if (result.segments.size() > 1) {
    // Per segment: a sum over segments would mix different clips' objectives.
    losses = "loss per segment (iteration 0 -> last):";
    for (size_t s = 0; s < result.segments.size(); ++s) {
      double first = 0, last = 0;
      for (const auto& i : result.initial)
        if (i.segment == int(s)) first = i.total;
      for (const auto& i : result.iterations)
        if (i.segment == int(s)) last = i.total;
      std::snprintf(text, sizeof text, " %zu: %.4g -> %.4g", s + 1, first, last);
      losses += text;
    }
  } else {
    const double first = result.initial.empty() ? result.final_total : result.initial.front().total;
    std::snprintf(text, sizeof text, "loss %.4g (iteration 0) -> %.4g", first, result.final_total);
    losses = text;
  }
  std::fprintf(stderr,
               "audiostyle: wrote %s (%d Hz, %s, %.2f s, %s, %.1f LUFS) in %.1f s on %s\n"
               "audiostyle: %s (%s); griffin-lim spectral convergence %.1f dB "
               "(||S - |STFT(y)||| / ||S||: lower is closer to the optimised spectrogram)\n",
               options.output_path == "-" ? "stdout" : options.output_path.c_str(),
               result.output.sample_rate_hz, items_text(result.output.n_channels()).c_str(),
               result.output.seconds(), record.format.c_str(), record.level.after_lufs,
               ms_since(start) / 1000, result.device.c_str(), losses.c_str(),
               result.stop_reason.c_str(), result.spectral_convergence_db);
  const RefinementRecord& refined = result.refinement;
  if (refined.ran && !refined.before.empty() && !refined.after.empty())
    std::fprintf(stderr,
                 "audiostyle: waveform refinement: re-analysed loss %.4g -> %.4g in %d L-BFGS "
                 "iterations (%s)\n",
                 refined.before[0], refined.after[0], refined.iterations,
                 refined.stop_reason.c_str());
  return kExitOk;
}

}  // namespace audiostyle::cli
