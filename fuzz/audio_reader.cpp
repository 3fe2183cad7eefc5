// The audio reader on arbitrary bytes: libsndfile decodes from memory (sf_open_virtual), then the
// project's reader runs on the same bytes (a memfd, read by path as a user's file would be) with
// its checks (header, length, NaN/Inf, crop, downmix). Bad audio must be an InputError, nothing
// else: no crash, no leak, no undefined behaviour, no allocation sized by a lying header.
#include <sndfile.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "audiostyle/audio.h"
#include "audiostyle/errors.h"

namespace {

struct Memory {
  const uint8_t* data;
  sf_count_t size, position;
};

sf_count_t get_length(void* user) { return static_cast<Memory*>(user)->size; }
sf_count_t seek(sf_count_t offset, int whence, void* user) {
  Memory& m = *static_cast<Memory*>(user);
  const sf_count_t base = whence == SEEK_CUR ? m.position : whence == SEEK_END ? m.size : 0;
  const sf_count_t target = base + offset;
  if (target < 0 || target > m.size) return -1;
  return m.position = target;
}
sf_count_t read(void* out, sf_count_t count, void* user) {
  Memory& m = *static_cast<Memory*>(user);
  const sf_count_t n = std::max<sf_count_t>(0, std::min(count, m.size - m.position));
  std::memcpy(out, m.data + m.position, size_t(n));
  m.position += n;
  return n;
}
sf_count_t write(const void*, sf_count_t, void*) { return 0; }
sf_count_t tell(void* user) { return static_cast<Memory*>(user)->position; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  SF_VIRTUAL_IO io{get_length, seek, read, write, tell};
  Memory memory{data, sf_count_t(size), 0};
  SF_INFO info{};
  if (SNDFILE* file = sf_open_virtual(&io, SFM_READ, &info, &memory)) {
    std::vector<float> block(size_t(std::clamp(info.channels, 1, 1024)) * 256);
    if (info.channels > 0 && info.channels <= 1024)
      while (sf_readf_float(file, block.data(), 256) > 0) {
      }
    sf_close(file);
  }

  const int fd = memfd_create("fuzz-audio", MFD_CLOEXEC);
  if (fd < 0) return 0;
  if (::write(fd, data, size) == ssize_t(size)) {
    const std::string path = "/proc/self/fd/" + std::to_string(fd);
    try {
      // The file's own rate (no resampling: soxr is not the parser under test); a crop too.
      audiostyle::read_audio(path, audiostyle::ReadOptions{0, true, 0, 0});
      audiostyle::read_audio(path, audiostyle::ReadOptions{0, false, 0.001, 0.01});
    } catch (const audiostyle::InputError&) {
    }
  }
  ::close(fd);
  return 0;
}
