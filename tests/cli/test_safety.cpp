// Never destroy an input: every path a job writes is checked against every input and every other
// written path (after symlinks, `..` and hard links) before any work; --no-clobber keeps existing
// outputs; an existing output is replaced by a rename, never truncated in place.
#include <catch2/catch.hpp>
#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

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

std::string tone_file(const test::TempDir& dir, const std::string& name, double hz) {
  Audio a;
  a.sample_rate_hz = 8000;
  a.channels.assign(1, std::vector<float>(8000));
  for (size_t i = 0; i < a.channels[0].size(); ++i)
    a.channels[0][i] = 0.3f * float(std::sin(2 * M_PI * hz * double(i) / 8000));
  const std::string path = dir.file(name);
  write_audio(path, a);
  return path;
}

// Runs the command line and checks that it was refused before any work with a message naming
// the problem, and that every file in `kept` still has its bytes.
void check_refused(const test::TempDir& dir, const std::string& args,
                   const std::vector<std::string>& kept, const std::string& says) {
  std::vector<std::string> before;
  for (const auto& path : kept) before.push_back(bytes_of(path));
  const test::CliRun run = test::run_cli(dir, args);
  INFO(args << "\n" << run.err);
  CHECK(run.code == 2);
  CHECK(run.err.rfind("audiostyle: ", 0) == 0);
  CHECK(run.err.find(says) != std::string::npos);
  for (size_t i = 0; i < kept.size(); ++i) {
    INFO("changed: " << kept[i]);
    CHECK(bytes_of(kept[i]) == before[i]);
  }
  // Nothing new: no temporary left beside the inputs.
  for (const auto& entry : fs::directory_iterator(dir.path)) {
    const std::string name = entry.path().filename().string();
    INFO("left behind: " << name);
    CHECK(name.find(".tmp-") == std::string::npos);
  }
}

}  // namespace

TEST_CASE("safety: transfer refuses an output that is one of its inputs", "[cli][safety]") {
  test::TempDir dir;
  const std::string content = tone_file(dir, "song.wav", 440), style = tone_file(dir, "style.wav", 660);
  const std::string run = "transfer " + content + " " + style;
  check_refused(dir, run + " -o " + content + kFast, {content, style}, "is the content");
  check_refused(dir, run + " -o " + style + kFast, {content, style}, "is the style");
  // Another spelling of the same file: `..`, a symlink, a hard link.
  fs::create_directory(dir.file("sub"));
  check_refused(dir, run + " -o " + dir.file("sub/../song.wav") + kFast, {content, style},
                "is the content");
  fs::create_symlink(content, dir.file("link.wav"));
  check_refused(dir, run + " -o " + dir.file("link.wav") + kFast, {content, style},
                "is the content");
  fs::create_hard_link(style, dir.file("hard.wav"));
  check_refused(dir, run + " -o " + dir.file("hard.wav") + kFast, {content, style},
                "is the style");
  // The report over an input, or over the audio output.
  check_refused(dir, run + " -o " + dir.file("out.wav") + " --report " + content + kFast,
                {content, style}, "is the content");
  check_refused(dir, run + " -o " + dir.file("out.wav") + " --report " + dir.file("out.wav") +
                    kFast,
                {content, style}, "is also the output");
  CHECK_FALSE(fs::exists(dir.file("out.wav")));
}

TEST_CASE("safety: texture refuses an output that is its style", "[cli][safety]") {
  test::TempDir dir;
  const std::string style = tone_file(dir, "style.wav", 660);
  check_refused(dir, "texture " + style + " --seconds 1 -o " + style + kFast, {style},
                "is the style");
  check_refused(dir,
                "texture " + style + " --seconds 1 -o " + dir.file("t.wav") + " --report " +
                    dir.file("./t.wav") + kFast,
                {style}, "is also the output");
}

TEST_CASE("safety: reconstruct, evaluate and a weights file are guarded like transfer",
          "[cli][safety]") {
  test::TempDir dir;
  const std::string content = tone_file(dir, "song.wav", 440), style = tone_file(dir, "style.wav", 660);
  const std::string out = tone_file(dir, "out.wav", 550);
  const std::string recon = " --n-fft 256 --gl-iterations 2 --device cpu -q";
  check_refused(dir, "reconstruct " + content + " -o " + content + recon, {content},
                "is the input");
  check_refused(dir, "reconstruct " + content + " -o " + dir.file("r.wav") + " --report " +
                    dir.file("r.wav") + recon,
                {content}, "is also the output");
  check_refused(dir, "evaluate " + out + " --content " + content + " --report " + content + " -q",
                {content, out}, "is the content");
  check_refused(dir, "evaluate " + out + " --style " + style + " --report " + out + " -q",
                {style, out}, "is the output scored");
  // The vgg16 weights are an input of the job: a report over them is refused.
  const std::string weights = dir.file("w.safetensors");
  fs::copy_file(test::source_path("tests/golden/vgg16_converted_tiny.safetensors"), weights);
  check_refused(dir,
                "transfer " + content + " " + style + " -o " + dir.file("o.wav") +
                    " --extractor vgg16 --weights " + weights + " --report " + weights + kFast,
                {content, style, weights}, "is the weights");
}

TEST_CASE("safety: reconstruct and evaluate --no-clobber keep existing files", "[cli][safety]") {
  test::TempDir dir;
  const std::string content = tone_file(dir, "song.wav", 440);
  const std::string out = tone_file(dir, "out.wav", 550), report = dir.file("r.json");
  { std::ofstream(report) << "{}"; }
  check_refused(dir,
                "reconstruct " + content + " -o " + out + " --n-fft 256 --gl-iterations 2 -q "
                "--device cpu --no-clobber",
                {out}, "--no-clobber");
  check_refused(dir, "evaluate " + out + " --content " + content + " --report " + report +
                    " -q --no-clobber",
                {report}, "--no-clobber");
}

TEST_CASE("safety: batch refuses a summary, report or output over an input", "[cli][safety]") {
  test::TempDir dir;
  const std::string a = tone_file(dir, "a.wav", 440), b = tone_file(dir, "b.wav", 550);
  // A WAV named like a report: libsndfile reads by content, so it is a valid style.
  const std::string style = dir.file("o1.json");
  fs::rename(tone_file(dir, "o1.wav", 660), style);
  const std::string manifest = dir.file("jobs.csv");
  {
    std::ofstream(manifest) << "content,style,output\na.wav,o1.json,x.wav\nb.wav,o1.json,y.wav\n";
  }
  const std::vector<std::string> kept = {a, b, style, manifest};
  fs::create_directory(dir.file("sub"));
  check_refused(dir, "batch " + manifest + " --summary " + manifest + kFast, kept,
                "is the manifest");
  check_refused(dir, "batch " + manifest + " --summary " + dir.file("sub/../a.wav") + kFast, kept,
                "is the content of line 2");
  // Per-row reports go to DIR/<output stem>.json: output o1.wav's report is the style o1.json.
  {
    std::ofstream(manifest) << "content,style,output\na.wav,o1.json,o1.wav\n";
  }
  check_refused(dir, "batch " + manifest + " --report-dir " + dir.path + kFast, kept,
                "is the style of line 2");
  // A row's output hard-linked to another row's content: names differ, the file is one.
  fs::create_hard_link(b, dir.file("b_link.wav"));
  {
    std::ofstream(manifest) << "content,style,output\na.wav,o1.json,b_link.wav\nb.wav,o1.json,"
                               "y.wav\n";
  }
  check_refused(dir, "batch " + manifest + kFast, kept, "is the content of line 3");
  // The summary over a row's output.
  {
    std::ofstream(manifest) << "content,style,output\na.wav,o1.json,x.wav\n";
  }
  check_refused(dir, "batch " + manifest + " --summary " + dir.file("x.wav") + kFast, kept,
                "is also the output of line 2");
  CHECK_FALSE(fs::exists(dir.file("x.wav")));
  CHECK_FALSE(fs::exists(dir.file("y.wav")));
}

TEST_CASE("safety: --no-clobber keeps an existing output, otherwise it is replaced by a rename",
          "[cli][safety]") {
  test::TempDir dir;
  const std::string content = tone_file(dir, "c.wav", 440), style = tone_file(dir, "s.wav", 660);
  const std::string out = dir.file("out.wav");
  { std::ofstream(out) << "precious"; }
  // A second name for the existing output's bytes: truncating the output in place would change it.
  fs::create_hard_link(out, dir.file("keep.txt"));
  const std::string run = "transfer " + content + " " + style + " -o " + out;
  check_refused(dir, run + " --no-clobber" + kFast, {out}, "--no-clobber");
  check_refused(dir, run + " --report " + dir.file("keep.txt") + " --no-clobber" + kFast, {out},
                "--no-clobber");

  const test::CliRun replaced = test::run_cli(dir, run + " --report " + dir.file("r.json") + kFast);
  INFO(replaced.err);
  REQUIRE(replaced.code == 0);
  CHECK(read_audio(out, ReadOptions{0, true, 0, 0}).n_samples() > 0);
  CHECK(bytes_of(dir.file("keep.txt")) == "precious");  // a new inode took the name

  // Batch: --no-clobber refuses rows whose output exists, unless --resume skips them anyway.
  const std::string manifest = dir.file("jobs.csv");
  { std::ofstream(manifest) << "content,style,output\nc.wav,s.wav,out.wav\n"; }
  const std::string kept = bytes_of(out);
  check_refused(dir, "batch " + manifest + " --no-clobber" + kFast, {out}, "--no-clobber");
  const test::CliRun resumed = test::run_cli(dir, "batch " + manifest + " --no-clobber --resume" + kFast);
  INFO(resumed.err);
  CHECK(resumed.code == 0);
  CHECK(bytes_of(out) == kept);
}
