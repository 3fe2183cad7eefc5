// The batch manifest's CSV reader on arbitrary bytes: it must report problems, never crash, and
// every record it returns must have a line inside the text.
#include <cstddef>
#include <cstdint>
#include <string>

#include "host/cli/manifest.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::vector<audiostyle::cli::ManifestIssue> issues;
  const auto records = audiostyle::cli::parse_csv(text, issues);
  for (const auto& record : records)
    if (record.line < 1 || size_t(record.line) > size + 1) __builtin_trap();
  return 0;
}
