// Safetensors container (https://github.com/huggingface/safetensors): an 8-byte little-endian
// header length N, N bytes of JSON describing the tensors, then their raw little-endian bytes.
// Files we write load in Python's safetensors and vice versa. Loading validates everything up
// front, so a corrupt or hostile file throws rnn::Error naming the problem instead of crashing
// or driving a huge allocation. We add a CRC-32 of the tensor bytes to the metadata so silent
// corruption is caught too; files without it (e.g. written by Python) still load.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "common.h"

namespace rnn::safetensors {

// Largest header we accept, the same limit as Python's safetensors.
constexpr uint64_t kMaxHeaderBytes = 100'000'000;

// Writer input: one F32 tensor. `count` is the number of floats at `data`; it must equal the
// product of `shape` (checked, so a wrong shape cannot silently write the wrong bytes).
struct TensorRef {
  std::string name;
  std::vector<int64_t> shape;
  const float* data = nullptr;
  size_t count = 0;
};

// Where serialize_to writes a file: begin(total bytes) once, then write() the bytes in order, in
// chunks. Lets a caller put the file straight where it goes (a JS buffer outside the WebAssembly
// heap, a file) instead of holding a second copy of every weight in memory.
struct ByteSink {
  virtual ~ByteSink() = default;
  virtual void begin(size_t total) = 0;
  virtual void write(const uint8_t* bytes, size_t n) = 0;
};

// Builds a whole file in memory: header padded with spaces to a multiple of 8 (as Python
// does), then the tensors contiguously in the given order. Metadata values are stored as
// strings (JSON-encode structured values yourself); the key "checksum" is always set to
// "crc32:<8 hex>" of the tensor bytes, replacing any caller value. Rejects empty, duplicate or
// "__"-prefixed names, negative dims and shape/count mismatches.
std::string serialize(const std::vector<TensorRef>& tensors,
                      const std::map<std::string, std::string>& metadata = {});
// The same bytes, to a sink: no more memory than a 64 KB chunk.
void serialize_to(ByteSink& sink, const std::vector<TensorRef>& tensors,
                  const std::map<std::string, std::string>& metadata = {});

// One tensor as listed in the header. [begin, end) is a byte range of File::data.
struct TensorEntry {
  std::string name;
  std::string dtype;  // "F32", "F16", "BF16", "F64", "I32", ... (only F32 can be read as values)
  std::vector<int64_t> shape;
  uint64_t begin = 0, end = 0;
};

struct File {
  std::map<std::string, std::string> metadata;  // includes "checksum" when present
  std::vector<TensorEntry> tensors;              // sorted by begin
  // View into the caller's bytes (the part after the header): keep them alive while using this.
  const uint8_t* data = nullptr;
  size_t data_size = 0;

  const TensorEntry* find(const std::string& name) const;  // nullptr if absent
  // Copies a F32 tensor out (little-endian on disk). Throws if missing or not F32.
  std::vector<float> read_f32(const std::string& name) const;
  // Same into caller memory; `count` must equal the tensor's element count.
  void read_f32_into(const std::string& name, float* out, size_t count) const;
};

// Parses and fully validates a file (header, offsets, coverage, checksum) before returning.
File parse(const uint8_t* bytes, size_t size);
inline File parse(const std::string& bytes) {
  return parse(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
}
File parse(std::string&&) = delete;  // the File would point into a dead temporary

// IEEE CRC-32 (zlib's). Chain calls by passing the previous result as seed.
uint32_t crc32(const uint8_t* p, size_t n, uint32_t seed = 0);

// Whole file into memory; throws naming the path if it is missing or unreadable.
std::string read_file(const std::string& path);
// Writes to a temporary next to `path`, flushes and fsyncs it, then renames it over `path`,
// so readers see the old file or the new one, never a torn write. On failure the temporary is
// removed, an existing `path` is left untouched, and the error names the path.
void write_file_atomic(const std::string& path, const std::string& bytes);
// The same, with the bytes written by `write` into a sink on the temporary file (a model file
// streamed by serialize_to, never whole in memory).
void write_file_atomic(const std::string& path, const std::function<void(ByteSink&)>& write);

}  // namespace rnn::safetensors
