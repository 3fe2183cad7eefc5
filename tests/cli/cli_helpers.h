// Shared by the CLI tests of issue 11 (levels, crops, parsing, progress, report): small signals
// written as files, the tiny recipe, and reading what a run left behind.
#pragma once
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "audiostyle/audio.h"
#include "tests/cli/cli_runner.h"
#include "tests/support.h"

namespace audiostyle::test {

// `channels` sines (440 Hz, 550 Hz, ...) at `amplitude`, so channels differ.
using Run = CliRun;

inline Audio sines(double seconds, int rate_hz, int channels = 1, float amplitude = 0.3f) {
  Audio a;
  a.sample_rate_hz = rate_hz;
  a.channels.assign(size_t(channels), std::vector<float>(size_t(seconds * rate_hz)));
  for (int c = 0; c < channels; ++c)
    for (size_t i = 0; i < a.channels[size_t(c)].size(); ++i)
      a.channels[size_t(c)][i] =
          amplitude * float(std::sin(2 * M_PI * (440.0 + 110 * c) * double(i) / rate_hz));
  return a;
}

inline std::string write_wav(const TempDir& dir, const std::string& name, const Audio& audio) {
  const std::string path = dir.file(name);
  write_audio(path, audio);
  return path;
}

// A few milliseconds of work per run: the tiny recipe every CLI test shares.
inline const std::string kTiny =
    " --n-fft 256 --hop 64 --filters 32 --kernel-width 3 --iterations 4 --gl-iterations 4"
    " --sample-rate 8000 --device cpu";

inline nlohmann::json read_json(const std::string& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

inline bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Every line of stderr that is a message (not a progress line) starts with "audiostyle:".
inline bool every_message_prefixed(const std::string& err) {
  std::istringstream lines(err);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty()) continue;
    if (line.rfind("audiostyle:", 0) != 0) return false;
  }
  return true;
}

}  // namespace audiostyle::test
