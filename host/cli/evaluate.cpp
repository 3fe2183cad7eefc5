// `evaluate OUTPUT --content C --style S` and what transfer and texture add with --evaluate and
// --plots DIR: the measures of host/eval beside the trivial answers, and the pictures of host/plot.
#include <cstdio>
#include <filesystem>
#include <map>

#include "audiostyle/errors.h"
#include "host/cli/commands.h"
#include "host/cli/output_guard.h"
#include "host/cli/report.h"
#include "host/eval/evaluate.h"
#include "host/plot/plot.h"

namespace audiostyle::cli {
namespace {

// Log-mel in dB (librosa.power_to_db, ref 1, no floor: the plot sets its own range) of a mono
// downmix, at the given STFT settings, 128 bands from 0 Hz to Nyquist.
plot::SpectrogramPanel mel_panel(Backend& backend, const std::string& title, const Audio& audio,
                                 int n_fft, int hop) {
  constexpr int kMels = 128;
  const Audio mono = audio.n_channels() == 1 ? audio : downmix(audio);
  const auto bank =
      eval::mel_filterbank(mono.sample_rate_hz, n_fft, kMels, 0.0, mono.sample_rate_hz / 2.0);
  const eval::Spectrogram power = eval::power_spectrogram(backend, mono.channels.at(0), n_fft, hop);
  return {title, eval::power_to_db(eval::mel_spectrogram(power, bank, kMels), 0.0),
          double(hop) / mono.sample_rate_hz};
}

io::StagedFile write_spectrogram_plot(Backend& backend, const std::string& dir,
                                      const std::vector<std::pair<std::string, const Audio*>>& audios,
                                      int n_fft, int hop) {
  plot::SpectrogramFigure figure;
  const int rate = audios.at(0).second->sample_rate_hz;
  figure.fmax_hz = rate / 2.0;
  for (const auto& [title, audio] : audios) {
    Audio at_rate = *audio;
    if (at_rate.sample_rate_hz != rate) at_rate = resample(at_rate, rate);
    figure.panels.push_back(mel_panel(backend, title, at_rate, n_fft, hop));
  }
  io::StagedFile staged;
  plot::write_spectrograms((std::filesystem::path(dir) / "spectrograms.png").string(), figure,
                           &staged);
  return staged;
}

void print_evaluation(const eval::Evaluation& evaluation) {
  std::fputs(eval::format_table(evaluation).c_str(), stdout);
  std::fflush(stdout);
}

}  // namespace

void prepare_plots_dir(const std::string& dir) {
  if (dir.empty()) return;
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (!fs::is_directory(dir))
    throw InputError("--plots " + dir + ": cannot create the folder" +
                     (ec ? ": " + ec.message() : std::string()));
}

nlohmann::json run_extras(Backend& backend, const RunOptions& options, const Audio* content,
                          const Audio& style, const TransferResult& result,
                          std::vector<io::StagedFile>& plots) {
  const TransferConfig& c = options.config;
  if (!options.plots_dir.empty()) {
    std::vector<std::pair<std::string, const Audio*>> audios;
    if (content) audios.push_back({"content", content});
    audios.push_back({"style", &style});
    audios.push_back({"output", &result.output});
    plots.push_back(write_spectrogram_plot(backend, options.plots_dir, audios, c.n_fft, c.hop));
    std::map<int, plot::LossSeries> segments;
    // Each segment from its starting point (iteration 0, kept apart in result.initial) on.
    auto add = [&](const IterationRecord& it) {
      plot::LossSeries& s = segments[it.segment];
      if (s.total.empty()) s.first_iteration = it.iteration;
      s.total.push_back(it.total);
      s.content.push_back(it.content);
      s.style.push_back(it.style);
    };
    for (const IterationRecord& it : result.initial) add(it);
    for (const IterationRecord& it : result.iterations) add(it);
    std::vector<plot::LossSeries> series;
    for (auto& [segment, s] : segments) {
      s.title = segments.size() > 1 ? "segment " + std::to_string(segment + 1) : "optimisation";
      series.push_back(std::move(s));
    }
    if (!series.empty()) {
      plots.emplace_back();
      plot::write_loss_curves((std::filesystem::path(options.plots_dir) / "losses.png").string(),
                              series, &plots.back());
    }
  }
  if (!options.evaluate) return nullptr;
  eval::EvalOptions eo;
  eo.avoid_kernel_width = c.kernel_width;
  eo.spectral_convergence_db = result.spectral_convergence_db;
  const eval::Evaluation evaluation = eval::evaluate(backend, result.output, content, &style, eo);
  print_evaluation(evaluation);
  return eval::to_json(evaluation);
}

struct EvaluateOptions {
  std::string output_path, content_path, style_path, report_path, plots_dir;
  std::string device = "auto";
  bool quiet = false, no_clobber = false;
};

CLI::App* add_evaluate_command(CLI::App& app, std::shared_ptr<EvaluateOptions>& options) {
  options = std::make_shared<EvaluateOptions>();
  auto* cmd = app.add_subcommand(
      "evaluate", "Score an output on measures that are not the optimised loss, beside the "
                  "trivial answers (the content itself, the style itself)");
  cmd->add_option("output", options->output_path, "The output to score")->required();
  cmd->add_option("--content", options->content_path, "The content it was made from");
  cmd->add_option("--style", options->style_path, "The style it was made from");
  cmd->add_option("--report", options->report_path, "Write the scores as JSON");
  cmd->add_option("--plots", options->plots_dir,
                  "Write spectrograms.png (content, style, output) into this folder");
  cmd->add_option("--device", options->device, "auto, cpu or cuda")->capture_default_str();
  cmd->add_flag("-q,--quiet", options->quiet, "No notices on stderr");
  cmd->add_flag("--no-clobber", options->no_clobber,
                "Refuse to replace an existing report or plot (exit 2 before any work)");
  return cmd;
}

int run_evaluate(EvaluateOptions& o) {
  if (o.content_path.empty() && o.style_path.empty())
    throw UsageError("evaluate needs --content, --style or both");
  if (o.device != "auto" && o.device != "cpu" && o.device != "cuda")
    throw UsageError("--device must be auto, cpu or cuda, not '" + o.device + "'");
  // The shared guard: the report and the plot never land on a file this command reads.
  std::vector<NamedPath> inputs{{o.output_path, "the output scored"}}, outputs;
  if (!o.content_path.empty()) inputs.push_back({o.content_path, "the content"});
  if (!o.style_path.empty()) inputs.push_back({o.style_path, "the style"});
  if (!o.report_path.empty()) outputs.push_back({o.report_path, "the report"});
  if (!o.plots_dir.empty())
    outputs.push_back({(std::filesystem::path(o.plots_dir) / "spectrograms.png").string(),
                       "the plot"});
  check_output_paths(inputs, outputs, o.no_clobber);
  if (!o.report_path.empty()) {
    const auto parent = std::filesystem::path(o.report_path).parent_path();
    if (!parent.empty() && !std::filesystem::is_directory(parent))
      throw InputError("cannot write the report " + o.report_path + ": folder " +
                       parent.string() + " does not exist");
  }
  prepare_plots_dir(o.plots_dir);
  // Each file as it is (own rate and channels): the signal measures take it so; the spectral
  // ones resample and downmix to the analysis rate.
  const ReadOptions as_is{0, false, 0, 0};
  const Audio output = read_audio(o.output_path, as_is);
  std::optional<Audio> content, style;
  if (!o.content_path.empty()) content = read_audio(o.content_path, as_is);
  if (!o.style_path.empty()) style = read_audio(o.style_path, as_is);
  auto backend = choose_backend(o.device, o.quiet);
  const eval::Evaluation evaluation = eval::evaluate(
      *backend, output, content ? &*content : nullptr, style ? &*style : nullptr, {});
  print_evaluation(evaluation);
  io::StagedFile plot_file, report_file;
  if (!o.plots_dir.empty()) {
    std::vector<std::pair<std::string, const Audio*>> audios;
    if (content) audios.push_back({"content", &*content});
    if (style) audios.push_back({"style", &*style});
    audios.push_back({"output", &output});
    // At the analysis settings, so the pictures of any two outputs compare.
    const eval::EvalOptions analysis;
    Audio first = *audios[0].second;
    if (first.sample_rate_hz != analysis.sample_rate_hz)
      first = resample(first, analysis.sample_rate_hz);
    audios[0].second = &first;
    plot_file = write_spectrogram_plot(*backend, o.plots_dir, audios, analysis.n_fft, analysis.hop);
  }
  if (!o.report_path.empty()) {
    nlohmann::json report = {{"version", AUDIOSTYLE_VERSION},
                             {"command", "evaluate"},
                             {"output", o.output_path},
                             {"content", o.content_path.empty() ? nlohmann::json(nullptr)
                                                                : nlohmann::json(o.content_path)},
                             {"style", o.style_path.empty() ? nlohmann::json(nullptr)
                                                            : nlohmann::json(o.style_path)},
                             {"backend", backend->name()},
                             {"device", backend->device_name()},
                             {"evaluation", eval::to_json(evaluation)}};
    report_file = stage_report(o.report_path, report);
  }
  commit_outputs({&plot_file, &report_file}, o.no_clobber);
  return kExitOk;
}

}  // namespace audiostyle::cli
