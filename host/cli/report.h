// The JSON report of a run (--report FILE.json).
#pragma once
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "audiostyle/pipeline.h"
#include "host/cli/options.h"
#include "host/io/staged_file.h"

namespace audiostyle::cli {

// An input file as read: its own rate and channels, its length, the crop taken, its loudness.
struct SourceInfo {
  std::string path;
  int sample_rate_hz = 0, channels = 0;
  double file_seconds = -1;                // the whole file (-1: the container does not say)
  double offset_seconds = 0, seconds = 0;  // the crop read
  double loudness_lufs = -std::numeric_limits<double>::infinity();
  double peak = 0;
};

// What --loudness did to the output.
struct LevelInfo {
  std::string mode;  // match, off, or the target as given
  double source_lufs = 0, target_lufs = std::numeric_limits<double>::quiet_NaN();
  double before_lufs = 0, after_lufs = 0, gain_db = 0, source_peak = 0;
  float ceiling = 1;
  long long limited_samples = 0;
};

// Everything about a run beside the engine's result.
struct RunRecord {
  SourceInfo content, style, output_source;  // output_source: whose rate and loudness it follows
  LevelInfo level;
  std::string format;  // as written: "WAV pcm16", "FLAC pcm24", "Ogg Vorbis", ...
};
// The last run_job's record (the CLI runs one job at a time).
RunRecord& last_record();

// The command line, for the report (main() sets it).
void set_command_line(int argc, char** argv);

nlohmann::json make_report(const std::string& command, const RunOptions& options,
                           const TransferResult& result, double total_ms,
                           const std::vector<StageTiming>& io_timings, const RunRecord& record);
// Written to a temporary file beside the path; commit() renames it into place
// (host/io/staged_file.h).
io::StagedFile stage_report(const std::string& path, const nlohmann::json& report);

}  // namespace audiostyle::cli
