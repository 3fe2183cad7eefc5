// Long tracks in overlapping segments: one global style Gram; content and optimisation per segment;
// the optimised log-magnitudes stitched with a linear crossfade over each overlap; then one
// Griffin-Lim pass over the whole track, so the phase is continuous and no seam can form (two
// independent reconstructions crossfaded in audio would phase against each other on tonal music).
#pragma once
#include <cstdint>
#include <vector>

#include "audiostyle/pipeline.h"

namespace audiostyle {

// Segments of at most `segment_samples` covering [0, total) whose neighbours share at least
// `overlap_samples`; every start is a multiple of `hop`, so segment frames are track frames;
// lengths are balanced so every segment but the last has the same length (one plan).
std::vector<SegmentPlan> plan_segments(int64_t total_samples, int64_t segment_samples,
                                       int64_t overlap_samples, int hop);

// Blends segment `index`'s spectrogram x_seg [B, T_seg, C] into the track's accumulators
// sum [B, T, C] and weight [T]: each frame weighted by a linear ramp over the frames it shares with
// a neighbour (1 elsewhere). The track's spectrogram is sum / weight.
void stitch_add(std::vector<float>& sum, std::vector<float>& weight, const std::vector<float>& x_seg,
                int batch, int64_t track_frames, int n_bins, const std::vector<SegmentPlan>& segments,
                size_t index, int n_fft, int hop);

}  // namespace audiostyle
