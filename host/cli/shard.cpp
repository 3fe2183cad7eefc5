#include "host/cli/shard.h"

#include <cctype>
#include <string>

#include "audiostyle/errors.h"

namespace audiostyle::cli {
namespace {

// Digits with an optional minus sign, nothing else (std::stoll alone would skip leading blanks).
bool parse_int(const std::string& text, long long& value) {
  const size_t first_digit = !text.empty() && text[0] == '-' ? 1 : 0;
  if (first_digit >= text.size() || !std::isdigit(static_cast<unsigned char>(text[first_digit])))
    return false;
  try {
    size_t used = 0;
    value = std::stoll(text, &used);
    return used == text.size();
  } catch (const std::exception&) {
    return false;
  }
}

long long slurm_int(const GetEnv& getenv, const char* name, long long fallback) {
  const char* text = getenv(name);
  if (!text) return fallback;
  long long value = 0;
  if (!parse_int(text, value))
    throw UsageError(std::string(name) + " is not a whole number: '" + text + "'");
  return value;
}

}  // namespace

Shard parse_shard(const std::string& text) {
  const size_t slash = text.find('/');
  long long index = -1, count = 0;
  const bool ok = slash != std::string::npos && parse_int(text.substr(0, slash), index) &&
                  parse_int(text.substr(slash + 1), count) && count >= 1 && count <= 1000000 &&
                  index >= 0 && index < count;
  if (!ok && index == count && count >= 1)
    throw UsageError("--shard " + text + ": shards count from 0 (0/" + std::to_string(count) +
                     " .. " + std::to_string(count - 1) + "/" + std::to_string(count) +
                     "); the last of " + std::to_string(count) + " is " +
                     std::to_string(count - 1) + "/" + std::to_string(count));
  if (!ok)
    throw UsageError("--shard must be i/N with 0 <= i < N, counting from 0 (e.g. 0/4), not '" +
                     text + "'");
  return Shard{int(index), int(count)};
}

bool shard_from_slurm(const GetEnv& getenv, Shard& shard) {
  if (!getenv("SLURM_ARRAY_TASK_ID") || !getenv("SLURM_ARRAY_TASK_COUNT")) return false;
  const long long id = slurm_int(getenv, "SLURM_ARRAY_TASK_ID", 0);
  const long long count = slurm_int(getenv, "SLURM_ARRAY_TASK_COUNT", 0);
  const long long min = slurm_int(getenv, "SLURM_ARRAY_TASK_MIN", 0);
  const long long step = slurm_int(getenv, "SLURM_ARRAY_TASK_STEP", 1);
  const long long offset = id - min;
  if (count < 1 || count > 1000000 || step < 1 || offset < 0 || offset % step != 0 ||
      offset / step >= count)
    throw UsageError("Slurm array task " + std::to_string(id) + " (min " + std::to_string(min) +
                     ", step " + std::to_string(step) + ", count " + std::to_string(count) +
                     ") is not one of shards 0.." + std::to_string(count - 1) +
                     " of an evenly spaced array; pass --shard i/N");
  shard = Shard{int(offset / step), int(count)};
  return true;
}

}  // namespace audiostyle::cli
