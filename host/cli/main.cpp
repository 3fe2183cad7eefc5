// audiostyle: neural audio style transfer from the command line.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <new>
#include <string>
#include <vector>

#include "audiostyle/errors.h"
#include "host/cli/commands.h"
#include "host/cli/progress.h"
#include "host/cli/recipes.h"
#include "host/cli/report.h"

namespace {

constexpr const char* kExitCodes =
    "Exit codes: 0 ok, 2 usage (invalid flags), 3 bad input (missing, unreadable, corrupt, empty,\n"
    "silent or too short audio; unwritable output), 4 runtime or device failure, 130 interrupted.\n"
    "batch: 0 when every row succeeded, 5 when some rows failed (listed at the end).";

// Flags answered before parsing wherever they appear (`transfer --version` too), as sox does.
bool has_flag(const std::vector<std::string>& args, const char* flag) {
  for (const auto& a : args) {
    if (a == "--") return false;
    if (a == flag) return true;
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace audiostyle;
  using namespace audiostyle::cli;
  CLI::App app{"audiostyle: neural audio style transfer on the GPU"};
  app.name("audiostyle");  // not argv[0]'s full path in the usage line
  app.footer(kExitCodes);
  app.require_subcommand(1);
  app.set_version_flag("--version", AUDIOSTYLE_VERSION);
  bool list_recipes = false;
  app.add_flag("--list-recipes", list_recipes, "List the --recipe presets and exit");

  RunOptions transfer_options, texture_options;
  auto* transfer_cmd = app.add_subcommand(
      "transfer", "Render the content's melody and structure in the style's timbre");
  transfer_cmd->add_option("content", transfer_options.content_path,
                           "Content audio file (- reads stdin)")
      ->required();
  transfer_cmd->add_option("style", transfer_options.style_path, "Style audio file")->required();
  add_run_flags(*transfer_cmd, transfer_options, false);
  transfer_cmd->footer(kExitCodes);

  auto* texture_cmd = app.add_subcommand("texture", "Synthesise a texture from the style alone");
  texture_cmd->add_option("style", texture_options.style_path, "Style audio file (- reads stdin)")
      ->required();
  add_run_flags(*texture_cmd, texture_options, true);
  texture_cmd->footer(kExitCodes);

  std::shared_ptr<BatchOptions> batch_options;
  CLI::App* batch_cmd = add_batch_command(app, batch_options);
  batch_cmd->footer(kExitCodes);

  std::shared_ptr<ReconstructOptions> reconstruct_options;
  CLI::App* reconstruct_cmd = add_reconstruct_command(app, reconstruct_options);
  reconstruct_cmd->footer(kExitCodes);
  std::shared_ptr<EvaluateOptions> evaluate_options;
  CLI::App* evaluate_cmd = add_evaluate_command(app, evaluate_options);
  evaluate_cmd->footer(kExitCodes);

  app.add_subcommand("info", "Version, backends compiled in, devices found, recipes");

  set_command_line(argc, argv);
  std::vector<std::string> args(argv + 1, argv + argc);
  if (has_flag(args, "--version")) {
    std::printf("%s\n", AUDIOSTYLE_VERSION);
    return kExitOk;
  }
  if (has_flag(args, "--list-recipes")) {
    print_recipes();
    return kExitOk;
  }
  try {
    for (size_t i = 0; i < args.size(); ++i)
      if (args[i] == "transfer" || args[i] == "texture" || args[i] == "batch") {
        expand_recipe(args, i + 1, args[i] == "texture");
        break;
      }
    std::reverse(args.begin(), args.end());  // CLI11 reads the vector from its back
    app.parse(args);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    const auto used = app.get_subcommands();
    std::string message = e.what();
    if (message.rfind(": ", 0) == 0) message.erase(0, 2);  // a hidden option has no name to show
    const std::string command = used.empty() ? "" : " " + used.front()->get_name();
    std::fprintf(stderr, "audiostyle: %s\naudiostyle: run 'audiostyle%s --help' for the options\n",
                 message.c_str(), command.c_str());
    return kExitUsage;
  } catch (const UsageError& e) {
    std::fprintf(stderr, "audiostyle: %s\n", e.what());
    return kExitUsage;
  }

  install_interrupt_handler();
  // Past a file-size limit (ulimit -f) the kernel would kill us with SIGXFSZ and leave the
  // temporary behind; ignored, the write fails with EFBIG and the error path removes it.
  std::signal(SIGXFSZ, SIG_IGN);
  try {
    if (*transfer_cmd) return run_single("transfer", transfer_options);
    if (*texture_cmd) return run_single("texture", texture_options);
    if (*batch_cmd) return run_batch(*batch_options);
    if (*reconstruct_cmd) return run_reconstruct(*reconstruct_options);
    if (*evaluate_cmd) return run_evaluate(*evaluate_options);
    return run_info();
  } catch (const Error& e) {
    std::fprintf(stderr, "audiostyle: %s\n", e.what());
    return e.exit_code();
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "audiostyle: out of host memory\n");
    return kExitRuntime;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "audiostyle: unexpected error: %s\n", e.what());
    return kExitRuntime;
  }
}
