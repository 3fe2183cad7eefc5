// The split of a batch's rows across processes, GPUs or nodes: --shard i/N or a Slurm job array.
#pragma once
#include <functional>
#include <string>

namespace audiostyle::cli {

// Shard i of N holds the rows with index % N == i: every row lands in exactly one shard.
struct Shard {
  int index = 0, count = 1;
  bool holds(int row_index) const { return row_index % count == index; }
};

// "i/N" with 0 <= i < N; throws UsageError.
Shard parse_shard(const std::string& text);
// A Slurm job array's task: SLURM_ARRAY_TASK_COUNT shards, this one being
// (SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN) / SLURM_ARRAY_TASK_STEP (MIN 0 and STEP 1 when
// unset), so `--array=1-8` and `--array=0-14:2` both map onto shards 0..N-1. Returns false when
// ID or COUNT is unset (no sharding); throws UsageError on values that do not make a shard.
using GetEnv = std::function<const char*(const char*)>;
bool shard_from_slurm(const GetEnv& getenv, Shard& shard);

}  // namespace audiostyle::cli
