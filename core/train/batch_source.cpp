#include "train/batch_source.h"

#include "common.h"

#include <algorithm>

namespace rnn {

StreamBatchSource::StreamBatchSource(std::vector<int32_t> ids, int batch_size, int seq_length, size_t state_floats)
    : ids_(std::move(ids)), batch_size_(batch_size), seq_length_(seq_length) {
  n_batches_ = batch_count(ids_.size(), batch_size, seq_length);
  ids_.resize((size_t)n_batches_ * batch_size * seq_length);  // the tail no batch reaches
  inputs_.resize((size_t)batch_size * seq_length);
  targets_.resize(inputs_.size());
  state = {batch_size, std::vector<float>(state_floats, 0.0f)};
  next_state_.assign(state_floats, 0.0f);
}

Batch StreamBatchSource::current() {
  if (cut_ != position) {
    cut_batch(ids_.data(), ids_.size(), batch_size_, seq_length_, (int32_t)position, inputs_.data(), targets_.data());
    cut_ = position;
  }
  Batch b;
  b.B = batch_size_;
  b.T = seq_length_;
  b.inputs = inputs_.data();
  b.targets = targets_.data();
  b.state_in = state.data.data();
  b.state_out = next_state_.data();
  return b;
}

void StreamBatchSource::advance() {
  if (++position == n_batches_) {
    position = 0;
    ++epoch;
    reset_state();
  } else {
    state.data.swap(next_state_);
  }
}

void StreamBatchSource::rewind(const SourceMark& m) {
  epoch = m.epoch;
  position = m.position;
  if (m.state.size() != state.data.size()) fail("rewind: the carried state does not match this source");
  state.data = m.state;
}

void StreamBatchSource::reset_state() { std::fill(state.data.begin(), state.data.end(), 0.0f); }

}  // namespace rnn
