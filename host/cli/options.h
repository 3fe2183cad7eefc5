// Command-line flags shared by `transfer` and `texture`, and their validation.
#pragma once
#include <CLI/CLI.hpp>
#include <string>

#include "audiostyle/audio.h"
#include "audiostyle/config.h"
#include "host/cli/extractor_options.h"

namespace audiostyle::cli {

struct RunOptions {
  TransferConfig config;
  std::string content_path, style_path, output_path, report_path;
  std::string device = "auto";  // auto | cpu | cuda
  std::string format = "pcm16";
  std::string optimizer = "lbfgs", init = "random", precision = "tf32";
  std::string sample_rate = "22050";  // a number in Hz, or "native"
  std::string channels = "auto";  // transfer: auto|mono|stereo|mid-side; texture: auto|mono|stereo
  std::string output_rate =
      "source";                    // source (the content's, a texture: the style's) | working | Hz
  std::string loudness = "match";  // match | off | a target in LUFS (e.g. -14)
  std::string recipe = "ulyanov";  // host/cli/recipes.h; expanded into flags before parsing
  int threads = 0;                 // CPU backend threads; 0 = all cores
  std::string phase_init = "random", gl_algorithm = "fgla";  // phase reconstruction (issue 16)
  bool quiet = false, verbose = false, dry_run = false;
  bool no_clobber = false;  // refuse to replace an existing output (host/cli/output_guard.h)
  bool evaluate = false;  // --evaluate: score the output (host/cli/evaluate.cpp)
  std::string plots_dir;  // --plots DIR: spectrograms.png, losses.png
  ExtractorFlags method2;  // --extractor, layers, weights, post-filters (extractor_options.h)
  // Resolved by finalize():
  bool native_rate = false, n_fft_given = false, hop_given = false;
  int texture_channels = 1;
  int output_rate_hz = 0;  // 0: the source's rate (resolved once it is read)
  bool output_rate_working = false;
  bool loudness_match = true;  // match the source's integrated loudness
  double loudness_lufs = 0;    // the target when !loudness_match and loudness != "off"
  // Set by add_run_flags, read by finalize():
  CLI::Option* n_fft_option = nullptr;
  CLI::Option* hop_option = nullptr;
};

// Registers the flags on a subcommand; `texture` drops the content-only ones. `batch` registers
// them as defaults for every manifest row, without -o/--output and --report (each row has its own).
// A flag given twice takes the last value, as in sox and ffmpeg.
void add_run_flags(CLI::App& app, RunOptions& options, bool texture, bool batch = false);
// A validator with our own sentence (CLI11's NonNegativeNumber prints its 20-digit range).
CLI::Validator non_negative_integer();
// Turns the strings into enums and checks ranges and combinations; throws UsageError.
void finalize(RunOptions& options, bool texture);
SampleFormat sample_format(const RunOptions& options);
// Refuses a --format the output's container cannot store (float in FLAC, any in a lossy format);
// UsageError. Called once the output path is known (batch rows resolve it after finalize).
void check_output_format(const RunOptions& options);

}  // namespace audiostyle::cli
