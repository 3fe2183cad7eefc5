// `batch MANIFEST`: validate the whole manifest, pick this shard's rows, run them one after another
// on one Engine, keep going past a failed row, and sum up.
#include "host/cli/batch.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <new>
#include <nlohmann/json.hpp>

#include "audiostyle/errors.h"
#include "host/cli/commands.h"
#include "host/cli/manifest.h"
#include "host/cli/output_guard.h"
#include "host/cli/progress.h"
#include "host/cli/report.h"

namespace audiostyle::cli {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr const char* kManifestHelp =
    "Manifest, .csv (header row naming the columns) or .jsonl (one object per line). Required: "
    "content, style, output (a row with command = texture: style, output, seconds); optional: "
    "command (transfer or texture) and any flag below without its dashes (alpha, iterations, "
    "seed, n-fft, ...), overriding the command line for that row. Empty = the default. Relative "
    "paths are relative to the manifest's folder.";

enum class RowStatus { ok, skipped, failed, not_run };

const char* status_name(RowStatus s) {
  switch (s) {
    case RowStatus::ok: return "ok";
    case RowStatus::skipped: return "skipped";
    case RowStatus::failed: return "failed";
    case RowStatus::not_run: return "not run";
  }
  return "?";
}

struct RowOutcome {
  const BatchRow* row = nullptr;
  RowStatus status = RowStatus::not_run;
  std::string reason;
  double seconds = 0;
};

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string clock_text(double seconds) {
  if (!(seconds >= 0) || seconds > 359999) return "--:--";
  const int s = int(seconds + 0.5);
  char text[32];
  if (s >= 3600)
    std::snprintf(text, sizeof text, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
  else
    std::snprintf(text, sizeof text, "%d:%02d", s / 60, s % 60);
  return text;
}

Shard choose_shard(const BatchOptions& options) {
  Shard shard;
  if (!options.shard.empty()) return parse_shard(options.shard);
  shard_from_slurm([](const char* name) { return std::getenv(name); }, shard);
  return shard;
}

// The places the batch writes, made or checked before any row runs: the summary's folder, the
// report folder, and every output folder of this shard's rows (created when missing).
void prepare_paths(const BatchOptions& options, const std::vector<BatchRow>& rows,
                   const Shard& shard) {
  std::error_code ec;
  for (const BatchRow& row : rows) {
    if (!shard.holds(row.index)) continue;
    const fs::path folder = fs::path(row.options.output_path).parent_path();
    if (folder.empty() || fs::is_directory(folder, ec)) continue;
    fs::create_directories(folder, ec);
    if (ec || !fs::is_directory(folder, ec))
      throw InputError("row " + std::to_string(row.index) + " (line " + std::to_string(row.line) +
                       "): cannot create the output folder " + folder.string() +
                       (ec ? ": " + ec.message() : ""));
  }
  if (!options.summary_path.empty()) {
    const fs::path parent = fs::path(options.summary_path).parent_path();
    if (!parent.empty() && !fs::is_directory(parent, ec))
      throw InputError("cannot write the summary " + options.summary_path + ": folder " +
                       parent.string() + " does not exist");
  }
  if (!options.report_dir.empty()) {
    fs::create_directories(options.report_dir, ec);
    if (ec || !fs::is_directory(options.report_dir))
      throw InputError("cannot create the report folder " + options.report_dir +
                       (ec ? ": " + ec.message() : ": not a folder"));
  }
}

// One row on the shared engine. Anything but an interrupt is the row's own failure: a missing or
// silent input, a clip too short, a device out of memory for this row's size.
void run_row(Engine& engine, const BatchRow& row, RowOutcome& outcome) {
  RunOptions options = row.options;  // run_job resolves the rate into its copy
  ProgressPrinter printer(options.quiet);
  const auto start = Clock::now();
  RunPlan plan;
  try {
    run_job(
        engine, row.command, options,
        [&](const Progress& p) {
          printer.set_plan(plan);
          printer(p);
        },
        &plan);
    outcome.status = RowStatus::ok;
  } catch (const Interrupted&) {
    printer.finish();
    outcome.seconds = seconds_since(start);
    outcome.reason = "interrupted";
    throw;
  } catch (const std::bad_alloc&) {
    outcome.status = RowStatus::failed;
    outcome.reason = "out of host memory";
  } catch (const std::exception& e) {
    outcome.status = RowStatus::failed;
    outcome.reason = e.what();
  }
  printer.finish();
  outcome.seconds = seconds_since(start);
}

nlohmann::json summary_json(const BatchOptions& options, const Shard& shard, size_t manifest_rows,
                            const std::vector<RowOutcome>& outcomes, double total_seconds,
                            bool interrupted) {
  int counts[4] = {0, 0, 0, 0};
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& o : outcomes) {
    ++counts[int(o.status)];
    const RunOptions& r = o.row->options;
    std::error_code ec;
    rows.push_back({{"row", o.row->index},
                    {"command", o.row->command},
                    {"line", o.row->line},
                    {"content", r.content_path},
                    {"style", r.style_path},
                    {"output", r.output_path},
                    {"report", fs::exists(r.report_path, ec) ? nlohmann::json(r.report_path)
                                                             : nlohmann::json(nullptr)},
                    {"status", status_name(o.status)},
                    {"reason", o.reason},
                    {"seconds", o.seconds}});
  }
  return {{"version", AUDIOSTYLE_VERSION},
          {"manifest", options.manifest_path},
          {"manifest_rows", manifest_rows},
          {"shard", {{"index", shard.index}, {"count", shard.count}}},
          {"rows_in_shard", outcomes.size()},
          {"done", counts[int(RowStatus::ok)]},
          {"skipped", counts[int(RowStatus::skipped)]},
          {"failed", counts[int(RowStatus::failed)]},
          {"not_run", counts[int(RowStatus::not_run)]},
          {"interrupted", interrupted},
          {"seconds", total_seconds},
          {"rows", rows}};
}

void print_summary(const nlohmann::json& summary, const std::vector<RowOutcome>& outcomes,
                   bool quiet) {
  const nlohmann::json& shard = summary["shard"];
  const std::string shard_text = shard["count"].get<int>() > 1
                                     ? " (shard " + std::to_string(shard["index"].get<int>()) +
                                           "/" + std::to_string(shard["count"].get<int>()) + ")"
                                     : "";
  if (!quiet)
    std::fprintf(stderr,
                 "audiostyle: batch: %d done, %d skipped, %d failed, %d not run of %d rows%s in %s\n",
                 summary["done"].get<int>(), summary["skipped"].get<int>(),
                 summary["failed"].get<int>(), summary["not_run"].get<int>(),
                 summary["rows_in_shard"].get<int>(), shard_text.c_str(),
                 clock_text(summary["seconds"].get<double>()).c_str());
  // Failures are errors: listed even with -q.
  if (summary["failed"].get<int>() > 0) std::fprintf(stderr, "audiostyle: failed rows:\n");
  for (const auto& o : outcomes)
    if (o.status == RowStatus::failed)
      std::fprintf(stderr, "  row %d, line %d: %s: %s\n", o.row->index, o.row->line,
                   o.row->options.content_path.c_str(), o.reason.c_str());
}

}  // namespace

CLI::App* add_batch_command(CLI::App& app, std::shared_ptr<BatchOptions>& options) {
  options = std::make_shared<BatchOptions>();
  CLI::App* cmd =
      app.add_subcommand("batch", "Run every row of a manifest (CSV or JSONL) through one engine");
  cmd->add_option("manifest", options->manifest_path, kManifestHelp)->required();
  cmd->add_option("--shard", options->shard,
                  "Run shard i of N: the rows whose 0-based index r has r % N == i. Default: "
                  "SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN of SLURM_ARRAY_TASK_COUNT, if set");
  cmd->add_flag("--resume", options->resume,
                "Skip rows whose output exists and opens as audio (outputs are renamed into place "
                "whole, so one that exists is complete)");
  cmd->add_option("--summary", options->summary_path,
                  "Write a JSON summary: one entry per row of the shard");
  cmd->add_option("--report-dir", options->report_dir,
                  "Write each row's report as DIR/<output stem>.json (default <output>.json)");
  add_run_flags(*cmd, options->defaults, false, true);
  return cmd;
}

int run_batch(BatchOptions& options) {
  const auto start = Clock::now();
  const RunOptions& defaults = options.defaults;
  // A bad flag is the command line's fault, reported once rather than on every row.
  RunOptions checked = defaults;
  finalize(checked, false);
  const Shard shard = choose_shard(options);
  const std::vector<BatchRow> rows =
      load_manifest(options.manifest_path, defaults, options.report_dir);
  check_batch_paths(options, rows, shard);  // host/cli/output_guard.h
  prepare_paths(options, rows, shard);      // makes missing output folders
  sweep_batch_temporaries(rows);

  std::vector<RowOutcome> outcomes;
  for (const auto& row : rows)
    if (shard.holds(row.index)) outcomes.push_back(RowOutcome{&row});
  const int n_rows = int(outcomes.size());
  if (n_rows == 0 && !defaults.quiet)
    std::fprintf(stderr, "audiostyle: note: shard %d/%d holds none of the manifest's %zu rows\n",
                 shard.index,
                 shard.count, rows.size());

  // One backend and one engine for the batch, started by the first row that runs (a resumed,
  // finished batch never touches the device).
  std::unique_ptr<Backend> backend;
  std::unique_ptr<Engine> engine;
  bool interrupted = false;
  int rows_run = 0;
  double run_seconds = 0;
  for (int k = 0; k < n_rows && !interrupted; ++k) {
    RowOutcome& outcome = outcomes[k];
    const RunOptions& row = outcome.row->options;
    if (interrupt_requested()) {
      interrupted = true;
      break;
    }
    if (options.resume && finished_output(row.output_path)) {
      outcome.status = RowStatus::skipped;
      outcome.reason = "output exists (--resume)";
      if (!defaults.quiet)
        std::fprintf(stderr, "[%d/%d] row %d: %s exists, skipped\n", k + 1, n_rows,
                     outcome.row->index, row.output_path.c_str());
      continue;
    }
    if (!engine) {
      backend = choose_backend(defaults.device, defaults.quiet);
      engine = std::make_unique<Engine>(*backend);
    }
    if (!defaults.quiet) {
      // ETA from the rows that ran: skipped ones take no time and would make it optimistic.
      const double eta = rows_run > 0 ? run_seconds / rows_run * (n_rows - k) : -1;
      // "row" is the 0-based manifest row, as in --shard and the summary; [k/n] counts this shard.
      std::fprintf(stderr, "[%d/%d] row %d (line %d): %s -> %s  (elapsed %s, eta %s)\n", k + 1,
                   n_rows, outcome.row->index, outcome.row->line, row.content_path.c_str(),
                   row.output_path.c_str(),
                   clock_text(seconds_since(start)).c_str(), clock_text(eta).c_str());
    }
    try {
      run_row(*engine, *outcome.row, outcome);
    } catch (const Interrupted&) {
      interrupted = true;
    }
    ++rows_run;
    run_seconds += outcome.seconds;
    if (outcome.status == RowStatus::failed && !defaults.quiet)
      std::fprintf(stderr, "[%d/%d] row %d (line %d) failed: %s\n", k + 1, n_rows,
                   outcome.row->index, outcome.row->line, outcome.reason.c_str());
  }

  for (auto& outcome : outcomes)
    if (outcome.status == RowStatus::not_run && outcome.reason.empty())
      outcome.reason = "not started: the batch was interrupted";
  const nlohmann::json summary =
      summary_json(options, shard, rows.size(), outcomes, seconds_since(start), interrupted);
  print_summary(summary, outcomes, defaults.quiet);
  if (!options.summary_path.empty()) {
    try {
      // --no-clobber was checked before any row ran; the rename keeps it (no replacing a summary
      // made meanwhile).
      stage_report(options.summary_path, summary).commit(!defaults.no_clobber);
    } catch (const InputError& e) {
      throw InputError(std::string("--summary: ") + e.what());
    }
  }
  if (interrupted)
    throw Interrupted("interrupted: stopped the batch; " +
                      std::to_string(summary["not_run"].get<int>()) + " rows not run");
  return summary["failed"].get<int>() > 0 ? kExitBatchRowsFailed : kExitOk;
}

}  // namespace audiostyle::cli
