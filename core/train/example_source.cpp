#include "train/example_source.h"

#include <algorithm>
#include <numeric>

#include "common.h"

namespace rnn {

void SequenceExamples::add(const std::vector<int32_t>& in, const std::vector<int32_t>& tg, int32_t label) {
  if (in.empty()) fail("an example has no tokens");
  if (!tg.empty() && tg.size() != in.size()) fail("an example has " + std::to_string(in.size()) + " inputs but " +
                                                  std::to_string(tg.size()) + " targets");
  tokens.insert(tokens.end(), in.begin(), in.end());
  targets.insert(targets.end(), tg.begin(), tg.end());
  if (label >= 0) labels.push_back(label);
  offsets.push_back((int64_t)tokens.size());
}

void SequenceExamples::add_pair(const std::vector<int32_t>& source, const std::vector<int32_t>& in,
                                const std::vector<int32_t>& out) {
  if (in.empty() || in.size() != out.size()) fail("a pair needs a target side of equal, non-zero lengths");
  add(source);
  decoder_inputs.insert(decoder_inputs.end(), in.begin(), in.end());
  decoder_targets.insert(decoder_targets.end(), out.begin(), out.end());
  decoder_offsets.push_back((int64_t)decoder_inputs.size());
}

ExampleBatchSource::ExampleBatchSource(const SequenceExamples& examples, int batch_size, bool shuffle, uint64_t seed)
    : examples_(examples), batch_size_(batch_size), shuffle_(shuffle), rng_(seed, 4) {
  if (examples.size() < 1) fail("no examples to train on");
  if (batch_size < 1) fail("batch_size must be >= 1 (got " + std::to_string(batch_size) + ")");
  plan_epoch();
}

void ExampleBatchSource::plan_epoch() {
  epoch_start_ = rng_;
  const int64_t n = examples_.size();
  order_.resize(n);
  std::iota(order_.begin(), order_.end(), 0);
  if (shuffle_)
    for (int64_t i = n - 1; i > 0; --i) std::swap(order_[i], order_[rng_.below((uint32_t)(i + 1))]);
  // Group by length; within a length the (shuffled) order stays, so every epoch's batches differ.
  std::stable_sort(order_.begin(), order_.end(),
                   [&](int64_t a, int64_t b) { return examples_.length(a) < examples_.length(b); });
  const int64_t batches = (n + batch_size_ - 1) / batch_size_;
  std::vector<int64_t> which(batches);
  std::iota(which.begin(), which.end(), 0);
  if (shuffle_)
    for (int64_t i = batches - 1; i > 0; --i) std::swap(which[i], which[rng_.below((uint32_t)(i + 1))]);
  std::vector<int64_t> grouped;
  grouped.reserve(n);
  batch_starts_.assign(1, 0);
  for (int64_t k : which) {
    const int64_t a = k * batch_size_, b = std::min(n, a + batch_size_);
    grouped.insert(grouped.end(), order_.begin() + a, order_.begin() + b);
    batch_starts_.push_back((int64_t)grouped.size());
  }
  order_.swap(grouped);
}

std::vector<int64_t> ExampleBatchSource::batch_examples(int64_t k) const {
  return {order_.begin() + batch_starts_[k], order_.begin() + batch_starts_[k + 1]};
}

Batch ExampleBatchSource::current() {
  const int64_t a = batch_starts_[position], b = batch_starts_[position + 1];
  const int B = (int)(b - a);
  int T = 0;
  for (int64_t i = a; i < b; ++i) T = std::max(T, examples_.length(order_[i]));
  inputs_.assign((size_t)B * T, 0);
  lengths_.resize(B);
  const bool has_targets = !examples_.targets.empty(), has_labels = !examples_.labels.empty();
  if (has_targets) targets_.assign((size_t)B * T, 0);
  if (has_labels) labels_.resize(B);
  for (int r = 0; r < B; ++r) {
    const int64_t e = order_[a + r], from = examples_.offsets[e];
    const int len = examples_.length(e);
    lengths_[r] = len;
    std::copy_n(examples_.tokens.begin() + from, len, inputs_.begin() + (size_t)r * T);
    if (has_targets) std::copy_n(examples_.targets.begin() + from, len, targets_.begin() + (size_t)r * T);
    if (has_labels) labels_[r] = examples_.labels[e];
  }
  Batch batch;
  if (examples_.pairs()) {
    int target_T = 0;
    for (int64_t i = a; i < b; ++i) target_T = std::max(target_T, examples_.target_length(order_[i]));
    decoder_inputs_.assign((size_t)B * target_T, 0);
    targets_.assign((size_t)B * target_T, 0);
    target_lengths_.resize(B);
    for (int r = 0; r < B; ++r) {
      const int64_t e = order_[a + r], from = examples_.decoder_offsets[e];
      const int len = examples_.target_length(e);
      target_lengths_[r] = len;
      std::copy_n(examples_.decoder_inputs.begin() + from, len, decoder_inputs_.begin() + (size_t)r * target_T);
      std::copy_n(examples_.decoder_targets.begin() + from, len, targets_.begin() + (size_t)r * target_T);
    }
    batch.target_steps = target_T;
    batch.decoder_inputs = decoder_inputs_.data();
    batch.target_lengths = target_lengths_.data();
    batch.targets = targets_.data();
  }
  batch.B = B;
  batch.T = T;
  batch.inputs = inputs_.data();
  if (!examples_.pairs()) batch.targets = has_targets ? targets_.data() : nullptr;
  batch.lengths = lengths_.data();
  batch.labels = has_labels ? labels_.data() : nullptr;
  return batch;
}

void ExampleBatchSource::advance() {
  if (++position == batches_per_epoch()) {
    position = 0;
    ++epoch;
    plan_epoch();
  }
}

void ExampleBatchSource::restore(int64_t e, int64_t p, const Rng& start) {
  rng_ = start;
  plan_epoch();
  if (p < 0 || p >= batches_per_epoch()) fail("checkpoint data position is beyond the examples");
  epoch = e;
  position = p;
}

}  // namespace rnn
