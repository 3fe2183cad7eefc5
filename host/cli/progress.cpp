#include "host/cli/progress.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "audiostyle/errors.h"
#include "host/cli/estimate.h"

namespace audiostyle::cli {
namespace {

std::atomic<bool> g_interrupted{false};

extern "C" void on_signal(int) { g_interrupted.store(true); }

// Columns of the terminal on stderr ($COLUMNS when the ioctl cannot tell), at least 20.
int terminal_columns() {
  winsize size{};
  if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0)
    return std::max(20, int(size.ws_col));
  if (const char* columns = std::getenv("COLUMNS")) return std::max(20, std::atoi(columns));
  return 80;
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

// The item under way ("mid"), or its number ("item 2/2") without names.
std::string item_name(const Progress& p) {
  if (p.item_names && size_t(p.item) < p.item_names->size()) return (*p.item_names)[size_t(p.item)];
  return "item " + std::to_string(p.item + 1) + "/" + std::to_string(p.items);
}

}  // namespace

void install_interrupt_handler() {
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
}

bool interrupt_requested() { return g_interrupted.load(); }

ProgressPrinter::ProgressPrinter(bool quiet)
    : quiet_(quiet), terminal_(isatty(STDERR_FILENO) == 1) {
  start_ = last_draw_ = std::chrono::steady_clock::now();
}

ProgressPrinter::Eta ProgressPrinter::eta(const Progress& p, double now_s) const {
  Eta e;
  const double in_stage_s = now_s - stage_start_s_;
  // Per-iteration costs measured in this run (all segments so far, plus the one under way).
  const int opt_done = optimise_done_ + (p.stage == Stage::optimise ? p.done : 0);
  const double opt_s = optimise_s_ + (p.stage == Stage::optimise ? in_stage_s : 0);
  const double per_iteration = opt_done > 0 ? opt_s / opt_done : -1;
  const int gl_done = gl_done_ + (p.stage == Stage::reconstruct ? p.done : 0);
  const double gl_s = gl_s_ + (p.stage == Stage::reconstruct ? in_stage_s : 0);
  const double per_gl = gl_done > 0         ? gl_s / gl_done
                        : per_iteration > 0 ? per_iteration * plan_.gl_per_iteration_ratio
                                            : -1;
  const int iterations = plan_.iterations > 0 ? plan_.iterations : p.total;
  const int gl_iterations = plan_.gl_iterations;
  double stage_left = -1, later_left = 0;
  if (p.stage == Stage::analyse) {
    // Nothing measured yet: unknown until the first optimiser iteration.
    return e;
  }
  if (p.stage == Stage::optimise) {
    if (per_iteration < 0) return e;
    stage_left = (p.total - p.done) * per_iteration;
    // Items are optimised one after the other: the items left in this segment, then every item
    // of each later segment.
    later_left = double(p.items - p.item - 1) * p.total * per_iteration;
    later_left += double(p.segments - p.segment - 1) * iterations * plan_.items * per_iteration;
    later_left += per_gl > 0 ? double(gl_iterations) * plan_.items * per_gl : 0;
  } else {
    if (per_gl < 0) return e;
    stage_left = (p.total - p.done) * per_gl;
    later_left = double(p.items - p.item - 1) * p.total * per_gl;
  }
  e.stage_s = stage_left;
  e.run_s = stage_left + later_left;
  e.run_fraction = now_s / std::max(1e-9, now_s + e.run_s);
  return e;
}

void ProgressPrinter::operator()(const Progress& p) {
  if (interrupt_requested()) {
    finish();
    throw Interrupted("interrupted: stopped before writing any output");
  }
  const auto now = std::chrono::steady_clock::now();
  const double now_s = std::chrono::duration<double>(now - start_).count();
  if (p.stage != stage_ || p.segment != segment_ || p.item != item_) {
    // Bank the finished stage's measured cost.
    const double spent = now_s - stage_start_s_;
    if (stage_ == Stage::optimise) optimise_done_ += optimise_stage_done_, optimise_s_ += spent;
    if (stage_ == Stage::reconstruct) gl_done_ += gl_item_done_, gl_s_ += spent;
    optimise_stage_done_ = gl_item_done_ = 0;
    if (!quiet_) finish();
    stage_ = p.stage;
    segment_ = p.segment;
    item_ = p.item;
    stage_start_s_ = now_s;
    last_percent_ = -1;
  }
  if (p.stage == Stage::optimise) optimise_stage_done_ = p.done;
  if (p.stage == Stage::reconstruct) gl_item_done_ = p.done;
  if (quiet_) return;
  const double fraction = p.total > 0 ? double(p.done) / p.total : 1.0;
  const Eta e = eta(p, now_s);
  if (terminal_) {
    // Redraw at most 10 times a second.
    if (p.done > 0 && p.done < p.total && now - last_draw_ < std::chrono::milliseconds(100)) return;
    last_draw_ = now;
    bar(p, e);
    if (p.done >= p.total) finish();
    return;
  }
  const int percent = int(fraction * 100);
  if (p.done > 0 && percent / 10 == last_percent_ / 10 && p.done < p.total) return;
  if (p.done == 0) return;  // a stage's clock start, not news
  last_percent_ = percent;
  std::string line = std::string(to_string(p.stage)) + " " + std::to_string(p.done) + "/" +
                     std::to_string(p.total);
  if (p.stage == Stage::reconstruct && p.items > 1)
    line = "reconstruct channel " + std::to_string(p.item + 1) + "/" + std::to_string(p.items) +
           " " + std::to_string(p.done) + "/" + std::to_string(p.total);
  if (p.stage == Stage::optimise && p.items > 1)  // items run one after the other: "optimise side 3/8"
    line = "optimise " + item_name(p) + " " + std::to_string(p.done) + "/" +
           std::to_string(p.total);
  if (p.segments > 1 && p.stage != Stage::reconstruct)
    line =
        "segment " + std::to_string(p.segment + 1) + "/" + std::to_string(p.segments) + " " + line;
  if (p.iteration) {
    char losses[96];
    std::snprintf(losses, sizeof losses, " loss %.4g (content %.4g, style %.4g)",
                  p.iteration->total, p.iteration->content, p.iteration->style);
    line += losses;
    line += item_losses(p);
  }
  std::fprintf(stderr, "%s  elapsed %s  eta %s  (run %d%%, elapsed %s, eta %s)\n", line.c_str(),
               duration_text(now_s - stage_start_s_).c_str(), duration_text(e.stage_s).c_str(),
               int(e.run_fraction * 100), duration_text(now_s).c_str(),
               duration_text(e.run_s).c_str());
}

void ProgressPrinter::bar(const Progress& p, const Eta& e) {
  const double fraction = p.total > 0 ? double(p.done) / p.total : 1.0;
  std::string label;
  if (p.segments > 1 && p.stage != Stage::reconstruct)
    label = "seg " + std::to_string(p.segment + 1) + "/" + std::to_string(p.segments) + " ";
  label += to_string(p.stage);
  if (p.stage == Stage::reconstruct && p.items > 1)
    label += " ch " + std::to_string(p.item + 1) + "/" + std::to_string(p.items);
  if (p.stage == Stage::optimise && p.items > 1) label += " " + item_name(p);
  char text[160];
  std::snprintf(text, sizeof text, " %3d%% %d/%d", int(fraction * 100), p.done, p.total);
  std::string right = text;
  // What else fits, most useful first: the run's ETA, the stage's, the loss.
  std::vector<std::string> extras;
  std::snprintf(text, sizeof text, "  run %d%% eta %s", int(e.run_fraction * 100),
                duration_text(e.run_s).c_str());
  extras.push_back(text);
  std::snprintf(text, sizeof text, "  eta %s", duration_text(e.stage_s).c_str());
  extras.push_back(text);
  if (p.iteration) {
    std::snprintf(text, sizeof text, "  loss %.4g", p.iteration->total);
    extras.push_back(text + item_losses(p));
  }
  // The line must never wrap (a wrapped line is not redrawn by \r): fit to the width - 1, with
  // a bar of at least kMinCells.
  constexpr int kMinCells = 8, kMaxCells = 28;
  const int width = terminal_columns() - 1;
  auto room = [&] { return width - int(label.size() + right.size()) - 3; };
  std::string shown_extras[3];
  for (size_t i = 0; i < extras.size(); ++i)
    if (room() - int(extras[i].size()) >= kMinCells) {
      shown_extras[i] = extras[i];
      right += extras[i];
    }
  // Keep the extras in a fixed order: loss, stage eta, run eta.
  std::snprintf(text, sizeof text, " %3d%% %d/%d", int(fraction * 100), p.done, p.total);
  right = text + shown_extras[2] + shown_extras[1] + shown_extras[0];
  const int cells = std::min(kMaxCells, room());
  std::string line;
  if (cells >= 1) {
    const int filled = int(fraction * cells + 0.5);
    line = label + " [" + std::string(size_t(filled), '#') +
           std::string(size_t(cells - filled), '-') + "]" + right;
  } else {
    line = label + right;
  }
  if (int(line.size()) > width) line.resize(size_t(std::max(0, width)));
  std::fprintf(stderr, "\r%s\033[K", line.c_str());
  std::fflush(stderr);
  open_line_ = true;
}

void ProgressPrinter::finish() {
  if (open_line_) std::fputc('\n', stderr);
  open_line_ = false;
}

}  // namespace audiostyle::cli
