// Audio in memory: planar float channels at one sample rate.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace audiostyle {

struct Audio {
  int sample_rate_hz = 0;
  std::vector<std::vector<float>> channels;  // channels[c][i], all the same length

  int n_channels() const { return static_cast<int>(channels.size()); }
  int64_t n_samples() const { return channels.empty() ? 0 : int64_t(channels[0].size()); }
  double seconds() const { return sample_rate_hz > 0 ? double(n_samples()) / sample_rate_hz : 0.0; }
};

struct ReadOptions {
  int sample_rate_hz = 22050;  // resample to this rate (soxr, high quality); 0 keeps the file's rate
  bool downmix = true;         // average channels to mono
  double offset_seconds = 0;   // crop: start
  double duration_seconds = 0; // crop: length; 0 = to the end
};

enum class SampleFormat { pcm16, pcm24, float32 };

struct WriteOptions {
  SampleFormat format = SampleFormat::pcm16;  // WAV: any; FLAC: pcm16 or pcm24 (float -> pcm24)
};

// Reads anything libsndfile reads (WAV, FLAC, OGG/Vorbis, Opus, MP3). Throws InputError naming the
// file and the problem: missing, unreadable, corrupt, empty, non-finite samples, crop out of range.
Audio read_audio(const std::string& path, const ReadOptions& options = {});

// Writes WAV or FLAC, chosen by the extension (.wav, .flac), to a temporary file in the same folder,
// then renames it: an interrupted run never leaves a half-written file. Throws InputError for an
// unsupported extension or an unwritable path; nothing is left behind on failure.
void write_audio(const std::string& path, const Audio& audio, const WriteOptions& options = {});

// Throws InputError unless the path's extension is one write_audio supports and its folder is
// writable: checked before a run, so a long job does not fail at the end.
void check_writable_output(const std::string& path);

// Resamples every channel (soxr, high quality).
Audio resample(const Audio& audio, int sample_rate_hz);

// Averages all channels into one.
Audio downmix(const Audio& audio);

// Peak absolute sample value over all channels.
float peak(const Audio& audio);

}  // namespace audiostyle
