#include "host/cli/extractor_options.h"

#include <cmath>

#include "audiostyle/errors.h"
#include "host/extractors/extractors.h"

namespace audiostyle::cli {

void add_extractor_flags(CLI::App& app, ExtractorFlags& f, TransferConfig& c, bool texture) {
  app.add_option("--extractor", f.extractor,
                 "random_conv1d (method 1), vgg16 or vggish (method 2, need --weights), or a sum "
                 "of them on one spectrogram, e.g. vggish+random_conv1d")
      ->capture_default_str();
  app.add_option("--extractor-weights", f.extractor_weights,
                 "Weights of the --extractor sum's terms, WA,WB,... (default 1 each)");
  app.add_option("--conv1d-band", f.conv1d_band,
                 "Bins the random conv sees: full, unseen (those the pretrained network does not "
                 "see: vggish's <125 Hz and >7.5 kHz), or LO-HI in Hz")
      ->capture_default_str();
  app.add_option("--unseen-bins", f.unseen_bins,
                 "Bins no extractor sees (vggish: <125 Hz, >7.5 kHz): follow the content at the "
                 "style's spectral balance, or keep what the optimisation left (near silence)")
      ->capture_default_str();
  app.add_option("--weights", c.weights_path,
                 "vgg16 or vggish weights: safetensors from scripts/convert_weights.py");
  if (!texture)
    app.add_option("--content-layers", f.content_layers,
                   "vgg16/vggish content layers NAME[:WEIGHT],... (default conv3_1 / relu5)");
  app.add_option("--style-layers", f.style_layers,
                 "vgg16/vggish style layers NAME[:WEIGHT],... or 'all' (default conv1_1,conv1_2,"
                 "conv2_1,conv2_2 / relu1)");
  app.add_option("--vgg-input", f.vgg_input,
                 "vgg16 image: the linear bins, or a mel view of them (--mel-bins bands)")
      ->capture_default_str();
  app.add_option("--mel-bins", c.mel_bins,
                 "mel bands of --vgg-input mel (librosa's Slaney filterbank, 0 to half the rate)")
      ->capture_default_str();
  app.add_option("--lowpass", c.lowpass_hz,
                 "Post-filter: low-pass at HZ (4th-order Butterworth magnitude; 0 = off)")
      ->capture_default_str();
  app.add_option("--mid-boost", c.mid_boost_db,
                 "Post-filter: boost DB around the voice band (0 = off)")
      ->capture_default_str();
  app.add_option("--mid-boost-hz", c.mid_boost_hz, "Centre of --mid-boost")->capture_default_str();
  app.add_option("--mid-boost-octaves", c.mid_boost_octaves,
                 "Width of --mid-boost in octaves (at half the boost)")
      ->capture_default_str();
}

std::vector<LayerWeight> parse_layer_list(const std::string& text, const std::string& flag) {
  std::vector<LayerWeight> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    const std::string item = text.substr(start, end - start);
    const size_t colon = item.find(':');
    LayerWeight layer{item.substr(0, colon), 1.0f};
    if (layer.name.empty()) throw UsageError(flag + ": an empty layer name in '" + text + "'");
    if (colon != std::string::npos) {
      const std::string weight = item.substr(colon + 1);
      try {
        size_t used = 0;
        layer.weight = std::stof(weight, &used);
        if (used != weight.size()) throw std::invalid_argument("trailing");
      } catch (const std::exception&) {
        throw UsageError(flag + ": the weight of " + layer.name + " must be a number, not '" +
                         weight + "'");
      }
      if (!std::isfinite(layer.weight) || layer.weight < 0)
        throw UsageError(flag + ": the weight of " + layer.name + " must be finite and >= 0");
    }
    out.push_back(layer);
    start = end + 1;
  }
  return out;
}

namespace {

ExtractorKind parse_kind(const std::string& name) {
  if (name == "random_conv1d" || name == "random1d") return ExtractorKind::random_conv1d;
  if (name == "vgg16") return ExtractorKind::vgg16;
  if (name == "vggish") return ExtractorKind::vggish;
  throw UsageError("--extractor: '" + name + "' is not an extractor (random_conv1d, vgg16, vggish, "
                   "or a sum of them joined by '+')");
}

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    const size_t end = text.find(separator, start);
    out.push_back(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) return out;
    start = end + 1;
  }
}

std::vector<ExtractorTerm> parse_extractors(const ExtractorFlags& f) {
  std::vector<ExtractorTerm> terms;
  int pretrained = 0;
  for (const std::string& name : split(f.extractor, '+')) {
    const ExtractorKind kind = parse_kind(name);
    for (const auto& t : terms)
      if (t.kind == kind)
        throw UsageError("--extractor: " + std::string(to_string(kind)) + " is listed twice");
    pretrained += kind != ExtractorKind::random_conv1d;
    terms.push_back({kind, 1.0f});
  }
  if (pretrained > 1)
    throw UsageError("--extractor: one pretrained network per run (vgg16 or vggish): --weights and "
                     "the layer lists are for one network");
  if (f.extractor_weights.empty()) return terms;
  const auto weights = split(f.extractor_weights, ',');
  if (weights.size() != terms.size())
    throw UsageError("--extractor-weights: " + std::to_string(weights.size()) + " weights for " +
                     std::to_string(terms.size()) + " extractors ('" + f.extractor + "')");
  for (size_t i = 0; i < terms.size(); ++i) {
    try {
      size_t used = 0;
      terms[i].weight = std::stof(weights[i], &used);
      if (used != weights[i].size()) throw std::invalid_argument("trailing");
    } catch (const std::exception&) {
      throw UsageError("--extractor-weights: '" + weights[i] + "' is not a number");
    }
    if (!std::isfinite(terms[i].weight) || terms[i].weight < 0)
      throw UsageError("--extractor-weights: each weight must be finite and >= 0");
  }
  return terms;
}

BinBand parse_band(const std::string& text) {
  if (text == "full") return {};
  if (text == "unseen") return {BandKind::unseen};
  const std::string bad = "--conv1d-band must be full, unseen or LO-HI in Hz (e.g. 8000-11025), "
                          "not '" + text + "'";
  const size_t dash = text.find('-', 1);
  if (dash == std::string::npos) throw UsageError(bad);
  BinBand band{BandKind::hz};
  try {
    size_t used_lo = 0, used_hi = 0;
    band.lo_hz = std::stod(text.substr(0, dash), &used_lo);
    band.hi_hz = std::stod(text.substr(dash + 1), &used_hi);
    if (used_lo != dash || used_hi != text.size() - dash - 1) throw std::invalid_argument("trail");
  } catch (const std::exception&) {
    throw UsageError(bad);
  }
  if (!std::isfinite(band.lo_hz) || !std::isfinite(band.hi_hz) || band.lo_hz < 0 ||
      band.hi_hz <= band.lo_hz)
    throw UsageError("--conv1d-band " + text + ": needs 0 <= LO < HI");
  return band;
}

}  // namespace

void finalize_extractor(const ExtractorFlags& f, TransferConfig& c, bool texture) {
  c.extractors = parse_extractors(f);
  if (f.vgg_input == "linear") c.vgg_input = VggInput::linear;
  else if (f.vgg_input == "mel") c.vgg_input = VggInput::mel;
  else throw UsageError("--vgg-input must be linear or mel, not '" + f.vgg_input + "'");
  c.content_layers = f.content_layers.empty() || texture
                         ? std::vector<LayerWeight>{}
                         : parse_layer_list(f.content_layers, "--content-layers");
  c.style_layers = f.style_layers.empty() ? std::vector<LayerWeight>{}
                                          : parse_layer_list(f.style_layers, "--style-layers");
  c.conv1d_band = parse_band(f.conv1d_band);
  if (f.unseen_bins == "follow") c.unseen_bins = UnseenBins::follow;
  else if (f.unseen_bins == "keep") c.unseen_bins = UnseenBins::keep;
  else throw UsageError("--unseen-bins must be follow or keep, not '" + f.unseen_bins + "'");
  if (c.conv1d_band.kind != BandKind::full && !uses_extractor(c, ExtractorKind::random_conv1d))
    throw UsageError("--conv1d-band is for random_conv1d, which --extractor " + f.extractor +
                     " does not include");
  const ExtractorKind net = pretrained_extractor(c);
  if (net == ExtractorKind::random_conv1d) {
    if (!c.content_layers.empty() || !c.style_layers.empty())
      throw UsageError("--content-layers and --style-layers need --extractor vgg16 or vggish");
    if (!c.weights_path.empty()) throw UsageError("--weights needs --extractor vgg16 or vggish");
  } else {
    if (c.weights_path.empty())
      throw UsageError(net == ExtractorKind::vggish ? kVggishWeightsHelp : kVgg16WeightsHelp);
    // Names, duplicates and "all" are checked here, before anything is read.
    const int min_side = extractor_min_width(c, !texture);
    if (net == ExtractorKind::vgg16 && c.vgg_input == VggInput::mel && c.mel_bins >= 1 &&
        c.mel_bins < min_side)
      throw UsageError("--mel-bins " + std::to_string(c.mel_bins) + ": vgg16 up to the deepest " +
                       "layer asked for pools the image to nothing; it needs at least " +
                       std::to_string(min_side) + " bands");
  }
  if (c.mel_bins < 1 || c.mel_bins > 1024) throw UsageError("--mel-bins must be in [1, 1024]");
  if (!std::isfinite(c.lowpass_hz) || c.lowpass_hz < 0) throw UsageError("--lowpass must be >= 0");
  if (!std::isfinite(c.mid_boost_db) || std::fabs(c.mid_boost_db) > 24)
    throw UsageError("--mid-boost must be in [-24, 24] dB");
  if (!std::isfinite(c.mid_boost_hz) || c.mid_boost_hz <= 0)
    throw UsageError("--mid-boost-hz must be > 0");
  if (!std::isfinite(c.mid_boost_octaves) || c.mid_boost_octaves <= 0 || c.mid_boost_octaves > 10)
    throw UsageError("--mid-boost-octaves must be in (0, 10]");
}

void add_extractor_report(nlohmann::json& j, const TransferConfig& c) {
  j["extractor"] = extractors_name(c);
  if (c.extractors.size() > 1) {
    nlohmann::json weights = nlohmann::json::object();
    for (const auto& t : c.extractors) weights[to_string(t.kind)] = t.weight;
    j["extractor_weights"] = weights;
  }
  if (uses_extractor(c, ExtractorKind::random_conv1d)) {
    j["conv1d_band"] = to_string(c.conv1d_band);
    if (c.conv1d_band.kind != BandKind::full) j["conv1d_bins"] = conv1d_bins(c).size();
  }
  j["unseen_bins"] = to_string(c.unseen_bins);
  const ExtractorKind net = pretrained_extractor(c);
  if (net != ExtractorKind::random_conv1d) {
    j["weights"] = c.weights_path;
    if (net == ExtractorKind::vgg16) {
      j["vgg_input"] = to_string(c.vgg_input);
      if (c.vgg_input == VggInput::mel) j["mel_bins"] = c.mel_bins;
    }
    auto layers = [](const std::vector<LayerWeight>& list) {
      nlohmann::json out = nlohmann::json::object();
      for (const auto& l : list) out[l.name] = l.weight;
      return out;
    };
    j["content_layers"] = layers(c.content_layers);
    j["style_layers"] = layers(c.style_layers);
  }
  j["lowpass_hz"] = c.lowpass_hz;
  j["mid_boost_db"] = c.mid_boost_db;
  j["mid_boost_hz"] = c.mid_boost_hz;
  j["mid_boost_octaves"] = c.mid_boost_octaves;
}

}  // namespace audiostyle::cli
