#include "host/cli/output_guard.h"

#include <signal.h>
#include <sndfile.h>
#include <sys/stat.h>

#include <filesystem>
#include <map>
#include <tuple>

#include "audiostyle/errors.h"
#include "host/cli/batch.h"
#include "host/cli/manifest.h"
#include "host/cli/progress.h"

namespace audiostyle::cli {
namespace {

namespace fs = std::filesystem;

// What a path resolves to: (device, inode) of an existing file, else its canonical spelling.
struct FileKey {
  bool exists = false;
  dev_t device = 0;
  ino_t inode = 0;
  std::string name;
  bool operator<(const FileKey& o) const {
    return std::tie(exists, device, inode, name) < std::tie(o.exists, o.device, o.inode, o.name);
  }
};

FileKey key_of(const std::string& path) {
  FileKey key;
  struct stat status {};
  if (::stat(path.c_str(), &status) == 0) {  // follows symlinks
    key.exists = true;
    key.device = status.st_dev;
    key.inode = status.st_ino;
    return key;
  }
  std::error_code ec;
  fs::path absolute = fs::absolute(path, ec);
  if (ec) absolute = path;
  const fs::path canonical = fs::weakly_canonical(absolute, ec);  // resolves the existing folders
  key.name = (ec ? absolute.lexically_normal() : canonical).string();
  return key;
}

std::string shown(const NamedPath& p) { return p.role + " " + p.path; }

}  // namespace

void check_output_paths(const std::vector<NamedPath>& inputs,
                        const std::vector<NamedPath>& outputs, bool no_clobber) {
  std::map<FileKey, const NamedPath*> read, written;
  for (const auto& input : inputs) read.emplace(key_of(input.path), &input);
  for (const auto& output : outputs) {
    const FileKey key = key_of(output.path);
    if (const auto it = read.find(key); it != read.end())
      throw UsageError(shown(output) + " is " + shown(*it->second) +
                       ": refusing to overwrite an input");
    const auto [it, fresh] = written.emplace(key, &output);
    if (!fresh)
      throw UsageError(shown(output) + " is also " + shown(*it->second) +
                       ": one would overwrite the other");
    if (no_clobber && key.exists)
      throw UsageError(shown(output) + " exists and --no-clobber keeps it");
  }
}

void check_batch_paths(const BatchOptions& options, const std::vector<BatchRow>& rows,
                       const Shard& shard) {
  const bool no_clobber = options.defaults.no_clobber;
  std::vector<NamedPath> inputs = {{options.manifest_path, "the manifest"}}, outputs, kept;
  for (const BatchRow& row : rows) {
    const std::string line = " of line " + std::to_string(row.line);
    const RunOptions& o = row.options;
    inputs.push_back({o.content_path, "the content" + line});
    inputs.push_back({o.style_path, "the style" + line});
    outputs.push_back({o.output_path, "the output" + line});
    outputs.push_back({o.report_path, "the report" + line});
    const bool skipped = options.resume && finished_output(o.output_path);
    if (no_clobber && shard.holds(row.index) && !skipped) {
      kept.push_back(outputs[outputs.size() - 2]);
      kept.push_back(outputs.back());
    }
  }
  if (!options.summary_path.empty()) {
    outputs.push_back({options.summary_path, "the summary"});
    kept.push_back(outputs.back());
  }
  check_output_paths(inputs, outputs, false);
  if (no_clobber) check_output_paths({}, kept, true);
}

bool finished_output(const std::string& path) {
  SF_INFO info{};
  SNDFILE* file = sf_open(path.c_str(), SFM_READ, &info);
  if (file == nullptr) return false;
  sf_close(file);
  return info.frames > 0 && info.channels > 0;
}

void sweep_batch_temporaries(const std::vector<BatchRow>& rows) {
  std::vector<std::string> targets;
  for (const BatchRow& row : rows) {
    targets.push_back(row.options.output_path);
    targets.push_back(row.options.report_path);
  }
  io::remove_stale_temporaries(targets);
}

void commit_outputs(const std::vector<io::StagedFile*>& files, bool no_clobber) {
  sigset_t held, previous;
  sigemptyset(&held);
  sigaddset(&held, SIGINT);
  sigaddset(&held, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &held, &previous);
  struct Restore {
    sigset_t* mask;
    ~Restore() { pthread_sigmask(SIG_SETMASK, mask, nullptr); }
  } restore{&previous};
  if (interrupt_requested()) throw Interrupted("interrupted: stopped before writing any output");
  for (io::StagedFile* file : files) file->commit(!no_clobber);
}

}  // namespace audiostyle::cli
