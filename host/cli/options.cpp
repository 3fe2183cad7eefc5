#include "host/cli/options.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>

#include "audiostyle/errors.h"
#include "host/io/formats.h"

namespace audiostyle::cli {
CLI::Validator non_negative_integer() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        if (!text.empty() && text[0] == '-') return "must be a non-negative integer, not " + text;
        return "";
      },
      "UINT");
}

namespace {

// Flags of `transfer` that mean nothing for a texture: refused with the reason, not CLI11's
// "arguments were not expected".
void refuse_for_texture(CLI::App& app, const std::string& flag, const std::string& why) {
  app.add_option(flag, "")
      ->check(CLI::Validator(
          [flag, why](std::string&) -> std::string { return "texture takes no " + why; }, ""))
      ->group("");
}

}  // namespace

void add_run_flags(CLI::App& app, RunOptions& o, bool texture, bool batch) {
  TransferConfig& c = o.config;
  // sox and ffmpeg: a repeated option's last value wins (also what makes --recipe work).
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  if (!batch)
    app.add_option("-o,--output", o.output_path,
                   "Output file: .wav, .flac, .ogg (Vorbis), .opus, .mp3, or - for WAV on stdout")
        ->required();
  app.add_option("--recipe", o.recipe,
                 "A preset of the flags below (audiostyle --list-recipes); flags given override it")
      ->capture_default_str();
  app.add_option("--iterations", c.iterations, "Optimiser iterations")->capture_default_str();
  app.add_option("--optimizer", o.optimizer, "lbfgs or adam")->capture_default_str();
  app.add_option("--lr", c.learning_rate, "Adam learning rate")->capture_default_str();
  if (!texture)
    app.add_option("--alpha", c.alpha, "Content weight (0 = style only)")->capture_default_str();
  else
    refuse_for_texture(app, "--alpha", "content weight (--alpha): it has no content");
  app.add_option("--filters", c.n_filters, "Random conv filters F")->capture_default_str();
  app.add_option("--kernel-width", c.kernel_width, "Conv width K in frames")->capture_default_str();
  o.n_fft_option = app.add_option(
      "--n-fft", c.n_fft,
      "FFT size (even); default 2048 at 22050 Hz, scaled with the rate (same resolution)");
  o.hop_option = app.add_option("--hop", c.hop, "Hop in samples; default n_fft / 4");
  app.add_option("--win-length", c.win_length,
                 "Hann window length in samples, centred in n_fft with zeros around it "
                 "(librosa's win_length); 0 = n_fft")
      ->capture_default_str();
  app.add_option("--sample-rate", o.sample_rate,
                 texture
                     ? "Working rate in Hz, or 'native' to keep the style's"
                     : "Working rate in Hz, or 'native' to keep the content's (44.1, 48 kHz...)")
      ->capture_default_str();
  app.add_option("--output-rate", o.output_rate,
                 texture ? "Rate of the output file: source (the style's), working, or Hz"
                         : "Rate of the output file: source (the content's), working, or Hz")
      ->capture_default_str();
  app.add_option("--loudness", o.loudness,
                 texture
                     ? "Output loudness: match (the style's, ITU-R BS.1770), a target in LUFS, "
                       "or off; peaks stay under 0 dBFS"
                     : "Output loudness: match (the content's, ITU-R BS.1770), a target in LUFS, "
                       "or off; peaks stay under 0 dBFS")
      ->capture_default_str();
  app.add_option("--channels", o.channels,
                 texture ? "Output channels: mono or stereo (auto = mono)"
                         : "auto (mono stays mono, stereo stays stereo, 3+ channels are downmixed "
                           "to mono), mono, stereo (the first two, optimised as their mid and side "
                           "so the downmix is stylised as a mono run's; L/R out) or mid-side (the "
                           "same run)")
      ->capture_default_str();
  app.add_option("--segment-seconds", c.segment_seconds,
                 "Split long tracks into equal segments of at most S seconds, the overlap "
                 "included (auto: only when the memory plan does not fit)")
      ->default_str("auto");
  app.add_option("--overlap-seconds", c.overlap_seconds, "Crossfade between segments")
      ->capture_default_str();
  if (!texture) {
    app.add_option("--offset", c.offset_seconds, "Start of the crop in seconds")
        ->capture_default_str();
    app.add_option("--seconds", c.seconds,
                   "Length of the crop in seconds (whole: to the end; past the end: clamped)")
        ->default_str("whole");
    app.add_option("--init", o.init, "Start from random (randn * 1e-3) or content")
        ->capture_default_str();
  } else {
    app.add_option("--seconds", c.seconds, "Output length in seconds")->required();
    refuse_for_texture(app, "--offset", "crop (--offset): it has no content");
    refuse_for_texture(app, "--init", "--init: it starts from random noise, having no content");
  }
  app.add_option("--gl-iterations", c.gl_iterations, "Griffin-Lim iterations")
      ->capture_default_str();
  app.add_option("--momentum", c.momentum, "Griffin-Lim momentum (0 = original algorithm)")
      ->capture_default_str();
  // --- Phase reconstruction (issue 16) ---
  app.add_option("--phase-init", o.phase_init,
                 texture ? "Griffin-Lim's initial phase: random or pghi (from the magnitude)"
                         : "Griffin-Lim's initial phase: random, content (the content's own) or "
                           "pghi (from the magnitude)")
      ->capture_default_str();
  app.add_option("--gl-algorithm", o.gl_algorithm,
                 "Griffin-Lim iteration: fgla (fast, --momentum) or agla (accelerated, Nenov et "
                 "al. 2023)")
      ->capture_default_str();
  app.add_option("--refine-waveform", c.refine_iterations,
                 "After Griffin-Lim, L-BFGS iterations on the samples themselves with the same "
                 "objective taken through log1p|STFT(y)|, so the output's own spectrogram carries "
                 "the style (0 = off; each costs about one evaluation of the optimisation; the "
                 "report and the last line give the re-analysed objective before and after; one "
                 "segment only)")
      ->capture_default_str();
  // --- end phase reconstruction ---
  // CLI11 would wrap a negative number into a huge unsigned seed: refuse it.
  app.add_option("--seed", c.seed, "Seed of the filters, initial point and phase")
      ->check(non_negative_integer())
      ->capture_default_str();
  app.add_option("--device", o.device, "auto, cpu or cuda")->capture_default_str();
  app.add_option("--precision", o.precision, "GEMM precision on CUDA: fp32, tf32 or bf16")
      ->capture_default_str();
  app.add_option("--threads", o.threads, "CPU backend threads (0 = all cores)")
      ->check(CLI::Range(0, 1024))
      ->capture_default_str();
  app.add_option("--format", o.format,
                 "Output samples: pcm16, pcm24 or float (WAV); pcm16 or pcm24 (FLAC)")
      ->capture_default_str();
  if (!batch) app.add_option("--report", o.report_path, "Write a JSON report of the run");
  app.add_flag("--no-clobber", o.no_clobber,
               "Refuse to replace an existing output or report (exit 2 before any work)");
  if (!batch) {
    app.add_flag("--evaluate", o.evaluate,
                 "Score the output beside the trivial answers (table on stdout, in the report)");
    app.add_option("--plots", o.plots_dir, "Write spectrograms.png and losses.png into this folder");
  }
  if (!batch)
    app.add_flag("--dry-run", o.dry_run,
                 "Print the plan and a time estimate from a few timed evaluations; write nothing");
  add_extractor_flags(app, o.method2, c, texture);
  app.add_flag("-q,--quiet", o.quiet, "No progress output");
  app.add_flag("-v,--verbose", o.verbose, "Print the memory plan and per-stage timings");
}

namespace {

void require(bool ok, const std::string& message) {
  if (!ok) throw UsageError(message);
}

// "123" as an int, or nothing.
bool parse_int(const std::string& text, int& value) {
  try {
    size_t used = 0;
    value = std::stoi(text, &used);
    return used == text.size();
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace

void finalize(RunOptions& o, bool texture) {
  TransferConfig& c = o.config;
  if (o.optimizer == "lbfgs") c.optimizer = OptimizerKind::lbfgs;
  else if (o.optimizer == "adam") c.optimizer = OptimizerKind::adam;
  else throw UsageError("--optimizer must be lbfgs or adam, not '" + o.optimizer + "'");
  if (o.init == "random") c.init = InitKind::random;
  else if (o.init == "content") c.init = InitKind::content;
  else throw UsageError("--init must be random or content, not '" + o.init + "'");
  // --- Phase reconstruction (issue 16) ---
  if (o.phase_init == "random") c.phase_init = PhaseInit::random;
  else if (o.phase_init == "content" && !texture) c.phase_init = PhaseInit::content;
  else if (o.phase_init == "pghi") c.phase_init = PhaseInit::pghi;
  else
    throw UsageError(std::string("--phase-init must be random") +
                     (texture ? " or pghi" : ", content or pghi") + ", not '" + o.phase_init + "'");
  if (o.gl_algorithm == "fgla") c.gl_algorithm = GriffinLimAlgorithm::fgla;
  else if (o.gl_algorithm == "agla") c.gl_algorithm = GriffinLimAlgorithm::agla;
  else throw UsageError("--gl-algorithm must be fgla or agla, not '" + o.gl_algorithm + "'");
  // --- end phase reconstruction ---
  if (o.precision == "fp32") c.precision = Precision::fp32;
  else if (o.precision == "tf32") c.precision = Precision::tf32;
  else if (o.precision == "bf16") c.precision = Precision::bf16;
  else throw UsageError("--precision must be fp32, tf32 or bf16, not '" + o.precision + "'");
  if (o.sample_rate == "native") {
    o.native_rate = true;
  } else if (!parse_int(o.sample_rate, c.sample_rate_hz)) {
    throw UsageError("--sample-rate must be a number in Hz or 'native', not '" + o.sample_rate +
                     "'");
  }
  o.output_rate_hz = 0;
  o.output_rate_working = o.output_rate == "working";
  if (o.output_rate != "source" && !o.output_rate_working) {
    require(parse_int(o.output_rate, o.output_rate_hz) && o.output_rate_hz >= 1000 &&
                o.output_rate_hz <= 384000,
            "--output-rate must be source, working or a rate in [1000, 384000] Hz, not '" +
                o.output_rate + "'");
  }
  o.loudness_match = o.loudness == "match";
  if (!o.loudness_match && o.loudness != "off") {
    try {
      size_t used = 0;
      o.loudness_lufs = std::stod(o.loudness, &used);
      if (used != o.loudness.size()) throw std::invalid_argument("trailing characters");
    } catch (const std::exception&) {
      throw UsageError("--loudness must be match, off or a target in LUFS (e.g. -14), not '" +
                       o.loudness + "'");
    }
    require(std::isfinite(o.loudness_lufs) && o.loudness_lufs >= -70 && o.loudness_lufs <= 0,
            "--loudness must be a target in [-70, 0] LUFS, match or off");
  }
  o.n_fft_given = o.n_fft_option && o.n_fft_option->count() > 0;
  o.hop_given = o.hop_option && o.hop_option->count() > 0;
  if (texture) {
    if (o.channels == "auto" || o.channels == "mono")
      o.texture_channels = 1;
    else if (o.channels == "stereo")
      o.texture_channels = 2;
    else
      throw UsageError("texture --channels must be auto (mono), mono or stereo, not '" +
                       o.channels + "'");
  } else if (o.channels == "auto")
    c.channels = ChannelMode::automatic;
  else if (o.channels == "mono")
    c.channels = ChannelMode::mono;
  else if (o.channels == "stereo")
    c.channels = ChannelMode::stereo;
  else if (o.channels == "mid-side")
    c.channels = ChannelMode::mid_side;
  else
    throw UsageError("--channels must be auto, mono, stereo or mid-side, not '" + o.channels + "'");
  require(o.device == "auto" || o.device == "cpu" || o.device == "cuda",
          "--device must be auto, cpu or cuda, not '" + o.device + "'");
  require(o.format == "pcm16" || o.format == "pcm24" || o.format == "float",
          "--format must be pcm16, pcm24 or float, not '" + o.format + "'");

  require(c.iterations >= 0 && c.iterations <= 1000000, "--iterations must be in [0, 1000000]");
  require(c.n_filters >= 1 && c.n_filters <= 65536, "--filters must be in [1, 65536]");
  require(c.kernel_width >= 1 && c.kernel_width <= 1024, "--kernel-width must be in [1, 1024]");
  require(c.n_fft >= 16 && c.n_fft <= 65536 && c.n_fft % 2 == 0,
          "--n-fft must be an even number in [16, 65536]");
  require(c.hop >= 1 && (!o.hop_given || c.hop <= c.n_fft), "--hop must be in [1, n_fft]");
  require(c.win_length >= 0 && (!o.n_fft_given || c.win_length <= c.n_fft),
          "--win-length must be in [0, n_fft] (0 = n_fft)");
  require(o.native_rate || (c.sample_rate_hz >= 1000 && c.sample_rate_hz <= 384000),
          "--sample-rate must be in [1000, 384000] Hz");
  // A day: beyond it a time in samples nears int64's range (and no track is that long).
  constexpr double kMaxSeconds = 86400;
  require(c.segment_seconds >= 0 && c.segment_seconds <= kMaxSeconds,
          "--segment-seconds must be in [0, 86400]");
  require(c.overlap_seconds >= 0 && c.overlap_seconds <= kMaxSeconds,
          "--overlap-seconds must be in [0, 86400]");
  require(c.segment_seconds == 0 || c.overlap_seconds < c.segment_seconds / 2,
          "--overlap-seconds must be less than half of --segment-seconds");
  require(std::isfinite(c.alpha) && c.alpha >= 0, "--alpha must be finite and >= 0");
  require(std::isfinite(c.learning_rate) && c.learning_rate > 0, "--lr must be > 0");
  require(c.gl_iterations >= 0 && c.gl_iterations <= 100000,
          "--gl-iterations must be in [0, 100000]");
  require(c.refine_iterations >= 0 && c.refine_iterations <= 100000,
          "--refine-waveform must be in [0, 100000]");
  require(c.refine_iterations == 0 || c.segment_seconds == 0,
          "--refine-waveform needs the whole track in one segment: drop --segment-seconds");
    require(std::isfinite(c.momentum) && c.momentum >= 0 && c.momentum < 1,
          "--momentum must be in [0, 1)");
  require(c.offset_seconds >= 0 && c.offset_seconds <= kMaxSeconds,
          "--offset must be in [0, 86400]");
  require(c.seconds >= 0 && c.seconds <= kMaxSeconds, "--seconds must be in [0, 86400]");
  if (texture) {
    require(c.seconds > 0, "texture needs --seconds > 0 (the output length)");
    require(c.seconds <= 3600, "--seconds must be at most 3600 for a texture");
  }
  if (c.optimizer == OptimizerKind::adam && c.iterations == 0)
    throw UsageError("--optimizer adam needs --iterations >= 1");
  if (!o.output_path.empty()) check_output_format(o);
  finalize_extractor(o.method2, c, texture);
}

SampleFormat sample_format(const RunOptions& o) {
  if (o.format == "pcm24") return SampleFormat::pcm24;
  if (o.format == "float") return SampleFormat::float32;
  return SampleFormat::pcm16;
}

void check_output_format(const RunOptions& o) {
  const std::string problem = io::format_problem(o.output_path, sample_format(o));
  if (!problem.empty()) throw UsageError("--format " + o.format + ": " + problem);
}

}  // namespace audiostyle::cli
