// Private helpers shared by the audio reader and writer: an owning SNDFILE handle and the
// one-line error messages that name the file.
#pragma once
#include <sndfile.h>

#include <string>

namespace audiostyle::io {

// Closes on destruction. close() reports libsndfile's verdict, which for a writer is the last
// chance to learn that buffered data never reached the disk.
class SndfileHandle {
 public:
  explicit SndfileHandle(SNDFILE* file = nullptr) : file_(file) {}
  ~SndfileHandle() {
    if (file_ != nullptr) sf_close(file_);
  }
  SndfileHandle(const SndfileHandle&) = delete;
  SndfileHandle& operator=(const SndfileHandle&) = delete;

  SNDFILE* get() const { return file_; }
  explicit operator bool() const { return file_ != nullptr; }
  // Returns sf_close's error code (0 = success); the handle is empty afterwards.
  int close() {
    const int status = file_ != nullptr ? sf_close(file_) : 0;
    file_ = nullptr;
    return status;
  }

 private:
  SNDFILE* file_;
};

// "cannot read 'path': problem" and "cannot write 'path': problem": one line, the path as given.
inline std::string read_error(const std::string& path, const std::string& problem) {
  return "cannot read '" + path + "': " + problem;
}
inline std::string write_error(const std::string& path, const std::string& problem) {
  return "cannot write '" + path + "': " + problem;
}

}  // namespace audiostyle::io
