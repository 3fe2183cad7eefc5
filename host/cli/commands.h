// The subcommands of the tool. main.cpp parses and dispatches; each command lives in its own file.
#pragma once
#include <CLI/CLI.hpp>

#include <memory>
#include <string>

#include "audiostyle/backend.h"
#include "audiostyle/pipeline.h"
#include "host/cli/options.h"

namespace audiostyle::cli {

// --device auto|cpu|cuda: auto falls back to the CPU with one notice (unless quiet).
std::unique_ptr<Backend> choose_backend(const std::string& device, bool quiet);

// One job of `transfer` or `texture` (command names it): reads the inputs, runs on the engine,
// writes the output and the report. Options must have been finalised. Returns the result; throws
// the pipeline's and the I/O's errors.
TransferResult run_job(Engine& engine, const std::string& command, RunOptions& options,
                       const ProgressFn& progress);

// `transfer` and `texture` from the command line: exit code.
int run_single(const std::string& command, RunOptions& options);

// `batch MANIFEST`: registers its flags; run_batch returns the exit code.
struct BatchOptions;
CLI::App* add_batch_command(CLI::App& app, std::shared_ptr<BatchOptions>& options);
int run_batch(BatchOptions& options);

// `reconstruct IN -o OUT`: registers its flags; run_reconstruct returns the exit code.
struct ReconstructOptions;
CLI::App* add_reconstruct_command(CLI::App& app, std::shared_ptr<ReconstructOptions>& options);
int run_reconstruct(ReconstructOptions& options);

// `info`.
int run_info();

}  // namespace audiostyle::cli
