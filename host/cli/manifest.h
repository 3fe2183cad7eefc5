// The manifest of `audiostyle batch`: one job per data row, read from CSV (RFC 4180, with a header
// naming the columns) or JSONL (one JSON object per line). host/cli/shard.h splits the rows.
//
// Columns (CSV) or keys (JSONL): content, style and output are required (a row whose `command` is
// `texture` needs no content, and needs `seconds`); the others are the long
// flags of `transfer` without their dashes (alpha, iterations, seed, ...; '_' may stand for '-').
// An empty value means "the batch's default". Relative paths are relative to the manifest's folder.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "host/cli/options.h"
#include "host/cli/shard.h"

namespace audiostyle::cli {

// One data row as written: column -> value, empty values dropped.
struct ManifestRecord {
  int line = 0;  // 1-based physical line where the record starts
  std::map<std::string, std::string> values;
};

// A problem at one line; a manifest with any is rejected as a whole before anything runs.
struct ManifestIssue {
  int line = 0;  // 0: the file as a whole
  std::string message;
};

// The raw records of a CSV or JSONL text; problems are appended to `issues`.
std::vector<ManifestRecord> parse_csv(const std::string& text, std::vector<ManifestIssue>& issues);
std::vector<ManifestRecord> parse_jsonl(const std::string& text,
                                        std::vector<ManifestIssue>& issues);

// The columns a row may set besides content, style and output (flag names without dashes).
const std::vector<std::string>& manifest_flag_columns();

// One job, ready to run: the defaults overridden by the row, finalised.
struct BatchRow {
  int index = 0;  // 0-based over the data rows of the whole manifest
  int line = 0;
  std::string command = "transfer";  // the `command` column: transfer (default) or texture
  RunOptions options;  // content (transfer), style, output resolved; report_path set
};

// Reads and validates the whole manifest (format from the extension: .csv or .jsonl). Each row's
// options are `defaults` (as parsed from the command line, not yet finalised) overridden by the
// row's values and checked by finalize(), so its rules and messages apply. Reports go to
// `<output>.json`, or `<report_dir>/<output stem>.json` when report_dir is not empty.
// Throws UsageError listing every problem as "PATH line N: what" (two outputs or two reports at one
// path are problems too).
std::vector<BatchRow> load_manifest(const std::string& path, const RunOptions& defaults,
                                    const std::string& report_dir);

}  // namespace audiostyle::cli
