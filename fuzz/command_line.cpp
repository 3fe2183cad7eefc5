// The command line of `transfer`, `texture` and `batch`: arguments split at newlines, parsed by the
// same flags (add_run_flags, add_batch_command) and checked by finalize(). A bad command line
// must end in a CLI11 parse error, a UsageError or (for an output path it cannot write) an
// InputError, nothing else.
#include <CLI/CLI.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "audiostyle/errors.h"
#include "host/cli/batch.h"
#include "host/cli/commands.h"
#include "host/cli/shard.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace audiostyle::cli;
  std::vector<std::string> args;
  std::string current;
  for (size_t i = 0; i < size; ++i) {
    if (data[i] == '\n') {
      args.push_back(current);
      current.clear();
    } else {
      current += char(data[i]);
    }
  }
  args.push_back(current);
  std::reverse(args.begin(), args.end());  // CLI11 reads the vector from its back

  CLI::App app{"fuzz"};
  RunOptions transfer, texture;
  CLI::App* transfer_cmd = app.add_subcommand("transfer");
  transfer_cmd->add_option("content", transfer.content_path);
  transfer_cmd->add_option("style", transfer.style_path);
  add_run_flags(*transfer_cmd, transfer, false);
  CLI::App* texture_cmd = app.add_subcommand("texture");
  texture_cmd->add_option("style", texture.style_path);
  add_run_flags(*texture_cmd, texture, true);
  std::shared_ptr<BatchOptions> batch;
  CLI::App* batch_cmd = add_batch_command(app, batch);
  try {
    app.parse(args);
    if (*transfer_cmd) finalize(transfer, false);
    if (*texture_cmd) finalize(texture, true);
    if (*batch_cmd) {
      finalize(batch->defaults, false);
      if (!batch->shard.empty()) parse_shard(batch->shard);
    }
  } catch (const CLI::ParseError&) {
  } catch (const audiostyle::UsageError&) {
  } catch (const audiostyle::InputError&) {
    // An output path the tool cannot write (an unsupported extension): bad input, exit 3, as the
    // README says; the seed regression-output-extension found this case.
  }
  return 0;
}
