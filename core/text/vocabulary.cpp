#include "text/vocabulary.h"

#include <algorithm>

#include "common.h"

namespace rnn {

int32_t Vocabulary::add(const std::string& entry) {
  auto [it, inserted] = ids_.emplace(entry, size());
  if (inserted) entries_.push_back(entry);
  return it->second;
}

Vocabulary Vocabulary::by_frequency(const std::unordered_map<std::string, int64_t>& counts, int64_t min_count,
                                    const char* first) {
  std::vector<std::pair<std::string, int64_t>> kept;
  for (const auto& kv : counts)
    if (kv.second >= min_count && !(first && kv.first == first)) kept.push_back(kv);
  std::sort(kept.begin(), kept.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;  // std::string compares byte-wise
  });
  Vocabulary v;
  v.entries_.reserve(kept.size() + 1);
  v.ids_.reserve(kept.size() + 1);
  if (first) v.add(first);
  for (const auto& kv : kept) v.add(kv.first);
  return v;
}

int32_t Vocabulary::id_of(const std::string& entry) const {
  auto it = ids_.find(entry);
  return it == ids_.end() ? -1 : it->second;
}

const std::string& Vocabulary::at(int32_t id) const {
  if (id < 0 || id >= size()) fail("id " + std::to_string(id) + " is outside the vocabulary of " + std::to_string(size()));
  return entries_[static_cast<size_t>(id)];
}

}  // namespace rnn
