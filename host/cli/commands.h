// The subcommands of the tool. main.cpp parses and dispatches; each command lives in its own file.
#pragma once
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <memory>
#include <string>

#include "audiostyle/backend.h"
#include "audiostyle/pipeline.h"
#include "host/cli/options.h"
#include "host/io/staged_file.h"

namespace audiostyle::cli {

// --device auto|cpu|cuda: auto falls back to the CPU with one notice (unless quiet).
std::unique_ptr<Backend> choose_backend(const std::string& device, bool quiet);
// CUDA's reason for having no device, in plain words ("no GPU found" for a missing driver).
std::string plain_device_reason(const std::string& why);

struct RunPlan;

// One job of `transfer` or `texture` (command names it): reads the inputs, runs on the engine,
// writes the output and the report. Options must have been finalised. Returns the result; throws
// the pipeline's and the I/O's errors.
// `plan` (optional) receives the run's shape for the progress ETA before the engine starts.
// --dry-run: runs a short timed probe, prints the plan and the estimate, writes nothing.
TransferResult run_job(Engine& engine, const std::string& command, RunOptions& options,
                       const ProgressFn& progress, RunPlan* plan = nullptr);

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

// `evaluate OUTPUT` (host/cli/evaluate.cpp): registers its flags; run_evaluate returns the exit code.
struct EvaluateOptions;
CLI::App* add_evaluate_command(CLI::App& app, std::shared_ptr<EvaluateOptions>& options);
int run_evaluate(EvaluateOptions& options);
// --plots DIR: made before the run, so a long job does not fail at the end.
void prepare_plots_dir(const std::string& dir);
// After a transfer or texture is written: --plots pictures and the --evaluate table (on stdout);
// returns the evaluation's JSON for the report, or null without --evaluate. content: null for a
// texture.
// --plots and --evaluate after a run; the plots are staged into `plots` for the caller to commit
// with the job's other outputs.
nlohmann::json run_extras(Backend& backend, const RunOptions& options, const Audio* content,
                          const Audio& style, const TransferResult& result,
                          std::vector<io::StagedFile>& plots);

}  // namespace audiostyle::cli
