#include "io/safetensors.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <set>

#include <nlohmann/json.hpp>

#include "io/json_text.h"

#if __has_include(<unistd.h>)
#include <unistd.h>
#include "common.h"
#define RNN_HAVE_POSIX_IO 1
#endif

namespace rnn::safetensors {
namespace {

using json = nlohmann::json;

constexpr uint64_t kU64Max = std::numeric_limits<uint64_t>::max();

// A tensor name for error messages, cut short so a hostile 100 MB name cannot flood the log.
std::string quote(const std::string& s) {
  constexpr size_t kMax = 80;
  return "'" + (s.size() <= kMax ? s : s.substr(0, kMax) + "...") + "'";
}
std::string str(uint64_t v) { return std::to_string(v); }

// Bytes per element of the dtypes safetensors defines (sub-byte float formats left out).
size_t dtype_size(const std::string& dtype) {
  static const std::map<std::string, size_t> sizes = {
      {"BOOL", 1}, {"U8", 1},  {"I8", 1},  {"F8_E5M2", 1}, {"F8_E4M3", 1},
      {"I16", 2},  {"U16", 2}, {"F16", 2}, {"BF16", 2},    {"I32", 4},
      {"U32", 4},  {"F32", 4}, {"F64", 8}, {"I64", 8},     {"U64", 8}};
  auto it = sizes.find(dtype);
  return it == sizes.end() ? 0 : it->second;
}

// Product of the dims; false if it overflows. A zero dim makes it 0 whatever the others are.
bool element_count(const std::vector<int64_t>& shape, uint64_t& count) {
  count = 1;
  bool overflow = false;
  for (int64_t d : shape) {
    uint64_t u = static_cast<uint64_t>(d);
    if (u == 0) {
      count = 0;
      return true;
    }
    if (count > kU64Max / u) overflow = true;
    else count *= u;
  }
  return !overflow;
}

// The file format is little-endian; on little-endian hosts (x86, ARM, wasm) this is a copy.
bool host_is_little_endian() {
  const uint32_t one = 1;
  uint8_t first;
  std::memcpy(&first, &one, 1);
  return first == 1;
}
void floats_to_le(const float* src, size_t n, uint8_t* dst) {
  if (n == 0) return;
  if (host_is_little_endian()) {
    std::memcpy(dst, src, n * 4);
    return;
  }
  for (size_t i = 0; i < n; ++i) {
    uint32_t u;
    std::memcpy(&u, src + i, 4);
    for (size_t k = 0; k < 4; ++k) dst[4 * i + k] = static_cast<uint8_t>(u >> (8 * k));
  }
}
void le_to_floats(const uint8_t* src, size_t n, float* dst) {
  if (n == 0) return;
  if (host_is_little_endian()) {
    std::memcpy(dst, src, n * 4);
    return;
  }
  for (size_t i = 0; i < n; ++i) {
    uint32_t u = 0;
    for (size_t k = 0; k < 4; ++k) u |= static_cast<uint32_t>(src[4 * i + k]) << (8 * k);
    std::memcpy(dst + i, &u, 4);
  }
}

// Slicing-by-8 tables: tables[0] is the classic byte-at-a-time table (reflected polynomial
// 0xEDB88320); tables[k] advances a byte through k more zero bytes, so the main loop folds in
// 8 bytes per step (about 4x the byte loop; it matters for checksumming every load and save).
using CrcTables = std::array<std::array<uint32_t, 256>, 8>;
constexpr CrcTables make_crc_tables() {
  CrcTables t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    t[0][i] = c;
  }
  for (size_t k = 1; k < 8; ++k)
    for (size_t i = 0; i < 256; ++i) t[k][i] = (t[k - 1][i] >> 8) ^ t[0][t[k - 1][i] & 0xFF];
  return t;
}
constexpr CrcTables kCrc = make_crc_tables();

uint32_t load_le32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 |
         static_cast<uint32_t>(p[2]) << 16 | static_cast<uint32_t>(p[3]) << 24;
}

std::string checksum_text(uint32_t crc) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "crc32:%08x", static_cast<unsigned>(crc));
  return buf;
}
// Accepts exactly "crc32:" + 8 lowercase hex digits, the form we write.
bool parse_checksum(const std::string& s, uint32_t& crc) {
  if (s.size() != 14 || s.compare(0, 6, "crc32:") != 0) return false;
  crc = 0;
  for (size_t i = 6; i < 14; ++i) {
    char c = s[i];
    uint32_t v;
    if (c >= '0' && c <= '9') v = static_cast<uint32_t>(c - '0');
    else if (c >= 'a' && c <= 'f') v = static_cast<uint32_t>(c - 'a' + 10);
    else return false;
    crc = (crc << 4) | v;
  }
  return true;
}

// nlohmann keeps the last of duplicate keys silently; a duplicated tensor name is ambiguous,
// so the callback rejects duplicates in every object.
json parse_json(const char* p, size_t n) {
  std::vector<std::set<std::string>> keys;  // keys seen in each open object
  auto on_event = [&keys](int, json::parse_event_t event, json& parsed) {
    if (event == json::parse_event_t::object_start) {
      keys.emplace_back();
    } else if (event == json::parse_event_t::object_end) {
      if (!keys.empty()) keys.pop_back();
    } else if (event == json::parse_event_t::key && !keys.empty()) {
      const std::string& key = parsed.get_ref<const std::string&>();
      if (!keys.back().insert(key).second) fail("header has duplicate key " + quote(key));
    }
    return true;
  };
  try {
    return json::parse(p, p + n, on_event);
  } catch (const json::exception& e) {
    fail(std::string("header is not valid JSON: ") + e.what());
  }
}

TensorEntry parse_entry(const std::string& name, const json& v, size_t data_size) {
  const std::string where = "tensor " + quote(name) + ": ";
  if (!v.is_object()) fail(where + "entry is not a JSON object");
  for (auto it = v.begin(); it != v.end(); ++it)
    if (it.key() != "dtype" && it.key() != "shape" && it.key() != "data_offsets")
      fail(where + "unknown field " + quote(it.key()));
  for (const char* field : {"dtype", "shape", "data_offsets"})
    if (!v.contains(field)) fail(where + "missing \"" + field + "\"");

  TensorEntry e;
  e.name = name;
  const json& dtype = v["dtype"];
  if (!dtype.is_string()) fail(where + "\"dtype\" is not a string");
  e.dtype = dtype.get<std::string>();
  const size_t esize = dtype_size(e.dtype);
  if (esize == 0) fail(where + "unknown dtype " + quote(e.dtype));

  const json& shape = v["shape"];
  if (!shape.is_array()) fail(where + "\"shape\" is not a list");
  for (const json& d : shape) {
    // Only non-negative integer literals parse as number_unsigned (not -1, 2.5, 1e3, "2").
    if (!d.is_number_unsigned() ||
        d.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
      fail(where + "\"shape\" must hold non-negative integers, got " + quote(d.dump()));
    e.shape.push_back(static_cast<int64_t>(d.get<uint64_t>()));
  }
  uint64_t count;
  if (!element_count(e.shape, count)) fail(where + "element count of the shape overflows");
  if (count > kU64Max / esize) fail(where + "byte size of the shape overflows");
  const uint64_t nbytes = count * esize;

  const json& offsets = v["data_offsets"];
  if (!offsets.is_array() || offsets.size() != 2 || !offsets[0].is_number_unsigned() ||
      !offsets[1].is_number_unsigned())
    fail(where + "\"data_offsets\" must be two non-negative integers [begin, end]");
  e.begin = offsets[0].get<uint64_t>();
  e.end = offsets[1].get<uint64_t>();
  if (e.end < e.begin)
    fail(where + "data_offsets end " + str(e.end) + " is before begin " + str(e.begin));
  if (e.end - e.begin != nbytes)
    fail(where + "data_offsets span " + str(e.end - e.begin) + " bytes but its shape and dtype " +
         e.dtype + " need " + str(nbytes));
  if (e.end > data_size)
    fail(where + "data_offsets end " + str(e.end) + " is beyond the data buffer (" +
         str(data_size) + " bytes)");
  return e;
}

// The F32 entry behind a read, with its bounds rechecked in case the File was built by hand.
const TensorEntry& f32_entry(const File& file, const std::string& name) {
  const TensorEntry* e = file.find(name);
  if (!e) fail("no tensor named " + quote(name));
  if (e->dtype != "F32")
    fail("tensor " + quote(name) + " has dtype " + e->dtype + ", expected F32");
  if (e->end < e->begin || e->end > file.data_size || (e->end > 0 && !file.data))
    fail("tensor " + quote(name) + " lies outside the data buffer");
  return *e;
}

std::string errno_text(int err) { return err ? std::strerror(err) : "unknown error"; }

}  // namespace

uint32_t crc32(const uint8_t* p, size_t n, uint32_t seed) {
  uint32_t c = ~seed;
  for (; n >= 8; p += 8, n -= 8) {
    const uint32_t lo = c ^ load_le32(p), hi = load_le32(p + 4);
    c = kCrc[7][lo & 0xFF] ^ kCrc[6][(lo >> 8) & 0xFF] ^ kCrc[5][(lo >> 16) & 0xFF] ^
        kCrc[4][lo >> 24] ^ kCrc[3][hi & 0xFF] ^ kCrc[2][(hi >> 8) & 0xFF] ^
        kCrc[1][(hi >> 16) & 0xFF] ^ kCrc[0][hi >> 24];
  }
  for (; n > 0; ++p, --n) c = kCrc[0][(c ^ *p) & 0xFF] ^ (c >> 8);
  return ~c;
}

void serialize_to(ByteSink& sink, const std::vector<TensorRef>& tensors,
                  const std::map<std::string, std::string>& metadata) {
  // Validate and lay out the tensors; sizes in uint64 so nothing wraps on 32-bit wasm.
  std::set<std::string> names;
  std::vector<uint64_t> begins;
  uint64_t total = 0;
  for (const TensorRef& t : tensors) {
    if (t.name.empty()) fail("cannot save a tensor with an empty name");
    const std::string where = "cannot save tensor " + quote(t.name) + ": ";
    if (t.name.compare(0, 2, "__") == 0) fail(where + "names starting with \"__\" are reserved");
    if (!names.insert(t.name).second) fail(where + "duplicate name");
    for (int64_t d : t.shape)
      if (d < 0) fail(where + "negative dimension " + std::to_string(d));
    uint64_t count;
    if (!element_count(t.shape, count) || count != t.count)
      fail(where + "shape does not hold " + str(t.count) + " elements");
    if (t.count > 0 && !t.data) fail(where + "data is null");
    // Checked before any data is touched: on wasm32 the bytes must fit a 32-bit size_t.
    if (count > kU64Max / 4 || total > kU64Max - count * 4 ||
        total + count * 4 > std::numeric_limits<size_t>::max())
      fail(where + "file would be too large");
    begins.push_back(total);
    total += count * 4;
  }

  // The checksum covers exactly the bytes after the header, as parse() sees them.
  uint32_t crc = 0;
  std::array<uint8_t, 4096> chunk;
  for (const TensorRef& t : tensors)
    for (size_t i = 0; i < t.count; i += chunk.size() / 4) {
      size_t n = std::min(chunk.size() / 4, t.count - i);
      floats_to_le(t.data + i, n, chunk.data());
      crc = crc32(chunk.data(), n * 4, crc);
    }

  // Same shape as Python's header: compact JSON, "__metadata__" first, entry fields in the
  // order dtype, shape, data_offsets, padded with spaces to a multiple of 8.
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  std::map<std::string, std::string> meta = metadata;
  meta["checksum"] = checksum_text(crc);
  header["__metadata__"] = meta;
  for (size_t i = 0; i < tensors.size(); ++i) {
    nlohmann::ordered_json entry = nlohmann::ordered_json::object();
    entry["dtype"] = "F32";
    entry["shape"] = tensors[i].shape;
    entry["data_offsets"] = {begins[i], begins[i] + uint64_t{tensors[i].count} * 4};
    header[tensors[i].name] = std::move(entry);
  }
  std::string text;
  try {
    text = header.dump();
  } catch (const json::exception& e) {
    fail(std::string("cannot save: a tensor name or metadata string is not valid UTF-8 (") +
         e.what() + ")");
  }
  text.append((8 - text.size() % 8) % 8, ' ');
  if (text.size() > kMaxHeaderBytes) fail("cannot save: header exceeds " + str(kMaxHeaderBytes) + " bytes");

  if (total > std::numeric_limits<size_t>::max() - 8 - text.size()) fail("cannot save: file would be too large");
  sink.begin(static_cast<size_t>(8 + text.size() + total));
  uint8_t length[8];
  for (int k = 0; k < 8; ++k) length[k] = static_cast<uint8_t>(uint64_t{text.size()} >> (8 * k));
  sink.write(length, 8);
  sink.write(reinterpret_cast<const uint8_t*>(text.data()), text.size());
  std::vector<uint8_t> out(1 << 16);
  for (const TensorRef& t : tensors)
    for (size_t i = 0; i < t.count; i += out.size() / 4) {
      const size_t n = std::min(out.size() / 4, t.count - i);
      floats_to_le(t.data + i, n, out.data());
      sink.write(out.data(), n * 4);
    }
}

std::string serialize(const std::vector<TensorRef>& tensors, const std::map<std::string, std::string>& metadata) {
  struct StringSink : ByteSink {
    std::string out;
    void begin(size_t total) override {
      if (total > out.max_size()) fail("cannot save: file would be too large");
      out.reserve(total);
    }
    void write(const uint8_t* bytes, size_t n) override { out.append(reinterpret_cast<const char*>(bytes), n); }
  } sink;
  serialize_to(sink, tensors, metadata);
  return std::move(sink.out);
}

File parse(const uint8_t* bytes, size_t size) {
  if (size < 8 || !bytes)
    fail("file too short for a safetensors header (" + str(size) + " bytes)");
  uint64_t n = 0;
  for (int k = 0; k < 8; ++k) n |= static_cast<uint64_t>(bytes[k]) << (8 * k);
  if (n > size - 8)
    fail("header length " + str(n) + " exceeds file size (" + str(size) + " bytes)");
  if (n > kMaxHeaderBytes)
    fail("header length " + str(n) + " exceeds the " + str(kMaxHeaderBytes) + "-byte limit");
  const size_t header_size = static_cast<size_t>(n);  // <= size - 8, so it fits
  const char* text = reinterpret_cast<const char*>(bytes + 8);
  if (header_size == 0 || text[0] != '{') fail("header does not start with '{'");
  check_json_depth(text, header_size, "header JSON");  // real headers nest 3 levels
  const json header = parse_json(text, header_size);
  if (!header.is_object()) fail("header is not a JSON object");

  File file;
  file.data = bytes + 8 + header_size;
  file.data_size = size - 8 - header_size;
  for (auto it = header.begin(); it != header.end(); ++it) {
    if (it.key() != "__metadata__") {
      file.tensors.push_back(parse_entry(it.key(), it.value(), file.data_size));
      continue;
    }
    // Python's safetensors allows string values only; structured values are JSON-encoded.
    if (!it.value().is_object()) fail("__metadata__ is not a JSON object");
    for (auto m = it.value().begin(); m != it.value().end(); ++m) {
      if (!m.value().is_string())
        fail("metadata value for key " + quote(m.key()) + " is not a string");
      file.metadata[m.key()] = m.value().get<std::string>();
    }
  }

  // Safetensors requires the tensors to tile the data buffer exactly: no overlap, no gap,
  // nothing trailing. Zero-byte tensors may sit anywhere on the tiling.
  std::sort(file.tensors.begin(), file.tensors.end(), [](const TensorEntry& a, const TensorEntry& b) {
    if (a.begin != b.begin) return a.begin < b.begin;
    if (a.end != b.end) return a.end < b.end;
    return a.name < b.name;
  });
  uint64_t covered = 0;
  const TensorEntry* previous = nullptr;
  for (const TensorEntry& e : file.tensors) {
    if (e.begin < covered)
      fail("tensor " + quote(e.name) + " overlaps tensor " + quote(previous->name) +
           " (data_offsets begin " + str(e.begin) + " < " + str(covered) + ")");
    if (e.begin > covered)
      fail("tensor data does not cover the buffer: gap of " + str(e.begin - covered) +
           " bytes before tensor " + quote(e.name));
    covered = e.end;
    previous = &e;
  }
  if (covered != file.data_size)
    fail("tensor data does not cover the buffer: " + str(file.data_size - covered) +
         " trailing bytes after the last tensor");

  auto checksum = file.metadata.find("checksum");
  if (checksum != file.metadata.end()) {
    uint32_t expected;
    if (!parse_checksum(checksum->second, expected))
      fail("malformed checksum " + quote(checksum->second) + " (expected crc32:<8 hex digits>)");
    uint32_t actual = crc32(file.data, file.data_size);
    if (actual != expected)
      fail("checksum mismatch: file says " + checksum->second + ", data has " +
           checksum_text(actual) + " (the file is corrupted)");
  }
  return file;
}

const TensorEntry* File::find(const std::string& name) const {
  for (const TensorEntry& e : tensors)
    if (e.name == name) return &e;
  return nullptr;
}

std::vector<float> File::read_f32(const std::string& name) const {
  const TensorEntry& e = f32_entry(*this, name);
  std::vector<float> out(static_cast<size_t>((e.end - e.begin) / 4));
  le_to_floats(data + e.begin, out.size(), out.data());
  return out;
}

void File::read_f32_into(const std::string& name, float* out, size_t count) const {
  const TensorEntry& e = f32_entry(*this, name);
  const uint64_t have = (e.end - e.begin) / 4;
  if (have != count)
    fail("tensor " + quote(name) + " has " + str(have) + " elements, caller expects " + str(count));
  le_to_floats(data + e.begin, count, out);
}

std::string read_file(const std::string& path) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) fail("cannot open '" + path + "': " + errno_text(errno));
  std::string out;
  std::array<char, 65536> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), f.get())) > 0) out.append(buf.data(), n);
  if (std::ferror(f.get())) fail("cannot read '" + path + "': " + errno_text(errno));
  return out;
}

void write_file_atomic(const std::string& path, const std::string& bytes) {
  write_file_atomic(path, [&](ByteSink& sink) {
    sink.begin(bytes.size());
    sink.write(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  });
}

void write_file_atomic(const std::string& path, const std::function<void(ByteSink&)>& write) {
  // Unique per process and call, so concurrent writers never share a temporary.
  static std::atomic<unsigned> counter{0};
  std::string tmp = path + ".tmp-";
#ifdef RNN_HAVE_POSIX_IO
  tmp += std::to_string(::getpid()) + "-";
#endif
  tmp += std::to_string(counter++) + "-" +
         std::to_string(std::chrono::steady_clock::now().time_since_epoch().count() & 0xFFFFFF);

  // "x": never reuse a file that is already there.
  std::FILE* f = std::fopen(tmp.c_str(), "wbx");
  if (!f) fail("cannot write '" + path + "': cannot create '" + tmp + "': " + errno_text(errno));
  struct FileSink : ByteSink {
    std::FILE* f;
    int err = 0;
    explicit FileSink(std::FILE* file) : f(file) {}
    void begin(size_t) override {}
    void write(const uint8_t* b, size_t n) override {
      if (err == 0 && std::fwrite(b, 1, n, f) != n) err = errno ? errno : EIO;
    }
  } sink(f);
  try {
    write(sink);
  } catch (...) {  // nothing half-written is left behind
    std::fclose(f);
    std::remove(tmp.c_str());
    throw;
  }
  int err = sink.err;
  if (err == 0 && std::fflush(f) != 0) err = errno;
#ifdef RNN_HAVE_POSIX_IO
  if (err == 0 && ::fsync(::fileno(f)) != 0) err = errno;  // data on disk before the rename
#endif
  if (std::fclose(f) != 0 && err == 0) err = errno ? errno : EIO;
  if (err == 0 && std::rename(tmp.c_str(), path.c_str()) != 0) err = errno ? errno : EIO;
  if (err != 0) {
    std::remove(tmp.c_str());
    fail("cannot write '" + path + "': " + errno_text(err));
  }
}

}  // namespace rnn::safetensors
