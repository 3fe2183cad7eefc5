// Progress on stderr: a bar with ETA on a terminal (fitted to its width), plain lines otherwise.
// Ctrl-C (SIGINT/SIGTERM) is turned into an Interrupted exception at the next progress point, so
// the run stops cleanly.
#pragma once
#include <chrono>

#include "audiostyle/pipeline.h"

namespace audiostyle::cli {

void install_interrupt_handler();
bool interrupt_requested();

// What the whole run will do, for the overall ETA: every stage's remaining work priced at the cost
// measured so far in this run (per optimiser iteration, per Griffin-Lim iteration). Griffin-Lim's
// cost before it starts comes from the work model's ratio to an optimiser iteration.
struct RunPlan {
  int iterations = 0, gl_iterations = 0, items = 1;  // items: channels Griffin-Lim runs on
  double gl_per_iteration_ratio = 0;  // modelled seconds of a GL iteration / an optimiser iteration
};

class ProgressPrinter {
 public:
  explicit ProgressPrinter(bool quiet);
  void set_plan(const RunPlan& plan) { plan_ = plan; }
  void operator()(const Progress& progress);
  void finish();  // ends an open bar line

 private:
  struct Eta {
    double stage_s = -1, run_s = -1, run_fraction = 0;
  };
  Eta eta(const Progress& p, double now_s) const;
  void bar(const Progress& progress, const Eta& eta);
  bool quiet_, terminal_;
  bool open_line_ = false;
  RunPlan plan_;
  Stage stage_ = Stage::analyse;
  int last_percent_ = -1;
  int segment_ = 0, item_ = 0;
  // One clock: every time is seconds since the printer started (the run's start).
  std::chrono::steady_clock::time_point start_, last_draw_;
  double stage_start_s_ = 0;
  // Measured costs: optimiser iterations done and their seconds over all segments so far.
  int optimise_done_ = 0, optimise_stage_done_ = 0;
  double optimise_s_ = 0, optimise_stage_s_ = 0;
  int gl_done_ = 0, gl_item_done_ = 0;
  double gl_s_ = 0, gl_item_s_ = 0;
};

}  // namespace audiostyle::cli
