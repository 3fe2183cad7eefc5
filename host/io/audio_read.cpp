// read_audio: anything libsndfile decodes -> cropped, checked, optionally mono, resampled Audio.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <sstream>
#include <string>
#include <vector>

#include "audiostyle/audio.h"
#include "audiostyle/errors.h"
#include "host/io/sndfile_handle.h"

namespace audiostyle {
namespace {

// Frames decoded per sf_readf_float call: bounded memory for the interleaved staging buffer.
constexpr sf_count_t kChunkFrames = 1 << 16;

std::string seconds_text(double seconds) {
  std::ostringstream text;
  text.precision(6);
  text << seconds << " s";
  return text.str();
}

// libsndfile's messages end with a full stop; ours continue after them.
std::string sndfile_message(SNDFILE* file) {
  std::string message = sf_strerror(file);
  while (!message.empty() && (message.back() == '.' || message.back() == '\n')) message.pop_back();
  return message;
}

// A file descriptor closed on scope exit, after the SNDFILE that reads it.
struct FileDescriptor {
  int fd = -1;
  ~FileDescriptor() {
    if (fd >= 0) ::close(fd);
  }
};

// Opens the path ourselves so that "missing", "permission denied" and "a folder" are told apart
// from "not audio", which only libsndfile can judge.
int open_for_reading(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int error = errno;
    if (error == ENOENT || error == ENOTDIR) throw InputError(io::read_error(path, "no such file"));
    if (error == EACCES || error == EPERM)
      throw InputError(io::read_error(path, "permission denied"));
    throw InputError(io::read_error(path, std::strerror(error)));
  }
  struct stat status {};
  if (::fstat(fd, &status) == 0 && S_ISDIR(status.st_mode)) {
    ::close(fd);
    throw InputError(io::read_error(path, "it is a folder, not an audio file"));
  }
  return fd;
}

// Moves to `offset_frames`; streams that cannot seek are decoded and discarded up to there.
// Returns false if the stream ends first.
bool skip_to(SNDFILE* file, int n_channels, sf_count_t offset_frames) {
  if (offset_frames == 0) return true;
  if (sf_seek(file, offset_frames, SEEK_SET) == offset_frames) return true;
  std::vector<float> discard(size_t(kChunkFrames) * n_channels);
  sf_count_t skipped = 0;
  while (skipped < offset_frames) {
    const sf_count_t got =
        sf_readf_float(file, discard.data(), std::min(kChunkFrames, offset_frames - skipped));
    if (got <= 0) return false;
    skipped += got;
  }
  return true;
}

}  // namespace

Audio read_audio(const std::string& path, const ReadOptions& options) {
  if (options.sample_rate_hz < 0)
    throw UsageError("read_audio: sample rate must be >= 0 Hz (0 keeps the file's), got " +
                     std::to_string(options.sample_rate_hz));
  if (!(options.offset_seconds >= 0) || !std::isfinite(options.offset_seconds))
    throw InputError(io::read_error(path, "crop offset must be a finite number >= 0 s, got " +
                                              seconds_text(options.offset_seconds)));
  if (!(options.duration_seconds >= 0) || !std::isfinite(options.duration_seconds))
    throw InputError(io::read_error(path, "crop duration must be a finite number >= 0 s, got " +
                                              seconds_text(options.duration_seconds)));

  FileDescriptor descriptor{open_for_reading(path)};
  SF_INFO info{};
  // close_desc = false: `descriptor` owns the fd on every path, success or failure.
  io::SndfileHandle file(sf_open_fd(descriptor.fd, SFM_READ, &info, SF_FALSE));
  if (!file)
    throw InputError(io::read_error(path, "not an audio file libsndfile can decode, or corrupt (" +
                                              sndfile_message(nullptr) + ")"));
  if (info.channels <= 0 || info.samplerate <= 0)
    throw InputError(io::read_error(path, "corrupt header (" + std::to_string(info.channels) +
                                              " channels at " + std::to_string(info.samplerate) +
                                              " Hz)"));
  // frames is SF_COUNT_MAX when the container does not say; the read loop then runs to the end.
  const bool length_known = info.frames >= 0 && info.frames < SF_COUNT_MAX;
  if (length_known && info.frames == 0)
    throw InputError(io::read_error(path, "empty (no audio samples)"));

  const int n_channels = info.channels;
  const int file_rate_hz = info.samplerate;
  // The crop is in the file's own rate, before resampling: a sample-exact cut of what is stored.
  // Clamped in double first: llround of a value past int64 is undefined, and 2^62 frames is
  // beyond any real file.
  const double kFarBeyondAnyFile = 0x1p62;
  const sf_count_t offset_frames =
      sf_count_t(std::llround(std::min(options.offset_seconds * file_rate_hz, kFarBeyondAnyFile)));
  const std::string end_text =
      length_known ? " (the audio is " + seconds_text(double(info.frames) / file_rate_hz) + " long)"
                   : "";
  const std::string beyond_end =
      "crop offset " + seconds_text(options.offset_seconds) + " is at or beyond the end" + end_text;
  if (length_known && offset_frames >= info.frames)
    throw InputError(io::read_error(path, beyond_end));
  if (!skip_to(file.get(), n_channels, offset_frames))
    throw InputError(io::read_error(path, beyond_end));

  sf_count_t wanted_frames = SF_COUNT_MAX;
  if (options.duration_seconds > 0)
    wanted_frames = std::max<sf_count_t>(
        1, std::llround(std::min(options.duration_seconds * file_rate_hz, kFarBeyondAnyFile)));
  if (length_known) wanted_frames = std::min(wanted_frames, info.frames - offset_frames);

  Audio audio;
  audio.sample_rate_hz = file_rate_hz;
  audio.channels.resize(size_t(n_channels));
  // The header's length is a promise, not a fact: a 258-byte FLAC may claim 2^32 frames (found by
  // fuzz/audio_reader.cpp). Reserve at most 2^24 frames up front; past that, the decoded data
  // itself grows the vectors.
  constexpr sf_count_t kMaxReservedFrames = sf_count_t(1) << 24;
  if (length_known)
    for (auto& channel : audio.channels)
      channel.reserve(size_t(std::min(wanted_frames, kMaxReservedFrames)));

  // interleaved: [chunk_frames, n_channels]
  std::vector<float> interleaved(size_t(kChunkFrames) * n_channels);
  sf_count_t read_frames = 0;
  while (read_frames < wanted_frames) {
    const sf_count_t asked = std::min(kChunkFrames, wanted_frames - read_frames);
    const sf_count_t got = sf_readf_float(file.get(), interleaved.data(), asked);
    if (got <= 0) break;
    for (sf_count_t frame = 0; frame < got; ++frame) {
      for (int c = 0; c < n_channels; ++c) {
        const float sample = interleaved[size_t(frame) * n_channels + c];
        if (!std::isfinite(sample))
          throw InputError(
              io::read_error(path, "contains NaN or Inf at sample " +
                                       std::to_string(offset_frames + read_frames + frame) +
                                       " (channel " + std::to_string(c) + ")"));
        audio.channels[size_t(c)].push_back(sample);
      }
    }
    read_frames += got;
  }
  // A short read is fine when the container over-promised (a truncated download); a decoder
  // error is not.
  if (sf_error(file.get()) != SF_ERR_NO_ERROR)
    throw InputError(io::read_error(path, "corrupt: decoding failed after " +
                                              std::to_string(read_frames) + " samples (" +
                                              sndfile_message(file.get()) + ")"));
  if (read_frames == 0) {
    if (offset_frames > 0) throw InputError(io::read_error(path, beyond_end));
    throw InputError(io::read_error(path, "empty (no audio samples)"));
  }

  // Average before resampling: both are linear, and one channel resamples faster than many.
  if (options.downmix && n_channels > 1) audio = downmix(audio);
  if (options.sample_rate_hz > 0 && options.sample_rate_hz != file_rate_hz)
    audio = resample(audio, options.sample_rate_hz);
  return audio;
}

}  // namespace audiostyle
