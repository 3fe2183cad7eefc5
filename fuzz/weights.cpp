// The weights loader (safetensors, then the vgg16 layout check) on arbitrary bytes: every
// malformation must be an InputError, never a crash, and every tensor it accepts must lie inside
// the file with as many bytes as its dtype and shape say.
#include <cstddef>
#include <cstdint>

#include "audiostyle/errors.h"
#include "host/extractors/vgg16.h"
#include "host/io/weights.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace audiostyle;
  try {
    const SafetensorsFile file(data, size, "fuzz input");
    for (const auto& [name, t] : file.tensors()) {
      if (t.bytes > 0 && (t.data < data || t.data + t.bytes > data + size)) __builtin_trap();
      if (t.dtype == "F32") {
        size_t count = 1;
        for (const int64_t d : t.shape) count *= size_t(d);
        if (count * 4 != t.bytes) __builtin_trap();
      }
    }
  } catch (const InputError&) {
  }
  try {
    // One conv keeps a well-formed seed (conv1_1, 7 KB) under the fuzzer's input size.
    const Vgg16Weights weights = parse_vgg16_weights(data, size, 1, "fuzz input");
    (void)weights;
  } catch (const InputError&) {
  }
  return 0;
}
