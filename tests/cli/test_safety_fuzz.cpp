// Regression tests for what fuzzing (fuzz/, scripts/fuzz.sh) found; each input is the crash's
// reduced form.
#include <catch2/catch.hpp>

#include "host/cli/manifest.h"

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
