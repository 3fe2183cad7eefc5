#include "host/io/staged_file.h"

#include <fcntl.h>
#include <stdio.h>  // renameat2 (glibc >= 2.28)
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>
#include <random>
#include <utility>

#include "audiostyle/errors.h"
#include "host/io/sndfile_handle.h"

namespace audiostyle::io {
namespace {

namespace fs = std::filesystem;

std::string system_message(int error) { return std::strerror(error); }

}  // namespace

StagedFile::StagedFile(std::string target, std::string temp)
    : target_(std::move(target)), temp_(std::move(temp)) {}

StagedFile::StagedFile(StagedFile&& other) noexcept
    : target_(std::move(other.target_)), temp_(std::exchange(other.temp_, {})) {}

StagedFile& StagedFile::operator=(StagedFile&& other) noexcept {
  if (this != &other) {
    if (!temp_.empty()) ::unlink(temp_.c_str());
    target_ = std::move(other.target_);
    temp_ = std::exchange(other.temp_, {});
  }
  return *this;
}

StagedFile::~StagedFile() {
  if (!temp_.empty()) ::unlink(temp_.c_str());
}

void StagedFile::commit(bool replace) {
  if (temp_.empty()) return;  // a stream, already written (or already committed)
  const OutputTarget target = resolve_output(target_);
  int status = 0;
  if (replace) {
    status = ::rename(temp_.c_str(), target.real_path.c_str());
  } else {
    status = ::renameat2(AT_FDCWD, temp_.c_str(), AT_FDCWD, target.real_path.c_str(),
                         RENAME_NOREPLACE);
    // A filesystem without RENAME_NOREPLACE: link() refuses an existing name just as atomically.
    if (status != 0 && errno == EINVAL) {
      status = ::link(temp_.c_str(), target.real_path.c_str());
      if (status == 0) ::unlink(temp_.c_str());
    }
    if (status != 0 && errno == EEXIST)
      throw InputError(write_error(target_, "it exists and --no-clobber keeps it"));
  }
  if (status != 0)
    throw Error(write_error(target_, "renaming the finished file into place failed (" +
                                         system_message(errno) + ")"));
  temp_.clear();
}

OutputTarget resolve_output(const std::string& path) {
  OutputTarget target{path, false};
  struct stat status {};
  if (::stat(path.c_str(), &status) != 0) return target;  // new file (or a dangling link)
  std::error_code ec;
  struct stat link_status {};
  if (::lstat(path.c_str(), &link_status) == 0 && S_ISLNK(link_status.st_mode)) {
    const fs::path real = fs::canonical(path, ec);
    if (!ec) target.real_path = real.string();
  }
  target.stream = S_ISCHR(status.st_mode) || S_ISFIFO(status.st_mode);
  return target;
}

int create_temporary(const std::string& shown, const std::string& real_path, const char* tag,
                     std::string& temp_path) {
  std::random_device device;
  char suffix[48];
  std::snprintf(suffix, sizeof suffix, "%s-%ld-%08x", tag, long(::getpid()), unsigned(device()));
  fs::path folder = fs::path(real_path).parent_path();
  if (folder.empty()) folder = ".";
  // Appended piecewise: GCC 12 at -O3 gives a false -Wrestrict for "." + std::string&&.
  std::string name = ".";
  name += fs::path(real_path).filename().string();
  name += '.';
  name += suffix;
  temp_path = (folder / name).string();
  // O_EXCL: never truncate someone else's file that happens to carry the name.
  const int fd = ::open(temp_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd < 0) {
    const int error = errno;
    temp_path.clear();
    throw InputError(write_error(shown, "folder '" + folder.string() + "' is not writable (" +
                                            system_message(error) + ")"));
  }
  return fd;
}

int remove_stale_temporaries(const std::vector<std::string>& targets) {
  std::map<fs::path, std::set<std::string>> names_by_folder;  // folder -> target file names
  for (const auto& target : targets) {
    const fs::path real(resolve_output(target).real_path);
    fs::path folder = real.parent_path();
    names_by_folder[folder.empty() ? fs::path(".") : folder].insert(real.filename().string());
  }
  int removed = 0;
  for (const auto& [folder, names] : names_by_folder) {
    std::error_code ec;
    for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
      const std::string entry = it->path().filename().string();
      const size_t tag = entry.rfind(".tmp-");
      if (entry.size() < 2 || entry[0] != '.' || tag == std::string::npos || tag < 2) continue;
      if (!names.count(entry.substr(1, tag - 1))) continue;
      long pid = 0;
      unsigned random = 0;
      char rest = 0;
      if (std::sscanf(entry.c_str() + tag, ".tmp-%ld-%8x%c", &pid, &random, &rest) != 2) continue;
      // Still running (or not ours to ask about): leave it.
      if (pid <= 0 || ::kill(pid_t(pid), 0) == 0 || errno != ESRCH) continue;
      if (::unlink(it->path().c_str()) == 0) ++removed;
    }
  }
  return removed;
}

bool write_all(int fd, const char* bytes, size_t count) {
  while (count > 0) {
    const ssize_t written = ::write(fd, bytes, count);
    if (written < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    bytes += written;
    count -= size_t(written);
  }
  return true;
}

StagedFile stage_text(const std::string& path, const std::string& text) {
  const OutputTarget target = resolve_output(path);
  if (target.stream) {
    const int fd = ::open(target.real_path.c_str(), O_WRONLY | O_CLOEXEC);
    const bool ok = fd >= 0 && write_all(fd, text.data(), text.size());
    const int error = errno;
    if (fd >= 0) ::close(fd);
    if (!ok) throw Error(write_error(path, system_message(error)));
    return StagedFile(path, "");
  }
  std::string temp_path;
  const int fd = create_temporary(path, target.real_path, "tmp", temp_path);
  StagedFile staged(path, temp_path);  // removes the temporary if anything below throws
  const bool ok = write_all(fd, text.data(), text.size()) && ::fsync(fd) == 0;
  const int error = errno;
  if (::close(fd) != 0 || !ok)
    throw Error(write_error(path, system_message(ok ? errno : error)));
  return staged;
}

}  // namespace audiostyle::io
