// The batch manifest: CSV (RFC 4180) and JSONL parsing, path resolution, per-row options through
// finalize(), every problem reported with its physical line, and the split into shards.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "audiostyle/errors.h"
#include "host/cli/manifest.h"
#include "tests/support.h"

using namespace audiostyle;
using namespace audiostyle::cli;
namespace fs = std::filesystem;

namespace {

std::string write_file(const test::TempDir& dir, const std::string& name, const std::string& text) {
  const std::string path = dir.file(name);
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

// The message load_manifest throws, or "" when it accepts the manifest.
std::string manifest_error(const std::string& path, const RunOptions& defaults = {},
                           const std::string& report_dir = "") {
  try {
    load_manifest(path, defaults, report_dir);
  } catch (const UsageError& e) {
    return e.what();
  }
  return "";
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::vector<std::vector<std::string>> fields_of(const std::vector<ManifestRecord>& records,
                                                const std::vector<std::string>& keys) {
  std::vector<std::vector<std::string>> out;
  for (const auto& r : records) {
    std::vector<std::string> row;
    for (const auto& k : keys) row.push_back(r.values.count(k) ? r.values.at(k) : "<unset>");
    out.push_back(row);
  }
  return out;
}

}  // namespace

TEST_CASE("manifest: CSV quoting, CRLF, comments and blank lines", "[cli][manifest]") {
  std::vector<ManifestIssue> issues;
  const std::string text =
      "\xEF\xBB\xBF"                                      // line 1, after a UTF-8 mark
      "content,style,output,seed\r\n"                     // line 1
      "# a comment\r\n"                                   // line 2
      "\r\n"                                              // line 3
      "\"a, b.wav\",\"say \"\"hi\"\".wav\",o1.wav,1\r\n"  // line 4
      "  plain.wav ,  s.wav,o2.wav,\r\n"                  // line 5: trimmed, empty seed
      "   # an indented comment\n"                        // line 6
      "\"multi\nline.wav\",s.wav,o3.wav,\"\"\r\n"           // lines 7-8
      "c4.wav,s.wav,\"o4.wav\"  ,7";                      // line 9, no final newline
  const auto records = parse_csv(text, issues);
  INFO(issues.size());
  REQUIRE(issues.empty());
  REQUIRE(records.size() == 4);
  const auto fields = fields_of(records, {"content", "style", "output", "seed"});
  CHECK(fields[0] == std::vector<std::string>{"a, b.wav", "say \"hi\".wav", "o1.wav", "1"});
  CHECK(fields[1] == std::vector<std::string>{"plain.wav", "s.wav", "o2.wav", "<unset>"});
  CHECK(fields[2] == std::vector<std::string>{"multi\nline.wav", "s.wav", "o3.wav", "<unset>"});
  CHECK(fields[3] == std::vector<std::string>{"c4.wav", "s.wav", "o4.wav", "7"});
  CHECK(records[0].line == 4);
  CHECK(records[1].line == 5);
  CHECK(records[2].line == 7);
  CHECK(records[3].line == 9);  // the quoted line break counted as a physical line
}

TEST_CASE("manifest: CSV header names are normalised and checked", "[cli][manifest]") {
  std::vector<ManifestIssue> issues;
  auto records = parse_csv("Content, STYLE ,output,Kernel_Width\nc.wav,s.wav,o.wav,5\n", issues);
  REQUIRE(issues.empty());
  REQUIRE(records.size() == 1);
  CHECK(records[0].values.at("kernel-width") == "5");
  CHECK(records[0].values.at("style") == "s.wav");

  issues.clear();
  records = parse_csv("# header next\ncontent,style,output,style\n", issues);
  REQUIRE(issues.size() == 1);
  CHECK(issues[0].line == 2);
  CHECK(contains(issues[0].message, "twice"));

  issues.clear();
  parse_csv("content,output\nc.wav,o.wav\n", issues);
  REQUIRE(issues.size() == 1);
  CHECK(issues[0].line == 1);
  CHECK(contains(issues[0].message, "'style'"));
}

TEST_CASE("manifest: JSONL values, nulls and line numbers", "[cli][manifest]") {
  std::vector<ManifestIssue> issues;
  const std::string text =
      "{\"content\": \"c.wav\", \"style\": \"s.wav\", \"output\": \"o.wav\", \"seed\": 3,"
      " \"alpha\": 0.25, \"n_fft\": 512}\n"
      "\n"
      "  \r\n"
      "{\"content\": \"c2.wav\", \"style\": \"s.wav\", \"output\": \"o2.wav\", \"alpha\": null,"
      " \"init\": \"\", \"seed\": 18446744073709551615}\r\n";
  const auto records = parse_jsonl(text, issues);
  REQUIRE(issues.empty());
  REQUIRE(records.size() == 2);
  CHECK(records[0].line == 1);
  CHECK(records[1].line == 4);
  CHECK(records[0].values.at("seed") == "3");
  CHECK(std::stod(records[0].values.at("alpha")) == 0.25);
  CHECK(records[0].values.at("n-fft") == "512");
  CHECK(records[1].values.count("alpha") == 0);  // null: the default
  CHECK(records[1].values.count("init") == 0);   // empty: the default
  CHECK(records[1].values.at("seed") == "18446744073709551615");
}

TEST_CASE("manifest: paths resolve against the manifest's folder, per-row options apply",
          "[cli][manifest]") {
  test::TempDir dir;
  const std::string path = write_file(dir, "jobs/list.csv",
                                      "content,style,output,seed,n-fft,iterations\n"
                                      "in/c.wav,/abs/s.wav,out/../o1.wav,3,512,\n"
                                      "c.wav,s.wav,o2.flac,,,7\n");
  RunOptions defaults;
  defaults.config.iterations = 11;
  defaults.config.seed = 42;
  const auto rows = load_manifest(path, defaults, "");
  REQUIRE(rows.size() == 2);
  const std::string base = dir.file("jobs");
  const RunOptions& a = rows[0].options;
  CHECK(a.content_path == base + "/in/c.wav");
  CHECK(a.style_path == "/abs/s.wav");
  CHECK(a.output_path == base + "/o1.wav");
  CHECK(a.report_path == base + "/o1.wav.json");
  CHECK(a.config.seed == 3);
  CHECK(a.config.n_fft == 512);
  CHECK(a.n_fft_given);  // the row's n-fft is not rescaled with the rate
  CHECK(!a.hop_given);
  CHECK(a.config.iterations == 11);  // empty cell: the default
  const RunOptions& b = rows[1].options;
  CHECK(b.config.seed == 42);
  CHECK(b.config.iterations == 7);
  CHECK(!b.n_fft_given);
  CHECK(rows[0].index == 0);
  CHECK(rows[1].index == 1);
  CHECK(rows[1].line == 3);

  // --report-dir: DIR/<output stem>.json
  const auto in_dir = load_manifest(path, defaults, dir.file("reports"));
  CHECK(in_dir[0].options.report_path == dir.file("reports") + "/o1.json");
  CHECK(in_dir[1].options.report_path == dir.file("reports") + "/o2.json");
}

TEST_CASE("manifest: a flag given on the command line is kept unless the row overrides it",
          "[cli][manifest]") {
  test::TempDir dir;
  const std::string path =
      write_file(dir, "m.jsonl",
                 "{\"content\":\"c.wav\",\"style\":\"s.wav\",\"output\":\"a.wav\"}\n"
                 "{\"content\":\"c.wav\",\"style\":\"s.wav\",\"output\":\"b.wav\","
                 "\"hop\":32,\"alpha\":\"0.5\"}\n");
  CLI::App app;
  RunOptions defaults;
  add_run_flags(app, defaults, false, true);
  app.parse(std::string("--n-fft 256 --hop 64 --alpha 0.1 --device cpu"), false);
  const auto rows = load_manifest(path, defaults, "");
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].options.config.n_fft == 256);
  CHECK(rows[0].options.config.hop == 64);
  CHECK(rows[0].options.n_fft_given);
  CHECK(rows[0].options.hop_given);
  CHECK(rows[0].options.config.alpha == Approx(0.1f));
  CHECK(rows[0].options.device == "cpu");
  CHECK(rows[1].options.config.hop == 32);
  CHECK(rows[1].options.n_fft_given);
  CHECK(rows[1].options.config.alpha == Approx(0.5f));
  // The rows' options no longer point into a parser that is gone.
  CHECK(rows[1].options.n_fft_option == nullptr);
  CHECK(rows[1].options.hop_option == nullptr);
}

TEST_CASE("manifest: every flag column is accepted", "[cli][manifest]") {
  // A valid value per column: a column missing from the row parser would fail the parse.
  const std::map<std::string, std::string> values = {
      {"alpha", "0.5"},          {"iterations", "3"},     {"seed", "9"},
      {"optimizer", "adam"},     {"lr", "0.1"},           {"filters", "16"},
      {"kernel-width", "3"},     {"n-fft", "256"},        {"hop", "64"},
      {"sample-rate", "8000"},   {"offset", "0.5"},       {"seconds", "2"},
      {"gl-iterations", "4"},    {"momentum", "0.5"},     {"init", "content"},
      {"precision", "fp32"},     {"format", "float"},     {"channels", "mono"},
      {"segment-seconds", "10"}, {"overlap-seconds", "1"}};
  REQUIRE(values.size() == manifest_flag_columns().size());
  test::TempDir dir;
  std::string header = "content,style,output", row = "c.wav,s.wav,o.wav";
  for (const auto& column : manifest_flag_columns()) {
    REQUIRE(values.count(column) == 1);
    header += "," + column;
    row += "," + values.at(column);
  }
  const auto rows = load_manifest(write_file(dir, "all.csv", header + "\n" + row + "\n"), {}, "");
  REQUIRE(rows.size() == 1);
  const RunOptions& o = rows[0].options;
  CHECK(o.config.optimizer == OptimizerKind::adam);
  CHECK(o.config.init == InitKind::content);
  CHECK(o.config.precision == Precision::fp32);
  CHECK(o.config.channels == ChannelMode::mono);
  CHECK(o.config.sample_rate_hz == 8000);
  CHECK(o.config.kernel_width == 3);
  CHECK(o.config.n_filters == 16);
  CHECK(o.config.gl_iterations == 4);
  CHECK(o.config.offset_seconds == 0.5);
  CHECK(o.config.segment_seconds == 10);
  CHECK(o.config.overlap_seconds == 1);
  CHECK(o.config.learning_rate == Approx(0.1f));
  CHECK(o.format == "float");
}

TEST_CASE("manifest: each problem names the path and its line", "[cli][manifest]") {
  test::TempDir dir;
  struct Case {
    const char* name;
    const char* text;
    const char* expect_line;
    const char* expect_text;
  };
  const Case cases[] = {
      {"unknown.csv", "content,style,output,bogus\nc.wav,s.wav,o.wav,1\n",
       "line 1:", "unknown column 'bogus'"},
      {"missing.csv", "content,style,output\nc.wav,s.wav,o.wav\n\nc.wav,,o2.wav\n",
       "line 4:", "missing required field 'style'"},
      {"quote.csv", "content,style,output\nc.wav,s.wav,o.wav\nc.wav,\"s.wav,o2.wav\n",
       "line 3:", "unterminated quote"},
      {"after_quote.csv", "content,style,output\n\"c.wav\"x,s.wav,o.wav\n",
       "line 2:", "after a closing quote"},
      {"count.csv", "content,style,output\nc.wav,s.wav\n", "line 2:", "2 fields"},
      {"range.csv", "# jobs\ncontent,style,output,iterations\nc.wav,s.wav,o.wav,-1\n",
       "line 3:", "--iterations must be in [0, 1000000]"},
      {"choice.csv", "content,style,output,optimizer\nc.wav,s.wav,o.wav,sgd\n",
       "line 2:", "--optimizer must be lbfgs or adam, not 'sgd'"},
      {"number.csv", "content,style,output,filters\nc.wav,s.wav,o.wav,many\n",
       "line 2:", "--filters"},
      {"combo.csv", "content,style,output,n-fft,hop\nc.wav,s.wav,o.wav,256,512\n",
       "line 2:", "--hop must be in [1, n_fft]"},
      {"json.jsonl",
       "{\"content\":\"c.wav\",\"style\":\"s.wav\",\"output\":\"o.wav\"}\n\n{\"content\": "
       "\"c.wav\",\n",
       "line 3:", "bad JSON"},
      {"array.jsonl", "[\"c.wav\", \"s.wav\", \"o.wav\"]\n", "line 1:", "expected a JSON object"},
      {"bool.jsonl",
       "{\"content\":\"c.wav\",\"style\":\"s.wav\",\"output\":\"o.wav\",\"seed\":true}\n",
       "line 1:", "expected a string or a number"},
      {"key.jsonl",
       "{\"content\":\"c.wav\",\"style\":\"s.wav\",\"output\":\"o.wav\",\"device\":\"cpu\"}\n",
       "line 1:", "unknown key 'device'"},
      {"dup.csv", "content,style,output\nc.wav,s.wav,o.wav\nc2.wav,s.wav,sub/../o.wav\n",
       "line 3:", "also the output of line 2"},
      {"overwrite.csv", "content,style,output\nc.wav,s.wav,o.wav\n\"o.wav\",s.wav,o2.wav\n",
       "line 2:", "is the content of line 3"},
      {"own_style.csv", "content,style,output\nc.wav,s.wav,./s.wav\n",
       "line 2:", "is the style of line 2"},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    const std::string path = write_file(dir, c.name, c.text);
    const std::string message = manifest_error(path);
    INFO(message);
    CHECK(contains(message, path + " " + c.expect_line));
    CHECK(contains(message, c.expect_text));
  }
}

TEST_CASE("manifest: whole-file problems", "[cli][manifest]") {
  test::TempDir dir;
  const std::string txt = write_file(dir, "jobs.txt", "content,style,output\nc,s,o\n");
  CHECK(contains(manifest_error(txt), "must be .csv or .jsonl"));
  CHECK(contains(manifest_error(dir.file("absent.csv")), "no such file"));
  CHECK(contains(manifest_error(write_file(dir, "empty.csv", "# nothing\n\n")), "no data rows"));
  CHECK(contains(manifest_error(write_file(dir, "header.csv", "content,style,output\n")),
                 "no data rows"));
  // Every problem is listed, in line order, not only the first.
  const std::string many = write_file(dir, "many.csv",
                                      "content,style,output,seed\n"
                                      "c.wav,s.wav,a.wav,x\n"
                                      "c.wav,s.wav,b.wav,1\n"
                                      ",s.wav,c.wav,1\n");
  const std::string message = manifest_error(many);
  INFO(message);
  const size_t first = message.find(many + " line 2:"), second = message.find(many + " line 4:");
  CHECK(first != std::string::npos);
  CHECK(second != std::string::npos);
  CHECK(first < second);
  CHECK(!contains(message, "line 3:"));
}

TEST_CASE("manifest: two rows writing one report in --report-dir are rejected", "[cli][manifest]") {
  test::TempDir dir;
  const std::string path =
      write_file(dir, "m.csv", "content,style,output\nc.wav,s.wav,a/x.wav\nc.wav,s.wav,b/x.flac\n");
  CHECK(manifest_error(path).empty());  // beside the outputs: a/x.wav.json, b/x.flac.json
  const std::string message = manifest_error(path, {}, dir.file("reports"));
  CHECK(contains(message, path + " line 3:"));
  CHECK(contains(message, "also the report of line 2"));
}

TEST_CASE("manifest: shards partition the rows", "[cli][manifest]") {
  constexpr int kRows = 30;
  for (int count = 1; count <= 5; ++count) {
    std::vector<int> owners(kRows, 0);
    std::vector<int> sizes(count, 0);
    for (int index = 0; index < count; ++index) {
      const Shard shard = parse_shard(std::to_string(index) + "/" + std::to_string(count));
      CHECK(shard.index == index);
      CHECK(shard.count == count);
      for (int r = 0; r < kRows; ++r)
        if (shard.holds(r)) ++owners[r], ++sizes[index];
    }
    INFO("N = " << count);
    for (int r = 0; r < kRows; ++r) CHECK(owners[r] == 1);  // exactly one shard: disjoint, covering
    for (int size : sizes) CHECK(std::abs(size - kRows / count) <= 1);  // balanced
  }
  for (const char* bad : {"2/2", "-1/3", "1", "a/b", "0/0", "1/2/3", "0/", "/2", " 0/2", "0/2x"}) {
    INFO(bad);
    CHECK_THROWS_AS(parse_shard(bad), UsageError);
  }
}

TEST_CASE("manifest: Slurm array variables choose the shard", "[cli][manifest]") {
  std::map<std::string, std::string> env;
  const GetEnv getenv = [&](const char* name) -> const char* {
    const auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  };
  Shard shard;
  CHECK(!shard_from_slurm(getenv, shard));  // not a job array
  env["SLURM_ARRAY_TASK_ID"] = "3";
  CHECK(!shard_from_slurm(getenv, shard));  // no count

  SECTION("--array=0-3") {
    env["SLURM_ARRAY_TASK_COUNT"] = "4";
    REQUIRE(shard_from_slurm(getenv, shard));
    CHECK(shard.index == 3);
    CHECK(shard.count == 4);
  }
  SECTION("--array=1-8: MIN is subtracted; every task gets a distinct shard") {
    env["SLURM_ARRAY_TASK_COUNT"] = "8";
    env["SLURM_ARRAY_TASK_MIN"] = "1";
    std::set<int> seen;
    for (int id = 1; id <= 8; ++id) {
      env["SLURM_ARRAY_TASK_ID"] = std::to_string(id);
      REQUIRE(shard_from_slurm(getenv, shard));
      CHECK(shard.index == id - 1);
      CHECK(shard.count == 8);
      seen.insert(shard.index);
    }
    CHECK(seen.size() == 8);
    env["SLURM_ARRAY_TASK_ID"] = "9";
    CHECK_THROWS_AS(shard_from_slurm(getenv, shard), UsageError);
    env["SLURM_ARRAY_TASK_ID"] = "0";
    CHECK_THROWS_AS(shard_from_slurm(getenv, shard), UsageError);
  }
  SECTION("--array=10-24:2: STEP divides the offset") {
    env["SLURM_ARRAY_TASK_COUNT"] = "8";
    env["SLURM_ARRAY_TASK_MIN"] = "10";
    env["SLURM_ARRAY_TASK_STEP"] = "2";
    env["SLURM_ARRAY_TASK_ID"] = "14";
    REQUIRE(shard_from_slurm(getenv, shard));
    CHECK(shard.index == 2);
    CHECK(shard.count == 8);
    env["SLURM_ARRAY_TASK_ID"] = "15";
    CHECK_THROWS_AS(shard_from_slurm(getenv, shard), UsageError);
  }
  SECTION("values that are not numbers") {
    env["SLURM_ARRAY_TASK_COUNT"] = "four";
    CHECK_THROWS_WITH(shard_from_slurm(getenv, shard),
                      Catch::Matchers::Contains("SLURM_ARRAY_TASK_COUNT"));
  }
}
