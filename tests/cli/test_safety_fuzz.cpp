// Regression tests for what fuzzing (fuzz/, scripts/fuzz.sh) found; each input is the crash's
// reduced form.
#include <catch2/catch.hpp>

#include "host/cli/manifest.h"
#include "tests/cli/cli_runner.h"
#include "tests/support.h"

using namespace audiostyle::cli;

TEST_CASE("fuzz regression: a JSONL number out of double's range is a line issue, not a throw",
          "[cli][fuzz]") {
  // fuzz_manifest_jsonl: nlohmann throws out_of_range (406), not parse_error, for 1e400; it
  // escaped parse_jsonl and the tool exited 4 with "unexpected error".
  std::vector<ManifestIssue> issues;
  std::vector<ManifestRecord> records;
  REQUIRE_NOTHROW(records = parse_jsonl("{\"content\": \"a.wav\"}\n{\"alpha\": 1e400}\n", issues));
  CHECK(records.size() == 1);
  REQUIRE(issues.size() == 1);
  CHECK(issues[0].line == 2);
  CHECK(issues[0].message.find("number overflow") != std::string::npos);
}

TEST_CASE("fuzz regression: a header's lying length does not size an allocation", "[cli][fuzz]") {
  // fuzz_audio_reader: a 258-byte FLAC claiming 4294901960 frames made read_audio reserve 17 GB
  // (exit 4 'out of host memory', or the OOM killer). Under an 8 GB address-space limit (the CUDA libraries alone map a few GB) the tool
  // must judge the file itself: exit 0 or 3, never 4.
  audiostyle::test::TempDir dir;
  const std::string input =
      audiostyle::test::source_path("fuzz/corpus/audio_reader/regression-lying-length.flac");
#if defined(__SANITIZE_ADDRESS__)
  // Under ASan (scripts/sanitize.sh builds the tool and this test alike) the shadow memory needs
  // terabytes of address space, so ulimit -v stops the tool at start; ASan's own allocation limit
  // makes the same 8 GB ceiling (a larger allocation fails as std::bad_alloc).
  const std::string limit =
      "export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}max_allocation_size_mb=8000:"
      "allocator_may_return_null=1;";
#else
  const std::string limit = "ulimit -v 8000000;";
#endif
  const auto run = audiostyle::test::run_cli(
      dir, "transfer " + input + " " + input + " -o " + dir.file("o.wav") +
               " --device cpu -q --filters 8 --n-fft 64 --iterations 1 --gl-iterations 1",
      limit);
  INFO(run.err);
  CHECK((run.code == 0 || run.code == 3));
  CHECK(run.err.find("out of host memory") == std::string::npos);
}

TEST_CASE("fuzz regression: an output with an unsupported extension is bad input, exit 3",
          "[cli][fuzz]") {
  // fuzz_command_line: finalize() refuses `-o mid-...ide` (no audio extension) with InputError,
  // which the harness did not expect; the tool itself must say so in one line and exit 3.
  audiostyle::test::TempDir dir;
  const std::string input =
      audiostyle::test::source_path("fuzz/corpus/audio_reader/mono16.wav");
  const auto run = audiostyle::test::run_cli(
      dir, "transfer " + input + " " + input + " -o " + dir.file("out.mid") + " --device cpu -q");
  INFO(run.err);
  CHECK(run.code == 3);
  CHECK(run.err.rfind("audiostyle: ", 0) == 0);
  CHECK(run.err.find("unsupported extension '.mid'") != std::string::npos);
  CHECK(run.err.find('\n') == run.err.size() - 1);
}
