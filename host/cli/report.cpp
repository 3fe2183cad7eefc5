#include "host/cli/report.h"

#include <unistd.h>

#include <charconv>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <fstream>

#include "audiostyle/errors.h"

namespace audiostyle::cli {
namespace {

std::vector<std::string> g_command_line;

// A float as it was given (0.01, not 0.009999999776482582): its shortest decimal form, read back
// as a double.
double as_given(float value) {
  char text[32];
  const auto end = std::to_chars(text, text + sizeof text, value).ptr;
  return std::strtod(std::string(text, end).c_str(), nullptr);
}

// JSON has no infinity: a loudness below the gate is null.
nlohmann::json lufs(double value) {
  return std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(nullptr);
}

nlohmann::json source_json(const SourceInfo& s) {
  return {{"path", s.path},
          {"sample_rate_hz", s.sample_rate_hz},
          {"channels", s.channels},
          {"file_seconds",
           s.file_seconds >= 0 ? nlohmann::json(s.file_seconds) : nlohmann::json(nullptr)},
          {"crop", {{"offset_seconds", s.offset_seconds}, {"seconds", s.seconds}}},
          {"loudness_lufs", lufs(s.loudness_lufs)}};
}

std::string utc_timestamp() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

// null when the waveform was not refined; else the re-analysed objective f(log1p|STFT(y)|)
// before (the Griffin-Lim output) and after the L-BFGS on the samples.
nlohmann::json refinement_json(const RefinementRecord& r) {
  if (!r.ran) return nullptr;
  auto values = [](const std::vector<double>& v) {
    nlohmann::json out = nlohmann::json::object();
    const char* names[] = {"total", "content", "style"};
    for (size_t i = 0; i < v.size() && i < 3; ++i) out[names[i]] = v[i];
    return out;
  };
  return {{"iterations", r.iterations},
          {"evaluations", r.evaluations},
          {"stop_reason", r.stop_reason},
          {"before", values(r.before)},
          {"after", values(r.after)},
          {"objective_is",
           "the objective of the re-analysed output log1p|STFT(y)| (total = content + style, "
           "summed over the items), before and after the L-BFGS on the samples; measured before "
           "the stereo image and the output gain"}};
}

nlohmann::json iteration_json(const IterationRecord& it) {
  nlohmann::json j = {{"segment", it.segment},         {"iteration", it.iteration},
                      {"evaluations", it.evaluations}, {"total", it.total},
                      {"content", it.content},         {"style", it.style},
                      {"grad_max", it.grad_max},       {"elapsed_ms_cumulative", it.elapsed_ms}};
  if (!it.item_content.empty())  // several items: each one's losses beside the summed total
    j["items"] = {{"content", it.item_content}, {"style", it.item_style}};
  return j;
}

}  // namespace

RunRecord& last_record() {
  static RunRecord record;
  return record;
}

void set_command_line(int argc, char** argv) { g_command_line.assign(argv, argv + argc); }

nlohmann::json make_report(const std::string& command, const RunOptions& options,
                           const TransferResult& result, double total_ms,
                           const std::vector<StageTiming>& io_timings, const RunRecord& record) {
  const TransferConfig& c = options.config;
  nlohmann::json config = {
      {"command", command},
      {"content", options.content_path},
      {"style", options.style_path},
      {"sample_rate_hz", c.sample_rate_hz},
      {"n_fft", c.n_fft},
      {"hop", c.hop},
      {"win_length", c.win_length},
      {"offset_seconds", c.offset_seconds},
      {"seconds", c.seconds},
      {"filters", c.n_filters},
      {"kernel_width", c.kernel_width},
      {"seed", c.seed},
      {"alpha", command == "texture" ? 0.0 : as_given(c.alpha)},
      {"optimizer", to_string(c.optimizer)},
      {"iterations", c.iterations},
      {"learning_rate", as_given(c.learning_rate)},
      {"lbfgs_history", c.lbfgs_history},
      {"ftol", c.ftol},
      {"gtol", c.gtol},
      {"init", to_string(c.init)},
      {"gl_iterations", c.gl_iterations},
      {"momentum", as_given(c.momentum)},
      {"gl_algorithm", to_string(c.gl_algorithm)},  // phase reconstruction (issue 16)
      {"phase_init", to_string(c.phase_init)},
      {"refine_waveform", c.refine_iterations},
      {"precision", to_string(c.precision)},
      {"format", options.format},
      {"channels", to_string(c.channels)},
      {"segment_seconds", c.segment_seconds},
      {"overlap_seconds", c.overlap_seconds},
      {"recipe", options.recipe},
      {"output_rate", options.output_rate},
      {"loudness", options.loudness},
      {"threads", options.threads},
  };
  add_extractor_report(config, c);
  // Iteration 0 (the starting point) first, then every accepted iteration, segment by segment.
  nlohmann::json iterations = nlohmann::json::array();
  nlohmann::json per_segment = nlohmann::json::array();
  for (size_t s = 0; s < std::max<size_t>(1, result.segments.size()); ++s) {
    nlohmann::json first = nullptr, last = nullptr;
    for (const auto& it : result.initial)
      if (it.segment == int(s)) iterations.push_back(iteration_json(it)), first = it.total;
    for (const auto& it : result.iterations)
      if (it.segment == int(s)) iterations.push_back(iteration_json(it)), last = it.total;
    per_segment.push_back({{"segment", s}, {"initial_total", first}, {"final_total", last}});
  }
  // What ran, per item: the totals are sums over these.
  nlohmann::json items = nlohmann::json::array();
  for (size_t b = 0; b < result.item_names.size(); ++b) {
    const double content = b < result.final_item_content.size() ? result.final_item_content[b] : 0;
    const double style = b < result.final_item_style.size() ? result.final_item_style[b] : 0;
    items.push_back({{"name", result.item_names[b]},
                     {"total", content + style},
                     {"content", content},
                     {"style", style}});
  }
  nlohmann::json timings = nlohmann::json::object();
  for (const auto& t : io_timings) timings[t.stage] = t.ms;
  for (const auto& t : result.timings_ms) timings[t.stage] = t.ms;
  timings["total"] = total_ms;
  nlohmann::json segments = nlohmann::json::array();
  for (const auto& s : result.segments)
    segments.push_back({{"first_sample", s.first_sample},
                        {"n_samples", s.n_samples},
                        {"sample_rate_hz", c.sample_rate_hz}});
  nlohmann::json memory = nlohmann::json::object();
  for (const auto& item : result.memory.items) memory[item.name] = item.bytes;
  memory["total"] = result.memory.total_bytes();

  return {
      {"version", AUDIOSTYLE_VERSION},
      {"timestamp_utc", utc_timestamp()},
      {"argv", g_command_line},
      {"config", config},
      {"sources",
       {{"content", command == "texture" ? nlohmann::json(nullptr) : source_json(record.content)},
        {"style", source_json(record.style)}}},
      {"backend", result.backend},
      {"device", result.device},
      {"extractor", result.extractor},
      {"conv_algorithm", result.conv_algorithm},
      {"channel_mode", result.channel_mode},
      // STFT frames at the working rate; content = output for a transfer (the same length).
      {"frames",
       {{"content",
         command == "texture" ? nlohmann::json(nullptr) : nlohmann::json(result.content_frames)},
        {"output", result.content_frames},
        {"style", result.style_frames}}},
      {"items",
       {{"count", result.channel_mode == "mono" ? 1 : 2},
        {"what", result.item_names.size() < 2      ? "one mono signal"
                 : result.item_names.front() == "mid" ? "mid and side"  // a stereo transfer too
                                                      : "left and right"},
        {"losses", "totals are sums over the items; each item's in final.items and "
                   "iterations[].items"}}},
      {"segments", segments},
      {"memory_plan_bytes", memory},
      {"peak_memory_bytes", result.peak_memory_bytes},
      {"iterations", iterations},
      {"loss_per_segment", per_segment},
      {"stop_reason", result.stop_reason},
      {"evaluations", result.evaluations},
      {"final",
       {{"total", result.final_total},
        {"content", result.final_content},
        {"style", result.final_style},
        {"item_count", result.item_names.size()},
        {"items", items}}},
      {"griffin_lim",
       {{"spectral_convergence_db", result.spectral_convergence_db},
        {"spectral_convergence_is",
         "20 log10(||S - |STFT(y)||| / ||S||) between the optimised magnitude S and the output "
         "y's; lower is closer (-20 dB: a 10 % difference)"}}},
      {"refine_waveform", refinement_json(result.refinement)},
      {"unseen_fill",
       {{"bins", result.unseen_fill.bins},
        {"gain_db_min", result.unseen_fill.gain_db_min},
        {"gain_db_max", result.unseen_fill.gain_db_max}}},
      {"level",
       {{"mode", record.level.mode},
        {"source_lufs", lufs(record.level.source_lufs)},
        {"target_lufs", lufs(record.level.target_lufs)},
        {"before_lufs", lufs(record.level.before_lufs)},
        {"output_lufs", lufs(record.level.after_lufs)},
        {"gain_db", record.level.gain_db},
        {"ceiling", as_given(record.level.ceiling)},
        {"limited_samples", record.level.limited_samples}}},
      {"output_gain", result.output_gain},
      {"timings_ms", timings},
      {"output",
       {{"path", options.output_path},
        {"format", record.format},
        {"seconds", result.output.seconds()},
        {"channels", result.output.n_channels()},
        {"sample_rate_hz", result.output.sample_rate_hz}}},
  };
}

io::StagedFile stage_report(const std::string& path, const nlohmann::json& report) {
  return io::stage_text(path, report.dump(2) + "\n");
}

}  // namespace audiostyle::cli
