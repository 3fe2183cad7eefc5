#include "host/eval/evaluate.h"

#include <cmath>
#include <cstdio>

#include "audiostyle/errors.h"

namespace audiostyle::eval {
namespace {

// What the spectral measures need of one signal, at the analysis rate, mono.
struct Analysis {
  std::vector<float> mono;
  Spectrogram chroma;
  std::vector<float> onsets;
  std::vector<double> long_term_db;
  std::vector<std::vector<float>> grams;  // one per net
};

Analysis analyse(Backend& backend, const Audio& audio, const EvalOptions& o,
                 const std::vector<GramNet>& nets, const std::vector<float>& mel_bank,
                 const std::vector<float>& chroma_bank) {
  Audio mono = audio.n_channels() == 1 ? audio : downmix(audio);
  if (mono.sample_rate_hz != o.sample_rate_hz) mono = resample(mono, o.sample_rate_hz);
  Analysis a;
  a.mono = std::move(mono.channels.at(0));
  const Spectrogram power = power_spectrogram(backend, a.mono, o.n_fft, o.hop);
  const Spectrogram mel = mel_spectrogram(power, mel_bank, o.n_mels);
  a.chroma = chroma(power, chroma_bank);
  a.onsets = onset_envelope(power_to_db(mel, 80.0));
  a.long_term_db = long_term_spectrum_db(mel);
  for (const GramNet& net : nets) a.grams.push_back(net_gram(backend, net, a.mono, o.n_fft, o.hop));
  return a;
}

std::optional<double> mean_gram_distance(const Analysis& a, const Analysis& style) {
  double sum = 0;
  for (size_t i = 0; i < a.grams.size(); ++i) sum += relative_gram_distance(a.grams[i], style.grams[i]);
  return a.grams.empty() ? std::nullopt : std::optional<double>(sum / double(a.grams.size()));
}

nlohmann::json optional_json(const std::optional<double>& v) {
  return v && std::isfinite(*v) ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

struct Row {
  const char* group;
  const char* name;
  const char* better;  // "lower", "higher" or "" (informative)
  const char* format;
  std::optional<double> (*get)(const Scores&);
};

const Row kRows[] = {
    {"style", "gram distance", "lower", "%.4f", [](const Scores& s) { return s.gram_distance; }},
    {"style", "long-term spectrum (dB)", "lower", "%.2f",
     [](const Scores& s) { return s.spectrum_distance_db; }},
    {"content", "chroma similarity", "higher", "%.4f",
     [](const Scores& s) { return s.chroma_similarity; }},
    {"content", "onset correlation", "higher", "%.4f",
     [](const Scores& s) { return s.onset_correlation; }},
    {"signal", "spectral convergence (dB)", "lower", "%.2f",
     [](const Scores& s) { return s.spectral_convergence_db; }},
    {"signal", "peak (dBFS)", "", "%.2f",
     [](const Scores& s) { return std::optional<double>(s.signal.peak_dbfs); }},
    {"signal", "clipped samples", "lower", "%.0f",
     [](const Scores& s) { return std::optional<double>(double(s.signal.clipped)); }},
    {"signal", "DC offset", "lower", "%.5f",
     [](const Scores& s) { return std::optional<double>(s.signal.dc); }},
    {"signal", "loudness (LUFS)", "", "%.2f", [](const Scores& s) { return s.signal.lufs; }},
};

}  // namespace

Evaluation evaluate(Backend& backend, const Audio& output, const Audio* content,
                    const Audio* style, const EvalOptions& o) {
  if (!content && !style) throw UsageError("evaluate needs --content, --style or both");
  Evaluation e;
  e.options = o;
  e.nets = style ? evaluation_nets(o.n_nets, o.net_filters, o.avoid_kernel_width)
                 : std::vector<GramNet>{};
  const std::vector<float> mel_bank =
      mel_filterbank(o.sample_rate_hz, o.n_fft, o.n_mels, 0.0, o.sample_rate_hz / 2.0);
  const std::vector<float> chroma_bank = chroma_filterbank(o.sample_rate_hz, o.n_fft);

  std::vector<const Audio*> inputs{&output};
  e.columns.push_back("output");
  if (content) {
    inputs.push_back(content);
    e.columns.push_back("content");
  }
  if (style) {
    inputs.push_back(style);
    e.columns.push_back("style");
  }
  std::vector<Analysis> analyses;
  for (const Audio* audio : inputs)
    analyses.push_back(analyse(backend, *audio, o, e.nets, mel_bank, chroma_bank));
  const Analysis* content_analysis = content ? &analyses[1] : nullptr;
  const Analysis* style_analysis = style ? &analyses.back() : nullptr;

  for (size_t i = 0; i < inputs.size(); ++i) {
    Scores s;
    const Analysis& a = analyses[i];
    if (style_analysis) {
      s.gram_distance = mean_gram_distance(a, *style_analysis);
      s.spectrum_distance_db = rms_difference_db(a.long_term_db, style_analysis->long_term_db);
    }
    if (content_analysis) {
      s.chroma_similarity = chroma_similarity(a.chroma, content_analysis->chroma);
      s.onset_correlation = pearson(a.onsets, content_analysis->onsets);
    }
    s.signal = signal_stats(*inputs[i]);
    if (i == 0) s.spectral_convergence_db = o.spectral_convergence_db;
    e.scores.push_back(std::move(s));
  }
  return e;
}

std::string format_table(const Evaluation& e) {
  std::string out;
  char line[256];
  std::snprintf(line, sizeof line, "%-34s", "measure");
  out += line;
  for (const auto& c : e.columns) {
    std::snprintf(line, sizeof line, " %12s", c.c_str());
    out += line;
  }
  out += "  better\n";
  for (const Row& row : kRows) {
    bool any = false;
    for (const Scores& s : e.scores) any |= row.get(s).has_value();
    if (!any) continue;
    std::string name = std::string(row.group) + ": " + row.name;
    if (std::string(row.name) == "gram distance")
      name += " (" + std::to_string(e.nets.size()) + " nets)";
    std::snprintf(line, sizeof line, "%-34s", name.c_str());
    out += line;
    for (const Scores& s : e.scores) {
      const auto v = row.get(s);
      char value[64] = "-";
      if (v && std::isfinite(*v)) std::snprintf(value, sizeof value, row.format, *v);
      else if (v) std::snprintf(value, sizeof value, "%s", *v < 0 ? "-inf" : "inf");
      std::snprintf(line, sizeof line, " %12s", value);
      out += line;
    }
    out += std::string("  ") + row.better + "\n";
  }
  return out;
}

nlohmann::json to_json(const Evaluation& e) {
  const EvalOptions& o = e.options;
  nlohmann::json nets = nlohmann::json::array();
  for (const auto& n : e.nets)
    nets.push_back({{"seed", n.seed}, {"filters", n.n_filters}, {"kernel_width", n.kernel_width}});
  nlohmann::json candidates = nlohmann::json::object();
  for (size_t i = 0; i < e.columns.size(); ++i) {
    const Scores& s = e.scores[i];
    candidates[e.columns[i]] = {
        {"style", {{"gram_distance", optional_json(s.gram_distance)},
                   {"long_term_spectrum_distance_db", optional_json(s.spectrum_distance_db)}}},
        {"content", {{"chroma_similarity", optional_json(s.chroma_similarity)},
                     {"onset_correlation", optional_json(s.onset_correlation)}}},
        {"signal", {{"spectral_convergence_db", optional_json(s.spectral_convergence_db)},
                    {"peak", s.signal.peak},
                    {"peak_dbfs", optional_json(s.signal.peak_dbfs)},
                    {"clipped_samples", s.signal.clipped},
                    {"dc_offset", s.signal.dc},
                    {"loudness_lufs", optional_json(s.signal.lufs)}}},
    };
  }
  return {{"analysis", {{"sample_rate_hz", o.sample_rate_hz},
                        {"n_fft", o.n_fft},
                        {"hop", o.hop},
                        {"n_mels", o.n_mels},
                        {"gram_nets", nets}}},
          {"better", {{"gram_distance", "lower"},
                      {"long_term_spectrum_distance_db", "lower"},
                      {"chroma_similarity", "higher"},
                      {"onset_correlation", "higher"},
                      {"spectral_convergence_db", "lower"},
                      {"clipped_samples", "lower"},
                      {"dc_offset", "lower"}}},
          {"candidates", candidates}};
}

}  // namespace audiostyle::eval
