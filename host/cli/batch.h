// `audiostyle batch MANIFEST`: every row of a manifest through one backend and one Engine, so the
// filters and plans built for one row serve the next row of the same shapes.
#pragma once
#include <string>

#include "host/cli/options.h"

namespace audiostyle::cli {

struct BatchOptions {
  std::string manifest_path;
  std::string shard;         // "i/N"; empty: from the Slurm array variables, else every row
  std::string summary_path;  // JSON summary, one entry per row of the shard
  std::string report_dir;    // per-row reports as DIR/<output stem>.json; empty: <output>.json
  bool resume = false;       // skip rows whose output exists (outputs are written atomically)
  RunOptions defaults;       // the transfer flags, defaults for every row
};

}  // namespace audiostyle::cli
