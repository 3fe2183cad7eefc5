// One check, shared by transfer, texture and batch, that a job never writes over its own inputs or
// writes two things to one file. Paths are compared as the files they resolve to: after symlinks
// and `..`, and by device and inode for files that exist (so a hard link is caught too); a path
// that does not exist yet is compared by its canonical folder and name.
#pragma once
#include <string>
#include <vector>

#include "host/io/staged_file.h"

namespace audiostyle::cli {

struct NamedPath {
  std::string path;
  std::string role;  // as in a sentence: "the content", "the report of line 4", "the manifest"
};

// Throws UsageError, before any work, naming the first written path that is one of the inputs or
// another written path; with no_clobber, also one that already exists. Plots and any later output
// kind join by being added to `outputs`.
void check_output_paths(const std::vector<NamedPath>& inputs,
                        const std::vector<NamedPath>& outputs, bool no_clobber);

// The batch's version, before any row runs: the outputs and reports of every row of the manifest
// and the summary against the manifest and every row's content and style. With --no-clobber, the
// outputs and reports of this shard's rows that will run (not those --resume skips) and the
// summary must not exist.
struct BatchOptions;
struct BatchRow;
struct Shard;
void check_batch_paths(const BatchOptions& options, const std::vector<BatchRow>& rows,
                       const Shard& shard);

// --resume's test of a finished row: the output exists and opens as audio with samples. Outputs are
// renamed into place only when whole, so a killed run leaves none; a file some other tool left
// half-written, or an empty one, is redone rather than counted.
bool finished_output(const std::string& path);
// Before a batch runs: removes what killed runs left beside its outputs and reports.
void sweep_batch_temporaries(const std::vector<BatchRow>& rows);

// Renames the staged files into place in order with SIGINT and SIGTERM held off: an interrupt that
// came before is honoured (Interrupted, nothing renamed, the temporaries removed); one arriving
// during the renames takes effect after them, so a job is never left half-published.
void commit_outputs(const std::vector<io::StagedFile*>& files, bool no_clobber);

}  // namespace audiostyle::cli
