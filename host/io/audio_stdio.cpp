#include "host/io/audio_stdio.h"

#include <fcntl.h>
#include <sndfile.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>
#include <vector>

#include "audiostyle/errors.h"

namespace audiostyle::io {
namespace {

namespace fs = std::filesystem;

std::string temp_name(const char* tag, const char* extension) {
  std::random_device device;
  return (fs::temp_directory_path() /
          ("audiostyle-" + std::string(tag) + "-" + std::to_string(::getpid()) + "-" +
           std::to_string(device()) + extension))
      .string();
}

// Copies everything from `from` to `to`; false on a read or write error (errno says which).
bool copy_all(int from, int to) {
  std::vector<char> buffer(1 << 16);
  for (;;) {
    const ssize_t got = ::read(from, buffer.data(), buffer.size());
    if (got == 0) return true;
    if (got < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    for (ssize_t sent = 0; sent < got;) {
      const ssize_t put = ::write(to, buffer.data() + sent, size_t(got - sent));
      if (put < 0) {
        if (errno == EINTR) continue;
        return false;
      }
      sent += put;
    }
  }
}

}  // namespace

StdinSpool::StdinSpool() {
  if (::isatty(STDIN_FILENO))
    throw InputError(
        "cannot read '-': stdin is a terminal (pipe audio in: ... | audiostyle ... -)");
  path_ = temp_name("stdin", "");
  const int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    throw InputError("cannot read '-': no temporary file (" + std::string(std::strerror(errno)) +
                     ")");
  const bool ok = copy_all(STDIN_FILENO, fd);
  const int error = errno;
  ::close(fd);
  if (!ok) {
    ::unlink(path_.c_str());
    throw InputError("cannot read '-': reading stdin failed (" + std::string(std::strerror(error)) +
                     ")");
  }
  std::error_code ec;
  if (fs::file_size(path_, ec) == 0) {
    ::unlink(path_.c_str());
    throw InputError("cannot read '-': stdin is empty");
  }
}

StdinSpool::~StdinSpool() {
  if (!path_.empty()) ::unlink(path_.c_str());
}

void write_audio_stdout(const Audio& audio, const WriteOptions& options) {
  const std::string temp = temp_name("stdout", ".wav");
  struct Remove {
    std::string path;
    ~Remove() { ::unlink(path.c_str()); }
  } remove{temp};
  write_audio(temp, audio, options);
  const int fd = ::open(temp.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw Error("cannot write '-': reopening the encoded audio failed");
  const bool ok = copy_all(fd, STDOUT_FILENO);
  const int error = errno;
  ::close(fd);
  if (!ok)
    throw Error("cannot write '-': stdout refused the audio (" + std::string(std::strerror(error)) +
                ")");
}

AudioFileInfo probe_audio(const std::string& path) {
  AudioFileInfo info;
  SF_INFO sf{};
  SNDFILE* file = sf_open(path.c_str(), SFM_READ, &sf);
  if (!file) return info;
  info.ok = sf.channels > 0 && sf.samplerate > 0;
  info.sample_rate_hz = sf.samplerate;
  info.n_channels = sf.channels;
  info.n_frames = sf.frames >= 0 && sf.frames < SF_COUNT_MAX ? int64_t(sf.frames) : -1;
  sf_close(file);
  return info;
}

}  // namespace audiostyle::io
