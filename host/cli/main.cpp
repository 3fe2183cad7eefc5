// audiostyle: neural audio style transfer from the command line.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <new>

#include "audiostyle/errors.h"
#include "host/cli/commands.h"
#include "host/cli/progress.h"

namespace {

constexpr const char* kExitCodes =
    "Exit codes: 0 ok, 2 usage (invalid flags), 3 bad input (missing, unreadable, corrupt, empty,\n"
    "silent or too short audio; unwritable output), 4 runtime or device failure, 130 interrupted.\n"
    "batch: 0 when every row succeeded, 5 when some rows failed (listed at the end).";

}  // namespace

int main(int argc, char** argv) {
  using namespace audiostyle;
  using namespace audiostyle::cli;
  CLI::App app{"audiostyle: neural audio style transfer on the GPU"};
  app.footer(kExitCodes);
  app.require_subcommand(1);
  app.set_version_flag("--version", AUDIOSTYLE_VERSION);

  RunOptions transfer_options, texture_options;
  auto* transfer_cmd = app.add_subcommand(
      "transfer", "Render the content's melody and structure in the style's timbre");
  transfer_cmd->add_option("content", transfer_options.content_path, "Content audio file")
      ->required();
  transfer_cmd->add_option("style", transfer_options.style_path, "Style audio file")->required();
  add_run_flags(*transfer_cmd, transfer_options, false);
  transfer_cmd->footer(kExitCodes);

  auto* texture_cmd = app.add_subcommand("texture", "Synthesise a texture from the style alone");
  texture_cmd->add_option("style", texture_options.style_path, "Style audio file")->required();
  add_run_flags(*texture_cmd, texture_options, true);
  texture_cmd->footer(kExitCodes);

  std::shared_ptr<BatchOptions> batch_options;
  CLI::App* batch_cmd = add_batch_command(app, batch_options);
  batch_cmd->footer(kExitCodes);

  std::shared_ptr<ReconstructOptions> reconstruct_options;
  CLI::App* reconstruct_cmd = add_reconstruct_command(app, reconstruct_options);
  reconstruct_cmd->footer(kExitCodes);

  app.add_subcommand("info", "Version, backends compiled in, devices found");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);  // prints help or the error
    return code == 0 ? kExitOk : kExitUsage;
  }

  install_interrupt_handler();
  try {
    if (*transfer_cmd) return run_single("transfer", transfer_options);
    if (*texture_cmd) return run_single("texture", texture_options);
    if (*batch_cmd) return run_batch(*batch_options);
    if (*reconstruct_cmd) return run_reconstruct(*reconstruct_options);
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
