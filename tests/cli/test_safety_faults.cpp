// Faults that must never lose a file or leave a partial one: a full disk (/dev/full), a file-size
// limit (ulimit -f), SIGINT/SIGTERM at each stage, a diverging optimiser, a failing batch row, and
// --resume after kill -9.
#include <catch2/catch.hpp>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "audiostyle/audio.h"
#include "tests/cli/cli_runner.h"
#include "tests/support.h"

using namespace audiostyle;
namespace fs = std::filesystem;

namespace {

const std::string kFast =
    " --n-fft 256 --hop 64 --filters 16 --kernel-width 3 --iterations 3 --gl-iterations 3"
    " --sample-rate 8000 --device cpu -q";

std::string bytes_of(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string tone_file(const test::TempDir& dir, const std::string& name, double seconds = 1) {
  Audio a;
  a.sample_rate_hz = 8000;
  a.channels.assign(1, std::vector<float>(size_t(seconds * 8000)));
  for (size_t i = 0; i < a.channels[0].size(); ++i)
    a.channels[0][i] = 0.3f * float(std::sin(2 * M_PI * 440 * double(i) / 8000));
  const std::string path = dir.file(name);
  write_audio(path, a);
  return path;
}

// The folder holds exactly `names` (besides stderr.txt): no output, no temporary.
void check_only(const test::TempDir& dir, std::set<std::string> names) {
  names.insert("stderr.txt");
  for (const auto& entry : fs::directory_iterator(dir.path)) {
    const std::string name = entry.path().filename().string();
    INFO("left behind: " << name);
    CHECK(names.count(name) == 1);
  }
}

// Starts the tool with stderr in `err_path`, waits until stderr contains `marker` (a progress
// line), then `after` more, sends `signal` and returns the exit code (-1 if killed by it).
int signal_when(const std::vector<std::string>& args, const std::string& err_path,
                const std::string& marker, int signal,
                std::chrono::milliseconds after = std::chrono::milliseconds(0)) {
  const std::string cli = test::cli_path();
  std::vector<std::string> all = args;
  all.insert(all.begin(), cli);
  std::vector<char*> argv;
  for (auto& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, cli.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  REQUIRE(spawned == 0);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (bytes_of(err_path).find(marker) == std::string::npos &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  INFO(bytes_of(err_path));
  CHECK(bytes_of(err_path).find(marker) != std::string::npos);
  std::this_thread::sleep_for(after);
  kill(pid, signal);
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

TEST_CASE("faults: a full disk (/dev/full) exits 4 with a message and leaves nothing",
          "[cli][faults]") {
  test::TempDir dir;
  const std::string content = tone_file(dir, "c.wav"), style = tone_file(dir, "s.wav");
  // The output is a link to /dev/full: every write fails with ENOSPC.
  fs::create_symlink("/dev/full", dir.file("full.wav"));
  const std::string run = "transfer " + content + " " + style;
  test::CliRun full = test::run_cli(dir, run + " -o " + dir.file("full.wav") + kFast);
  INFO(full.err);
  CHECK(full.code == 4);
  CHECK(full.err.rfind("audiostyle: cannot write '" + dir.file("full.wav") + "'", 0) == 0);
  CHECK(full.err.find("No space left on device") != std::string::npos);
  CHECK(fs::is_symlink(dir.file("full.wav")));
  // The report on a full disk: the audio staged beside it is not published either.
  fs::create_symlink("/dev/full", dir.file("full.json"));
  full = test::run_cli(dir, run + " -o " + dir.file("out.wav") + " --report " +
                                dir.file("full.json") + kFast);
  CHECK(full.code == 4);
  CHECK(full.err.find("No space left on device") != std::string::npos);
  check_only(dir, {"c.wav", "s.wav", "full.wav", "full.json"});
}

TEST_CASE("faults: a file-size limit (ulimit -f) exits 4 and keeps the old output",
          "[cli][faults]") {
  test::TempDir dir;
  const std::string content = tone_file(dir, "c.wav"), style = tone_file(dir, "s.wav");
  const std::string out = dir.file("out.wav");
  { std::ofstream(out) << "the previous output"; }
  // 1 s at 8 kHz, 16 bit: 16 kB of samples, over an 8 kB limit.
  const test::CliRun run = test::run_cli(
      dir, "transfer " + content + " " + style + " -o " + out + kFast, "ulimit -f 8;");
  INFO(run.err);
  CHECK(run.code == 4);
  CHECK(run.err.find("File too large") != std::string::npos);
  CHECK(bytes_of(out) == "the previous output");
  check_only(dir, {"c.wav", "s.wav", "out.wav"});
}

TEST_CASE("faults: SIGINT and SIGTERM during each stage leave no output and no temporary",
          "[cli][faults]") {
  test::TempDir dir;
  const std::string content = tone_file(dir, "c.wav", 3), style = tone_file(dir, "s.wav", 3);
  const std::string out = dir.file("out.wav"), report = dir.file("out.json");
  const std::vector<std::string> common = {"transfer", content, style, "-o", out, "--report",
                                           report, "--device", "cpu", "--sample-rate", "8000",
                                           "--n-fft", "256", "--filters", "64"};
  const std::string err = dir.path + "/stderr.txt";
  struct Case {
    std::vector<std::string> flags;
    int signal;
  };
  // Plain progress lines come every 10 % of a stage, too rarely for these long stages; the end of
  // the analysis is the mark, and the next stage starts right after it (a short wait lands the
  // signal inside it: no optimisation runs with --iterations 0).
  const Case cases[] = {
      // Optimisation: Adam has no early stop.
      {{"--optimizer", "adam", "--iterations", "100000"}, SIGTERM},
      {{"--optimizer", "adam", "--iterations", "100000"}, SIGINT},
      // Reconstruction: no optimisation, a long Griffin-Lim.
      {{"--iterations", "0", "--gl-iterations", "100000"}, SIGINT},
      {{"--iterations", "0", "--gl-iterations", "100000"}, SIGTERM},
  };
  for (const Case& c : cases) {
    std::vector<std::string> args = common;
    args.insert(args.end(), c.flags.begin(), c.flags.end());
    INFO(args.back() << " signal " << c.signal);
    CHECK(signal_when(args, err, "analyse 2/2", c.signal, std::chrono::milliseconds(200)) == 130);
    CHECK(bytes_of(err).find("audiostyle: interrupted") != std::string::npos);
    check_only(dir, {"c.wav", "s.wav"});
  }
}

TEST_CASE("faults: a diverging optimiser stops naming the iteration, writes no NaN WAV",
          "[cli][faults]") {
  test::TempDir dir;
  const std::string content = tone_file(dir, "c.wav"), style = tone_file(dir, "s.wav");
  const std::string out = dir.file("out.wav");
  const test::CliRun run = test::run_cli(
      dir, "transfer " + content + " " + style + " -o " + out +
               " --n-fft 256 --filters 16 --sample-rate 8000 --device cpu -q --optimizer adam "
               "--lr 1e30 --iterations 50 --gl-iterations 3");
  INFO(run.err);
  CHECK(run.code == 4);
  CHECK(run.err.rfind("audiostyle: ", 0) == 0);
  CHECK(run.err.find("not finite at iteration") != std::string::npos);
  check_only(dir, {"c.wav", "s.wav"});
}

TEST_CASE("faults: a failing batch row never stops the others, the summary names it",
          "[cli][faults]") {
  test::TempDir dir;
  tone_file(dir, "c.wav");
  tone_file(dir, "s.wav");
  fs::create_symlink("/dev/full", dir.file("full.wav"));
  const std::string manifest = dir.file("jobs.csv");
  {
    std::ofstream(manifest) << "content,style,output,optimizer,lr\n"
                               "c.wav,s.wav,a.wav,,\n"
                               "c.wav,s.wav,full.wav,,\n"            // a full disk
                               "c.wav,s.wav,nan.wav,adam,1e30\n"     // diverges
                               "c.wav,s.wav,b.wav,,\n";
  }
  const std::string summary_path = dir.file("summary.json");
  const test::CliRun run =
      test::run_cli(dir, "batch " + manifest + " --summary " + summary_path + kFast);
  INFO(run.err);
  CHECK(run.code == 5);
  CHECK(fs::exists(dir.file("a.wav")));
  CHECK(fs::exists(dir.file("b.wav")));
  CHECK_FALSE(fs::exists(dir.file("nan.wav")));
  std::ifstream in(summary_path);
  const auto summary = nlohmann::json::parse(in);
  CHECK(summary["done"] == 2);
  CHECK(summary["failed"] == 2);
  REQUIRE(summary["rows"].size() == 4);
  CHECK(summary["rows"][1]["status"] == "failed");
  CHECK(summary["rows"][1]["reason"].get<std::string>().find("No space left") != std::string::npos);
  CHECK(summary["rows"][2]["status"] == "failed");
  CHECK(summary["rows"][2]["reason"].get<std::string>().find("iteration") != std::string::npos);
  CHECK(run.err.find("line 3") != std::string::npos);
  CHECK(run.err.find("line 4") != std::string::npos);
}

TEST_CASE("faults: --resume after kill -9 redoes only unfinished rows, never a partial output",
          "[cli][faults]") {
  test::TempDir dir;
  tone_file(dir, "c.wav", 3);
  tone_file(dir, "s.wav", 3);
  const std::string manifest = dir.file("jobs.csv");
  {
    std::ofstream(manifest) << "content,style,output,iterations\n"
                               "c.wav,s.wav,r1.wav,3\n"
                               "c.wav,s.wav,r2.wav,100000\n"  // killed while it runs
                               "c.wav,s.wav,r3.wav,3\n";
  }
  const std::vector<std::string> batch = {"batch", manifest, "--device", "cpu", "--sample-rate",
                                          "8000", "--n-fft", "256", "--filters", "16",
                                          "--optimizer", "adam", "--gl-iterations", "3"};
  CHECK(signal_when(batch, dir.path + "/stderr.txt", "[2/3]", SIGKILL) == -1);
  CHECK(fs::exists(dir.file("r1.wav")));
  CHECK_FALSE(fs::exists(dir.file("r2.wav")));
  // What a killed run may leave: a temporary (its process is gone), and here also an empty file
  // at row 3's name, as another tool killed mid-copy would leave it.
  { std::ofstream(dir.file(".r2.wav.tmp-999999999-0badf00d")) << "partial"; }
  { std::ofstream(dir.file("r3.wav")); }
  const std::string r1 = bytes_of(dir.file("r1.wav"));

  // Row 2 made short for the rerun; row 1 is skipped, rows 2 and 3 are done.
  {
    std::ofstream(manifest) << "content,style,output,iterations\n"
                               "c.wav,s.wav,r1.wav,3\n"
                               "c.wav,s.wav,r2.wav,3\n"
                               "c.wav,s.wav,r3.wav,3\n";
  }
  const std::string summary_path = dir.file("summary.json");
  const test::CliRun resumed = test::run_cli(
      dir, "batch " + manifest + " --resume --summary " + summary_path + kFast + " --optimizer adam");
  INFO(resumed.err);
  CHECK(resumed.code == 0);
  std::ifstream in(summary_path);
  const auto summary = nlohmann::json::parse(in);
  CHECK(summary["skipped"] == 1);
  CHECK(summary["done"] == 2);
  CHECK(summary["rows"][0]["status"] == "skipped");
  CHECK(summary["rows"][2]["status"] == "ok");
  CHECK(bytes_of(dir.file("r1.wav")) == r1);
  CHECK(read_audio(dir.file("r3.wav"), ReadOptions{0, true, 0, 0}).n_samples() > 0);
  for (const auto& entry : fs::directory_iterator(dir.path)) {
    INFO("left behind: " << entry.path().filename());
    CHECK(entry.path().filename().string().find(".tmp-") == std::string::npos);
  }
}
