// Safetensors container: round trips, Python compatibility, and one test per kind of hostile
// file. Run under ASan/UBSan: every parse reads from an exactly-sized heap copy, so any read
// past the end is caught.
#include "io/safetensors.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <memory>

#include "rng.h"

namespace st = rnn::safetensors;
namespace fs = std::filesystem;

namespace {

// Parses from a fresh allocation of exactly the file's size (no spare capacity, no NUL).
void parse_exact(const std::string& file) {
  std::unique_ptr<uint8_t[]> copy(new uint8_t[file.size()]);
  if (!file.empty()) std::memcpy(copy.get(), file.data(), file.size());
  st::File f = st::parse(copy.get(), file.size());
  for (const st::TensorEntry& e : f.tensors)  // exercise the readers on whatever parsed
    if (e.dtype == "F32") f.read_f32(e.name);
}

std::string error_of(const std::string& file) {
  try {
    parse_exact(file);
  } catch (const rnn::Error& e) {
    return e.what();
  }
  return "<parsed without error>";
}

#define EXPECT_PARSE_ERROR(file, want)                                              \
  do {                                                                              \
    std::string message_ = error_of(file);                                          \
    EXPECT_NE(message_.find(want), std::string::npos) << "message: " << message_; \
  } while (0)

std::string u64_le(uint64_t v) {
  std::string s;
  for (int k = 0; k < 8; ++k) s.push_back(static_cast<char>(v >> (8 * k)));
  return s;
}

// A file from header text and data bytes, the way a hostile writer would build one.
std::string raw_file(const std::string& header, const std::string& data) {
  return u64_le(header.size()) + header + data;
}

std::string f32_bytes(std::initializer_list<float> values) {
  std::string s;
  for (float v : values) {
    uint32_t u;
    std::memcpy(&u, &v, 4);
    for (int k = 0; k < 4; ++k) s.push_back(static_cast<char>(u >> (8 * k)));
  }
  return s;
}

uint32_t bits(float v) {
  uint32_t u;
  std::memcpy(&u, &v, 4);
  return u;
}

// Two tensors, "a" = 2 floats and "b" = 1 float, no checksum: the layout hostile tests bend.
const std::string kData12 = f32_bytes({1.0f, 2.0f, 3.0f});
std::string two_tensors(const std::string& a_offsets, const std::string& b_offsets,
                        const std::string& data = kData12) {
  return raw_file(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":)" + a_offsets +
                      R"(},"b":{"dtype":"F32","shape":[1],"data_offsets":)" + b_offsets + "}}",
                  data);
}
std::string one_tensor(const std::string& entry, const std::string& data = kData12) {
  return raw_file(R"({"t":)" + entry + "}", data);
}

std::string sample_file() {
  static const std::vector<float> a = {1.5f, -2.25f, 0.0f, 7.0f, 1e-3f, -0.0f};
  static const std::vector<float> b = {42.0f};
  return st::serialize({{"rnn.weight", {2, 3}, a.data(), a.size()}, {"bias", {1}, b.data(), 1}},
                       {{"config", R"({"hidden":3})"}});
}

std::string temp_dir(const std::string& name) {
  fs::path dir = fs::path(::testing::TempDir()) / ("safetensors_test_" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir.string();
}

std::vector<std::string> list_dir(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

TEST(Safetensors, Crc32MatchesStandardTestVectors) {
  auto crc = [](const std::string& s, uint32_t seed = 0) {
    return st::crc32(reinterpret_cast<const uint8_t*>(s.data()), s.size(), seed);
  };
  EXPECT_EQ(crc("123456789"), 0xCBF43926u);
  EXPECT_EQ(crc("The quick brown fox jumps over the lazy dog"), 0x414FA339u);
  EXPECT_EQ(crc(""), 0u);
  EXPECT_EQ(crc("6789", crc("12345")), 0xCBF43926u);  // chaining through the seed

  // The table-driven version against the bit-at-a-time definition, at every length and
  // alignment around the 8-byte fast path.
  auto reference = [](const uint8_t* p, size_t n) {
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; ++i) {
      c ^= p[i];
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    }
    return ~c;
  };
  rnn::Rng rng(7);
  std::vector<uint8_t> buf(80);
  for (uint8_t& b : buf) b = static_cast<uint8_t>(rng.below(256));
  for (size_t start = 0; start < 8; ++start)
    for (size_t n = 0; start + n <= buf.size(); ++n) {
      const uint8_t* p = buf.data() + start;
      ASSERT_EQ(st::crc32(p, n), reference(p, n)) << start << "+" << n;
      ASSERT_EQ(st::crc32(p + n / 3, n - n / 3, st::crc32(p, n / 3)), reference(p, n));
    }
}

TEST(Safetensors, RoundTripIsBitExact) {
  const float inf = std::numeric_limits<float>::infinity();
  const float denorm = std::numeric_limits<float>::denorm_min();
  std::vector<float> scalar = {-0.0f};
  std::vector<float> matrix = {1.0f, -1.0f, denorm, -denorm, inf, -inf,
                               std::numeric_limits<float>::max(), 1.17549435e-38f / 3};
  std::vector<float> cube(2 * 3 * 4);
  for (size_t i = 0; i < cube.size(); ++i) cube[i] = std::sin(static_cast<float>(i)) * 1e-20f;
  float nan;
  const uint32_t nan_bits = 0x7fc12345u;  // a NaN payload must survive too
  std::memcpy(&nan, &nan_bits, 4);
  cube[5] = nan;

  const std::string bytes =
      st::serialize({{"scalar", {1}, scalar.data(), 1},
                     {"layer.matrix", {2, 4}, matrix.data(), matrix.size()},
                     {"cube", {2, 3, 4}, cube.data(), cube.size()}},
                    {{"vocab", R"(["a","b"])"}, {"step", "12"}});
  const st::File f = st::parse(bytes);
  EXPECT_EQ(f.metadata.at("vocab"), R"(["a","b"])");
  EXPECT_EQ(f.metadata.at("step"), "12");
  EXPECT_EQ(f.metadata.at("checksum").rfind("crc32:", 0), 0u);
  ASSERT_EQ(f.tensors.size(), 3u);
  EXPECT_EQ(f.tensors[0].name, "scalar");  // sorted by begin = the order given
  EXPECT_EQ(f.tensors[2].name, "cube");
  EXPECT_EQ(f.find("cube")->shape, (std::vector<int64_t>{2, 3, 4}));
  EXPECT_EQ(f.find("scalar")->shape, (std::vector<int64_t>{1}));
  EXPECT_EQ(f.find("nope"), nullptr);

  const std::vector<std::pair<std::string, const std::vector<float>*>> cases = {
      {"scalar", &scalar}, {"layer.matrix", &matrix}, {"cube", &cube}};
  for (const auto& [name, want] : cases) {
    std::vector<float> got = f.read_f32(name);
    ASSERT_EQ(got.size(), want->size()) << name;
    for (size_t i = 0; i < got.size(); ++i) EXPECT_EQ(bits(got[i]), bits((*want)[i])) << name << "[" << i << "]";
  }
  std::vector<float> into(matrix.size());
  f.read_f32_into("layer.matrix", into.data(), into.size());
  EXPECT_EQ(std::memcmp(into.data(), matrix.data(), matrix.size() * 4), 0);
}

TEST(Safetensors, EmptyShapesAndNoTensorsRoundTrip) {
  const float one = 1.0f;
  const std::string bytes =
      st::serialize({{"empty", {3, 0}, nullptr, 0}, {"scalar", {}, &one, 1}}, {});
  const st::File f = st::parse(bytes);
  EXPECT_TRUE(f.read_f32("empty").empty());
  EXPECT_EQ(f.read_f32("scalar"), std::vector<float>{1.0f});

  const std::string nothing = st::serialize({}, {});
  const st::File g = st::parse(nothing);
  EXPECT_TRUE(g.tensors.empty());
  EXPECT_EQ(g.data_size, 0u);
  EXPECT_EQ(g.metadata.at("checksum"), "crc32:00000000");
}

TEST(Safetensors, HeaderIsAlignedAndPythonCompatible) {
  const float w[] = {1.0f, 2.0f};
  const std::string bytes = st::serialize({{"w", {2}, w, 2}}, {{"k", "v"}});
  // What Python's safetensors writes for the same content (serde_json compact, "__metadata__"
  // first, space padding); 0x2e3fa576 is zlib.crc32 of the 8 data bytes.
  std::string header =
      R"({"__metadata__":{"checksum":"crc32:2e3fa576","k":"v"},"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
  header.append((8 - header.size() % 8) % 8, ' ');
  EXPECT_EQ(header.size() % 8, 0u);
  EXPECT_EQ(bytes, u64_le(header.size()) + header + f32_bytes({1.0f, 2.0f}));
  EXPECT_EQ(bytes.substr(bytes.size() - 8), std::string("\x00\x00\x80\x3f\x00\x00\x00\x40", 8));

  // Every file we write has its tensor data 8-aligned.
  uint64_t n = 0;
  const std::string other = sample_file();
  for (int k = 0; k < 8; ++k) n |= static_cast<uint64_t>(static_cast<uint8_t>(other[k])) << (8 * k);
  EXPECT_EQ(n % 8, 0u);
}

TEST(Safetensors, LoadsPythonFileWithoutChecksum) {
  // Python writes no checksum and may list tensors in any order relative to their offsets.
  std::string header =
      R"({"__metadata__":{"format":"pt"},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
  header.append((8 - header.size() % 8) % 8, ' ');
  const std::string bytes = raw_file(header, kData12);
  const st::File f = st::parse(bytes);
  EXPECT_EQ(f.metadata, (std::map<std::string, std::string>{{"format", "pt"}}));
  ASSERT_EQ(f.tensors.size(), 2u);
  EXPECT_EQ(f.tensors[0].name, "a");
  EXPECT_EQ(f.read_f32("a"), (std::vector<float>{1.0f, 2.0f}));
  EXPECT_EQ(f.read_f32("b"), (std::vector<float>{3.0f}));
}

TEST(Safetensors, EveryTruncationThrows) {
  const std::string bytes = sample_file();
  for (size_t len = 0; len < bytes.size(); ++len)
    EXPECT_NE(error_of(bytes.substr(0, len)), "<parsed without error>") << "cut at " << len;
  EXPECT_PARSE_ERROR(bytes.substr(0, 5), "file too short for a safetensors header (5 bytes)");
  EXPECT_PARSE_ERROR(bytes.substr(0, 20), "exceeds file size (20 bytes)");
  EXPECT_PARSE_ERROR(bytes.substr(0, bytes.size() - 1), "data_offsets end 28 is beyond the data buffer (27 bytes)");
}

TEST(Safetensors, AbsurdHeaderLengthHasItsOwnMessage) {
  const std::string bytes = u64_le(uint64_t{1} << 60) + "{}";
  EXPECT_PARSE_ERROR(bytes, "header length 1152921504606846976 exceeds file size (10 bytes)");
  EXPECT_PARSE_ERROR(u64_le(~uint64_t{0}) + "{}", "header length 18446744073709551615 exceeds");
}

TEST(Safetensors, HeaderOverLimitRejected) {
  // Built in place: the file must really be that large for the limit (not the size) to trip.
  const uint64_t n = st::kMaxHeaderBytes + 8;
  std::string file = u64_le(n) + "{}";
  file.resize(8 + n, ' ');
  try {
    st::parse(file);
    ADD_FAILURE();
  } catch (const rnn::Error& e) {
    EXPECT_STREQ(e.what(), "header length 100000008 exceeds the 100000000-byte limit");
  }
}

TEST(Safetensors, CorruptBraceInHeaderRejected) {
  const std::string good = sample_file();
  std::string opening = good;
  opening[8] = '[';
  EXPECT_PARSE_ERROR(opening, "header does not start with '{'");
  std::string closing = good;
  closing[closing.find("}}") + 1] = ']';
  EXPECT_PARSE_ERROR(closing, "header is not valid JSON");
  EXPECT_PARSE_ERROR(raw_file("{", ""), "header is not valid JSON");
  EXPECT_PARSE_ERROR(raw_file("", ""), "header does not start with '{'");
}

TEST(Safetensors, CorruptOffsetDigitRejected) {
  std::string bytes = sample_file();
  size_t at = bytes.find("\"data_offsets\":[0,24]");
  ASSERT_NE(at, std::string::npos);
  bytes[at + std::strlen("\"data_offsets\":[0,2")] = '5';  // [0,25]
  EXPECT_PARSE_ERROR(bytes, "tensor 'rnn.weight': data_offsets span 25 bytes but its shape and dtype F32 need 24");
  bytes[at + std::strlen("\"data_offsets\":[0,2")] = 'x';
  EXPECT_PARSE_ERROR(bytes, "header is not valid JSON");
}

TEST(Safetensors, InvalidUtf8InHeaderRejected) {
  EXPECT_PARSE_ERROR(raw_file("{\"__metadata__\":{\"k\":\"\xff\xfe\"}}", ""), "header is not valid JSON");
  EXPECT_PARSE_ERROR(raw_file("{\"\xc3\":1}", ""), "header is not valid JSON");
}

TEST(Safetensors, FlippedDataByteFailsChecksum) {
  std::string bytes = sample_file();
  bytes[bytes.size() - 3] ^= 0x10;
  const std::string message = error_of(bytes);
  EXPECT_EQ(message.rfind("checksum mismatch: file says crc32:", 0), 0u) << message;
  EXPECT_NE(message.find(", data has crc32:"), std::string::npos) << message;
  EXPECT_NE(message.find("(the file is corrupted)"), std::string::npos) << message;
}

TEST(Safetensors, MalformedChecksumRejected) {
  for (const char* bad : {"crc32:XYZ", "crc32:2E3FA576", "crc32:2e3fa57", "md5:2e3fa576", ""}) {
    const std::string header = std::string(R"({"__metadata__":{"checksum":")") + bad +
                               R"("},"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
    EXPECT_PARSE_ERROR(raw_file(header, f32_bytes({1.0f, 2.0f})), "malformed checksum");
  }
}

TEST(Safetensors, NonStringMetadataRejected) {
  EXPECT_PARSE_ERROR(raw_file(R"({"__metadata__":{"epoch":3}})", ""),
                     "metadata value for key 'epoch' is not a string");
  EXPECT_PARSE_ERROR(raw_file(R"({"__metadata__":{"cfg":{"h":1}}})", ""), "is not a string");
  EXPECT_PARSE_ERROR(raw_file(R"({"__metadata__":{"x":null}})", ""), "is not a string");
  EXPECT_PARSE_ERROR(raw_file(R"({"__metadata__":["a"]})", ""), "__metadata__ is not a JSON object");
}

TEST(Safetensors, MissingOrMistypedFieldsRejected) {
  EXPECT_PARSE_ERROR(one_tensor(R"({"shape":[3],"data_offsets":[0,12]})"), "tensor 't': missing \"dtype\"");
  EXPECT_PARSE_ERROR(one_tensor(R"({"dtype":"F32","data_offsets":[0,12]})"), "missing \"shape\"");
  EXPECT_PARSE_ERROR(one_tensor(R"({"dtype":"F32","shape":[3]})"), "missing \"data_offsets\"");
  EXPECT_PARSE_ERROR(one_tensor(R"({"dtype":4,"shape":[3],"data_offsets":[0,12]})"), "\"dtype\" is not a string");
  EXPECT_PARSE_ERROR(one_tensor(R"({"dtype":"F32","shape":3,"data_offsets":[0,12]})"), "\"shape\" is not a list");
  EXPECT_PARSE_ERROR(one_tensor(R"({"dtype":"F32","shape":[3],"data_offsets":[0,12,12]})"), "\"data_offsets\" must be two");
  EXPECT_PARSE_ERROR(one_tensor(R"({"dtype":"F32","shape":[3],"data_offsets":["0","12"]})"), "\"data_offsets\" must be two");
  EXPECT_PARSE_ERROR(one_tensor(R"({"dtype":"F32","shape":[3],"data_offsets":[-1,12]})"), "\"data_offsets\" must be two");
  EXPECT_PARSE_ERROR(one_tensor(R"({"dtype":"F32","shape":[3],"data_offsets":[0,12],"x":1})"), "unknown field 'x'");
  EXPECT_PARSE_ERROR(one_tensor(R"([1,2])"), "tensor 't': entry is not a JSON object");
}

TEST(Safetensors, NegativeOrNonIntegerDimsRejected) {
  for (const char* dim : {"-3", "2.5", "3.0", "1e1", "\"3\"", "null", "[3]"})
    EXPECT_PARSE_ERROR(one_tensor(std::string(R"({"dtype":"F32","shape":[)") + dim + R"(],"data_offsets":[0,12]})"),
                       "\"shape\" must hold non-negative integers");
  // Larger than int64 cannot be represented in the shape.
  EXPECT_PARSE_ERROR(one_tensor(R"({"dtype":"U8","shape":[9223372036854775808],"data_offsets":[0,12]})"),
                     "\"shape\" must hold non-negative integers");
}

TEST(Safetensors, UnknownDtypeRejected) {
  EXPECT_PARSE_ERROR(one_tensor(R"({"dtype":"F33","shape":[3],"data_offsets":[0,12]})"), "unknown dtype 'F33'");
  EXPECT_PARSE_ERROR(one_tensor(R"({"dtype":"f32","shape":[3],"data_offsets":[0,12]})"), "unknown dtype 'f32'");
}

TEST(Safetensors, ShapeOverflowRejected) {
  EXPECT_PARSE_ERROR(one_tensor(R"({"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,12]})"),
                     "element count of the shape overflows");
  EXPECT_PARSE_ERROR(one_tensor(R"({"dtype":"F32","shape":[4611686018427387904],"data_offsets":[0,12]})"),
                     "byte size of the shape overflows");
  // 2^62 floats * 4 bytes wraps to exactly 0 in 64 bits: must not pass as an empty tensor.
  EXPECT_PARSE_ERROR(raw_file(R"({"t":{"dtype":"F32","shape":[4611686018427387904],"data_offsets":[0,0]}})", ""),
                     "overflows");
  // A zero dim makes the tensor empty however large the others are.
  const std::string empty =
      raw_file(R"({"t":{"dtype":"F32","shape":[4294967296,4294967296,0],"data_offsets":[0,0]}})", "");
  const st::File f = st::parse(empty);
  EXPECT_EQ(f.tensors.size(), 1u);
}

TEST(Safetensors, EndBeforeBeginRejected) {
  EXPECT_PARSE_ERROR(two_tensors("[8,0]", "[8,12]"), "tensor 'a': data_offsets end 0 is before begin 8");
}

TEST(Safetensors, ByteCountMustMatchShape) {
  EXPECT_PARSE_ERROR(two_tensors("[0,4]", "[4,12]"), "tensor 'a': data_offsets span 4 bytes but its shape and dtype F32 need 8");
  EXPECT_PARSE_ERROR(one_tensor(R"({"dtype":"F16","shape":[3],"data_offsets":[0,12]})"), "need 6");
}

TEST(Safetensors, EndBeyondBufferRejected) {
  EXPECT_PARSE_ERROR(two_tensors("[0,8]", "[12,16]"), "tensor 'b': data_offsets end 16 is beyond the data buffer (12 bytes)");
  EXPECT_PARSE_ERROR(two_tensors("[0,8]", "[18446744073709551611,18446744073709551615]"), "beyond the data buffer");
}

TEST(Safetensors, OverlappingTensorsRejected) {
  EXPECT_PARSE_ERROR(two_tensors("[0,8]", "[4,8]", f32_bytes({1, 2})), "tensor 'b' overlaps tensor 'a'");
  EXPECT_PARSE_ERROR(two_tensors("[0,8]", "[0,4]", f32_bytes({1, 2})), "overlaps");
}

TEST(Safetensors, GapBetweenTensorsRejected) {
  EXPECT_PARSE_ERROR(two_tensors("[0,8]", "[12,16]", f32_bytes({1, 2, 3, 4})),
                     "tensor data does not cover the buffer: gap of 4 bytes before tensor 'b'");
  EXPECT_PARSE_ERROR(two_tensors("[4,12]", "[12,16]", f32_bytes({1, 2, 3, 4})), "gap of 4 bytes before tensor 'a'");
}

TEST(Safetensors, TrailingBytesRejected) {
  EXPECT_PARSE_ERROR(two_tensors("[0,8]", "[8,12]", kData12 + "junk"),
                     "tensor data does not cover the buffer: 4 trailing bytes");
  EXPECT_PARSE_ERROR(raw_file("{}", "x"), "does not cover the buffer");
}

TEST(Safetensors, DuplicateKeysRejected) {
  EXPECT_PARSE_ERROR(two_tensors("[0,8]", "[8,12]\n},\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]"),
                     "header has duplicate key 'a'");
  EXPECT_PARSE_ERROR(raw_file(R"({"__metadata__":{"k":"1","k":"2"}})", ""), "duplicate key 'k'");
}

TEST(Safetensors, DeeplyNestedJsonIsAnErrorNotACrash) {
  EXPECT_PARSE_ERROR(raw_file("{\"a\":" + std::string(100000, '['), ""), "header JSON nests deeper than 64 levels");
  EXPECT_PARSE_ERROR(raw_file("{\"a\":" + std::string(100000, '[') + std::string(100000, ']') + "}", ""),
                     "nests deeper");
  EXPECT_PARSE_ERROR(raw_file(std::string(100000, '{'), ""), "nests deeper");
  // Brackets inside strings are text, not nesting.
  const std::string text = raw_file("{\"__metadata__\":{\"k\":\"" + std::string(1000, '[') + "\\\"\"}}", "");
  const st::File f = st::parse(text);
  EXPECT_EQ(f.metadata.at("k"), std::string(1000, '[') + "\"");
}

TEST(Safetensors, OtherDtypesListButOnlyF32Reads) {
  const std::string bytes = raw_file(R"({"h":{"dtype":"F16","shape":[2],"data_offsets":[0,4]},)"
                                     R"("i":{"dtype":"I64","shape":[1],"data_offsets":[4,12]}})",
                                     std::string(12, '\0'));
  const st::File f = st::parse(bytes);
  ASSERT_NE(f.find("h"), nullptr);
  EXPECT_EQ(f.find("h")->dtype, "F16");
  EXPECT_EQ(f.find("i")->dtype, "I64");
  try {
    f.read_f32("h");
    ADD_FAILURE() << "read_f32 accepted F16";
  } catch (const rnn::Error& e) {
    EXPECT_STREQ(e.what(), "tensor 'h' has dtype F16, expected F32");
  }
}

TEST(Safetensors, ReadErrorsNameTheProblem) {
  const std::string bytes = sample_file();
  const st::File f = st::parse(bytes);
  std::vector<float> out(5);
  try {
    f.read_f32("missing");
    ADD_FAILURE();
  } catch (const rnn::Error& e) {
    EXPECT_STREQ(e.what(), "no tensor named 'missing'");
  }
  try {
    f.read_f32_into("rnn.weight", out.data(), out.size());
    ADD_FAILURE();
  } catch (const rnn::Error& e) {
    EXPECT_STREQ(e.what(), "tensor 'rnn.weight' has 6 elements, caller expects 5");
  }
}

TEST(Safetensors, SerializeRejectsBadInput) {
  const std::vector<float> v(6, 1.0f);
  auto error = [&](const std::vector<st::TensorRef>& tensors) -> std::string {
    try {
      st::serialize(tensors, {});
    } catch (const rnn::Error& e) {
      return e.what();
    }
    return "<no error>";
  };
  EXPECT_EQ(error({{"", {6}, v.data(), 6}}), "cannot save a tensor with an empty name");
  EXPECT_NE(error({{"__metadata__", {6}, v.data(), 6}}).find("reserved"), std::string::npos);
  EXPECT_NE(error({{"a", {6}, v.data(), 6}, {"a", {6}, v.data(), 6}}).find("tensor 'a': duplicate name"), std::string::npos);
  EXPECT_NE(error({{"a", {-1, -6}, v.data(), 6}}).find("negative dimension -1"), std::string::npos);
  EXPECT_NE(error({{"a", {2, 2}, v.data(), 6}}).find("shape does not hold 6 elements"), std::string::npos);
  EXPECT_NE(error({{"a", {1LL << 62, 8}, v.data(), 6}}).find("shape does not hold"), std::string::npos);
  EXPECT_NE(error({{"a", {6}, nullptr, 6}}).find("data is null"), std::string::npos);
  EXPECT_NE(error({{"a\xff", {6}, v.data(), 6}}).find("not valid UTF-8"), std::string::npos);
}

TEST(Safetensors, SerializeReplacesStaleChecksum) {
  // Metadata copied from a loaded file carries its old checksum; the new file gets a fresh one.
  const float w[] = {5.0f};
  const std::string bytes = st::serialize({{"w", {1}, w, 1}}, {{"checksum", "crc32:00000000"}});
  const st::File f = st::parse(bytes);
  EXPECT_NE(f.metadata.at("checksum"), "crc32:00000000");
}

TEST(Safetensors, RandomMutationsEitherParseOrThrow) {
  // A file with checksum (data changes fail) and one without (data changes parse).
  const std::vector<std::string> bases = {
      sample_file(), two_tensors("[0,8]", "[8,12]"),
      raw_file(R"({"__metadata__":{"a":"b"},"h":{"dtype":"BF16","shape":[2,1],"data_offsets":[0,4]}})", "abcd")};
  static const char kInteresting[] = "{}[]\":,-0123456789eE. \\\0\xff\x80";
  const std::string interesting(kInteresting, sizeof kInteresting - 1);
  rnn::Rng rng(20240607);
  int parsed = 0, rejected = 0;
  for (int iter = 0; iter < 2000; ++iter) {
    std::string f = bases[rng.below(static_cast<uint32_t>(bases.size()))];
    const int edits = 1 + static_cast<int>(rng.below(3));
    for (int k = 0; k < edits && !f.empty(); ++k) {
      const size_t at = rng.below(static_cast<uint32_t>(f.size()));
      switch (rng.below(8)) {
        case 0: f[at] ^= static_cast<char>(1u << rng.below(8)); break;
        case 1: f[at] = static_cast<char>(rng.below(256)); break;
        case 2: f[at] = interesting[rng.below(static_cast<uint32_t>(interesting.size()))]; break;
        case 3: f.resize(at); break;
        case 4: f.insert(f.begin() + static_cast<std::ptrdiff_t>(at), static_cast<char>(rng.below(256))); break;
        case 5: f.erase(at, 1); break;
        case 6: f[rng.below(8) % f.size()] = static_cast<char>(rng.below(256)); break;  // header length
        default: f.insert(at, f.substr(rng.below(static_cast<uint32_t>(f.size())), 1 + rng.below(16))); break;
      }
    }
    try {
      parse_exact(f);
      ++parsed;
    } catch (const rnn::Error&) {
      ++rejected;
    }  // anything else escapes and fails the test
  }
  EXPECT_EQ(parsed + rejected, 2000);
  EXPECT_GT(rejected, 1000);
  EXPECT_GT(parsed, 0);
  std::printf("mutations: %d parsed, %d rejected\n", parsed, rejected);
}

TEST(Safetensors, ReadFileNamesMissingPath) {
  const std::string dir = temp_dir("read");
  const std::string path = dir + "/missing.safetensors";
  try {
    st::read_file(path);
    ADD_FAILURE();
  } catch (const rnn::Error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot open '" + path + "'"), std::string::npos) << e.what();
  }
  try {
    st::read_file(dir);  // a directory opens but cannot be read
    ADD_FAILURE();
  } catch (const rnn::Error& e) {
    EXPECT_NE(std::string(e.what()).find("'" + dir + "'"), std::string::npos) << e.what();
  }
  fs::remove_all(dir);
}

TEST(Safetensors, AtomicWriteReplacesFileAndLeavesNoTemporary) {
  const std::string dir = temp_dir("write");
  const std::string path = dir + "/model.safetensors";
  const std::string first = sample_file();
  st::write_file_atomic(path, first);
  EXPECT_EQ(st::read_file(path), first);
  const float w[] = {3.0f};
  const std::string second = st::serialize({{"w", {1}, w, 1}}, {});
  st::write_file_atomic(path, second);
  EXPECT_EQ(st::read_file(path), second);
  st::write_file_atomic(path, "");
  EXPECT_EQ(st::read_file(path), "");
  EXPECT_EQ(list_dir(dir), std::vector<std::string>{"model.safetensors"});
  fs::remove_all(dir);
}

TEST(Safetensors, FailedAtomicWriteLeavesExistingFileUntouched) {
  const std::string dir = temp_dir("fail");
  const std::string path = dir + "/model.safetensors";
  const std::string original = sample_file();
  st::write_file_atomic(path, original);

  auto expect_throw_naming = [](const std::string& target) {
    try {
      st::write_file_atomic(target, "new contents");
      ADD_FAILURE() << "wrote " << target;
    } catch (const rnn::Error& e) {
      EXPECT_NE(std::string(e.what()).find("cannot write '" + target + "'"), std::string::npos) << e.what();
    }
  };
  expect_throw_naming(dir + "/no/such/dir/model.safetensors");  // directory missing
  expect_throw_naming(path + "/inside-a-file");                 // parent is a file
  fs::create_directories(dir + "/occupied/child");
  expect_throw_naming(dir + "/occupied");  // rename over a non-empty directory fails late

  EXPECT_EQ(st::read_file(path), original);
  EXPECT_EQ(list_dir(dir), (std::vector<std::string>{"model.safetensors", "occupied"}));
  fs::remove_all(dir);
}
