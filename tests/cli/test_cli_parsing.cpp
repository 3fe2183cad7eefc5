// Option parsing and help (issue 11, items 11-12): the last of a repeated flag wins, refusals say
// why in one "audiostyle:" line, help and README list the same options and say the same things.
#include <catch2/catch.hpp>
#include <regex>
#include <set>

#include "tests/cli/cli_helpers.h"

using namespace audiostyle;
using namespace audiostyle::test;

namespace {

// Every --long-flag named in `text`.
std::set<std::string> long_flags(const std::string& text) {
  std::set<std::string> flags;
  const std::regex flag("--[a-z][a-z0-9-]*");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), flag); it != std::sregex_iterator();
       ++it)
    flags.insert(it->str());
  return flags;
}

// The README's option table: its rows' first cells.
std::string readme_option_table() {
  const std::string readme = read_text(source_path("README.md"));
  std::istringstream lines(readme);
  std::string cells;
  for (std::string line; std::getline(lines, line);)
    if (line.rfind("| `-", 0) == 0) cells += line.substr(0, line.find('|', 2)) + "\n";
  return cells;
}

std::string help_of(const TempDir& dir, const std::string& command) {
  const std::string path = dir.file(command + "-help.txt");
  REQUIRE(run_cli(dir, command + " --help >" + path).code == 0);
  return read_text(path);
}

}  // namespace

TEST_CASE("cli parsing: the README's option table and --help list the same options",
          "[cli][parsing]") {
  TempDir dir;
  std::set<std::string> help = long_flags(help_of(dir, "transfer"));
  help.erase("--help");
  const std::set<std::string> readme = long_flags(readme_option_table());
  for (const auto& flag : help) {
    INFO("in transfer --help, not in the README's table: " << flag);
    CHECK(readme.count(flag) == 1);
  }
  for (const auto& flag : readme) {
    INFO("in the README's table, not in transfer --help: " << flag);
    CHECK(help.count(flag) == 1);
  }
}

TEST_CASE("cli parsing: a repeated flag takes its last value, as in sox and ffmpeg",
          "[cli][parsing]") {
  TempDir dir;
  const auto content = write_wav(dir, "c.wav", sines(1.0, 8000));
  const Run run = run_cli(dir, "transfer " + content + " " + content + kTiny +
                                   " --iterations 9 --iterations 2 --seed 5 --seed 3 -q -o " +
                                   dir.file("o.wav") + " --report " + dir.file("r.json"));
  INFO(run.err);
  REQUIRE(run.code == 0);
  const auto report = read_json(dir.file("r.json"));
  CHECK(report["config"]["iterations"] == 2);
  CHECK(report["config"]["seed"] == 3);
}

TEST_CASE("cli parsing: refusals say why, in one line that starts with audiostyle:",
          "[cli][parsing]") {
  TempDir dir;
  const auto good = write_wav(dir, "c.wav", sines(1.0, 8000));
  const std::string out = " -o " + dir.file("o.wav");
  Run run = run_cli(dir, "texture " + good + out + " --seconds 1 --alpha 0.5");
  CHECK(run.code == 2);
  CHECK(contains(run.err,
                 "audiostyle: texture takes no content weight (--alpha): it has no content"));
  run = run_cli(dir, "transfer " + good + " " + good + out + " --seed -1");
  CHECK(run.code == 2);
  CHECK(contains(run.err, "must be a non-negative integer, not -1"));
  CHECK(run.err.size() < 300);  // no 20-digit range
  CHECK(every_message_prefixed(run.err));
  run = run_cli(dir, "transfer " + good + " " + good + out + " --no-such-flag");
  CHECK(run.code == 2);
  CHECK(every_message_prefixed(run.err));
  CHECK(contains(run.err, "audiostyle transfer --help"));
}

TEST_CASE("cli parsing: --win-length reaches the report, and never outgrows a rate-scaled n_fft",
          "[cli][parsing]") {
  TempDir dir;
  const auto good = write_wav(dir, "c.wav", sines(1.0, 8000));
  Run run = run_cli(dir, "transfer " + good + " " + good + kTiny + " --win-length 200 -q -o " +
                             dir.file("o.wav") + " --report " + dir.file("r.json"));
  INFO(run.err);
  REQUIRE(run.code == 0);
  const auto report = read_json(dir.file("r.json"));
  CHECK(report["config"]["n_fft"] == 256);
  CHECK(report["config"]["win_length"] == 200);
  // At 8000 Hz the scaled n_fft is 750: a window of 800 is refused, not clipped.
  run = run_cli(dir, "transfer " + good + " " + good + " --sample-rate 8000 --device cpu" +
                         " --win-length 800 -o " + dir.file("x.wav"));
  CHECK(run.code == 2);
  CHECK(contains(run.err, "--win-length 800 is longer than n_fft 750"));
  CHECK(every_message_prefixed(run.err));
  run = run_cli(dir, "transfer " + good + " " + good + kTiny + " --win-length 257 -o " +
                         dir.file("x.wav"));
  CHECK(run.code == 2);
  CHECK(contains(run.err, "--win-length must be in [0, n_fft]"));
}

TEST_CASE("cli parsing: --version anywhere, usage by the tool's name", "[cli][parsing]") {
  TempDir dir;
  const std::string version_path = dir.file("version.txt");
  CHECK(run_cli(dir, "transfer --version >" + version_path).code == 0);
  CHECK(contains(read_text(version_path), AUDIOSTYLE_VERSION));
  const std::string help = help_of(dir, "transfer");
  CHECK(contains(help, "Usage: audiostyle transfer"));
  CHECK(!contains(help, "/bin/audiostyle"));
}

TEST_CASE("cli parsing: settings that do nothing or too little are warned about",
          "[cli][parsing]") {
  TempDir dir;
  const auto good = write_wav(dir, "c.wav", sines(1.0, 8000));
  const std::string base = "transfer " + good + " " + good + kTiny + " -o " + dir.file("o.wav");
  Run run = run_cli(dir, base + " --precision bf16");
  INFO(run.err);
  REQUIRE(run.code == 0);
  CHECK(contains(run.err, "audiostyle: warning: --precision bf16 applies to CUDA GEMMs"));
  // --sample-rate 1000 scales n_fft to 90 (46 bins).
  run = run_cli(dir, "transfer " + good + " " + good +
                         " --filters 16 --kernel-width 3 --iterations 2 --gl-iterations 2"
                         " --device cpu --sample-rate 1000 -o " +
                         dir.file("low.wav"));
  REQUIRE(run.code == 0);
  CHECK(contains(run.err, "audiostyle: warning: n_fft 90 at 1000 Hz gives 46 frequency bins"));
}

TEST_CASE("cli help: texture's help speaks of the style, segments say auto and how they are sized",
          "[cli][parsing]") {
  TempDir dir;
  const std::string texture = help_of(dir, "texture");
  CHECK(contains(texture, "'native' to keep the style's"));
  CHECK(!contains(texture, "content's"));
  CHECK(contains(texture, "auto = mono"));
  const std::string transfer = help_of(dir, "transfer");
  CHECK(contains(transfer, "--segment-seconds FLOAT=auto"));
  CHECK(contains(transfer, "equal segments of at most S seconds"));
  CHECK(contains(transfer, "3+ channels are downmixed"));
}
