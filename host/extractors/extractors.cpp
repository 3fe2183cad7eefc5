#include "host/extractors/extractors.h"

#include <algorithm>
#include <cstdio>
#include <iterator>

#include "audiostyle/errors.h"
#include "host/extractors/band_view.h"
#include "host/extractors/composite.h"
#include "host/extractors/mel_view.h"
#include "host/extractors/vgg16.h"
#include "host/extractors/vggish.h"

namespace audiostyle {

const char* const kVgg16WeightsHelp =
    "vgg16 needs --weights FILE: download torchvision's ImageNet VGG16 "
    "(https://download.pytorch.org/models/vgg16-397923af.pth) and convert it with "
    "'python3 scripts/convert_weights.py vgg16 vgg16-397923af.pth vgg16.safetensors'";
const char* const kVggishWeightsHelp =
    "vggish needs --weights FILE: download torchvggish's VGGish "
    "(https://github.com/harritaylor/torchvggish/releases/download/v0.1/vggish-10086976.pth) and "
    "convert it with 'python3 scripts/convert_weights.py vggish vggish-10086976.pth "
    "vggish.safetensors'";

const char* to_string(ExtractorKind k) {
  switch (k) {
    case ExtractorKind::vgg16: return "vgg16";
    case ExtractorKind::vggish: return "vggish";
    default: return "random_conv1d";
  }
}
const char* to_string(VggInput v) { return v == VggInput::mel ? "mel" : "linear"; }

const char* to_string(UnseenBins u) { return u == UnseenBins::keep ? "keep" : "follow"; }

std::string to_string(const BinBand& b) {
  if (b.kind == BandKind::full) return "full";
  if (b.kind == BandKind::unseen) return "unseen";
  char text[64];
  std::snprintf(text, sizeof text, "%g-%g", b.lo_hz, b.hi_hz);
  return text;
}

std::string extractors_name(const TransferConfig& c) {
  std::string name;
  for (const auto& t : c.extractors) {
    if (!name.empty()) name += '+';
    name += to_string(t.kind);
  }
  return name;
}

bool uses_extractor(const TransferConfig& c, ExtractorKind kind) {
  return std::any_of(c.extractors.begin(), c.extractors.end(),
                     [&](const ExtractorTerm& t) { return t.kind == kind; });
}

ExtractorKind pretrained_extractor(const TransferConfig& c) {
  for (const auto& t : c.extractors)
    if (t.kind != ExtractorKind::random_conv1d) return t.kind;
  return ExtractorKind::random_conv1d;
}

namespace {

const NetSpec& net_of(ExtractorKind k) { return k == ExtractorKind::vggish ? vggish_net() : vgg16_net(); }

StackLayers layers_of(const TransferConfig& c, ExtractorKind k, bool with_content) {
  return resolve_stack_layers(net_of(k), c.content_layers, c.style_layers,
                              with_content && c.alpha > 0);
}

// --vgg-input mel: librosa.filters.mel's defaults (Slaney scale and area norm, 0 to sr/2).
MelBankSpec mel_spec(const TransferConfig& c) {
  return MelBankSpec{c.sample_rate_hz, c.n_fft, c.mel_bins, 0.0, c.sample_rate_hz / 2.0,
                     MelScale::slaney, MelNorm::slaney};
}

// The width of the image a network's convs see: the linear bins, the mel bands, VGGish's 64.
int image_width(const TransferConfig& c, ExtractorKind k) {
  if (k == ExtractorKind::vggish) return kVggishBands;
  return c.vgg_input == VggInput::mel ? c.mel_bins : c.n_fft / 2 + 1;
}

std::shared_ptr<const StackFrontFactory> front_of(ExtractorKind k) {
  return k == ExtractorKind::vggish ? vggish_front(nullptr) : vgg16_front(nullptr);
}

std::string band_name(const TransferConfig& c) {
  if (c.conv1d_band.kind == BandKind::unseen)
    return std::string("the bins ") + to_string(pretrained_extractor(c)) + " does not see";
  return "the bins from " + to_string(c.conv1d_band) + " Hz";
}

std::unique_ptr<FeatureExtractor> make_one(Backend& backend, const TransferConfig& c,
                                           ExtractorKind kind, bool with_content) {
  const int C = c.n_fft / 2 + 1;
  if (kind == ExtractorKind::random_conv1d) {
    if (c.conv1d_band.kind == BandKind::full)
      return make_random_conv1d(backend, C, c.n_filters, c.kernel_width, c.seed, c.precision);
    std::vector<int> bins = conv1d_bins(c);
    auto conv = make_random_conv1d(backend, int(bins.size()), c.n_filters, c.kernel_width, c.seed,
                                   c.precision);
    return make_band_view(backend, std::move(bins), C, band_name(c), std::move(conv));
  }
  if (c.weights_path.empty())
    throw UsageError(kind == ExtractorKind::vggish ? kVggishWeightsHelp : kVgg16WeightsHelp);
  const StackLayers layers = layers_of(c, kind, with_content);
  const StackWeights weights = load_stack_weights(net_of(kind), c.weights_path, layers.conv_count());
  if (kind == ExtractorKind::vggish) {
    check_vggish_geometry(c);
    return make_vggish(backend, weights, layers, c.sample_rate_hz, c.n_fft, c.precision);
  }
  Vgg16Options options;
  options.layers = layers;
  options.n_bins = image_width(c, kind);
  auto vgg16 = make_vgg16(backend, weights, options, c.precision);
  if (c.vgg_input == VggInput::linear) return vgg16;
  return make_mel_view(backend, mel_spec(c), std::move(vgg16));
}

// The run's pretrained network looks at the spectrogram through a mel bank (VGGish; vgg16 on
// --vgg-input mel).
bool has_mel_front(const TransferConfig& c) {
  const ExtractorKind net = pretrained_extractor(c);
  return net == ExtractorKind::vggish ||
         (net == ExtractorKind::vgg16 && c.vgg_input == VggInput::mel);
}

// The bins whose column of that mel bank is all zero.
std::vector<int> bins_without_mel_weight(const TransferConfig& c) {
  const int C = c.n_fft / 2 + 1;
  const MelBankSpec spec = pretrained_extractor(c) == ExtractorKind::vggish
                               ? vggish_mel_bank_spec(c.sample_rate_hz, c.n_fft)
                               : mel_spec(c);
  const std::vector<float> bank = mel_filterbank(spec);
  std::vector<int> bins;
  for (int k = 0; k < C; ++k) {
    bool seen = false;
    for (int m = 0; m < spec.n_mels; ++m) seen = seen || bank[size_t(m) * C + k] != 0.0f;
    if (!seen) bins.push_back(k);
  }
  return bins;
}

}  // namespace

std::vector<int> conv1d_bins(const TransferConfig& c) {
  const int C = c.n_fft / 2 + 1;
  std::vector<int> bins;
  if (c.conv1d_band.kind == BandKind::full) {
    for (int k = 0; k < C; ++k) bins.push_back(k);
    return bins;
  }
  if (c.conv1d_band.kind == BandKind::hz) {
    for (int k = 0; k < C; ++k) {
      const double hz = double(k) * c.sample_rate_hz / c.n_fft;
      if (hz >= c.conv1d_band.lo_hz && hz <= c.conv1d_band.hi_hz) bins.push_back(k);
    }
    if (bins.empty())
      throw UsageError("--conv1d-band " + to_string(c.conv1d_band) + ": no bin of n_fft " +
                       std::to_string(c.n_fft) + " at " + std::to_string(c.sample_rate_hz) +
                       " Hz lies in that band");
    return bins;
  }
  // unseen: the bins the network's mel bank gives no weight.
  const ExtractorKind net = pretrained_extractor(c);
  if (!has_mel_front(c))
    throw UsageError(net == ExtractorKind::random_conv1d
                         ? "--conv1d-band unseen needs a pretrained network in --extractor "
                           "(e.g. vggish+random_conv1d)"
                         : "--conv1d-band unseen: vgg16 on the linear bins sees every bin");
  bins = bins_without_mel_weight(c);
  if (bins.empty())
    throw UsageError(std::string("--conv1d-band unseen: ") + to_string(net) +
                     " sees every bin at this rate and n_fft");
  return bins;
}

std::vector<int> unseen_bins(const TransferConfig& c) {
  if (!has_mel_front(c)) return {};
  std::vector<int> unseen = bins_without_mel_weight(c);
  if (!uses_extractor(c, ExtractorKind::random_conv1d)) return unseen;
  const std::vector<int> covered = conv1d_bins(c);
  std::vector<int> out;
  std::set_difference(unseen.begin(), unseen.end(), covered.begin(), covered.end(),
                      std::back_inserter(out));
  return out;
}

void apply_extractor_geometry(TransferConfig& c) {
  if (!uses_extractor(c, ExtractorKind::vggish)) return;
  const StftGeometry g = vggish_stft(c.sample_rate_hz);
  c.n_fft = g.n_fft, c.hop = g.hop, c.win_length = g.win_length;
}

void check_vggish_geometry(const TransferConfig& c) {
  const StftGeometry g = vggish_stft(c.sample_rate_hz);
  const int win = c.win_length > 0 ? c.win_length : c.n_fft;
  if (c.n_fft != g.n_fft || c.hop != g.hop || win != g.win_length)
    throw UsageError("vggish frames the spectrogram its own way: at " +
                     std::to_string(c.sample_rate_hz) + " Hz n_fft " + std::to_string(g.n_fft) +
                     ", hop " + std::to_string(g.hop) + ", window " +
                     std::to_string(g.win_length) + " (25 ms / 10 ms), not n_fft " +
                     std::to_string(c.n_fft) + ", hop " + std::to_string(c.hop) + ", window " +
                     std::to_string(win) + "; leave --n-fft, --hop and --win-length unset");
}

std::unique_ptr<FeatureExtractor> make_extractor(Backend& backend, const TransferConfig& c,
                                                 bool with_content) {
  AS_CHECK(!c.extractors.empty(), "make_extractor: no extractor");
  if (c.extractors.size() == 1 && c.extractors.front().weight == 1.0f)
    return make_one(backend, c, c.extractors.front().kind, with_content);
  std::vector<ExtractorPart> parts;
  for (const auto& t : c.extractors)
    parts.push_back({to_string(t.kind), t.weight, make_one(backend, c, t.kind, with_content)});
  return make_composite(backend, std::move(parts), c.n_fft / 2 + 1);
}

std::string extractor_key(const TransferConfig& c, bool with_content) {
  std::string key;
  auto add = [&key](const std::string& part) {
    key += '|';
    key += part;
  };
  add(std::to_string(c.n_fft));
  add(std::to_string(c.hop));
  add(std::to_string(c.win_length));
  add(to_string(c.precision));
  add("rate:" + std::to_string(c.sample_rate_hz));
  for (const auto& t : c.extractors) {
    add(to_string(t.kind));
    add(std::to_string(t.weight));
    if (t.kind == ExtractorKind::random_conv1d) {
      // An unseen band follows the network, whose settings the key holds below.
      add(std::to_string(c.n_filters));
      add(std::to_string(c.kernel_width));
      add(std::to_string(c.seed));
      add("band:" + to_string(c.conv1d_band));
      continue;
    }
    const StackLayers layers = layers_of(c, t.kind, with_content);
    add(c.weights_path);
    if (t.kind == ExtractorKind::vgg16) {
      add(to_string(c.vgg_input));
      if (c.vgg_input == VggInput::mel) add("mel:" + std::to_string(c.mel_bins));
    }
    for (const auto& l : layers.content) add("c:" + l.name + ":" + std::to_string(l.weight));
    for (const auto& l : layers.style) add("s:" + l.name + ":" + std::to_string(l.weight));
  }
  return key;
}

int extractor_min_frames(const TransferConfig& c, bool with_content) {
  int frames = 1;
  for (const auto& t : c.extractors) {
    if (t.kind == ExtractorKind::random_conv1d) frames = std::max(frames, c.kernel_width);
    else if (t.kind == ExtractorKind::vgg16)
      frames = std::max(frames, 1 << layers_of(c, t.kind, with_content).pools());
  }
  return frames;
}

int extractor_min_width(const TransferConfig& c, bool with_content) {
  const ExtractorKind k = pretrained_extractor(c);
  return k == ExtractorKind::random_conv1d ? 1 : 1 << layers_of(c, k, with_content).pools();
}

void add_extractor_memory(MemoryPlan& plan, const TransferConfig& c, int64_t n_frames, int batch,
                          bool with_content) {
  auto add = [&](std::string name, int64_t count, bool persistent = false) {
    plan.items.push_back(
        {std::move(name), size_t(std::max<int64_t>(count, 0)) * sizeof(float), persistent});
  };
  const int64_t C = c.n_fft / 2 + 1, B = batch;
  if (c.extractors.size() > 1) add("extractor gradient of one part [B, T, C]", B * n_frames * C);
  for (const auto& t : c.extractors) {
    if (t.kind == ExtractorKind::random_conv1d) {
      const int64_t F = c.n_filters, K = c.kernel_width;
      const int64_t rows = std::max<int64_t>(n_frames - K + 1, 0);
      // On a band, the conv's channels are the band's bins (band_view.h).
      const int64_t n = c.conv1d_band.kind == BandKind::full ? C : int64_t(conv1d_bins(c).size());
      if (n != C)
        add("band of the conv (bins, their gradient)", band_view_floats(n_frames, int(n), batch));
      add("conv weights [F, K, C]", F * K * n, true);
      add("style gram Gs [F, F]", F * F, true);
      add("conv workspace (padded input, gradient)", 2 * B * n_frames * (n + 8));
      if (with_content) add("content features Ac [B, T', F]", B * rows * F);
      add("features A, dA [B, T', F]", 2 * B * rows * F);
      add("gram error [B, F, F]", B * F * F);
      continue;
    }
    const std::string net = to_string(t.kind);
    const int width = image_width(c, t.kind);
    const StackLayers layers = layers_of(c, t.kind, with_content);
    const auto front = front_of(t.kind);
    const StackFootprint f = stack_footprint(layers, *front, n_frames, width, batch);
    // The largest chunk: a short tail joins the chunk before it.
    const int64_t chunk = style_chunk_frames(c) + front->frame_multiple(layers);
    const StackFootprint style = stack_footprint(layers, *front, chunk, width, 1);
    add(net + " weights", f.weights, true);
    add(net + " style grams Gs", f.style_grams, true);
    add(net + " style chunk activations (while the style Grams are made)", style.activations);
    if (with_content) add(net + " content targets Ac", f.content_targets);
    add(net + " activations (every layer the backward pass needs)", f.activations);
    add(net + " backward scratch (two gradients of the largest layer)", f.scratch);
    add(net + " layer gradients dA", f.output_grads);
    add(net + " gram errors", f.gram_errors);
    if (t.kind == ExtractorKind::vggish || c.vgg_input == VggInput::mel) {
      const MelViewFootprint mel = mel_view_footprint(n_frames, int(C), width, batch);
      const MelViewFootprint style_mel = mel_view_footprint(chunk, int(C), width, 1);
      add("mel filterbank", mel.bank, true);
      add("mel view of a style chunk", style_mel.activations + style_mel.workspace);
      add("mel view (magnitude, band sums, image)", mel.activations);
      add("mel view backward scratch", mel.scratch);
      add("mel projection workspace (padded input, gradient)", mel.workspace);
    }
  }
}

int64_t style_chunk_frames(const TransferConfig& c) {
  if (!uses_extractor(c, ExtractorKind::vgg16)) return c.style_chunk_frames;
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
         "                 defaults\n"
         "  vggish         method 2 (Wang & Chu): AudioSet VGGish on its 64-band log-mel of the\n"
         "                 full-band spectrogram (25 ms window, 10 ms hop at the working rate);\n"
         "                 needs --weights FILE (torchvggish's vggish-10086976.pth converted by\n"
         "                 scripts/convert_weights.py); layers relu1..relu6; the bins it does\n"
         "                 not see follow the content (--unseen-bins); --recipe vggish\n"
         "  A+B            several on one spectrogram, e.g. vggish+random_conv1d, weighted by\n"
         "                 --extractor-weights WA,WB\n";
}

}  // namespace audiostyle
