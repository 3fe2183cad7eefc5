// Progress on stderr: a bar with ETA on a terminal, plain lines otherwise. Ctrl-C (SIGINT/SIGTERM)
// is turned into an Interrupted exception at the next progress point, so the run stops cleanly.
#pragma once
#include <chrono>

#include "audiostyle/pipeline.h"

namespace audiostyle::cli {

void install_interrupt_handler();
bool interrupt_requested();

class ProgressPrinter {
 public:
  explicit ProgressPrinter(bool quiet);
  void operator()(const Progress& progress);
  void finish();  // ends an open bar line

 private:
  void bar(const Progress& progress, double fraction, double eta_s, double overall_eta_s);
  bool quiet_, terminal_;
  bool open_line_ = false;
  Stage stage_ = Stage::analyse;
  int last_percent_ = -1;
  int segment_ = 0;
  std::chrono::steady_clock::time_point run_start_, stage_start_, last_draw_;
};

}  // namespace audiostyle::cli
