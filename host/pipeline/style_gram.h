// The style Gram Gs = As^T As / Ts over the whole style track, streamed in chunks so memory stays
// bounded however long the style is. Chunk boundaries are exact: each chunk's STFT covers enough
// audio that its kept frames equal the whole track's frames, and consecutive chunks overlap by K - 1
// frames so that every conv window is counted once.
#pragma once
#include <functional>
#include <memory>
#include <vector>

#include "audiostyle/backend.h"
#include "host/pipeline/features.h"

namespace audiostyle {

// Plans by shape, kept by the caller between calls (the Engine's cache).
struct PlanSource {
  std::function<Stft&(const StftShape&)> stft;
  std::function<FeaturePlan&(int64_t n_frames, int batch)> features;
  std::function<Gram&(int64_t rows, int cols, int batch)> gram;
};

// Writes Gs [F, F] into `gram`. `chunk_frames` bounds the feature rows held at once.
void style_gram(Backend& backend, const PlanSource& plans, const std::vector<float>& audio,
                int n_fft, int hop, int kernel_width, int n_filters, int64_t chunk_frames,
                float* gram);

// Bytes style_gram allocates at once for these sizes.
size_t style_gram_bytes(int64_t n_samples, int n_fft, int hop, int kernel_width, int n_filters,
                        int64_t chunk_frames);

}  // namespace audiostyle
