// Command-line flags shared by `transfer` and `texture`, and their validation.
#pragma once
#include <CLI/CLI.hpp>

#include <string>

#include "audiostyle/audio.h"
#include "audiostyle/config.h"

namespace audiostyle::cli {

struct RunOptions {
  TransferConfig config;
  std::string content_path, style_path, output_path, report_path;
  std::string device = "auto";  // auto | cpu | cuda
  std::string format = "pcm16";
  std::string optimizer = "lbfgs", init = "random", precision = "tf32";
  bool quiet = false, verbose = false;
};

// Registers the flags on a subcommand; `texture` drops the content-only ones.
void add_run_flags(CLI::App& app, RunOptions& options, bool texture);
// Turns the strings into enums and checks ranges and combinations; throws UsageError.
void finalize(RunOptions& options, bool texture);
SampleFormat sample_format(const RunOptions& options);

}  // namespace audiostyle::cli
