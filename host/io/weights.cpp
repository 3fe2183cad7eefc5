#include "host/io/weights.h"

#include <nlohmann/json.hpp>

#include <bit>
#include <cstring>
#include <fstream>
#include <limits>

#include "audiostyle/errors.h"

namespace audiostyle {
namespace {

static_assert(std::endian::native == std::endian::little,
              "the safetensors reader assumes a little-endian host");

constexpr uint64_t kMaxHeaderBytes = 100u << 20;  // the reference implementation's limit
constexpr int kMaxJsonDepth = 16;                  // ours is 3 deep; refuse deeper before parsing

size_t dtype_bytes(const std::string& dtype) {
  if (dtype == "F64" || dtype == "I64" || dtype == "U64") return 8;
  if (dtype == "F32" || dtype == "I32" || dtype == "U32") return 4;
  if (dtype == "F16" || dtype == "BF16" || dtype == "I16" || dtype == "U16") return 2;
  if (dtype == "I8" || dtype == "U8" || dtype == "BOOL" || dtype == "F8_E4M3" || dtype == "F8_E5M2")
    return 1;
  return 0;
}

// JSON nesting depth outside strings: a recursive parser must not meet "[[[[..." from a hostile file.
int json_depth(const char* text, size_t size) {
  int depth = 0, deepest = 0;
  bool in_string = false;
  for (size_t i = 0; i < size; ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return deepest;
}

}  // namespace

std::string shape_string(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

SafetensorsFile::SafetensorsFile(const uint8_t* bytes, size_t size, std::string what)
    : what_(std::move(what)) {
  auto fail = [&](const std::string& why) -> void {
    throw InputError(what_ + " is not a valid safetensors file: " + why);
  };
  if (size < 8) fail("it is " + std::to_string(size) + " bytes, shorter than the 8-byte header length");
  uint64_t header_bytes = 0;
  std::memcpy(&header_bytes, bytes, 8);
  if (header_bytes > kMaxHeaderBytes) fail("its header length " + std::to_string(header_bytes) + " is over 100 MiB");
  if (header_bytes > size - 8)
    fail("its header needs " + std::to_string(header_bytes) + " bytes but only " +
         std::to_string(size - 8) + " follow (truncated?)");
  const char* text = reinterpret_cast<const char*>(bytes + 8);
  if (json_depth(text, header_bytes) > kMaxJsonDepth) fail("its header nests too deeply");
  const nlohmann::json header =
      nlohmann::json::parse(text, text + header_bytes, nullptr, /*allow_exceptions=*/false);
  if (header.is_discarded()) fail("its header is not JSON");
  if (!header.is_object()) fail("its header is not a JSON object");
  const uint8_t* data = bytes + 8 + header_bytes;
  const uint64_t data_bytes = size - 8 - header_bytes;

  for (const auto& [name, entry] : header.items()) {
    if (name == "__metadata__") {
      if (!entry.is_object()) fail("__metadata__ is not an object");
      for (const auto& [key, value] : entry.items())
        if (value.is_string()) metadata_[key] = value.get<std::string>();
      continue;
    }
    const std::string where = "tensor '" + name + "' ";
    if (!entry.is_object()) fail(where + "is not an object");
    const auto dtype = entry.find("dtype");
    const auto shape = entry.find("shape");
    const auto offsets = entry.find("data_offsets");
    if (dtype == entry.end() || !dtype->is_string()) fail(where + "has no dtype string");
    if (shape == entry.end() || !shape->is_array()) fail(where + "has no shape array");
    if (offsets == entry.end() || !offsets->is_array() || offsets->size() != 2 ||
        !(*offsets)[0].is_number_unsigned() || !(*offsets)[1].is_number_unsigned())
      fail(where + "has no data_offsets [begin, end]");
    TensorView view;
    view.dtype = dtype->get<std::string>();
    const size_t element_bytes = dtype_bytes(view.dtype);
    if (element_bytes == 0) fail(where + "has an unknown dtype '" + view.dtype + "'");
    uint64_t elements = 1;
    for (const auto& d : *shape) {
      if (!d.is_number_unsigned()) fail(where + "has a shape entry that is not a size");
      const uint64_t extent = d.get<uint64_t>();
      if (extent > uint64_t(std::numeric_limits<int64_t>::max()) ||
          (extent != 0 && elements > std::numeric_limits<uint64_t>::max() / 16 / extent))
        fail(where + "has an impossible shape");
      elements *= extent;
      view.shape.push_back(int64_t(extent));
    }
    const uint64_t begin = (*offsets)[0].get<uint64_t>(), end = (*offsets)[1].get<uint64_t>();
    if (begin > end || end > data_bytes)
      fail(where + "lies at bytes [" + std::to_string(begin) + ", " + std::to_string(end) +
           ") beyond the " + std::to_string(data_bytes) + " data bytes (truncated?)");
    if (end - begin != elements * element_bytes)
      fail(where + "holds " + std::to_string(end - begin) + " bytes, its shape " +
           shape_string(view.shape) + " of " + view.dtype + " needs " +
           std::to_string(elements * element_bytes));
    view.data = data + begin;
    view.bytes = size_t(end - begin);
    tensors_[name] = std::move(view);
  }
}

std::vector<float> SafetensorsFile::floats(const std::string& name) const {
  const auto it = tensors_.find(name);
  if (it == tensors_.end()) throw InputError(what_ + " has no tensor " + name);
  if (it->second.dtype != "F32")
    throw InputError(what_ + ": tensor " + name + " is " + it->second.dtype + ", expected F32");
  std::vector<float> out(it->second.bytes / 4);
  if (!out.empty()) std::memcpy(out.data(), it->second.data, it->second.bytes);
  return out;
}

std::vector<float> SafetensorsFile::floats(const std::string& name,
                                           const std::vector<int64_t>& shape) const {
  const std::string expected = "F32 " + shape_string(shape);
  const auto it = tensors_.find(name);
  if (it == tensors_.end())
    throw InputError(what_ + " has no tensor " + name + " (expected " + expected + ")");
  const TensorView& t = it->second;
  if (t.dtype != "F32" || t.shape != shape)
    throw InputError(what_ + ": tensor " + name + " is " + t.dtype + " " + shape_string(t.shape) +
                     ", expected " + expected);
  return floats(name);
}

std::vector<uint8_t> read_file_bytes(const std::string& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) throw InputError("cannot open " + what + " " + path);
  const std::streamoff size = in.tellg();
  if (size < 0) throw InputError("cannot read " + what + " " + path);
  std::vector<uint8_t> bytes(static_cast<size_t>(size));
  in.seekg(0);
  if (size > 0 && !in.read(reinterpret_cast<char*>(bytes.data()), size))
    throw InputError("cannot read " + what + " " + path);
  return bytes;
}

std::vector<uint8_t> serialize_safetensors(const std::vector<NamedTensor>& tensors,
                                           const std::map<std::string, std::string>& metadata) {
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  uint64_t offset = 0;
  for (const auto& t : tensors) {
    int64_t elements = 1;
    for (int64_t d : t.shape) elements *= d;
    AS_CHECK(elements == int64_t(t.data.size()), "serialize_safetensors: shape and data differ");
    const uint64_t bytes = 4 * uint64_t(t.data.size());
    header[t.name] = {{"dtype", "F32"}, {"shape", t.shape}, {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');
  std::vector<uint8_t> out(8 + text.size() + offset);
  const uint64_t n = text.size();
  std::memcpy(out.data(), &n, 8);
  std::memcpy(out.data() + 8, text.data(), text.size());
  uint8_t* p = out.data() + 8 + text.size();
  for (const auto& t : tensors) {
    if (!t.data.empty()) std::memcpy(p, t.data.data(), 4 * t.data.size());
    p += 4 * t.data.size();
  }
  return out;
}

void write_safetensors(const std::string& path, const std::vector<NamedTensor>& tensors,
                       const std::map<std::string, std::string>& metadata) {
  const auto bytes = serialize_safetensors(tensors, metadata);
  std::ofstream out(path, std::ios::binary);
  if (!out || !out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size())))
    throw InputError("cannot write " + path);
}

}  // namespace audiostyle
