// Ctrl-C stops a run cleanly: exit code 130 and no output or temporary file left behind.
#include <catch2/catch.hpp>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "audiostyle/audio.h"
#include "tests/support.h"

extern char** environ;

using namespace audiostyle;

TEST_CASE("cli: SIGINT mid-run exits 130 and writes nothing", "[cli]") {
  test::TempDir dir;
  Audio tone;
  tone.sample_rate_hz = 22050;
  tone.channels.assign(1, std::vector<float>(22050 * 3));
  for (size_t i = 0; i < tone.channels[0].size(); ++i)
    tone.channels[0][i] = 0.3f * float(std::sin(2 * M_PI * 440.0 * double(i) / 22050));
  const std::string input = dir.file("in.wav"), output = dir.file("out.wav");
  write_audio(input, tone);

  const char* env_cli = std::getenv("AUDIOSTYLE_CLI");
  const std::string cli = env_cli ? env_cli : AUDIOSTYLE_CLI;
  // Long enough that the signal lands mid-optimisation.
  std::vector<std::string> args = {cli, "transfer", input, input, "-o", output, "--device", "cpu",
                                   "--filters", "256", "--iterations", "100000", "-q"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  REQUIRE(posix_spawn(&pid, cli.c_str(), nullptr, nullptr, argv.data(), environ) == 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  REQUIRE(kill(pid, SIGINT) == 0);
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 130);
  for (const auto& entry : std::filesystem::directory_iterator(dir.path))
    CHECK(entry.path().filename() == "in.wav");
}
