// Helpers for the audio I/O tests: files made and inspected with libsndfile directly, so that a
// reader test does not depend on our writer and a writer test does not depend on our reader.
#pragma once
#include <grp.h>
#include <sndfile.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "audiostyle/audio.h"
#include "audiostyle/errors.h"

namespace audiostyle::test {

// planar: [channels][frames]. Returns false if this libsndfile cannot write `format` at all
// (e.g. built without an MP3 encoder), so a test can skip rather than fail.
inline bool write_with_sndfile(const std::string& path, int format, int sample_rate_hz,
                               const std::vector<std::vector<float>>& planar) {
  SF_INFO info{};
  info.samplerate = sample_rate_hz;
  info.channels = int(planar.size());
  info.format = format;
  if (!sf_format_check(&info)) return false;
  SNDFILE* file = sf_open(path.c_str(), SFM_WRITE, &info);
  if (file == nullptr) return false;
  const size_t n_frames = planar.empty() ? 0 : planar[0].size();
  std::vector<float> interleaved(n_frames * planar.size());
  for (size_t i = 0; i < n_frames; ++i)
    for (size_t c = 0; c < planar.size(); ++c) interleaved[i * planar.size() + c] = planar[c][i];
  const sf_count_t written = sf_writef_float(file, interleaved.data(), sf_count_t(n_frames));
  const int status = sf_close(file);
  REQUIRE(written == sf_count_t(n_frames));
  REQUIRE(status == 0);
  return true;
}

// Returns planar [channels][frames] and fills `info` (format, rate, channels).
inline std::vector<std::vector<float>> read_with_sndfile(const std::string& path, SF_INFO& info) {
  info = SF_INFO{};
  SNDFILE* file = sf_open(path.c_str(), SFM_READ, &info);
  REQUIRE(file != nullptr);
  std::vector<float> interleaved(size_t(info.frames) * size_t(info.channels));
  const sf_count_t got = sf_readf_float(file, interleaved.data(), info.frames);
  sf_close(file);
  REQUIRE(got == info.frames);
  std::vector<std::vector<float>> planar(size_t(info.channels), std::vector<float>(size_t(got)));
  for (size_t i = 0; i < size_t(got); ++i)
    for (size_t c = 0; c < planar.size(); ++c) planar[c][i] = interleaved[i * planar.size() + c];
  return planar;
}

// amplitude * sin(2 pi f t + phase), computed in double.
inline std::vector<float> sine(size_t n_samples, double frequency_hz, int sample_rate_hz,
                               double amplitude, double phase = 0) {
  std::vector<float> wave(n_samples);
  for (size_t i = 0; i < n_samples; ++i)
    wave[i] = float(amplitude * std::sin(2 * M_PI * frequency_hz * double(i) / sample_rate_hz + phase));
  return wave;
}

// Frequency from rising zero crossings, each located by linear interpolation, over [begin, end).
inline double zero_crossing_frequency_hz(const std::vector<float>& wave, size_t begin, size_t end,
                                         int sample_rate_hz) {
  double first = -1, last = -1;
  int n_crossings = 0;
  for (size_t i = begin + 1; i < end; ++i) {
    if (wave[i - 1] < 0 && wave[i] >= 0) {
      const double where = double(i - 1) + wave[i - 1] / double(wave[i - 1] - wave[i]);
      if (first < 0) first = where;
      last = where;
      ++n_crossings;
    }
  }
  REQUIRE(n_crossings >= 2);
  return (n_crossings - 1) / (last - first) * sample_rate_hz;
}

// Least-squares amplitude of the `frequency_hz` component over [begin, end).
inline double sine_amplitude(const std::vector<float>& wave, size_t begin, size_t end,
                             double frequency_hz, int sample_rate_hz) {
  double ss = 0, cc = 0, sc = 0, ys = 0, yc = 0;
  for (size_t i = begin; i < end; ++i) {
    const double angle = 2 * M_PI * frequency_hz * double(i) / sample_rate_hz;
    const double s = std::sin(angle), c = std::cos(angle);
    ss += s * s, cc += c * c, sc += s * c, ys += wave[i] * s, yc += wave[i] * c;
  }
  const double det = ss * cc - sc * sc;
  const double a = (ys * cc - yc * sc) / det, b = (yc * ss - ys * sc) / det;
  return std::hypot(a, b);
}

// The message of the InputError that `action` throws; fails the test on any other outcome.
inline std::string input_error_message(const std::function<void()>& action) {
  try {
    action();
  } catch (const InputError& error) {
    return error.what();
  } catch (const std::exception& error) {
    FAIL("expected InputError, got another exception: " << error.what());
  }
  FAIL("expected InputError, nothing was thrown");
  return {};
}

inline std::set<std::string> folder_entries(const std::string& folder) {
  std::set<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(folder))
    names.insert(entry.path().filename().string());
  return names;
}

// The InputError message of each action, run as an unprivileged user: in this process when it is
// not root; as root (CI, these machines), whose permission checks pass every mode bit, in a forked
// child that first drops to nobody (uid/gid 65534) and sends the messages back through a pipe.
// An action that throws anything else, or nothing, yields a line starting "!"; a child that cannot
// drop its privileges fails the test rather than skipping it.
inline std::vector<std::string> unprivileged_input_errors(
    const std::vector<std::function<void()>>& actions) {
  auto outcome = [](const std::function<void()>& action) -> std::string {
    try {
      action();
    } catch (const InputError& error) {
      return error.what();
    } catch (const std::exception& error) {
      return std::string("! another exception: ") + error.what();
    }
    return "! nothing was thrown";
  };
  std::vector<std::string> messages;
  if (::geteuid() != 0) {
    for (const auto& action : actions) messages.push_back(outcome(action));
    return messages;
  }
  int pipe_fds[2];
  REQUIRE(::pipe(pipe_fds) == 0);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {  // the child: no Catch, no exit handlers
    ::close(pipe_fds[0]);
    if (::setgroups(0, nullptr) != 0 || ::setgid(65534) != 0 || ::setuid(65534) != 0 ||
        ::geteuid() == 0)
      ::_exit(3);
    for (const auto& action : actions) {
      const std::string message = outcome(action);
      if (::write(pipe_fds[1], message.c_str(), message.size() + 1) < 0) ::_exit(4);
    }
    ::_exit(0);
  }
  ::close(pipe_fds[1]);
  std::string received;
  char chunk[4096];
  for (ssize_t got; (got = ::read(pipe_fds[0], chunk, sizeof chunk)) > 0;)
    received.append(chunk, size_t(got));
  ::close(pipe_fds[0]);
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  INFO("unprivileged child: exit status " << (WIFEXITED(status) ? WEXITSTATUS(status) : -1)
                                          << " (3: it could not drop to uid 65534)");
  REQUIRE((WIFEXITED(status) && WEXITSTATUS(status) == 0));
  for (size_t begin = 0; begin < received.size();) {
    const size_t end = received.find('\0', begin);
    messages.push_back(received.substr(begin, end - begin));
    begin = end + 1;
  }
  REQUIRE(messages.size() == actions.size());
  return messages;
}

// Whether this process can create a file in `folder` (root ignores permission bits).
inline bool can_create_file_in(const std::string& folder) {
  const std::string probe = folder + "/.probe-can-write";
  if (FILE* file = std::fopen(probe.c_str(), "w")) {
    std::fclose(file);
    std::remove(probe.c_str());
    return true;
  }
  return false;
}

}  // namespace audiostyle::test
