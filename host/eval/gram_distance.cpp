// The style measure: Gram statistics under random conv nets that no optimisation used, through
// the project's own extractor (make_random_conv1d) and the streamed style Gram, so it runs on
// either backend.
#include <cmath>
#include <map>
#include <memory>
#include <tuple>

#include "audiostyle/errors.h"
#include "host/eval/measures.h"
#include "host/pipeline/features.h"
#include "host/pipeline/style_gram.h"

namespace audiostyle::eval {
namespace {

// Far above any seed typed on a command line, so an evaluation net never repeats a run's filters.
constexpr uint64_t kSeedBase = 0x5EED'E7A1'0000'0000ull;
constexpr int kWidths[] = {3, 7, 15};
// Frames per chunk of the streamed Gram: bounds memory for long tracks.
constexpr int64_t kChunkFrames = 4096;

}  // namespace

std::vector<GramNet> evaluation_nets(int count, int n_filters, int avoid_kernel_width) {
  std::vector<GramNet> nets;
  for (int i = 0; i < count; ++i) {
    int width = kWidths[i % 3] + 16 * (i / 3);  // more than three nets: wider ones
    while (width == avoid_kernel_width) width += 2;
    nets.push_back({kSeedBase + uint64_t(i), n_filters, width});
  }
  return nets;
}

std::vector<float> net_gram(Backend& backend, const GramNet& net, const std::vector<float>& audio,
                            int n_fft, int hop) {
  const int C = n_fft / 2 + 1;
  auto extractor = make_random_conv1d(backend, C, net.n_filters, net.kernel_width, net.seed,
                                      Precision::fp32);
  const int64_t frames = 1 + int64_t(audio.size()) / hop;
  if (frames < net.kernel_width)
    throw InputError("the audio is too short for the evaluation nets (" + std::to_string(frames) +
                     " frames, kernel width " + std::to_string(net.kernel_width) + ")");
  std::map<int64_t, std::unique_ptr<Stft>> stfts;
  std::map<std::pair<int64_t, int>, std::unique_ptr<FeaturePlan>> plans;
  std::map<std::tuple<int64_t, int, int>, std::unique_ptr<Gram>> grams;
  const PlanSource source{
      [&](const StftShape& s) -> Stft& {
        auto& p = stfts[s.n_samples];
        if (!p) p = backend.make_stft(s);
        return *p;
      },
      [&](int64_t n_frames, int batch) -> FeaturePlan& {
        auto& p = plans[{n_frames, batch}];
        if (!p) p = extractor->plan(n_frames, batch);
        return *p;
      },
      [&](int64_t rows, int cols, int batch) -> Gram& {
        auto& p = grams[{rows, cols, batch}];
        if (!p) p = backend.make_gram(rows, cols, Precision::fp32, batch);
        return *p;
      }};
  Buffer<float> gram(backend, int64_t(net.n_filters) * net.n_filters);
  style_gram(backend, source, audio, n_fft, hop, net.kernel_width, net.n_filters, kChunkFrames,
             gram.get());
  return gram.download();
}

double relative_gram_distance(const std::vector<float>& a, const std::vector<float>& b) {
  AS_CHECK(a.size() == b.size() && !a.empty(), "relative_gram_distance: shapes differ");
  double diff = 0, ref = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    diff += (double(a[i]) - b[i]) * (double(a[i]) - b[i]);
    ref += double(b[i]) * b[i];
  }
  return ref > 0 ? std::sqrt(diff / ref) : (diff > 0 ? INFINITY : 0.0);
}

}  // namespace audiostyle::eval
