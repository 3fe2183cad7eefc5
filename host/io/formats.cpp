#include "host/io/formats.h"

#include <sndfile.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>

#include "audiostyle/errors.h"
#include "host/io/sndfile_handle.h"

namespace audiostyle::io {
namespace {

enum class Container { wav, flac, vorbis, opus, mp3 };

std::string extension_of(const std::string& path) {
  std::string extension = std::filesystem::path(path).extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return char(std::tolower(c)); });
  return extension;
}

Container container_for(const std::string& path) {
  if (is_stdio(path)) return Container::wav;
  const std::string extension = extension_of(path);
  if (extension == ".wav") return Container::wav;
  if (extension == ".flac") return Container::flac;
  if (extension == ".ogg" || extension == ".oga") return Container::vorbis;
  if (extension == ".opus") return Container::opus;
  if (extension == ".mp3") return Container::mp3;
  const std::string shown =
      extension.empty() ? "no extension" : "unsupported extension '" + extension + "'";
  throw InputError(write_error(path, shown + " (" + supported_extensions() + ")"));
}

bool lossy(Container c) {
  return c == Container::vorbis || c == Container::opus || c == Container::mp3;
}

const char* format_text(SampleFormat f) {
  switch (f) {
    case SampleFormat::pcm16: return "pcm16";
    case SampleFormat::pcm24: return "pcm24";
    case SampleFormat::float32: return "float";
  }
  return "?";
}

}  // namespace

const char* supported_extensions() {
  return "supported: .wav, .flac, .ogg (Vorbis), .opus, .mp3, or - for WAV on stdout";
}

int sndfile_format(const std::string& path, SampleFormat format) {
  switch (container_for(path)) {
    case Container::vorbis: return SF_FORMAT_OGG | SF_FORMAT_VORBIS;
    case Container::opus: return SF_FORMAT_OGG | SF_FORMAT_OPUS;
    case Container::mp3: return SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III;
    case Container::flac:
      return SF_FORMAT_FLAC | (format == SampleFormat::pcm16 ? SF_FORMAT_PCM_16 : SF_FORMAT_PCM_24);
    case Container::wav: break;
  }
  const int subtype = format == SampleFormat::pcm16   ? SF_FORMAT_PCM_16
                      : format == SampleFormat::pcm24 ? SF_FORMAT_PCM_24
                                                      : SF_FORMAT_FLOAT;
  return SF_FORMAT_WAV | subtype;
}

std::string format_problem(const std::string& path, SampleFormat format) {
  const Container c = container_for(path);
  if (c == Container::flac && format == SampleFormat::float32)
    return "FLAC stores integer samples only (use pcm24, or a .wav output for float)";
  if (lossy(c) && format != SampleFormat::pcm16)
    return "a " + extension_of(path) + " file holds compressed audio, not " + format_text(format) +
           " samples (leave --format out)";
  return "";
}

std::string describe_format(const std::string& path, SampleFormat format) {
  switch (container_for(path)) {
    case Container::vorbis: return "Ogg Vorbis";
    case Container::opus: return "Ogg Opus";
    case Container::mp3: return "MP3";
    case Container::flac: return format == SampleFormat::pcm16 ? "FLAC pcm16" : "FLAC pcm24";
    case Container::wav: break;
  }
  return std::string("WAV ") + format_text(format);
}

std::string container_name(const std::string& path) {
  const std::string text = describe_format(path, SampleFormat::pcm16);
  const auto space = text.rfind(" pcm16");
  return space == std::string::npos ? text : text.substr(0, space);
}

bool is_lossy(const std::string& path) { return lossy(container_for(path)); }

int writable_rate(const std::string& path, int rate_hz) {
  if (container_for(path) != Container::opus) return rate_hz;
  // Opus codes at these rates only; the nearest one at or above keeps the whole band.
  for (int rate : {8000, 12000, 16000, 24000, 48000})
    if (rate >= rate_hz) return rate;
  return 48000;
}

}  // namespace audiostyle::io
