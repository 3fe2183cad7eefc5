// `-` as a path: audio from stdin and WAV to stdout, and what a file holds before it is decoded.
#pragma once
#include <cstdint>
#include <string>

#include "audiostyle/audio.h"

namespace audiostyle::io {

// A copy of stdin in a temporary file (most decoders need to seek), removed on destruction.
// Throws InputError when stdin is a terminal or empty.
class StdinSpool {
 public:
  StdinSpool();
  ~StdinSpool();
  StdinSpool(const StdinSpool&) = delete;
  StdinSpool& operator=(const StdinSpool&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Writes WAV to stdout: encoded into a temporary file first (the header then holds the sizes),
// then copied. Throws Error when stdout refuses the bytes (a closed pipe).
void write_audio_stdout(const Audio& audio, const WriteOptions& options);

// Rate, channels and length of a file, read from its header; ok = false when libsndfile cannot
// open it (read_audio then says why).
struct AudioFileInfo {
  bool ok = false;
  int sample_rate_hz = 0, n_channels = 0;
  int64_t n_frames = -1;  // -1: the container does not say
  double seconds() const {
    return n_frames >= 0 && sample_rate_hz > 0 ? double(n_frames) / sample_rate_hz : -1;
  }
};
AudioFileInfo probe_audio(const std::string& path);

}  // namespace audiostyle::io
