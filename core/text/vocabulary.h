// Strings ↔ dense ids: the tokens of a tokenizer, and equally a task's labels or tags.
#pragma once
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace rnn {

class Vocabulary {
 public:
  // Appends `entry` if it is new; returns its id either way.
  int32_t add(const std::string& entry);
  // Most frequent first, ties by byte-wise string order (deterministic on every platform); entries
  // counted fewer than min_count times are left out. `first`, if given, gets id 0 (e.g. "<unk>").
  static Vocabulary by_frequency(const std::unordered_map<std::string, int64_t>& counts, int64_t min_count,
                                 const char* first = nullptr);

  int32_t size() const { return static_cast<int32_t>(entries_.size()); }
  int32_t id_of(const std::string& entry) const;  // -1 when absent
  const std::string& at(int32_t id) const;        // throws rnn::Error for an id out of range
  const std::vector<std::string>& entries() const { return entries_; }

 private:
  std::vector<std::string> entries_;
  std::unordered_map<std::string, int32_t> ids_;
};

}  // namespace rnn
