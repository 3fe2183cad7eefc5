#include "host/cli/manifest.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "audiostyle/errors.h"

namespace audiostyle::cli {
namespace {

namespace fs = std::filesystem;

const char* const kRequired[] = {"content", "style", "output"};
constexpr size_t kMaxIssuesShown = 20;

bool is_blank(char c) { return c == ' ' || c == '\t'; }

std::string trim(const std::string& s) {
  size_t first = 0, last = s.size();
  while (first < last && (is_blank(s[first]) || s[first] == '\r')) ++first;
  while (last > first && (is_blank(s[last - 1]) || s[last - 1] == '\r')) --last;
  return s.substr(first, last - first);
}

// Spreadsheets capitalise headers and JSON favours snake_case: "Kernel_Width" names kernel-width.
std::string column_key(const std::string& name) {
  std::string key = trim(name);
  for (char& c : key) c = c == '_' ? '-' : char(std::tolower(static_cast<unsigned char>(c)));
  return key;
}

bool is_required(const std::string& key) {
  return std::find(std::begin(kRequired), std::end(kRequired), key) != std::end(kRequired);
}

bool is_known(const std::string& key) {
  const auto& flags = manifest_flag_columns();
  return is_required(key) || key == "command" ||
         std::find(flags.begin(), flags.end(), key) != flags.end();
}

std::string known_columns() {
  std::string list = "content, style, output, command";
  for (const auto& name : manifest_flag_columns()) list += ", " + name;
  return list;
}

// --- CSV ---

struct CsvRecord {
  int line = 0;
  std::vector<std::string> fields;
};

// RFC 4180 records: fields split at commas, quoted fields may hold commas, doubled quotes and line
// breaks; CRLF or LF line ends. Unquoted fields are trimmed of spaces ("a.wav, b.wav" is common);
// quoted ones are kept as written. At the start of a record, blank lines and lines whose first
// non-blank character is '#' are skipped. A record that cannot be read is reported and dropped.
class CsvReader {
 public:
  CsvReader(const std::string& text, std::vector<ManifestIssue>& issues)
      : text_(text), issues_(issues) {
    if (text_.rfind("\xEF\xBB\xBF", 0) == 0) pos_ = 3;  // the UTF-8 mark Excel writes
  }

  std::vector<CsvRecord> records() {
    std::vector<CsvRecord> out;
    while (pos_ < text_.size()) {
      if (skip_blank_or_comment_line()) continue;
      CsvRecord record;
      record.line = line_;
      if (read_record(record.fields)) out.push_back(std::move(record));
    }
    return out;
  }

 private:
  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return text_[pos_]; }

  bool skip_blank_or_comment_line() {
    size_t end = text_.find('\n', pos_);
    if (end == std::string::npos) end = text_.size();
    const std::string content = trim(text_.substr(pos_, end - pos_));
    if (!content.empty() && content[0] != '#') return false;
    pos_ = end + 1;
    ++line_;
    return true;
  }

  // Consumes the rest of the physical line after an error, so the next record starts cleanly.
  void skip_rest_of_line() {
    while (!at_end() && peek() != '\n') ++pos_;
    if (!at_end()) ++pos_, ++line_;
  }

  // True at a line end (LF, or CR LF), which it consumes, or at the end of the text.
  bool take_line_end() {
    if (at_end()) return true;
    if (peek() == '\n') {
      ++pos_, ++line_;
      return true;
    }
    if (peek() == '\r' && (pos_ + 1 == text_.size() || text_[pos_ + 1] == '\n')) {
      pos_ += pos_ + 1 == text_.size() ? 1 : 2;
      ++line_;
      return true;
    }
    return false;
  }

  bool read_record(std::vector<std::string>& fields) {
    for (;;) {
      while (!at_end() && is_blank(peek())) ++pos_;
      std::string field;
      if (!at_end() && peek() == '"') {
        if (!read_quoted(field)) return false;
        while (!at_end() && is_blank(peek())) ++pos_;
        fields.push_back(std::move(field));
        if (!at_end() && peek() == ',') {
          ++pos_;
          continue;
        }
        if (take_line_end()) return true;
        issues_.push_back({line_, std::string("unexpected character '") + peek() +
                                      "' after a closing quote (a quote inside a quoted field is "
                                      "written twice: \"\")"});
        skip_rest_of_line();
        return false;
      }
      while (!at_end() && peek() != ',' && peek() != '\n') field += text_[pos_++];
      fields.push_back(trim(field));
      if (!at_end() && peek() == ',') {
        ++pos_;
        continue;
      }
      take_line_end();
      return true;
    }
  }

  bool read_quoted(std::string& field) {
    const int open_line = line_;
    ++pos_;  // the opening quote
    while (!at_end()) {
      const char c = text_[pos_++];
      if (c == '"') {
        if (!at_end() && peek() == '"') {
          field += '"';
          ++pos_;
          continue;
        }
        return true;
      }
      if (c == '\n') ++line_;
      field += c;
    }
    issues_.push_back({open_line, "unterminated quote: the quoted field opened here never closes"});
    return false;
  }

  const std::string& text_;
  std::vector<ManifestIssue>& issues_;
  size_t pos_ = 0;
  int line_ = 1;
};

// --- Rows -> jobs ---

std::string read_text(const std::string& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec))
    throw UsageError("cannot read the manifest " + path +
                     (fs::exists(path, ec) ? ": not a regular file" : ": no such file"));
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (!in && !in.eof()) throw UsageError("cannot read the manifest " + path);
  return text.str();
}

std::string resolve(const fs::path& base, const std::string& path) {
  const fs::path p(path);
  return (p.is_absolute() ? p : base / p).lexically_normal().string();
}

// Two spellings of one file ("out/a.wav", "./out/../out/a.wav", a symlinked folder) are one key.
std::string file_key(const std::string& path) {
  std::error_code ec;
  const fs::path absolute = fs::absolute(path, ec);
  if (ec) return path;
  const fs::path canonical = fs::weakly_canonical(absolute, ec);
  return (ec ? absolute.lexically_normal() : canonical).string();
}

// The row's values as flags on a parser of its own, over a copy of the defaults: CLI11 converts
// them exactly as on the command line and finalize() applies the same rules.
RunOptions row_options(const ManifestRecord& record, const RunOptions& defaults, bool texture) {
  RunOptions options = defaults;
  CLI::App parser{"manifest row"};
  add_run_flags(parser, options, texture, true);
  std::vector<std::string> args;
  for (const auto& [key, value] : record.values)
    if (!is_required(key) && key != "command") args.push_back("--" + key + "=" + value);
  std::reverse(args.begin(), args.end());  // CLI11 reads the vector from its back
  try {
    parser.parse(args);
  } catch (const CLI::ParseError& e) {
    // Name the cell: parse each column alone until one fails.
    for (const auto& [key, value] : record.values) {
      if (is_required(key) || key == "command") continue;
      RunOptions probe = defaults;
      CLI::App cell{"manifest cell"};
      add_run_flags(cell, probe, texture, true);
      std::vector<std::string> one{"--" + key + "=" + value};
      try {
        cell.parse(one);
      } catch (const CLI::ParseError& bad) {
        throw UsageError("column '" + key + "', value '" + value + "': " + bad.what());
      }
    }
    throw UsageError(e.what());
  }
  // n_fft and hop scale with the rate unless given, in the row or on the command line.
  if (parser.get_option("--n-fft")->count() == 0) options.n_fft_option = defaults.n_fft_option;
  if (parser.get_option("--hop")->count() == 0) options.hop_option = defaults.hop_option;
  finalize(options, texture);
  options.n_fft_option = options.hop_option = nullptr;  // they die with `parser`
  return options;
}

std::string report_path_for(const std::string& output, const std::string& report_dir) {
  if (report_dir.empty()) return output + ".json";
  return (fs::path(report_dir) / (fs::path(output).stem().string() + ".json"))
      .lexically_normal()
      .string();
}

[[noreturn]] void throw_issues(const std::string& path, std::vector<ManifestIssue> issues) {
  std::stable_sort(issues.begin(), issues.end(),
                   [](const ManifestIssue& a, const ManifestIssue& b) { return a.line < b.line; });
  std::string message;
  for (size_t i = 0; i < issues.size() && i < kMaxIssuesShown; ++i) {
    if (i) message += "\n";
    message += path;
    if (issues[i].line > 0) message += " line " + std::to_string(issues[i].line);
    message += ": " + issues[i].message;
  }
  if (issues.size() > kMaxIssuesShown)
    message += "\n... and " + std::to_string(issues.size() - kMaxIssuesShown) + " more problems";
  throw UsageError(message);
}

}  // namespace

const std::vector<std::string>& manifest_flag_columns() {
  static const std::vector<std::string> columns = {
      "alpha",           "iterations",     "seed", "optimizer",   "lr",     "filters",
      "kernel-width",    "n-fft",          "hop",  "sample-rate", "offset", "seconds",
      "gl-iterations",   "momentum",       "init", "precision",   "format", "channels",
      "segment-seconds", "overlap-seconds"};
  return columns;
}

std::vector<ManifestRecord> parse_csv(const std::string& text, std::vector<ManifestIssue>& issues) {
  const std::vector<CsvRecord> raw = CsvReader(text, issues).records();
  std::vector<ManifestRecord> records;
  if (raw.empty()) return records;

  const CsvRecord& header = raw.front();
  std::vector<std::string> columns;
  bool header_ok = true;
  for (size_t i = 0; i < header.fields.size(); ++i) {
    const std::string key = column_key(header.fields[i]);
    auto problem = [&](const std::string& what) {
      issues.push_back({header.line, what});
      header_ok = false;
    };
    if (key.empty())
      problem("column " + std::to_string(i + 1) + " of the header has no name");
    else if (!is_known(key))
      problem("unknown column '" + header.fields[i] + "' (known: " + known_columns() + ")");
    else if (std::find(columns.begin(), columns.end(), key) != columns.end())
      problem("column '" + key + "' appears twice in the header");
    columns.push_back(key);
  }
  for (const char* required : kRequired)
    if (std::find(columns.begin(), columns.end(), required) == columns.end() &&
        !(std::string(required) == "content" &&
          std::find(columns.begin(), columns.end(), "command") != columns.end())) {
      issues.push_back({header.line, std::string("the header has no '") + required + "' column"});
      header_ok = false;
    }
  // With a broken header every row would repeat the same complaint.
  if (!header_ok) return records;

  for (size_t r = 1; r < raw.size(); ++r) {
    const CsvRecord& row = raw[r];
    if (row.fields.size() != columns.size()) {
      const size_t n = row.fields.size();
      issues.push_back({row.line, std::to_string(n) + (n == 1 ? " field" : " fields") +
                                      ", but the header names " + std::to_string(columns.size()) +
                                      " columns"});
      continue;
    }
    ManifestRecord record;
    record.line = row.line;
    for (size_t c = 0; c < columns.size(); ++c)
      if (!row.fields[c].empty()) record.values[columns[c]] = row.fields[c];
    records.push_back(std::move(record));
  }
  return records;
}

std::vector<ManifestRecord> parse_jsonl(const std::string& text,
                                        std::vector<ManifestIssue>& issues) {
  std::vector<ManifestRecord> records;
  std::istringstream lines(text);
  std::string line_text;
  for (int line = 1; std::getline(lines, line_text); ++line) {
    if (line == 1 && line_text.rfind("\xEF\xBB\xBF", 0) == 0) line_text.erase(0, 3);
    if (trim(line_text).empty()) continue;
    nlohmann::json object;
    try {
      object = nlohmann::json::parse(line_text);
    } catch (const nlohmann::json::parse_error& e) {
      // nlohmann's own "line 1" would mislead: the byte is the column within this line.
      std::string what = e.what();
      const size_t detail = what.find(": ");
      issues.push_back({line, "bad JSON at column " + std::to_string(e.byte) + ": " +
                                  (detail == std::string::npos ? what : what.substr(detail + 2))});
      continue;
    } catch (const nlohmann::json::exception& e) {
      // A number past double's range (1e400) is out_of_range, not a parse_error (found by
      // fuzz/manifest_jsonl.cpp).
      std::string what = e.what();
      const size_t detail = what.find("] ");
      issues.push_back({line, "bad JSON: " +
                                  (detail == std::string::npos ? what : what.substr(detail + 2))});
      continue;
    }
    if (!object.is_object()) {
      issues.push_back({line, std::string("expected a JSON object, got ") + object.type_name()});
      continue;
    }
    ManifestRecord record;
    record.line = line;
    bool ok = true;
    for (const auto& [name, value] : object.items()) {
      const std::string key = column_key(name);
      if (!is_known(key)) {
        issues.push_back({line, "unknown key '" + name + "' (known: " + known_columns() + ")"});
        ok = false;
      } else if (value.is_string()) {
        if (!value.get<std::string>().empty()) record.values[key] = value.get<std::string>();
      } else if (value.is_number_integer()) {
        record.values[key] = value.is_number_unsigned() ? std::to_string(value.get<uint64_t>())
                                                        : std::to_string(value.get<int64_t>());
      } else if (value.is_number_float()) {
        record.values[key] = value.dump();  // shortest text that reads back to the same double
      } else if (!value.is_null()) {
        issues.push_back({line, "key '" + name + "': expected a string or a number, got " +
                                    std::string(value.type_name())});
        ok = false;
      }
    }
    if (ok) records.push_back(std::move(record));
  }
  return records;
}

std::vector<BatchRow> load_manifest(const std::string& path, const RunOptions& defaults,
                                    const std::string& report_dir) {
  std::string extension = fs::path(path).extension().string();
  for (char& c : extension) c = char(std::tolower(static_cast<unsigned char>(c)));
  if (extension != ".csv" && extension != ".jsonl")
    throw UsageError("manifest " + path + ": unknown format '" + extension +
                     "' (the extension must be .csv or .jsonl)");
  const std::string text = read_text(path);

  std::vector<ManifestIssue> issues;
  const std::vector<ManifestRecord> records =
      extension == ".csv" ? parse_csv(text, issues) : parse_jsonl(text, issues);
  const fs::path base = fs::path(path).parent_path();

  std::vector<BatchRow> rows;
  std::map<std::string, int> output_lines, report_lines;  // file key -> line of its first use
  std::map<std::string, std::pair<int, const char*>> input_lines;  // -> line, "content"/"style"
  for (size_t r = 0; r < records.size(); ++r) {
    const ManifestRecord& record = records[r];
    bool complete = true;
    const auto command = record.values.find("command");
    const bool texture = command != record.values.end() && command->second == "texture";
    if (command != record.values.end() && !texture && command->second != "transfer") {
      issues.push_back({record.line, "column 'command', value '" + command->second +
                                         "': must be transfer or texture (row " +
                                         std::to_string(r) + ")"});
      continue;
    }
    for (const char* required : kRequired)
      if (!(texture && std::string(required) == "content") && !record.values.count(required)) {
        issues.push_back({record.line, std::string("missing required field '") + required + "'"});
        complete = false;
      }
    if (!complete) continue;
    BatchRow row;
    row.index = int(r);
    row.line = record.line;
    try {
      row.options = row_options(record, defaults, texture);
      row.command = texture ? "texture" : "transfer";
    } catch (const UsageError& e) {
      issues.push_back({record.line, std::string(e.what()) + " (row " + std::to_string(r) + ")"});
      continue;
    }
    RunOptions& o = row.options;
    if (!texture) o.content_path = resolve(base, record.values.at("content"));
    o.style_path = resolve(base, record.values.at("style"));
    o.output_path = resolve(base, record.values.at("output"));
    o.report_path = report_path_for(o.output_path, report_dir);

    const auto [output_it, new_output] = output_lines.emplace(file_key(o.output_path), row.line);
    if (!new_output)
      issues.push_back({row.line, "output " + o.output_path + " is also the output of line " +
                                      std::to_string(output_it->second) +
                                      " (one would overwrite the other)"});
    // Beside the outputs, reports collide only when the outputs do: one complaint is enough.
    const auto [report_it, new_report] = report_lines.emplace(file_key(o.report_path), row.line);
    if (new_output && !new_report)
      issues.push_back({row.line, "report " + o.report_path + " is also the report of line " +
                                      std::to_string(report_it->second) +
                                      " (outputs with the same name in --report-dir)"});
    if (!texture) input_lines.emplace(file_key(o.content_path), std::pair(row.line, "content"));
    input_lines.emplace(file_key(o.style_path), std::pair(row.line, "style"));
    rows.push_back(std::move(row));
  }
  // Rows run in any order across shards and resumes: an output that is also an input would replace
  // a source file, or feed one row another's result depending on the order.
  for (const BatchRow& row : rows) {
    const auto input = input_lines.find(file_key(row.options.output_path));
    if (input != input_lines.end())
      issues.push_back({row.line, "output " + row.options.output_path + " is the " +
                                      input->second.second + " of line " +
                                      std::to_string(input->second.first) +
                                      " (it would be overwritten)"});
  }
  if (issues.empty() && records.empty()) issues.push_back({0, "no data rows"});
  if (!issues.empty()) throw_issues(path, std::move(issues));
  return rows;
}

}  // namespace audiostyle::cli
