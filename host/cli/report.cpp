#include "host/cli/report.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "audiostyle/errors.h"

namespace audiostyle::cli {

nlohmann::json make_report(const std::string& command, const RunOptions& options,
                           const TransferResult& result, double total_ms,
                           const std::vector<StageTiming>& io_timings) {
  const TransferConfig& c = options.config;
  nlohmann::json config = {
      {"command", command},
      {"content", options.content_path},
      {"style", options.style_path},
      {"sample_rate_hz", c.sample_rate_hz},
      {"n_fft", c.n_fft},
      {"hop", c.hop},
      {"offset_seconds", c.offset_seconds},
      {"seconds", c.seconds},
      {"filters", c.n_filters},
      {"kernel_width", c.kernel_width},
      {"seed", c.seed},
      {"alpha", command == "texture" ? 0.0f : c.alpha},
      {"optimizer", to_string(c.optimizer)},
      {"iterations", c.iterations},
      {"learning_rate", c.learning_rate},
      {"lbfgs_history", c.lbfgs_history},
      {"ftol", c.ftol},
      {"gtol", c.gtol},
      {"init", to_string(c.init)},
      {"gl_iterations", c.gl_iterations},
      {"momentum", c.momentum},
      {"gl_algorithm", to_string(c.gl_algorithm)},  // phase reconstruction (issue 16)
      {"phase_init", to_string(c.phase_init)},
      {"precision", to_string(c.precision)},
      {"format", options.format},
      {"channels", to_string(c.channels)},
      {"segment_seconds", c.segment_seconds},
      {"overlap_seconds", c.overlap_seconds},
  };
  add_extractor_report(config, c);
  nlohmann::json iterations = nlohmann::json::array();
  for (const auto& it : result.iterations)
    iterations.push_back({{"segment", it.segment},
                          {"iteration", it.iteration},
                          {"evaluations", it.evaluations},
                          {"total", it.total},
                          {"content", it.content},
                          {"style", it.style},
                          {"grad_max", it.grad_max},
                          {"elapsed_ms", it.elapsed_ms}});
  nlohmann::json timings = nlohmann::json::object();
  for (const auto& t : io_timings) timings[t.stage] = t.ms;
  for (const auto& t : result.timings_ms) timings[t.stage] = t.ms;
  timings["total"] = total_ms;
  nlohmann::json segments = nlohmann::json::array();
  for (const auto& s : result.segments)
    segments.push_back({{"first_sample", s.first_sample}, {"n_samples", s.n_samples}});
  nlohmann::json memory = nlohmann::json::object();
  for (const auto& item : result.memory.items) memory[item.name] = item.bytes;
  memory["total"] = result.memory.total_bytes();

  return {
      {"version", AUDIOSTYLE_VERSION},
      {"config", config},
      {"backend", result.backend},
      {"device", result.device},
      {"extractor", result.extractor},
      {"conv_algorithm", result.conv_algorithm},
      {"channel_mode", result.channel_mode},
      {"frames", {{"output", result.content_frames}, {"style", result.style_frames}}},
      {"segments", segments},
      {"memory_plan_bytes", memory},
      {"peak_memory_bytes", result.peak_memory_bytes},
      {"iterations", iterations},
      {"stop_reason", result.stop_reason},
      {"evaluations", result.evaluations},
      {"final", {{"total", result.final_total},
                 {"content", result.final_content},
                 {"style", result.final_style}}},
      {"griffin_lim", {{"spectral_convergence_db", result.spectral_convergence_db}}},
      {"output_gain", result.output_gain},
      {"timings_ms", timings},
      {"output", {{"path", options.output_path},
                  {"seconds", result.output.seconds()},
                  {"channels", result.output.n_channels()},
                  {"sample_rate_hz", result.output.sample_rate_hz}}},
  };
}

void write_report(const std::string& path, const nlohmann::json& report) {
  namespace fs = std::filesystem;
  const fs::path target(path);
  const fs::path temp = target.parent_path() /
                        ("." + target.filename().string() + ".tmp-" + std::to_string(getpid()));
  {
    std::ofstream out(temp);
    if (out) out << report.dump(2) << "\n";
    if (!out) {
      std::error_code ec;
      fs::remove(temp, ec);
      throw InputError("cannot write the report " + path);
    }
  }
  std::error_code ec;
  fs::rename(temp, target, ec);
  if (ec) {
    fs::remove(temp, ec);
    throw InputError("cannot write the report " + path + ": " + ec.message());
  }
}

}  // namespace audiostyle::cli
