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
  std::string channels = "auto";      // transfer: auto|mono|stereo|mid-side; texture: mono|stereo
  std::string phase_init = "random", gl_algorithm = "fgla";  // phase reconstruction (issue 16)
  bool quiet = false, verbose = false;
  ExtractorFlags method2;  // --extractor, layers, weights, post-filters (extractor_options.h)
  // Resolved by finalize():
  bool native_rate = false, n_fft_given = false, hop_given = false;
  int texture_channels = 1;
  // Set by add_run_flags, read by finalize():
  CLI::Option* n_fft_option = nullptr;
  CLI::Option* hop_option = nullptr;
};

// Registers the flags on a subcommand; `texture` drops the content-only ones. `batch` registers
// them as defaults for every manifest row, without -o/--output and --report (each row has its own).
void add_run_flags(CLI::App& app, RunOptions& options, bool texture, bool batch = false);
// Turns the strings into enums and checks ranges and combinations; throws UsageError.
void finalize(RunOptions& options, bool texture);
SampleFormat sample_format(const RunOptions& options);

}  // namespace audiostyle::cli
