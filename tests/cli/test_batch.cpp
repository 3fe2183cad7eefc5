// `audiostyle batch` end to end: a failed row does not stop the others, --resume skips finished
// rows, shards split the rows, a manifest error runs nothing, per-row options reach the run,
// Ctrl-C stops the batch.
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "audiostyle/audio.h"
#include "audiostyle/errors.h"
#include "tests/cli/cli_runner.h"
#include "tests/support.h"

using namespace audiostyle;
namespace fs = std::filesystem;

namespace {

using Run = test::CliRun;

Run cli(const test::TempDir& dir, const std::string& args, const std::string& env = "") {
  return test::run_cli(dir, args, env);
}

Audio tone(double seconds, double frequency_hz) {
  constexpr int kRate = 22050;
  Audio a;
  a.sample_rate_hz = kRate;
  a.channels.assign(1, std::vector<float>(size_t(seconds * kRate)));
  for (size_t i = 0; i < a.channels[0].size(); ++i)
    a.channels[0][i] = 0.3f * float(std::sin(2 * M_PI * frequency_hz * double(i) / kRate));
  return a;
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

nlohmann::json read_json(const std::string& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

// The two tones every test uses, in `dir`: content.wav and style.wav.
void write_inputs(const test::TempDir& dir) {
  write_audio(dir.file("content.wav"), tone(1.0, 440));
  write_audio(dir.file("style.wav"), tone(1.2, 660));
}

// A file rewritten through rename gets a new inode, so this sees a rewrite within one mtime tick.
struct FileStamp {
  ino_t inode = 0;
  fs::file_time_type mtime;
  bool operator==(const FileStamp& o) const { return inode == o.inode && mtime == o.mtime; }
};

FileStamp stamp(const std::string& path) {
  struct stat info {};
  REQUIRE(::stat(path.c_str(), &info) == 0);
  return FileStamp{info.st_ino, fs::last_write_time(path)};
}

const std::string kFast =
    " --n-fft 256 --hop 64 --filters 32 --kernel-width 3 --iterations 3 --gl-iterations 3"
    " --sample-rate 8000 --device cpu -q";

}  // namespace

TEST_CASE("batch: a failed row is recorded, the others run, --resume skips finished rows",
          "[cli][batch]") {
  test::TempDir dir;
  write_inputs(dir);
  fs::create_directory(dir.file("out"));
  // Paths relative to the manifest's folder; the row on line 4 names a content that is missing.
  const std::string manifest = dir.file("jobs.csv");
  write_text(manifest,
             "content,style,output\n"
             "# three jobs\n"
             "content.wav,style.wav,out/a.wav\n"
             "later.wav,style.wav,out/b.wav\n"
             "content.wav,style.wav,out/c.flac\n");
  const std::string summary_path = dir.file("summary.json");
  const Run first = cli(dir, "batch " + manifest + " --summary " + summary_path + kFast);
  INFO(first.err);
  CHECK(first.code == kExitBatchRowsFailed);
  CHECK(fs::exists(dir.file("out/a.wav")));
  CHECK(!fs::exists(dir.file("out/b.wav")));
  CHECK(fs::exists(dir.file("out/c.flac")));
  CHECK(fs::exists(dir.file("out/a.wav.json")));  // reports beside the outputs
  CHECK(fs::exists(dir.file("out/c.flac.json")));
  // Listed at the end even with -q: line, content and reason.
  CHECK(first.err.find("line 4: " + dir.file("later.wav")) != std::string::npos);

  auto summary = read_json(summary_path);
  CHECK(summary["done"] == 2);
  CHECK(summary["failed"] == 1);
  CHECK(summary["skipped"] == 0);
  CHECK(summary["not_run"] == 0);
  REQUIRE(summary["rows"].size() == 3);
  const auto& failed = summary["rows"][1];
  CHECK(failed["status"] == "failed");
  CHECK(failed["line"] == 4);
  CHECK(failed["content"] == dir.file("later.wav"));
  CHECK(failed["reason"].get<std::string>().find("later.wav") != std::string::npos);
  CHECK(failed["report"].is_null());
  CHECK(summary["rows"][0]["status"] == "ok");
  CHECK(summary["rows"][0]["report"] == dir.file("out/a.wav.json"));
  CHECK(summary["rows"][0]["seconds"].get<double>() > 0);
  CHECK(summary["rows"][2]["line"] == 5);

  // The missing input appears; a resumed run leaves the finished outputs alone and redoes row 2.
  const FileStamp a_before = stamp(dir.file("out/a.wav"));
  const FileStamp c_before = stamp(dir.file("out/c.flac"));
  write_audio(dir.file("later.wav"), tone(1.0, 330));
  const Run resumed = cli(dir, "batch " + manifest + " --resume --summary " + summary_path + kFast);
  INFO(resumed.err);
  CHECK(resumed.code == 0);
  CHECK(stamp(dir.file("out/a.wav")) == a_before);
  CHECK(stamp(dir.file("out/c.flac")) == c_before);
  CHECK(fs::exists(dir.file("out/b.wav")));
  summary = read_json(summary_path);
  CHECK(summary["done"] == 1);
  CHECK(summary["skipped"] == 2);
  CHECK(summary["failed"] == 0);
  CHECK(summary["rows"][0]["status"] == "skipped");
  CHECK(summary["rows"][1]["status"] == "ok");
  CHECK(summary["rows"][2]["status"] == "skipped");
}

TEST_CASE("batch: two shards together write every output exactly once", "[cli][batch]") {
  test::TempDir dir;
  write_inputs(dir);
  std::string manifest_text;
  const int kRows = 5;
  for (int r = 0; r < kRows; ++r)
    manifest_text += "{\"content\": \"content.wav\", \"style\": \"style.wav\", \"output\": \"o" +
                     std::to_string(r) + ".wav\", \"iterations\": 2}\n";
  const std::string manifest = dir.file("jobs.jsonl");
  write_text(manifest, manifest_text);

  // Shard 0 from the flag; shard 1 from a Slurm array --array=1-2 (task 2 of MIN 1 is shard 1).
  const Run zero =
      cli(dir, "batch " + manifest + " --shard 0/2 --summary " + dir.file("s0.json") + kFast);
  INFO(zero.err);
  REQUIRE(zero.code == 0);
  const Run one = cli(dir, "batch " + manifest + " --summary " + dir.file("s1.json") + kFast,
                      "SLURM_ARRAY_TASK_ID=2 SLURM_ARRAY_TASK_MIN=1 SLURM_ARRAY_TASK_COUNT=2");
  INFO(one.err);
  REQUIRE(one.code == 0);

  std::multiset<std::string> outputs;
  std::set<int> rows_seen;
  for (const char* name : {"s0.json", "s1.json"}) {
    const auto summary = read_json(dir.file(name));
    const int shard = summary["shard"]["index"];
    CHECK(summary["shard"]["count"] == 2);
    CHECK(summary["manifest_rows"] == kRows);
    for (const auto& row : summary["rows"]) {
      CHECK(row["status"] == "ok");
      CHECK(row["row"].get<int>() % 2 == shard);
      outputs.insert(row["output"].get<std::string>());
      rows_seen.insert(row["row"].get<int>());
    }
  }
  CHECK(read_json(dir.file("s0.json"))["shard"]["index"] == 0);
  CHECK(read_json(dir.file("s1.json"))["shard"]["index"] == 1);
  CHECK(outputs.size() == kRows);
  CHECK(rows_seen.size() == kRows);
  for (int r = 0; r < kRows; ++r) {
    // Not "o" + std::to_string(r): GCC 12 warns about it falsely (-Wrestrict, GCC bug 105651).
    const std::string output = dir.file(std::string("o").append(std::to_string(r)) + ".wav");
    CHECK(outputs.count(output) == 1);
    CHECK(fs::exists(output));
  }
}

TEST_CASE("batch: a manifest error exits 2 with the line and writes nothing", "[cli][batch]") {
  test::TempDir dir;
  write_inputs(dir);
  const std::string manifest = dir.file("jobs.csv");
  write_text(manifest,
             "content,style,output,iterations\n"
             "content.wav,style.wav,a.wav,\n"
             "content.wav,style.wav,b.wav,-4\n");
  const Run run = cli(dir, "batch " + manifest + " --summary " + dir.file("summary.json") +
                               " --report-dir " + dir.file("reports") + kFast);
  INFO(run.err);
  CHECK(run.code == 2);
  CHECK(run.err.find(manifest + " line 3: --iterations must be in [0, 1000000]") !=
        std::string::npos);
  for (const auto& entry : fs::directory_iterator(dir.path)) {
    const std::string name = entry.path().filename().string();
    INFO("left behind: " << name);
    CHECK((name == "content.wav" || name == "style.wav" || name == "jobs.csv" ||
           name == "stderr.txt"));
  }

  // Not a manifest format, and a bad default flag: usage errors as well.
  write_text(dir.file("jobs.txt"), "content,style,output\ncontent.wav,style.wav,a.wav\n");
  CHECK(cli(dir, "batch " + dir.file("jobs.txt") + kFast).code == 2);
  CHECK(cli(dir, "batch " + manifest + kFast + " --momentum 2").code == 2);
  CHECK(cli(dir, "batch " + manifest + kFast + " --shard 2/2").code == 2);
  CHECK(!fs::exists(dir.file("a.wav")));
}

TEST_CASE("batch: per-row options take effect, --report-dir collects the reports", "[cli][batch]") {
  test::TempDir dir;
  write_inputs(dir);
  const std::string manifest = dir.file("jobs.csv");
  write_text(manifest,
             "content,style,output,seed,alpha,iterations\n"
             "content.wav,style.wav,plain.wav,,,\n"
             "content.wav,style.wav,seeded.wav,3,0.5,2\n");
  const std::string reports = dir.file("reports");
  const Run run = cli(dir, "batch " + manifest + " --report-dir " + reports + kFast);
  INFO(run.err);
  REQUIRE(run.code == 0);
  const auto plain = read_json(reports + "/plain.json")["config"];
  const auto seeded = read_json(reports + "/seeded.json")["config"];
  CHECK(plain["seed"] == 0);  // the default
  CHECK(seeded["seed"] == 3);
  CHECK(plain["iterations"] == 3);  // from the command line
  CHECK(seeded["iterations"] == 2);
  CHECK(seeded["alpha"].get<double>() == Approx(0.5));
  CHECK(plain["alpha"].get<double>() == Approx(1e-2));
  for (const auto& config : {plain, seeded}) {
    CHECK(config["n_fft"] == 256);  // command-line defaults apply to every row
    CHECK(config["sample_rate_hz"] == 8000);
  }
  CHECK(!fs::exists(dir.file("plain.wav.json")));
}

TEST_CASE("batch: SIGINT stops the batch with 130 and lists the rows not run", "[cli][batch]") {
  test::TempDir dir;
  write_inputs(dir);
  const std::string manifest = dir.file("jobs.csv");
  write_text(manifest,
             "content,style,output\ncontent.wav,style.wav,a.wav\n"
             "content.wav,style.wav,b.wav\n");
  // Long enough that the signal lands in the first row's optimisation (Adam has no early stop).
  CHECK(test::run_cli_interrupted({"batch", manifest, "--summary", dir.file("summary.json"),
                                   "--device", "cpu", "--filters", "256", "--optimizer", "adam",
                                   "--iterations", "100000",
                                   "-q"},
                                  std::chrono::milliseconds(1500)) == 130);
  CHECK(!fs::exists(dir.file("a.wav")));
  CHECK(!fs::exists(dir.file("b.wav")));
  const auto summary = read_json(dir.file("summary.json"));
  CHECK(summary["interrupted"] == true);
  CHECK(summary["not_run"] == 2);
  REQUIRE(summary["rows"].size() == 2);
  CHECK(summary["rows"][0]["reason"] == "interrupted");
  CHECK(summary["rows"][1]["status"] == "not run");
}
