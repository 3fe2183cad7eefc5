// Deterministic reductions to double slots, in two fixed-shape passes and no atomics, so a sum is
// bit-identical from run to run on the same device:
//   pass 1: a kernel of reduce_blocks(count) blocks x kReduceThreads threads; each thread folds a
//           grid-stride slice in index order, each block folds its threads with a fixed tree
//           (block_reduce) and writes one partial per value to partials[value * n_blocks + block];
//   pass 2: finalize_partials, one block, folds the n_blocks partials with the same fixed tree and
//           hands the totals to an epilogue (store, scale, or an L-BFGS coefficient).
// The partials live in a workspace the backend allocates once (Context::reduce_partials); ops on
// the backend's single stream run in order, so one workspace serves them all.
#pragma once
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>

#include "kernels/cuda_check.h"
#include "kernels/cuda_ops.h"

namespace audiostyle::cuda {

constexpr int kReduceThreads = 256;  // must stay a power of two (the tree halves it)

inline int reduce_blocks(int64_t count) {
  return int(
      std::clamp<int64_t>((count + kReduceThreads - 1) / kReduceThreads, 1, kReduceMaxBlocks));
}

struct SumCombine {
  __device__ static double identity() { return 0.0; }
  __device__ double operator()(double a, double b) const { return a + b; }
};

// max for values >= 0 that propagates NaN (fmax would drop it, and a NaN gradient must never look
// converged to a max|g| <= gtol test).
struct MaxNanCombine {
  __device__ static double identity() { return 0.0; }
  __device__ double operator()(double a, double b) const {
    if (isnan(a)) return a;
    if (isnan(b)) return b;
    return a > b ? a : b;
  }
};

// Folds value[v] across the block (blockDim.x == kReduceThreads) with a fixed pairwise tree; the
// result is valid in thread 0. Every thread of the block must call it.
template <int kValues, class Combine>
__device__ void block_reduce(double (&value)[kValues], Combine combine) {
  __shared__ double shared[kValues][kReduceThreads];
  for (int v = 0; v < kValues; ++v) shared[v][threadIdx.x] = value[v];
  __syncthreads();
  for (int half = kReduceThreads / 2; half > 0; half >>= 1) {
    if (int(threadIdx.x) < half)
      for (int v = 0; v < kValues; ++v)
        shared[v][threadIdx.x] = combine(shared[v][threadIdx.x], shared[v][threadIdx.x + half]);
    __syncthreads();
  }
  if (threadIdx.x == 0)
    for (int v = 0; v < kValues; ++v) value[v] = shared[v][0];
}

// Pass 1 epilogue for a block: thread 0 writes the block's partials.
template <int kValues, class Combine>
__device__ void write_block_partials(double (&value)[kValues], Combine combine, double* partials) {
  static_assert(kValues <= kReduceMaxValues, "the partials workspace holds kReduceMaxValues sums");
  block_reduce<kValues>(value, combine);
  if (threadIdx.x == 0)
    for (int v = 0; v < kValues; ++v) partials[int64_t(v) * gridDim.x + blockIdx.x] = value[v];
}

template <int kValues, class Combine, class Epilogue>
__global__ void __launch_bounds__(kReduceThreads)
    finalize_partials_kernel(const double* partials, int n_blocks, Combine combine,
                             Epilogue epilogue) {
  double value[kValues];
  for (int v = 0; v < kValues; ++v) {
    value[v] = Combine::identity();
    for (int b = int(threadIdx.x); b < n_blocks; b += kReduceThreads)
      value[v] = combine(value[v], partials[int64_t(v) * n_blocks + b]);
  }
  block_reduce<kValues>(value, combine);
  if (threadIdx.x == 0) epilogue(value);
}

// Epilogue: out[v] = total[v] * factor.
template <int kValues>
struct StoreScaled {
  double* out;
  double factor;
  __device__ void operator()(const double (&total)[kValues]) const {
    for (int v = 0; v < kValues; ++v) out[v] = total[v] * factor;
  }
};

// Pass 2 on the context's stream.
template <int kValues, class Combine, class Epilogue>
void finalize_partials(const Context& context, int n_blocks, Combine combine, Epilogue epilogue) {
  finalize_partials_kernel<kValues><<<1, kReduceThreads, 0, context.stream>>>(
      context.reduce_partials, n_blocks, combine, epilogue);
  CUDA_CHECK_LAUNCH();
}

}  // namespace audiostyle::cuda
