// A finished file under a temporary name beside its target, put in place by commit() with one
// rename: on one filesystem that is atomic, so a reader (or a later --resume) sees the old file or
// the whole new one, never a part, and an existing file is replaced, never truncated first. A staged
// file never committed is removed by the destructor: a failed or interrupted run leaves nothing.
//
// A target that exists and is a stream (a character device such as /dev/null or /dev/full, or a
// FIFO) cannot be renamed over: it is written directly and commit() has nothing left to do.
#pragma once
#include <string>
#include <vector>

#include "audiostyle/audio.h"

namespace audiostyle::io {

class StagedFile {
 public:
  StagedFile() = default;
  // `temp` (empty for a stream written directly) becomes `target` on commit.
  StagedFile(std::string target, std::string temp);
  StagedFile(StagedFile&& other) noexcept;
  StagedFile& operator=(StagedFile&& other) noexcept;
  StagedFile(const StagedFile&) = delete;
  StagedFile& operator=(const StagedFile&) = delete;
  ~StagedFile();

  // replace = false: fails with InputError if the target exists, decided by the rename itself
  // (renameat2 RENAME_NOREPLACE), so a file created meanwhile is not replaced either.
  void commit(bool replace = true);
  const std::string& target() const { return target_; }
  const std::string& temp() const { return temp_; }

 private:
  std::string target_, temp_;
};

// Where a path's bytes really go: an existing symlink is followed, so the link stays and its
// target is replaced; `stream` says the target is a character device or FIFO.
struct OutputTarget {
  std::string real_path;
  bool stream = false;
};
OutputTarget resolve_output(const std::string& path);

// A new exclusive (O_EXCL) temporary beside `real_path`, named ".<name>.<tag>-<pid>-<random>":
// same filesystem, so the rename is atomic; hidden from a folder listing. Returns its descriptor.
// `shown` is the path as the user gave it, for messages.
int create_temporary(const std::string& shown, const std::string& real_path, const char* tag,
                     std::string& temp_path);

// Removes the temporaries a killed run (kill -9, a power cut) left beside any of `targets`: names
// ".<target name>.tmp-<pid>-<hex>" whose process no longer runs. Returns how many it removed.
int remove_stale_temporaries(const std::vector<std::string>& targets);

// Writes all of `text` to `fd`; false with errno set on failure.
bool write_all(int fd, const char* bytes, size_t count);

// A text file (a JSON report or summary) staged beside `path`; Error naming `path` on failure
// (a full disk, a file-size limit).
StagedFile stage_text(const std::string& path, const std::string& text);

// WAV or FLAC by the extension, staged beside `path` (write_audio is stage_audio + commit).
StagedFile stage_audio(const std::string& path, const Audio& audio, const WriteOptions& options);

}  // namespace audiostyle::io
