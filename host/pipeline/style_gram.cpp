#include "host/pipeline/style_gram.h"

#include <algorithm>

#include "audiostyle/errors.h"

namespace audiostyle {
namespace {

// Frames beyond a chunk's kept range whose windows reach into it: ceil(n_fft/2 / hop).
int64_t margin_frames(int n_fft, int hop) { return (n_fft / 2 + hop - 1) / hop; }

struct Chunk {
  int64_t first_frame, n_frames;     // global frames kept: [first_frame, first_frame + n_frames)
  int64_t first_sample, n_samples;   // the audio analysed: [first_sample, first_sample + n_samples)
};

Chunk chunk_for(int64_t first_row, int64_t n_rows, int64_t total_samples, int n_fft, int hop,
                int kernel_width) {
  Chunk c;
  c.first_frame = first_row;
  c.n_frames = n_rows + kernel_width - 1;
  const int64_t margin = margin_frames(n_fft, hop);
  // Start on a frame boundary so the chunk's frames align with the track's.
  c.first_sample = std::max<int64_t>(0, (c.first_frame - margin) * hop);
  const int64_t end = std::min(total_samples, (c.first_frame + c.n_frames - 1 + margin) * hop);
  c.n_samples = std::max<int64_t>(end - c.first_sample, 1);
  return c;
}

}  // namespace

size_t style_gram_bytes(int64_t n_samples, int n_fft, int hop, int kernel_width, int n_filters,
                        int64_t chunk_frames) {
  const int64_t frames = 1 + n_samples / hop;
  const int64_t rows = std::min<int64_t>(chunk_frames, frames - kernel_width + 1);
  const int64_t chunk_frames_in = rows + kernel_width - 1 + 2 * margin_frames(n_fft, hop);
  const int64_t C = n_fft / 2 + 1;
  // audio, spectrum [T, C, 2], x [T, C], STFT frames (n_fft per frame, two buffers), features.
  return sizeof(float) * size_t(chunk_frames_in * hop + chunk_frames_in * C * 3 +
                                chunk_frames_in * n_fft * 2 + rows * n_filters);
}

void style_gram(Backend& backend, const PlanSource& plans, const std::vector<float>& audio,
                int n_fft, int hop, int kernel_width, int n_filters, int64_t chunk_frames,
                float* gram) {
  const int64_t total_samples = int64_t(audio.size());
  const int64_t total_frames = 1 + total_samples / hop;
  const int64_t total_rows = total_frames - kernel_width + 1;
  AS_CHECK(total_rows >= 1, "style_gram: the style is shorter than the kernel");
  AS_CHECK(chunk_frames >= 1, "style_gram: chunk_frames must be positive");
  const int C = n_fft / 2 + 1;
  const int64_t rows_per_chunk = std::min(chunk_frames, total_rows);
  const float scale = 1.0f / float(total_frames);  // the reference's 1 / N_SAMPLES

  // Buffers sized for the largest chunk, allocated once.
  const Chunk largest = chunk_for(0, rows_per_chunk, total_samples, n_fft, hop, kernel_width);
  const int64_t max_samples =
      std::min(total_samples, largest.n_samples + 2 * margin_frames(n_fft, hop) * hop);
  const int64_t max_frames_in = 1 + max_samples / hop;
  Buffer<float> chunk_audio(backend, max_samples);
  Buffer<float> spectrum(backend, 2 * max_frames_in * C);
  Buffer<float> x(backend, largest.n_frames * C);
  Buffer<float> features(backend, rows_per_chunk * n_filters);

  bool first = true;
  for (int64_t row = 0; row < total_rows; row += rows_per_chunk) {
    const int64_t rows = std::min(rows_per_chunk, total_rows - row);
    const Chunk c = chunk_for(row, rows, total_samples, n_fft, hop, kernel_width);
    AS_CHECK(c.n_samples <= max_samples, "style_gram: chunk larger than planned");
    backend.upload(chunk_audio.get(), audio.data() + c.first_sample, sizeof(float) * c.n_samples);
    Stft& stft = plans.stft({n_fft, hop, c.n_samples});
    AS_CHECK(stft.shape().n_frames() <= max_frames_in, "style_gram: spectrum larger than planned");
    stft.forward(chunk_audio.get(), spectrum.get());
    const int64_t offset = c.first_frame - c.first_sample / hop;  // chunk frame of the first kept
    backend.log1p_magnitude(spectrum.get() + 2 * offset * C, c.n_frames * C, x.get());
    FeaturePlan& plan = plans.features(c.n_frames, 1);
    plan.forward(x.get(), features.get());
    plans.gram(rows, n_filters, 1).forward(features.get(), scale, gram, !first);
    first = false;
  }
}

}  // namespace audiostyle
