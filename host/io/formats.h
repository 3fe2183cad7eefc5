// Output containers by extension: what libsndfile writes for each, and what it cannot store.
#pragma once
#include <string>

#include "audiostyle/audio.h"

namespace audiostyle::io {

// "-": the output goes to stdout (as WAV), the input comes from stdin.
inline bool is_stdio(const std::string& path) { return path == "-"; }

// libsndfile format (container | subtype) for the path's extension (case-insensitive; "-" is WAV)
// and sample format. Lossy containers (.ogg Vorbis, .opus, .mp3) ignore the sample format; FLAC
// stores integers only, so float becomes 24-bit there (check_output's callers refuse that first).
// Throws InputError naming the supported extensions for any other extension.
int sndfile_format(const std::string& path, SampleFormat format);
// Why the container cannot store `format` ("" when it can): FLAC and float, a lossy container and
// anything but the default pcm16.
std::string format_problem(const std::string& path, SampleFormat format);
// What is written, for the "wrote" line and the report: "WAV pcm16", "FLAC pcm24", "Ogg Vorbis".
std::string describe_format(const std::string& path, SampleFormat format);
// The container alone: "WAV", "FLAC", "Ogg Vorbis", "Ogg Opus", "MP3".
std::string container_name(const std::string& path);
// Ogg Vorbis, Opus, MP3.
bool is_lossy(const std::string& path);
// The rate the container can store nearest `rate_hz` (Opus: 8, 12, 16, 24 or 48 kHz only).
int writable_rate(const std::string& path, int rate_hz);
// "supported: .wav, .flac, ..." for messages.
const char* supported_extensions();

}  // namespace audiostyle::io
