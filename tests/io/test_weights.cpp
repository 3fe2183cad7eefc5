// The safetensors reader and the vgg16 weight loader: a round trip, and every kind of bad file
// (truncated anywhere, corrupt header, tensors that do not fit the net) is an InputError naming the
// first problem, never a crash.
#include <catch2/catch.hpp>

#include <cstring>
#include <limits>

#include "audiostyle/errors.h"
#include "host/extractors/vgg16.h"
#include "host/io/weights.h"
#include "tests/support.h"

using namespace audiostyle;

namespace {

std::vector<uint8_t> with_header(const std::string& json, size_t data_bytes = 0) {
  std::vector<uint8_t> out(8 + json.size() + data_bytes, 0);
  const uint64_t n = json.size();
  std::memcpy(out.data(), &n, 8);
  std::memcpy(out.data() + 8, json.data(), json.size());
  return out;
}

std::string error_of(const std::vector<uint8_t>& bytes, int n_convs = -1) {
  try {
    if (n_convs >= 0) parse_vgg16_weights(bytes.data(), bytes.size(), n_convs, "W");
    else SafetensorsFile(bytes.data(), bytes.size(), "W");
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

// The first two vgg16 layers as a converted file would hold them.
std::vector<NamedTensor> block1(uint64_t seed) {
  const Vgg16Weights w = vgg16_philox_weights(seed, 2);
  return {{"conv1_1.weight", {64, 3, 3, 3}, w.weight[0]},
          {"conv1_1.bias", {64}, w.bias[0]},
          {"conv1_2.weight", {64, 64, 3, 3}, w.weight[1]},
          {"conv1_2.bias", {64}, w.bias[1]}};
}

}  // namespace

TEST_CASE("weights: safetensors round trip keeps names, shapes, values and metadata", "[weights]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  const auto a = test::random_normal(24, seed), b = test::random_normal(5, seed + 1);
  const auto bytes = serialize_safetensors({{"a", {2, 3, 4}, a}, {"b", {5}, b}, {"empty", {0}, {}}},
                                           {{"format", "test"}});
  REQUIRE((bytes.size() - 8 - (24 + 5) * 4) % 8 == 0);  // header padded to 8
  const SafetensorsFile file(bytes.data(), bytes.size(), "W");
  CHECK(file.tensors().size() == 3);
  CHECK(file.tensors().at("a").shape == std::vector<int64_t>{2, 3, 4});
  CHECK(file.floats("a", {2, 3, 4}) == a);
  CHECK(file.floats("b") == b);
  CHECK(file.floats("empty").empty());
  CHECK(file.metadata().at("format") == "test");
  CHECK_THROWS_AS(file.floats("a", {24}), InputError);
  CHECK_THROWS_AS(file.floats("missing"), InputError);
}

TEST_CASE("weights: a file truncated at any byte is an InputError, never a crash", "[weights]") {
  const auto bytes = serialize_safetensors({{"conv1_1.weight", {64, 3, 3, 3},
                                             vgg16_philox_weights(1, 1).weight[0]},
                                            {"conv1_1.bias", {64}, std::vector<float>(64, 0.5f)}});
  // Every cut in the header and around the data's edges, then a stride through the data.
  std::vector<size_t> cuts;
  for (size_t n = 0; n < 400 && n < bytes.size(); ++n) cuts.push_back(n);
  for (size_t n = 400; n < bytes.size(); n += 97) cuts.push_back(n);
  cuts.push_back(bytes.size() - 1);
  for (size_t n : cuts) {
    INFO("cut at " << n << " of " << bytes.size());
    const std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + long(n));
    const std::string message = error_of(cut, 1);
    CHECK(!message.empty());
    CHECK(message.find('\n') == std::string::npos);
  }
  CHECK(error_of(bytes, 1).empty());
}

TEST_CASE("weights: corrupt headers are InputErrors naming the problem", "[weights]") {
  const uint64_t huge = std::numeric_limits<uint64_t>::max();
  std::vector<uint8_t> huge_length(16, ' ');
  std::memcpy(huge_length.data(), &huge, 8);
  CHECK_THAT(error_of(huge_length), Catch::Contains("header length"));
  CHECK_THAT(error_of(with_header("{not json")), Catch::Contains("not JSON"));
  CHECK_THAT(error_of(with_header("[1, 2]")), Catch::Contains("not a JSON object"));
  CHECK_THAT(error_of(with_header(std::string(5000, '[') + std::string(5000, ']'))),
             Catch::Contains("nests too deeply"));
  CHECK_THAT(error_of(with_header(R"({"t": 3})")), Catch::Contains("tensor 't'"));
  CHECK_THAT(error_of(with_header(R"({"t": {"dtype": "F32", "shape": [2]}})")),
             Catch::Contains("data_offsets"));
  CHECK_THAT(error_of(with_header(R"({"t": {"dtype": "Q7", "shape": [2], "data_offsets": [0, 8]}})", 8)),
             Catch::Contains("unknown dtype"));
  CHECK_THAT(error_of(with_header(R"({"t": {"dtype": "F32", "shape": [-2], "data_offsets": [0, 8]}})", 8)),
             Catch::Contains("not a size"));
  CHECK_THAT(error_of(with_header(R"({"t": {"dtype": "F32", "shape": [2], "data_offsets": [0, 9]}})", 8)),
             Catch::Contains("beyond"));
  CHECK_THAT(error_of(with_header(R"({"t": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}})", 8)),
             Catch::Contains("needs 12"));
  CHECK_THAT(error_of(with_header(R"({"t": {"dtype": "F32", "shape": [4294967296, 4294967296, 16], "data_offsets": [0, 8]}})", 8)),
             Catch::Contains("impossible shape"));
  CHECK_THAT(error_of(with_header(R"({"t": {"dtype": "F32", "shape": [2], "data_offsets": [8, 0]}})", 8)),
             Catch::Contains("beyond"));
}

TEST_CASE("weights: vgg16 tensors missing, misshapen, of another dtype or non-finite are named",
          "[weights]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  auto tensors = block1(seed);
  {
    auto bytes = serialize_safetensors(tensors);
    const Vgg16Weights w = parse_vgg16_weights(bytes.data(), bytes.size(), 2, "W");
    CHECK(w.weight.size() == 2);
    CHECK(w.weight[1] == tensors[2].data);
    CHECK(w.bias[0] == tensors[1].data);
    // conv2_1 is needed for three layers and absent: named, with the shape it should have.
    CHECK_THAT(error_of(bytes, 3), Catch::Contains("has no tensor conv2_1.weight") &&
                                       Catch::Contains("[128, 64, 3, 3]"));
  }
  {
    auto bad = tensors;
    bad.erase(bad.begin() + 3);  // conv1_2.bias
    CHECK_THAT(error_of(serialize_safetensors(bad), 2), Catch::Contains("conv1_2.bias"));
  }
  {
    auto bad = tensors;
    bad[2].shape = {64, 64, 9};  // conv1_2.weight, the same byte count
    CHECK_THAT(error_of(serialize_safetensors(bad), 2),
               Catch::Contains("conv1_2.weight is F32 [64, 64, 9], expected F32 [64, 64, 3, 3]"));
  }
  {
    // A deeper layer present but misfit is caught even when only block 1 is used.
    auto bad = tensors;
    bad.push_back({"conv2_1.weight", {128, 3, 3, 3}, std::vector<float>(128 * 27, 0.f)});
    bad.push_back({"conv2_1.bias", {128}, std::vector<float>(128, 0.f)});
    CHECK_THAT(error_of(serialize_safetensors(bad), 2), Catch::Contains("conv2_1.weight"));
  }
  {
    auto bad = tensors;
    bad[0].data[17] = std::numeric_limits<float>::quiet_NaN();
    CHECK_THAT(error_of(serialize_safetensors(bad), 2), Catch::Contains("conv1_1 holds non-finite"));
  }
  {
    // An F16 tensor: the dtype is named.
    const std::string json =
        R"({"conv1_1.weight": {"dtype": "F16", "shape": [64, 3, 3, 3], "data_offsets": [0, 3456]}})";
    CHECK_THAT(error_of(with_header(json, 3456), 1), Catch::Contains("is F16 [64, 3, 3, 3]"));
  }
  CHECK_THAT(error_of(with_header("{}"), 1), Catch::Contains("conv1_1.weight"));
}

TEST_CASE("weights: a missing weights file is an InputError naming it", "[weights]") {
  CHECK_THROWS_WITH(load_vgg16_weights("/nonexistent/vgg16.safetensors", 1),
                    Catch::Contains("/nonexistent/vgg16.safetensors"));
}
