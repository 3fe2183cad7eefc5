#include "host/cli/progress.h"

#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <string>

#include "audiostyle/errors.h"

namespace audiostyle::cli {
namespace {

std::atomic<bool> g_interrupted{false};

extern "C" void on_signal(int) { g_interrupted.store(true); }

std::string clock_text(double seconds) {
  if (!(seconds >= 0) || seconds > 359999) return "--:--";
  const int s = int(seconds + 0.5);
  char text[32];
  if (s >= 3600) std::snprintf(text, sizeof text, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
  else std::snprintf(text, sizeof text, "%d:%02d", s / 60, s % 60);
  return text;
}

// " = 2 items: left 1.2e+03 + right 1.1e+03" when several items are optimised: a stereo total is
// a sum, about twice a mono one.
std::string item_losses(const Progress& p) {
  const IterationRecord& it = *p.iteration;
  if (it.item_content.size() < 2 || it.item_style.size() != it.item_content.size()) return "";
  std::string text = " = " + std::to_string(it.item_content.size()) + " items:";
  for (size_t b = 0; b < it.item_content.size(); ++b) {
    char item[64];
    const char* name = p.item_names && b < p.item_names->size() ? (*p.item_names)[b].c_str() : "";
    std::snprintf(item, sizeof item, "%s %s %.4g", b ? " +" : "", name,
                  it.item_content[b] + it.item_style[b]);
    text += item;
  }
  return text;
}

}  // namespace

void install_interrupt_handler() {
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
}

bool interrupt_requested() { return g_interrupted.load(); }

ProgressPrinter::ProgressPrinter(bool quiet)
    : quiet_(quiet), terminal_(isatty(STDERR_FILENO) == 1) {
  run_start_ = stage_start_ = last_draw_ = std::chrono::steady_clock::now();
}

void ProgressPrinter::operator()(const Progress& p) {
  if (interrupt_requested()) {
    finish();
    throw Interrupted("interrupted: stopped before writing any output");
  }
  if (quiet_) return;
  const auto now = std::chrono::steady_clock::now();
  if (p.stage != stage_ || p.segment != segment_) {
    finish();
    stage_ = p.stage;
    segment_ = p.segment;
    stage_start_ = now;
    last_percent_ = -1;
  }
  const double fraction = p.total > 0 ? double(p.done) / p.total : 1.0;
  const double elapsed = std::chrono::duration<double>(now - stage_start_).count();
  const double eta = fraction > 0 ? elapsed * (1 - fraction) / fraction : -1;
  const double run_elapsed = std::chrono::duration<double>(now - run_start_).count();
  const double overall_eta =
      p.overall > 0.02 ? run_elapsed * (1 - p.overall) / p.overall : -1;  // too early: unknown
  if (terminal_) {
    // Redraw at most 10 times a second.
    if (p.done < p.total && now - last_draw_ < std::chrono::milliseconds(100)) return;
    last_draw_ = now;
    bar(p, fraction, eta, overall_eta);
    if (p.done >= p.total) finish();
    return;
  }
  const int percent = int(fraction * 100);
  if (percent / 10 == last_percent_ / 10 && p.done < p.total) return;
  last_percent_ = percent;
  std::string line = std::string(to_string(p.stage)) + " " + std::to_string(p.done) + "/" +
                     std::to_string(p.total);
  if (p.segments > 1)
    line = "segment " + std::to_string(p.segment + 1) + "/" + std::to_string(p.segments) + " " + line;
  if (p.iteration) {
    char losses[96];
    std::snprintf(losses, sizeof losses, " loss %.4g (content %.4g, style %.4g)",
                  p.iteration->total, p.iteration->content, p.iteration->style);
    line += losses;
    line += item_losses(p);
  }
  std::fprintf(stderr, "%s  elapsed %s  eta %s  (run %d%%, eta %s)\n", line.c_str(),
               clock_text(elapsed).c_str(), clock_text(eta).c_str(), int(p.overall * 100),
               clock_text(overall_eta).c_str());
}

void ProgressPrinter::bar(const Progress& p, double fraction, double eta_s, double overall_eta_s) {
  constexpr int kWidth = 28;
  const int filled = int(fraction * kWidth + 0.5);
  std::string cells;
  for (int i = 0; i < kWidth; ++i) cells += i < filled ? "#" : "-";
  char losses[64] = "";
  if (p.iteration) std::snprintf(losses, sizeof losses, "  loss %.4g", p.iteration->total);
  const std::string items = p.iteration ? item_losses(p) : std::string();
  char segment[32] = "";
  if (p.segments > 1) std::snprintf(segment, sizeof segment, "seg %d/%d ", p.segment + 1, p.segments);
  std::fprintf(stderr, "\r%s%-11s [%s] %3d%% %d/%d%s%s  eta %s  run %d%% eta %s\033[K", segment,
               to_string(p.stage), cells.c_str(), int(fraction * 100), p.done, p.total, losses,
               items.c_str(),
               clock_text(eta_s).c_str(), int(p.overall * 100), clock_text(overall_eta_s).c_str());
  std::fflush(stderr);
  open_line_ = true;
}

void ProgressPrinter::finish() {
  if (open_line_) std::fputc('\n', stderr);
  open_line_ = false;
}

}  // namespace audiostyle::cli
