// Readers for the librosa golden data in tests/golden/ (made by make_golden.py; see README.md).
// Header-only and free of Catch, so the CPU and GPU test executables can both use it.
#pragma once
#include <cstdint>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "audiostyle/backend.h"
#include "tests/support.h"

namespace audiostyle::test::golden {

struct StftCase {
  std::string name;
  bool from_signal = true;  // "signal": librosa.stft of <name>.signal.f32; "spectrogram": random
  StftShape shape;
  std::string path(const std::string& suffix) const {
    return source_path("tests/golden/" + name + suffix);
  }
};

// The cases listed in tests/golden/stft_cases.txt (name kind n_fft hop n_samples [win_length]).
inline std::vector<StftCase> stft_cases() {
  const std::string path = source_path("tests/golden/stft_cases.txt");
  std::ifstream manifest(path);
  if (!manifest) throw std::runtime_error("cannot open " + path);
  std::vector<StftCase> cases;
  std::string line;
  while (std::getline(manifest, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    StftCase c;
    std::string kind;
    fields >> c.name >> kind >> c.shape.n_fft >> c.shape.hop >> c.shape.n_samples;
    if (fields.fail() || (kind != "signal" && kind != "spectrogram"))
      throw std::runtime_error(path + ": malformed line: " + line);
    // An optional sixth field: librosa's win_length (absent: the window has n_fft taps).
    std::string win_length;
    if (fields >> win_length) c.shape.win_length = std::stoi(win_length);
    c.from_signal = kind == "signal";
    cases.push_back(c);
  }
  return cases;
}

// A raw little-endian float32 file of exactly `count` values (the size is checked both ways).
inline std::vector<float> read_f32(const std::string& path, size_t count) {
  std::ifstream file(path, std::ios::binary | std::ios::ate);
  if (!file) throw std::runtime_error("cannot open " + path);
  const auto bytes = static_cast<size_t>(file.tellg());
  if (bytes != sizeof(float) * count)
    throw std::runtime_error(path + ": " + std::to_string(bytes) + " bytes, expected " +
                             std::to_string(sizeof(float) * count));
  file.seekg(0);
  std::vector<float> values(count);
  file.read(reinterpret_cast<char*>(values.data()), std::streamsize(bytes));
  if (!file) throw std::runtime_error("cannot read " + path);
  return values;
}

inline size_t spec_floats(const StftShape& s) {
  return size_t(s.n_frames()) * size_t(s.n_bins()) * 2;
}

}  // namespace audiostyle::test::golden
