// Errors carry where they happened; the CLI alone maps them to exit codes.
#pragma once
#include <stdexcept>
#include <string>

namespace audiostyle {

// Exit codes of the command-line tool (documented in --help and the README).
enum ExitCode : int {
  kExitOk = 0,
  kExitUsage = 2,    // invalid flags or combinations
  kExitInput = 3,    // missing, unreadable, corrupt, empty, silent or non-finite input
  kExitRuntime = 4,  // runtime or device failure (no device, out of memory, library error)
  kExitBatchRowsFailed = 5,  // batch: some rows failed (the rest were written)
};

struct Error : std::runtime_error {
  using std::runtime_error::runtime_error;
  virtual int exit_code() const { return kExitRuntime; }
};
struct UsageError : Error {
  using Error::Error;
  int exit_code() const override { return kExitUsage; }
};
struct InputError : Error {
  using Error::Error;
  int exit_code() const override { return kExitInput; }
};
struct DeviceError : Error {
  using Error::Error;
};
// Thrown by the progress callback to stop a run cleanly (Ctrl-C).
struct Interrupted : Error {
  using Error::Error;
  int exit_code() const override { return 130; }
};

[[noreturn]] void throw_runtime(const char* file, int line, const std::string& what);

}  // namespace audiostyle

// Checks a condition that only a bug or a failing library can break.
#define AS_CHECK(cond, msg)                                                  \
  do {                                                                       \
    if (!(cond)) ::audiostyle::throw_runtime(__FILE__, __LINE__, (msg));     \
  } while (0)
