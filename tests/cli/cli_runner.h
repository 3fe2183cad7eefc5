// Running the built tool from tests: exit code and stderr of a command line, and an interrupted run.
#pragma once
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support.h"

extern char** environ;

namespace audiostyle::test {

struct CliRun {
  int code = -1;
  std::string err;
};

// The tool under test: $AUDIOSTYLE_CLI overrides the build's path (for a relocated bundle).
inline std::string cli_path() {
  const char* path = std::getenv("AUDIOSTYLE_CLI");
  return path ? path : AUDIOSTYLE_CLI;
}

// Runs `audiostyle ARGS` through the shell with stderr captured in `dir`; `env` is prepended
// (VAR=value ...).
inline CliRun run_cli(const TempDir& dir, const std::string& args, const std::string& env = "") {
  const std::string err_path = dir.file("stderr.txt");
  const std::string command = env + " " + cli_path() + " " + args + " 2>" + err_path;
  const int status = std::system(command.c_str());
  CliRun run;
  run.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream in(err_path);
  std::stringstream text;
  text << in.rdbuf();
  run.err = text.str();
  return run;
}

// Starts `audiostyle ARGS...`, sends SIGINT after `delay`, and returns its exit code (-1 if it did
// not exit normally).
inline int run_cli_interrupted(std::vector<std::string> args, std::chrono::milliseconds delay) {
  const std::string cli = cli_path();
  args.insert(args.begin(), cli);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  if (posix_spawn(&pid, cli.c_str(), nullptr, nullptr, argv.data(), environ) != 0) return -1;
  std::this_thread::sleep_for(delay);
  kill(pid, SIGINT);
  int status = 0;
  if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status);
}

}  // namespace audiostyle::test
