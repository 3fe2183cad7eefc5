// write_audio, stage_audio and check_writable_output: WAV/FLAC through a temporary file and an
// atomic rename (host/io/staged_file.h).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "audiostyle/audio.h"
#include "audiostyle/errors.h"
#include "host/io/formats.h"
#include "host/io/sndfile_handle.h"
#include "host/io/staged_file.h"

namespace audiostyle {
namespace {

namespace fs = std::filesystem;
using io::OutputTarget;

constexpr sf_count_t kChunkFrames = 1 << 16;
// The container and subtype by extension live in host/io/formats.cpp.
int container_for(const std::string& path) {
  return io::sndfile_format(path, SampleFormat::pcm16) & SF_FORMAT_TYPEMASK;
}

std::string sndfile_message(SNDFILE* file) {
  std::string message = sf_strerror(file);
  while (!message.empty() && (message.back() == '.' || message.back() == '\n')) message.pop_back();
  return message;
}

// A descriptor closed on scope exit (after the SNDFILE that writes it).
struct Descriptor {
  int fd = -1;
  ~Descriptor() {
    if (fd >= 0) ::close(fd);
  }
};

// libsndfile says "System error" for a failed write(); the system's reason is the useful part.
std::string with_errno(const std::string& message) {
  if (errno == 0) return message;
  return message + ": " + std::strerror(errno);
}

// Checks everything about the path short of creating a file; returns where the bytes go.
OutputTarget check_target(const std::string& path) {
  container_for(path);
  std::error_code error;
  if (fs::is_directory(path, error)) throw InputError(io::write_error(path, "it is a folder"));
  const OutputTarget target = io::resolve_output(path);
  struct stat status {};
  if (::stat(target.real_path.c_str(), &status) == 0 && !S_ISREG(status.st_mode) && !target.stream)
    throw InputError(io::write_error(path, "it is not a regular file, a device or a FIFO"));
  if (target.stream) return target;
  fs::path folder = fs::path(target.real_path).parent_path();
  if (folder.empty()) folder = ".";
  if (!fs::exists(folder, error))
    throw InputError(io::write_error(path, "folder '" + folder.string() + "' does not exist"));
  if (!fs::is_directory(folder, error))
    throw InputError(io::write_error(path, "'" + folder.string() + "' is not a folder"));
  return target;
}

void check_samples(const std::string& path, const Audio& audio) {
  AS_CHECK(audio.n_channels() > 0, "write_audio: audio has no channels");
  AS_CHECK(audio.sample_rate_hz > 0, "write_audio: audio has no sample rate");
  for (int c = 0; c < audio.n_channels(); ++c) {
    const auto& channel = audio.channels[size_t(c)];
    AS_CHECK(int64_t(channel.size()) == audio.n_samples(),
             "write_audio: channels differ in length");
    // A NaN would become an arbitrary integer in PCM: refuse rather than write noise.
    const auto bad =
        std::find_if(channel.begin(), channel.end(), [](float x) { return !std::isfinite(x); });
    if (bad != channel.end())
      throw Error(io::write_error(path, "sample " + std::to_string(bad - channel.begin()) +
                                            " of channel " + std::to_string(c) + " is NaN or Inf"));
  }
}

}  // namespace

void check_writable_output(const std::string& path) {
  const OutputTarget target = check_target(path);
  if (target.stream) {
    if (::access(target.real_path.c_str(), W_OK) != 0)
      throw InputError(io::write_error(path, std::string("not writable (") + std::strerror(errno) +
                                                 ")"));
    return;
  }
  std::string probe;
  const int fd = io::create_temporary(path, target.real_path, "probe", probe);
  ::close(fd);
  ::unlink(probe.c_str());
}

void write_audio(const std::string& path, const Audio& audio, const WriteOptions& options) {
  io::stage_audio(path, audio, options).commit();
}

namespace io {

StagedFile stage_audio(const std::string& path, const Audio& audio, const WriteOptions& options) {
  check_samples(path, audio);

  SF_INFO info{};
  info.samplerate = audio.sample_rate_hz;
  info.channels = audio.n_channels();
  info.format = io::sndfile_format(path, options.format);
  if (!sf_format_check(&info))
    throw InputError(
        io::write_error(path, io::container_name(path) + " cannot store " + std::to_string(info.channels) +
                                  " channels at " + std::to_string(info.samplerate) + " Hz"));

  const OutputTarget target = check_target(path);
  StagedFile staged;
  Descriptor descriptor;
  if (target.stream) {
    descriptor.fd = ::open(target.real_path.c_str(), O_WRONLY | O_CLOEXEC);
    if (descriptor.fd < 0)
      throw InputError(io::write_error(path, std::string("cannot open it (") +
                                                 std::strerror(errno) + ")"));
    staged = StagedFile(path, "");
  } else {
    std::string temp;
    descriptor.fd = io::create_temporary(path, target.real_path, "tmp", temp);
    staged = StagedFile(path, temp);  // from here on, any throw removes the temporary
  }
  {
    // close_desc = false: `descriptor` owns it, so it can be synced after sf_close.
    errno = 0;
    io::SndfileHandle file(sf_open_fd(descriptor.fd, SFM_WRITE, &info, SF_FALSE));
    if (!file)
      throw Error(io::write_error(path, "libsndfile cannot open the output (" +
                                            with_errno(sndfile_message(nullptr)) + ")"));
    // The PEAK chunk of a float WAV holds the time of writing: without it, one seed and one
    // input give one byte-identical file, run to run.
    sf_command(file.get(), SFC_SET_ADD_PEAK_CHUNK, nullptr, SF_FALSE);
    const int subtype = info.format & SF_FORMAT_SUBMASK;
    const bool is_pcm = subtype == SF_FORMAT_PCM_16 || subtype == SF_FORMAT_PCM_24;
    // PCM: clip at full scale instead of letting an overshoot wrap around to the opposite sign.
    if (is_pcm && sf_command(file.get(), SFC_SET_CLIPPING, nullptr, SF_TRUE) != SF_TRUE)
      throw Error(io::write_error(path, "libsndfile refused to enable clipping"));

    const int n_channels = audio.n_channels();
    const sf_count_t n_frames = audio.n_samples();
    // interleaved: [chunk_frames, n_channels]
    std::vector<float> interleaved(
        size_t(std::min(kChunkFrames, std::max<sf_count_t>(n_frames, 1))) * n_channels);
    for (sf_count_t start = 0; start < n_frames; start += kChunkFrames) {
      const sf_count_t frames = std::min(kChunkFrames, n_frames - start);
      for (sf_count_t i = 0; i < frames; ++i)
        for (int c = 0; c < n_channels; ++c)
          interleaved[size_t(i) * n_channels + c] = audio.channels[size_t(c)][size_t(start + i)];
      errno = 0;
      const sf_count_t written = sf_writef_float(file.get(), interleaved.data(), frames);
      if (written != frames)
        throw Error(io::write_error(
            path, "write failed after " + std::to_string(start + std::max<sf_count_t>(written, 0)) +
                      " of " + std::to_string(n_frames) + " samples (" +
                      with_errno(sndfile_message(file.get())) + ")"));
    }
    // sf_close writes the final header sizes (WAV) or flushes the encoder (FLAC).
    errno = 0;
    if (const int status = file.close(); status != 0)
      throw Error(io::write_error(path, std::string("finishing the file failed (") +
                                            with_errno(sf_error_number(status)) + ")"));
  }
  // The data must be on disk before the name points at it, or a crash could leave an empty file.
  // A stream (a pipe, a terminal) cannot be synced, and need not be.
  if ((!target.stream && ::fsync(descriptor.fd) != 0) ||
      ::close(std::exchange(descriptor.fd, -1)) != 0)
    throw Error(io::write_error(
        path, std::string("flushing to disk failed (") + std::strerror(errno) + ")"));
  return staged;
}

}  // namespace io
}  // namespace audiostyle
