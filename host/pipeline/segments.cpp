#include "host/pipeline/segments.h"

#include <algorithm>

#include "audiostyle/errors.h"

namespace audiostyle {

std::vector<SegmentPlan> plan_segments(int64_t total, int64_t segment_samples, int64_t overlap,
                                       int hop) {
  AS_CHECK(total > 0 && segment_samples > 0 && hop > 0, "plan_segments: empty");
  if (segment_samples >= total) return {{0, total}};
  AS_CHECK(overlap >= 0 && 2 * overlap < segment_samples, "plan_segments: overlap too long");
  const int64_t stride_max = (segment_samples - overlap) / hop * hop;
  AS_CHECK(stride_max >= hop, "plan_segments: segments shorter than the overlap plus a hop");
  const int64_t count = (total - overlap + stride_max - 1) / stride_max;
  // Balance: the same stride for all (a multiple of the hop), so only the last length differs.
  const int64_t stride = ((total - overlap + count - 1) / count + hop - 1) / hop * hop;
  std::vector<SegmentPlan> segments;
  for (int64_t start = 0; start < total; start += stride) {
    segments.push_back({start, std::min(stride + overlap, total - start)});
    if (start + stride + overlap >= total) break;
  }
  return segments;
}

void stitch_add(std::vector<float>& sum, std::vector<float>& weight, const std::vector<float>& x_seg,
                int batch, int64_t track_frames, int n_bins, const std::vector<SegmentPlan>& segments,
                size_t index, int n_fft, int hop) {
  const SegmentPlan& s = segments[index];
  const int64_t first = s.first_sample / hop;
  const int64_t frames = 1 + s.n_samples / hop;
  // Frames shared with each neighbour: the ramp spans them, so a segment's edge frames (whose
  // windows reached past its audio) get almost no weight.
  auto shared_frames = [&](const SegmentPlan& a, const SegmentPlan& b) {
    return std::max<int64_t>(1, (a.first_sample + a.n_samples - b.first_sample) / hop);
  };
  const int64_t ramp_in = index > 0 ? shared_frames(segments[index - 1], s) : 0;
  const int64_t ramp_out = index + 1 < segments.size() ? shared_frames(s, segments[index + 1]) : 0;
  (void)n_fft;
  for (int64_t j = 0; j < frames && first + j < track_frames; ++j) {
    float w = 1.0f;
    if (j < ramp_in) w = std::min(w, float(j + 0.5) / float(ramp_in));
    if (frames - 1 - j < ramp_out) w = std::min(w, float(frames - 1 - j + 0.5) / float(ramp_out));
    weight[size_t(first + j)] += w;
    for (int b = 0; b < batch; ++b) {
      const float* src = x_seg.data() + (int64_t(b) * frames + j) * n_bins;
      float* dst = sum.data() + (int64_t(b) * track_frames + first + j) * n_bins;
      for (int c = 0; c < n_bins; ++c) dst[c] += w * src[c];
    }
  }
}

}  // namespace audiostyle
