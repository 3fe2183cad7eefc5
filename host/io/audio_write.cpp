// write_audio and check_writable_output: WAV/FLAC through a temporary file and an atomic rename.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "audiostyle/audio.h"
#include "audiostyle/errors.h"
#include "host/io/formats.h"
#include "host/io/sndfile_handle.h"

namespace audiostyle {
namespace {

namespace fs = std::filesystem;

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

// Checks everything about the path short of creating a file; returns the folder it goes in.
fs::path output_folder(const std::string& path) {
  container_for(path);
  std::error_code error;
  if (fs::is_directory(path, error)) throw InputError(io::write_error(path, "it is a folder"));
  fs::path folder = fs::path(path).parent_path();
  if (folder.empty()) folder = ".";
  if (!fs::exists(folder, error))
    throw InputError(io::write_error(path, "folder '" + folder.string() + "' does not exist"));
  if (!fs::is_directory(folder, error))
    throw InputError(io::write_error(path, "'" + folder.string() + "' is not a folder"));
  return folder;
}

// ".<name>.<tag>-<pid>-<random>" beside the target: same filesystem, so rename() is atomic;
// hidden, so a folder listing during a run does not show it.
fs::path sibling_name(const std::string& path, const char* tag) {
  std::random_device device;
  char suffix[32];
  std::snprintf(suffix, sizeof suffix, "%s-%ld-%08x", tag, long(::getpid()), unsigned(device()));
  // Appended piecewise: GCC 12 at -O3 gives a false -Wrestrict for "." + std::string&&.
  std::string name = ".";
  name += fs::path(path).filename().string();
  name += '.';
  name += suffix;
  return output_folder(path) / name;
}

// O_EXCL: never truncate someone else's file that happens to carry the name.
int create_exclusive(const std::string& path, const fs::path& file) {
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd < 0) {
    const int error = errno;
    throw InputError(io::write_error(path, "folder '" + file.parent_path().string() +
                                               "' is not writable (" + std::strerror(error) + ")"));
  }
  return fd;
}

// Removes the temporary file unless the rename consumed it, and closes its descriptor.
struct TempFile {
  fs::path name;
  int fd = -1;
  bool renamed = false;
  ~TempFile() {
    if (fd >= 0) ::close(fd);
    if (!renamed) ::unlink(name.c_str());
  }
};

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
  const fs::path probe_name = sibling_name(path, "probe");
  const int fd = create_exclusive(path, probe_name);
  ::close(fd);
  ::unlink(probe_name.c_str());
}

void write_audio(const std::string& path, const Audio& audio, const WriteOptions& options) {
  check_samples(path, audio);

  SF_INFO info{};
  info.samplerate = audio.sample_rate_hz;
  info.channels = audio.n_channels();
  info.format = io::sndfile_format(path, options.format);
  if (!sf_format_check(&info))
    throw InputError(
        io::write_error(path, io::container_name(path) + " cannot store " + std::to_string(info.channels) +
                                  " channels at " + std::to_string(info.samplerate) + " Hz"));

  TempFile temp;
  temp.name = sibling_name(path, "tmp");
  temp.fd = create_exclusive(path, temp.name);
  {
    // close_desc = false: TempFile owns the descriptor, so it can be synced after sf_close.
    io::SndfileHandle file(sf_open_fd(temp.fd, SFM_WRITE, &info, SF_FALSE));
    if (!file)
      throw Error(io::write_error(
          path, "libsndfile cannot open the output (" + sndfile_message(nullptr) + ")"));
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
      const sf_count_t written = sf_writef_float(file.get(), interleaved.data(), frames);
      if (written != frames)
        throw Error(io::write_error(
            path, "write failed after " + std::to_string(start + std::max<sf_count_t>(written, 0)) +
                      " of " + std::to_string(n_frames) + " samples (" +
                      sndfile_message(file.get()) + ")"));
    }
    // sf_close writes the final header sizes (WAV) or flushes the encoder (FLAC).
    if (const int status = file.close(); status != 0)
      throw Error(io::write_error(
          path, std::string("finishing the file failed (") + sf_error_number(status) + ")"));
  }
  // The data must be on disk before the name points at it, or a crash could leave an empty file.
  if (::fsync(temp.fd) != 0 || ::close(std::exchange(temp.fd, -1)) != 0)
    throw Error(io::write_error(
        path, std::string("flushing to disk failed (") + std::strerror(errno) + ")"));

  std::error_code error;
  fs::rename(temp.name, path, error);
  if (error)
    throw Error(io::write_error(
        path, "renaming the finished file into place failed (" + error.message() + ")"));
  temp.renamed = true;
}

}  // namespace audiostyle
