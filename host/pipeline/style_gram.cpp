#include "host/pipeline/style_gram.h"

#include <algorithm>
#include <functional>
#include <map>

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
                int64_t context) {
  Chunk c;
  c.first_frame = first_row;
  c.n_frames = n_rows + context;
  const int64_t margin = margin_frames(n_fft, hop);
  // Start on a frame boundary so the chunk's frames align with the track's.
  c.first_sample = std::max<int64_t>(0, (c.first_frame - margin) * hop);
  const int64_t end = std::min(total_samples, (c.first_frame + c.n_frames - 1 + margin) * hop);
  c.n_samples = std::max<int64_t>(end - c.first_sample, 1);
  return c;
}

// The chunks' (first row, rows), rows counted as input steps (frames minus the context). A tail
// shorter than `multiple` joins the chunk before it, so every chunk yields rows at every layer.
std::vector<std::pair<int64_t, int64_t>> chunk_rows(int64_t total_rows, int64_t chunk_frames,
                                                    int multiple) {
  int64_t per_chunk = std::min(chunk_frames, total_rows);
  if (multiple > 1) per_chunk = std::max<int64_t>(multiple, per_chunk / multiple * multiple);
  std::vector<std::pair<int64_t, int64_t>> out;
  for (int64_t row = 0; row < total_rows;) {
    int64_t rows = std::min(per_chunk, total_rows - row);
    if (total_rows - row - rows < multiple) rows = total_rows - row;
    out.push_back({row, rows});
    row += rows;
  }
  return out;
}

// The whole track's STFT [T, C, 2] chunk by chunk: prepare(largest kept frames) once, then
// use(chunk, its kept frames [n_frames, C, 2]) per chunk in order (the spectrum valid during the
// call). Chunks overlap by `context` frames; all but the last are a multiple of `multiple`.
void for_each_chunk_spectrum(Backend& backend, const PlanSource& plans,
                             const std::vector<float>& audio, int n_fft, int hop, int win_length,
                             int64_t context, int multiple, int64_t chunk_frames,
                             const std::function<void(int64_t)>& prepare,
                             const std::function<void(const Chunk&, const float*)>& use) {
  const int64_t total_samples = int64_t(audio.size());
  const int64_t total_rows = 1 + total_samples / hop - context;
  AS_CHECK(total_rows >= 1, "style_gram: the style is shorter than the kernel");
  AS_CHECK(chunk_frames >= 1, "style_gram: chunk_frames must be positive");
  const int C = n_fft / 2 + 1;
  const auto chunks = chunk_rows(total_rows, chunk_frames, multiple);
  int64_t max_rows = 0;
  for (const auto& c : chunks) max_rows = std::max(max_rows, c.second);

  // Buffers sized for the largest chunk, allocated once.
  const Chunk largest = chunk_for(0, max_rows, total_samples, n_fft, hop, context);
  const int64_t max_samples =
      std::min(total_samples, largest.n_samples + 2 * margin_frames(n_fft, hop) * hop);
  const int64_t max_frames_in = 1 + max_samples / hop;
  Buffer<float> chunk_audio(backend, max_samples);
  Buffer<float> spectrum(backend, 2 * max_frames_in * C);
  prepare(largest.n_frames);
  for (const auto& [row, rows] : chunks) {
    const Chunk c = chunk_for(row, rows, total_samples, n_fft, hop, context);
    AS_CHECK(c.n_samples <= max_samples, "style_gram: chunk larger than planned");
    backend.upload(chunk_audio.get(), audio.data() + c.first_sample, sizeof(float) * c.n_samples);
    Stft& stft = plans.stft({n_fft, hop, c.n_samples, win_length});
    AS_CHECK(stft.shape().n_frames() <= max_frames_in, "style_gram: spectrum larger than planned");
    stft.forward(chunk_audio.get(), spectrum.get());
    const int64_t offset = c.first_frame - c.first_sample / hop;  // chunk frame of the first kept
    use(c, spectrum.get() + 2 * offset * C);
  }
}

using ScaleFn = std::function<float(const LayerOutput&, int64_t total_frames)>;

void stream_grams(Backend& backend, const PlanSource& plans, const std::vector<float>& audio,
                  int n_fft, int hop, int win_length, int64_t context, int multiple,
                  const ScaleFn& scale_of, int64_t chunk_frames, const std::vector<float*>& grams) {
  const int64_t total_frames = 1 + int64_t(audio.size()) / hop;
  const int C = n_fft / 2 + 1;
  Buffer<float> x, activations;
  bool first = true;
  for_each_chunk_spectrum(
      backend, plans, audio, n_fft, hop, win_length, context, multiple, chunk_frames,
      [&](int64_t max_frames) {
        x = Buffer<float>(backend, max_frames * C);
        activations = Buffer<float>(backend, plans.features(max_frames, 1).activation_count());
      },
      [&](const Chunk& c, const float* spectrum) {
        backend.log1p_magnitude(spectrum, c.n_frames * C, x.get());
        FeaturePlan& plan = plans.features(c.n_frames, 1);
        AS_CHECK(plan.activation_count() <= activations.size(),
                 "style_gram: activations larger than planned");
        plan.forward(x.get(), activations.get());
        const auto& outputs = plan.outputs();
        AS_CHECK(outputs.size() == grams.size(), "style_gram: one Gram pointer per output");
        for (size_t l = 0; l < outputs.size(); ++l) {
          if (!grams[l]) continue;
          const LayerOutput& out = outputs[l];
          plans.gram(out.shape.rows, out.shape.cols, 1)
              .forward(activations.get() + out.offset, scale_of(out, total_frames), grams[l],
                       !first);
        }
        first = false;
      });
}

}  // namespace

std::vector<double> bin_energy_streamed(Backend& backend, const PlanSource& plans,
                                        const std::vector<float>& audio, int n_fft, int hop,
                                        int win_length, int64_t chunk_frames) {
  const int C = n_fft / 2 + 1;
  Buffer<double> energy(backend, C);
  std::vector<double> total(size_t(C), 0.0);
  for_each_chunk_spectrum(
      backend, plans, audio, n_fft, hop, win_length, 0, 1, chunk_frames, [](int64_t) {},
      [&](const Chunk& c, const float* spectrum) {
        backend.bin_energy(spectrum, c.n_frames, C, energy.get());
        const std::vector<double> part = energy.download();
        for (int f = 0; f < C; ++f) total[size_t(f)] += part[size_t(f)];
      });
  return total;
}

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

void style_grams(Backend& backend, const PlanSource& plans, const FeatureExtractor& extractor,
                 const std::vector<float>& audio, int n_fft, int hop, int win_length,
                 int64_t chunk_frames, const std::vector<float*>& grams) {
  const auto parts = extractor.parts();
  if (!parts.empty()) {
    // Each part streamed on its own, with its own overlap and alignment, its plans made here.
    size_t first = 0;
    for (FeatureExtractor* part : parts) {
      std::map<std::pair<int64_t, int>, std::unique_ptr<FeaturePlan>> own;
      PlanSource source = plans;
      source.features = [&](int64_t n_frames, int batch) -> FeaturePlan& {
        auto& plan = own[{n_frames, batch}];
        if (!plan) plan = part->plan(n_frames, batch);
        return *plan;
      };
      const size_t count = part->layers().size();
      AS_CHECK(first + count <= grams.size(), "style_grams: fewer Gram pointers than outputs");
      style_grams(backend, source, *part, audio, n_fft, hop, win_length, chunk_frames,
                  std::vector<float*>(grams.begin() + long(first), grams.begin() + long(first + count)));
      first += count;
    }
    AS_CHECK(first == grams.size(), "style_grams: more Gram pointers than outputs");
    return;
  }
  stream_grams(backend, plans, audio, n_fft, hop, win_length, extractor.context_frames(),
               extractor.frame_multiple(),
               [&](const LayerOutput& out, int64_t frames) {
                 return extractor.scales(out, frames).gram_scale;
               },
               chunk_frames, grams);
}

void style_gram(Backend& backend, const PlanSource& plans, const std::vector<float>& audio,
                int n_fft, int hop, int kernel_width, int n_filters, int64_t chunk_frames,
                float* gram) {
  (void)n_filters;
  // The reference's 1 / N_SAMPLES.
  stream_grams(backend, plans, audio, n_fft, hop, 0, kernel_width - 1, 1,
               [](const LayerOutput&, int64_t frames) { return 1.0f / float(frames); },
               chunk_frames, {gram});
}

}  // namespace audiostyle
