// Progress, plans and recipes (issue 11, items 1, 3, 4): one clock, ETAs from this run's measured
// costs with Griffin-Lim counted, counters that count what they say, a bar that fits the terminal;
// the plan before the run and --dry-run; recipes and the CPU's warning.
#include <catch2/catch.hpp>
#include <filesystem>
#include <regex>

#include "audiostyle/backend.h"
#include "tests/cli/cli_helpers.h"

using namespace audiostyle;
using namespace audiostyle::test;
namespace fs = std::filesystem;

namespace {

int seconds_of(const std::string& clock) {  // "m:ss" or "h:mm:ss"; -1 for "--:--"
  if (clock == "--:--") return -1;
  int h = 0, m = 0, s = 0;
  if (std::sscanf(clock.c_str(), "%d:%d:%d", &h, &m, &s) == 3) return h * 3600 + m * 60 + s;
  std::sscanf(clock.c_str(), "%d:%d", &m, &s);
  return m * 60 + s;
}

}  // namespace

TEST_CASE("cli progress: the run's ETA covers the stage's, and Griffin-Lim's cost counts",
          "[cli][progress]") {
  TempDir dir;
  const auto content = write_wav(dir, "c.wav", sines(2.0, 8000));
  const Run run = run_cli(dir, "transfer " + content + " " + content +
                                   " --n-fft 256 --hop 64 --filters 32 --kernel-width 3"
                                   " --iterations 4 --gl-iterations 3000 --sample-rate 8000"
                                   " --device cpu -o " +
                                   dir.file("o.wav"));
  INFO(run.err);
  REQUIRE(run.code == 0);
  const std::regex line(R"(eta (\S+)  \(run (\d+)%, elapsed \S+, eta (\S+)\))");
  int lines = 0, optimise_end_percent = -1;
  std::istringstream err(run.err);
  for (std::string text; std::getline(err, text);) {
    std::smatch m;
    if (!std::regex_search(text, m, line)) continue;
    ++lines;
    const int stage = seconds_of(m[1]), whole = seconds_of(m[3]);
    INFO(text);
    if (stage >= 0) CHECK(whole >= stage);
    if (text.rfind("optimise 4/4", 0) == 0) optimise_end_percent = std::stoi(m[2]);
  }
  CHECK(lines >= 5);
  // 3000 Griffin-Lim iterations dwarf 4 optimiser iterations: the run is far from done.
  CHECK(optimise_end_percent >= 0);
  CHECK(optimise_end_percent < 50);
}

TEST_CASE("cli progress: reconstruct counts iterations per channel, segments do not label it",
          "[cli][progress]") {
  TempDir dir;
  const auto content = write_wav(dir, "c.wav", sines(3.0, 8000, 2));
  const Run run =
      run_cli(dir, "transfer " + content + " " + content + kTiny +
                       " --segment-seconds 1 --overlap-seconds 0.2 -o " + dir.file("o.wav"));
  INFO(run.err);
  REQUIRE(run.code == 0);
  CHECK(contains(run.err, "reconstruct channel 1/2 4/4"));
  CHECK(contains(run.err, "reconstruct channel 2/2 4/4"));
  CHECK(!contains(run.err, "8/8"));
  // 3 s in segments of at most 1 s with 0.2 s overlaps: 4 segments.
  CHECK(contains(run.err, "segment 4/4 optimise"));
  CHECK(!contains(run.err, "segment 4/4 reconstruct"));
}

TEST_CASE("cli progress: the bar fits the terminal's width", "[cli][progress]") {
  if (std::system("command -v script >/dev/null 2>&1") != 0) {
    WARN("util-linux script is missing: no terminal to test in");
    return;
  }
  TempDir dir;
  const auto content = write_wav(dir, "c.wav", sines(1.0, 8000, 2));
  for (int columns : {40, 80}) {
    const std::string typescript = dir.file("tty.txt");
    const std::string inner = "stty cols " + std::to_string(columns) + "; " + cli_path() +
                              " transfer " + content + " " + content + kTiny + " -o " +
                              dir.file("o.wav");
    const std::string command = "script -qec '" + inner + "' /dev/null >" + typescript;
    REQUIRE(std::system(command.c_str()) == 0);
    const std::string text = read_text(typescript);
    int bars = 0;
    size_t start = 0;
    while (start < text.size()) {
      size_t end = text.find_first_of("\r\n", start);
      if (end == std::string::npos) end = text.size();
      std::string piece = text.substr(start, end - start);
      if (const auto at = piece.find("\033[K"); at != std::string::npos) piece.erase(at);
      if (contains(piece, "[#") || contains(piece, "[-")) {
        ++bars;
        INFO(columns << " columns: " << piece);
        CHECK(int(piece.size()) < columns);
      }
      start = end + 1;
    }
    CHECK(bars >= 2);
  }
}

TEST_CASE("cli plan: -v prints the plan before the run, --dry-run estimates and writes nothing",
          "[cli][plan]") {
  TempDir dir;
  const auto content = write_wav(dir, "c.wav", sines(1.0, 8000));
  const std::string base = "transfer " + content + " " + content + kTiny;
  Run run = run_cli(dir, base + " -v -o " + dir.file("v.wav"));
  INFO(run.err);
  REQUIRE(run.code == 0);
  const size_t plan = run.err.find("memory plan");
  REQUIRE(plan != std::string::npos);
  CHECK(plan < run.err.find("optimise "));

  run = run_cli(
      dir, base + " --dry-run -o " + dir.file("dry.wav") + " --report " + dir.file("dry.json"));
  REQUIRE(run.code == 0);
  CHECK(contains(run.err, "plan: backend cpu"));
  CHECK(contains(run.err, "plan: 1 segment [0, +8000) samples at 8000 Hz"));
  CHECK(contains(run.err, "estimate: "));
  CHECK(contains(run.err, "timed evaluations"));
  CHECK(contains(run.err, "dry run: nothing written"));
  CHECK(!fs::exists(dir.file("dry.wav")));
  CHECK(!fs::exists(dir.file("dry.json")));
}

TEST_CASE("cli recipes: listed by info and --list-recipes, explicit flags override them",
          "[cli][recipes]") {
  TempDir dir;
  const std::string list = dir.file("list.txt"), info = dir.file("info.txt");
  REQUIRE(run_cli(dir, "--list-recipes >" + list).code == 0);
  REQUIRE(run_cli(dir, "info >" + info).code == 0);
  for (const std::string& path : {list, info}) {
    CHECK(contains(read_text(path), "ulyanov"));
    CHECK(contains(read_text(path), "cpu-fast"));
    CHECK(contains(read_text(path), "vgg16"));
  }
  const auto content = write_wav(dir, "c.wav", sines(0.5, 8000));
  Run run = run_cli(dir, "transfer " + content + " " + content +
                             " --recipe cpu-fast --n-fft 256 --hop 64 --kernel-width 3"
                             " --iterations 2 --sample-rate 8000 --gl-iterations 3 --device cpu"
                             " -q -o " +
                             dir.file("o.wav") + " --report " + dir.file("r.json"));
  INFO(run.err);
  REQUIRE(run.code == 0);
  const auto report = read_json(dir.file("r.json"));
  CHECK(report["config"]["filters"] == 2048);     // from the recipe
  CHECK(report["config"]["iterations"] == 2);     // given: overrides the recipe's 150
  CHECK(report["config"]["gl_iterations"] == 3);  // given: overrides the recipe's 300
  CHECK(report["config"]["recipe"] == "cpu-fast");
  run = run_cli(dir,
                "transfer " + content + " " + content + " --recipe turbo -o " + dir.file("x.wav"));
  CHECK(run.code == 2);
  CHECK(
      contains(run.err, "audiostyle: --recipe: unknown recipe 'turbo' (known: ulyanov, cpu-fast, vgg16, vggish)"));
}

TEST_CASE("cli device: no GPU is said plainly, a heavy CPU run is estimated up front",
          "[cli][device]") {
  TempDir dir;
  const auto small = write_wav(dir, "small.wav", sines(0.5, 8000));
  Run run = run_cli(dir, "transfer " + small + " " + small +
                             " --n-fft 256 --hop 64 --filters 32"
                             " --kernel-width 3 --iterations 2 --gl-iterations 2 --sample-rate 8000"
                             " -o " +
                             dir.file("a.wav"));
  INFO(run.err);
  REQUIRE(run.code == 0);
  if (cuda_devices().empty()) {
    CHECK((contains(run.err, "audiostyle: note: no GPU found") ||
           contains(run.err, "audiostyle: note: this build has no CUDA backend")));
    CHECK(contains(run.err, "; running on the CPU"));
    CHECK(!contains(run.err, "note: CUDA driver version is insufficient"));
  }
  // 20 s of stereo with the reference recipe: minutes on any CPU. Interrupted once warned.
  const auto long_content = write_wav(dir, "long.wav", sines(20.0, 22050, 2));
  run = run_cli(dir,
                "transfer " + long_content + " " + small + " --device cpu -o " + dir.file("b.wav"),
                "timeout --preserve-status -s INT 0.3");
  CHECK(run.code == 130);
  CHECK(contains(run.err, "audiostyle: warning: on the CPU this run takes about"));
  CHECK(contains(run.err, "--recipe cpu-fast takes about"));
  CHECK(!fs::exists(dir.file("b.wav")));
}
