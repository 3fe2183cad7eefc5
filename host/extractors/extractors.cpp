#include "host/extractors/extractors.h"

#include "audiostyle/errors.h"
#include "host/extractors/mel_view.h"
#include "host/extractors/vgg16.h"

namespace audiostyle {

const char* const kVgg16WeightsHelp =
    "vgg16 needs --weights FILE: download torchvision's ImageNet VGG16 "
    "(https://download.pytorch.org/models/vgg16-397923af.pth) and convert it with "
    "'python3 scripts/convert_weights.py vgg16 vgg16-397923af.pth vgg16.safetensors'";

const char* to_string(ExtractorKind k) {
  return k == ExtractorKind::vgg16 ? "vgg16" : "random_conv1d";
}
const char* to_string(VggInput v) { return v == VggInput::mel ? "mel" : "linear"; }

namespace {

Vgg16Layers vgg_layers(const TransferConfig& c, bool with_content) {
  return resolve_vgg16_layers(c.content_layers, c.style_layers, with_content && c.alpha > 0);
}

// --vgg-input mel: librosa.filters.mel's defaults (Slaney scale and area norm, 0 to sr/2).
MelBankSpec mel_spec(const TransferConfig& c) {
  return MelBankSpec{c.sample_rate_hz, c.n_fft, c.mel_bins, 0.0, c.sample_rate_hz / 2.0,
                     MelScale::slaney, MelNorm::slaney};
}

// The width of the image the network sees: the linear bins or the mel bands.
int image_width(const TransferConfig& c) {
  return c.vgg_input == VggInput::mel ? c.mel_bins : c.n_fft / 2 + 1;
}

}  // namespace

std::unique_ptr<FeatureExtractor> make_extractor(Backend& backend, const TransferConfig& c,
                                                 bool with_content) {
  const int C = c.n_fft / 2 + 1;
  if (c.extractor == ExtractorKind::random_conv1d)
    return make_random_conv1d(backend, C, c.n_filters, c.kernel_width, c.seed, c.precision);
  if (c.weights_path.empty()) throw UsageError(kVgg16WeightsHelp);
  Vgg16Options options;
  options.layers = vgg_layers(c, with_content);
  options.n_bins = image_width(c);
  const Vgg16Weights weights = load_vgg16_weights(c.weights_path, options.layers.conv_count());
  auto vgg16 = make_vgg16(backend, weights, options, c.precision);
  if (c.vgg_input == VggInput::linear) return vgg16;
  return make_mel_view(backend, mel_spec(c), std::move(vgg16));
}

std::string extractor_key(const TransferConfig& c, bool with_content) {
  std::string key = std::string(to_string(c.extractor)) + "|" + std::to_string(c.n_fft) + "|" +
                    to_string(c.precision);
  if (c.extractor == ExtractorKind::random_conv1d)
    return key + "|" + std::to_string(c.n_filters) + "|" + std::to_string(c.kernel_width) + "|" +
           std::to_string(c.seed);
  const Vgg16Layers layers = vgg_layers(c, with_content);
  key += "|" + c.weights_path + "|" + to_string(c.vgg_input);
  if (c.vgg_input == VggInput::mel)  // the bank depends on the bands and the rate
    key += "|mel:" + std::to_string(c.mel_bins) + ":" + std::to_string(c.sample_rate_hz);
  for (const auto& l : layers.content) key += "|c:" + l.name + ":" + std::to_string(l.weight);
  for (const auto& l : layers.style) key += "|s:" + l.name + ":" + std::to_string(l.weight);
  return key;
}

int extractor_min_frames(const TransferConfig& c, bool with_content) {
  if (c.extractor == ExtractorKind::random_conv1d) return c.kernel_width;
  return 1 << vgg_layers(c, with_content).pools();
}

void add_extractor_memory(MemoryPlan& plan, const TransferConfig& c, int64_t n_frames, int batch,
                          bool with_content) {
  auto add = [&](std::string name, int64_t count) {
    plan.items.push_back({std::move(name), size_t(std::max<int64_t>(count, 0)) * sizeof(float)});
  };
  const int C = c.n_fft / 2 + 1, width = image_width(c);
  const Vgg16Layers layers = vgg_layers(c, with_content);
  const Vgg16Footprint f = vgg16_footprint(layers, n_frames, width, batch);
  // The largest chunk: a short tail joins the chunk before it.
  const Vgg16Footprint style =
      vgg16_footprint(layers, style_chunk_frames(c) + (1 << layers.pools()), width, 1);
  add("vgg16 weights", f.weights);
  add("style grams Gs", f.style_grams);
  add("style chunk activations (while the style Grams are made)", style.activations);
  if (with_content) add("content targets Ac", f.content_targets);
  add("vgg16 activations (every layer the backward pass needs)", f.activations);
  add("vgg16 backward scratch (two gradients of the largest layer)", f.scratch);
  add("layer gradients dA", f.output_grads);
  add("gram errors", f.gram_errors);
  if (c.vgg_input == VggInput::mel) {
    const MelViewFootprint mel = mel_view_footprint(n_frames, C, c.mel_bins, batch);
    const MelViewFootprint style_mel =
        mel_view_footprint(style_chunk_frames(c) + (1 << layers.pools()), C, c.mel_bins, 1);
    add("mel filterbank", mel.bank);
    add("mel view of a style chunk", style_mel.activations + style_mel.workspace);
    add("mel view (magnitude, band sums, image)", mel.activations);
    add("mel view backward scratch", mel.scratch);
    add("mel projection workspace (padded input, gradient)", mel.workspace);
  }
}

int64_t style_chunk_frames(const TransferConfig& c) {
  if (c.extractor == ExtractorKind::random_conv1d) return c.style_chunk_frames;
  constexpr int64_t kVgg16ChunkFrames = 512;  // ~1 GiB of activations at 1025 bins up to conv3_1
  return std::min<int64_t>(c.style_chunk_frames, kVgg16ChunkFrames);
}

std::string describe_extractors() {
  return "  random_conv1d  method 1 (Ulyanov & Lebedev): random 1D conv over time; needs nothing\n"
         "                 (--filters, --kernel-width, --seed)\n"
         "  vgg16          method 2 (Wang & Chu): ImageNet VGG16 on the spectrogram image; needs\n"
         "                 --weights FILE (torchvision's vgg16-397923af.pth converted by\n"
         "                 scripts/convert_weights.py); --content-layers, --style-layers,\n"
         "                 --vgg-input linear|mel (--mel-bins); --recipe vgg16 sets the paper's\n"
         "                 defaults\n";
}

}  // namespace audiostyle
