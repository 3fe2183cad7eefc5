// The style Grams Gs_l = g_l As_l^T As_l over the whole style track, streamed in chunks so memory
// stays bounded however long the style is. Each chunk's STFT covers enough audio that its kept
// frames equal the whole track's frames; consecutive chunks overlap by the extractor's context
// frames (K - 1 for a 1D conv of width K) so that every window is counted once, and all chunks but
// the last are a multiple of its frame_multiple (so pooled rows line up with the track's).
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

// Writes Gs_l [cols_l, cols_l] into grams[l] for every output l of the extractor's plans whose
// grams[l] is not null, with g_l = extractor.scales(output, style frames).gram_scale; win_length is the STFT
// window's taps (StftShape, 0 = n_fft).
void style_grams(Backend& backend, const PlanSource& plans, const FeatureExtractor& extractor,
                 const std::vector<float>& audio, int n_fft, int hop, int win_length,
                 int64_t chunk_frames, const std::vector<float*>& grams);

// Each bin's energy sum_t |S[t, f]|^2 over the whole track's STFT [T, C] (T = 1 + n / hop), in
// the same chunks, so it equals the whole track's up to the order of the sums.
std::vector<double> bin_energy_streamed(Backend& backend, const PlanSource& plans,
                                        const std::vector<float>& audio, int n_fft, int hop,
                                        int win_length, int64_t chunk_frames);

// Method 1's one layer: Gs [F, F] = As^T As / Ts into `gram`. `chunk_frames` bounds the feature rows held at once.
void style_gram(Backend& backend, const PlanSource& plans, const std::vector<float>& audio,
                int n_fft, int hop, int kernel_width, int n_filters, int64_t chunk_frames,
                float* gram);

// Bytes style_gram allocates at once for these sizes.
size_t style_gram_bytes(int64_t n_samples, int n_fft, int hop, int kernel_width, int n_filters,
                        int64_t chunk_frames);

}  // namespace audiostyle
