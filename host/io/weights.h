// Network weights from safetensors files (https://huggingface.co/docs/safetensors): an 8-byte
// little-endian header length N, N bytes of JSON {name: {"dtype", "shape", "data_offsets"}, ...,
// "__metadata__": {...}}, then the raw little-endian tensor bytes, offsets relative to their start.
// Weights are input like audio: every malformation is an InputError naming the file and the first
// problem, never a crash. parse_safetensors works on a memory buffer so a fuzzer can drive it.
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace audiostyle {

struct TensorView {
  std::string dtype;           // "F32", "F16", "BF16", "I64", ...
  std::vector<int64_t> shape;
  const uint8_t* data = nullptr;  // into the file's bytes
  size_t bytes = 0;
};

class SafetensorsFile {
 public:
  // Parses `bytes` (kept by reference: they must outlive the object). `what` names the source in
  // messages ("the weights file W.safetensors"). Throws InputError.
  SafetensorsFile(const uint8_t* bytes, size_t size, std::string what);
  bool has(const std::string& name) const { return tensors_.count(name) > 0; }
  const std::map<std::string, TensorView>& tensors() const { return tensors_; }
  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  // The tensor as floats, checked to be F32 of exactly `shape`; throws InputError naming it.
  std::vector<float> floats(const std::string& name, const std::vector<int64_t>& shape) const;
  // The same without a shape check (the golden data of tests).
  std::vector<float> floats(const std::string& name) const;

 private:
  std::string what_;
  std::map<std::string, TensorView> tensors_;
  std::map<std::string, std::string> metadata_;
};

// The file's bytes; throws InputError when missing or unreadable.
std::vector<uint8_t> read_file_bytes(const std::string& path, const std::string& what);

// One tensor to write: F32 data of `shape` (product(shape) == data.size()).
struct NamedTensor {
  std::string name;
  std::vector<int64_t> shape;
  std::vector<float> data;
};
// A safetensors file's bytes (little-endian F32, tensors in the order given, header padded with
// spaces to a multiple of 8 as the reference writer does).
std::vector<uint8_t> serialize_safetensors(const std::vector<NamedTensor>& tensors,
                                           const std::map<std::string, std::string>& metadata = {});
// Writes them to `path`; throws InputError when it cannot.
void write_safetensors(const std::string& path, const std::vector<NamedTensor>& tensors,
                       const std::map<std::string, std::string>& metadata = {});

// "[128, 64, 3, 3]"
std::string shape_string(const std::vector<int64_t>& shape);

}  // namespace audiostyle
