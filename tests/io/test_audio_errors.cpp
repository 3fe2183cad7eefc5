// Bad inputs and unwritable outputs: one InputError line naming the file, and nothing left behind.
#include <signal.h>
#include <sndfile.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>

#include "audiostyle/audio.h"
#include "audiostyle/errors.h"
#include "tests/io/io_fixtures.h"
#include "tests/support.h"

using namespace audiostyle;
using namespace audiostyle::test;
using Catch::Matchers::Contains;

namespace {

Audio noise(int n_channels, size_t n_samples, int sample_rate_hz = 22050) {
  const uint64_t seed = fresh_seed();
  Audio audio;
  audio.sample_rate_hz = sample_rate_hz;
  for (int c = 0; c < n_channels; ++c)
    audio.channels.push_back(random_uniform(n_samples, seed + uint64_t(c), -0.9f, 0.9f));
  return audio;
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream file(path, std::ios::binary);
  file << text;
  REQUIRE(file.good());
}

// Makes a folder read-only for the test's lifetime; restores it so TempDir can clean up.
struct ReadOnlyFolder {
  std::string path;
  explicit ReadOnlyFolder(const std::string& folder) : path(folder) {
    REQUIRE(::chmod(path.c_str(), 0555) == 0);
  }
  ~ReadOnlyFolder() { ::chmod(path.c_str(), 0755); }
};

}  // namespace

TEST_CASE("read_audio: a missing file", "[io][errors]") {
  TempDir folder;
  const std::string path = folder.file("absent.wav");
  const std::string message = input_error_message([&] { read_audio(path); });
  CHECK_THAT(message, Contains(path) && Contains("no such file"));
  CHECK_THAT(input_error_message([&] { read_audio(folder.file("no/such/folder/x.flac")); }),
             Contains("no/such/folder/x.flac") && Contains("no such file"));
}

TEST_CASE("read_audio: a folder", "[io][errors]") {
  TempDir folder;
  CHECK_THAT(input_error_message([&] { read_audio(folder.path); }),
             Contains(folder.path) && Contains("folder"));
}

TEST_CASE("read_audio: a file it may not read", "[io][errors]") {
  TempDir folder;
  const std::string path = folder.file("secret.wav");
  write_audio(path, noise(1, 1000));
  REQUIRE(::chmod(path.c_str(), 0000) == 0);
  // As root, in a child that drops to nobody (root reads a mode-0 file).
  const auto messages = unprivileged_input_errors({[&] { read_audio(path); }});
  CHECK_THAT(messages[0], Contains(path) && Contains("permission denied"));
}

TEST_CASE("read_audio: a text file named .wav", "[io][errors]") {
  TempDir folder;
  const std::string path = folder.file("notes.wav");
  write_text(path, "These are not the samples you are looking for.\n");
  CHECK_THAT(input_error_message([&] { read_audio(path); }),
             Contains(path) && Contains("not an audio file"));
}

TEST_CASE("read_audio: a WAV cut inside its header", "[io][errors]") {
  TempDir folder;
  const std::string path = folder.file("cut.wav");
  write_audio(path, noise(2, 5000));
  for (uintmax_t size_bytes : {0u, 4u, 20u, 40u}) {
    INFO("truncated to " << size_bytes << " bytes");
    std::filesystem::resize_file(path, size_bytes);
    CHECK_THAT(input_error_message([&] { read_audio(path); }), Contains(path));
  }
}

TEST_CASE("read_audio: a WAV whose data stops early keeps what is there", "[io][errors]") {
  // A truncated download: the header promises 5000 frames, 1000 arrive. Not an error.
  TempDir folder;
  const std::string path = folder.file("partial.wav");
  const Audio full = noise(1, 5000);
  write_audio(path, full, WriteOptions{SampleFormat::float32});
  const uintmax_t header_bytes = std::filesystem::file_size(path) - 5000 * 4;
  std::filesystem::resize_file(path, header_bytes + 1000 * 4);
  ReadOptions options;
  options.sample_rate_hz = 0;
  const Audio read = read_audio(path, options);
  REQUIRE(read.n_samples() == 1000);
  CHECK(relative_error(read.channels[0],
                       std::vector<float>(full.channels[0].begin(), full.channels[0].begin() + 1000)) == 0.0);
}

TEST_CASE("read_audio: an empty WAV", "[io][errors]") {
  TempDir folder;
  const std::string path = folder.file("silence-of-nothing.wav");
  REQUIRE(write_with_sndfile(path, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 22050, {{}}));
  CHECK_THAT(input_error_message([&] { read_audio(path); }), Contains(path) && Contains("empty"));
}

TEST_CASE("read_audio: a float WAV holding NaN or Inf", "[io][errors]") {
  const uint64_t seed = fresh_seed();
  TempDir folder;
  const std::string path = folder.file("nan.wav");
  const size_t bad_index = 100 + seed % 3000;
  INFO("bad sample at " << bad_index);
  for (float bad : {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity()}) {
    std::vector<float> left = random_uniform(4000, seed), right = random_uniform(4000, seed + 1);
    right[bad_index] = bad;
    REQUIRE(write_with_sndfile(path, SF_FORMAT_WAV | SF_FORMAT_FLOAT, 22050, {left, right}));
    CHECK_THAT(input_error_message([&] { read_audio(path); }),
               Contains(path) && Contains("contains NaN or Inf at sample " + std::to_string(bad_index)) &&
                   Contains("channel 1"));
    // A crop that avoids the bad sample reads cleanly; the index stays the file's own.
    ReadOptions options;
    options.sample_rate_hz = 0;
    options.duration_seconds = double(bad_index) / 22050;
    CHECK(read_audio(path, options).n_samples() == int64_t(bad_index));
    options.duration_seconds = 0;
    options.offset_seconds = 50.0 / 22050;
    CHECK_THAT(input_error_message([&] { read_audio(path, options); }),
               Contains("at sample " + std::to_string(bad_index)));
  }
}

TEST_CASE("read_audio: crop out of range", "[io][errors]") {
  TempDir folder;
  const std::string path = folder.file("short.wav");
  write_audio(path, noise(1, 22050));  // 1 s
  ReadOptions options;
  for (double offset_seconds : {1.0, 1.5, 1e300}) {
    options.offset_seconds = offset_seconds;
    INFO("offset " << offset_seconds);
    CHECK_THAT(input_error_message([&] { read_audio(path, options); }),
               Contains(path) && Contains("beyond the end"));
  }
  options.offset_seconds = -0.5;
  CHECK_THAT(input_error_message([&] { read_audio(path, options); }),
             Contains(path) && Contains("crop offset"));
  options.offset_seconds = 0;
  options.duration_seconds = std::nan("");
  CHECK_THAT(input_error_message([&] { read_audio(path, options); }),
             Contains(path) && Contains("crop duration"));
}

TEST_CASE("write_audio and check_writable_output: unsupported extensions", "[io][errors]") {
  TempDir folder;
  for (const char* name : {"out.mp3", "out.ogg", "out.wav.txt", "out", "out."}) {
    const std::string path = folder.file(name);
    INFO(path);
    const std::string message = input_error_message([&] { write_audio(path, noise(1, 100)); });
    CHECK_THAT(message, Contains(path) && Contains(".wav") && Contains(".flac"));
    CHECK(input_error_message([&] { check_writable_output(path); }) == message);
  }
  CHECK(folder_entries(folder.path).empty());
}

TEST_CASE("write_audio and check_writable_output: a folder that does not exist", "[io][errors]") {
  TempDir folder;
  const std::string path = folder.file("missing/out.wav");
  for (auto action : {std::function<void()>([&] { write_audio(path, noise(1, 100)); }),
                      std::function<void()>([&] { check_writable_output(path); })}) {
    CHECK_THAT(input_error_message(action), Contains(path) && Contains("does not exist"));
  }
  CHECK(folder_entries(folder.path).empty());
}

TEST_CASE("write_audio and check_writable_output: the path is a folder", "[io][errors]") {
  TempDir folder;
  const std::string path = folder.file("taken.wav");
  std::filesystem::create_directory(path);
  CHECK_THAT(input_error_message([&] { check_writable_output(path); }),
             Contains(path) && Contains("folder"));
  CHECK_THAT(input_error_message([&] { write_audio(path, noise(1, 100)); }),
             Contains(path) && Contains("folder"));
  CHECK(folder_entries(folder.path) == std::set<std::string>{"taken.wav"});
}

TEST_CASE("write_audio and check_writable_output: a read-only folder", "[io][errors]") {
  TempDir folder;
  const std::string path = folder.file("out.flac");
  ReadOnlyFolder read_only(folder.path);
  // As root, in a child that drops to nobody (root writes into a mode-555 folder).
  const auto messages = unprivileged_input_errors(
      {[&] { check_writable_output(path); }, [&] { write_audio(path, noise(1, 100)); }});
  CHECK_THAT(messages[0], Contains(path) && Contains("not writable"));
  CHECK_THAT(messages[1], Contains(path) && Contains("not writable"));
  CHECK(folder_entries(folder.path).empty());
}

TEST_CASE("check_writable_output: a folder even root cannot write", "[io][errors]") {
  // procfs refuses new files to everyone, so this case runs under root too (Linux has /proc).
  REQUIRE(std::filesystem::is_directory("/proc/self"));
  const std::string path = "/proc/audiostyle-test-output.wav";
  CHECK_THAT(input_error_message([&] { check_writable_output(path); }),
             Contains(path) && Contains("not writable"));
  CHECK_THAT(input_error_message([&] { write_audio(path, noise(1, 100)); }), Contains(path));
}

TEST_CASE("check_writable_output accepts a writable path and leaves nothing behind", "[io]") {
  TempDir folder;
  check_writable_output(folder.file("ok.wav"));
  check_writable_output(folder.file("OK.FLAC"));
  CHECK(folder_entries(folder.path).empty());
}

TEST_CASE("write_audio: a write that fails midway leaves the old file and no temporary",
          "[io][errors]") {
  TempDir folder;
  const std::string path = folder.file("render.wav");
  const Audio before = noise(1, 1000);
  write_audio(path, before, WriteOptions{SampleFormat::float32});

  // A 64 KiB file-size limit makes the 4 MB write fail with EFBIG, as a full disk would;
  // SIGXFSZ is ignored so the failure reaches write() instead of killing the test.
  struct rlimit saved {};
  REQUIRE(::getrlimit(RLIMIT_FSIZE, &saved) == 0);
  struct rlimit small = saved;
  small.rlim_cur = 64 * 1024;
  auto* const old_handler = ::signal(SIGXFSZ, SIG_IGN);
  REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
  std::string message;
  bool threw_error = false;
  try {
    write_audio(path, noise(2, 500000), WriteOptions{SampleFormat::float32});
  } catch (const Error& error) {
    threw_error = true;
    message = error.what();
  }
  ::setrlimit(RLIMIT_FSIZE, &saved);
  ::signal(SIGXFSZ, old_handler);

  CHECK(threw_error);
  CHECK_THAT(message, Contains(path));
  CHECK(folder_entries(folder.path) == std::set<std::string>{"render.wav"});
  ReadOptions options;
  options.sample_rate_hz = 0;
  CHECK(read_audio(path, options).channels == before.channels);
}

TEST_CASE("write_audio: refuses NaN samples and formats the container cannot hold",
          "[io][errors]") {
  TempDir folder;
  Audio audio = noise(2, 1000);
  audio.channels[1][321] = std::numeric_limits<float>::quiet_NaN();
  const std::string path = folder.file("nan.wav");
  CHECK_THROWS_WITH(write_audio(path, audio), Contains(path) && Contains("sample 321 of channel 1"));

  // FLAC holds at most 8 channels.
  CHECK_THAT(input_error_message([&] { write_audio(folder.file("many.flac"), noise(9, 100)); }),
             Contains("many.flac") && Contains("FLAC cannot store 9 channels"));
  CHECK(folder_entries(folder.path).empty());
}
