// The JSON report of a run (--report FILE.json).
#pragma once
#include <nlohmann/json.hpp>

#include <string>

#include "audiostyle/pipeline.h"
#include "host/cli/options.h"
#include "host/io/staged_file.h"

namespace audiostyle::cli {

nlohmann::json make_report(const std::string& command, const RunOptions& options,
                           const TransferResult& result, double total_ms,
                           const std::vector<StageTiming>& io_timings);
// Written to a temporary file beside the path, then renamed.
void write_report(const std::string& path, const nlohmann::json& report);
// The same, staged only: commit() renames it into place (host/io/staged_file.h).
io::StagedFile stage_report(const std::string& path, const nlohmann::json& report);

}  // namespace audiostyle::cli
