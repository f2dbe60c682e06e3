#include "train/batch_source.h"

#include "common.h"

#include <algorithm>

namespace rnn {

StreamBatchSource::StreamBatchSource(const std::vector<int32_t>& ids, int batch_size, int seq_length,
                                     size_t state_floats)
    : batches(rnn::batches(ids, batch_size, seq_length)) {
  state = {batch_size, std::vector<float>(state_floats, 0.0f)};
  next_state_.assign(state_floats, 0.0f);
}

Batch StreamBatchSource::current() {
  Batch b;
  b.B = batches.batch_size;
  b.T = batches.seq_length;
  b.inputs = batches.inputs((int32_t)position);
  b.targets = batches.targets((int32_t)position);
  b.state_in = state.data.data();
  b.state_out = next_state_.data();
  return b;
}

void StreamBatchSource::advance() {
  if (++position == batches.n_batches) {
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
