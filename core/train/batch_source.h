// Where a trainer's batches come from. A source hands out the batch the next step trains on and
// moves on only when that step succeeded, so a refused step leaves it (and any state it carries)
// exactly as it was.
#pragma once
#include <cstdint>
#include <vector>

#include "models/model.h"
#include "rng.h"
#include "train/batching.h"

namespace rnn {

// Where a source stands, for the divergence guard's rollback.
struct SourceMark {
  int64_t epoch = 0, position = 0;
  Rng epoch_rng;              // examples: the shuffling RNG of the epoch (its order is planned again)
  std::vector<float> state;   // stream: the carried state
};

class BatchSource {
 public:
  int64_t epoch = 0;     // completed passes
  int64_t position = 0;  // next batch within the epoch

  virtual ~BatchSource() = default;
  virtual int64_t batches_per_epoch() const = 0;
  // The batch at `position` (its pointers stay valid until advance()).
  virtual Batch current() = 0;
  // The step on current() succeeded: move to the next batch, a new epoch after the last.
  virtual void advance() = 0;
  // Into an existing mark, reusing its buffers (the guard marks every few steps without allocating).
  virtual void mark(SourceMark& m) const {
    m.epoch = epoch;
    m.position = position;
  }
  virtual void rewind(const SourceMark& m) {
    epoch = m.epoch;
    position = m.position;
  }
};

// The TV-script recipe's stream batching (train/batching.h): row r of batch k+1 continues row r of
// batch k, and the model's final state of one batch is the initial state of the next. The state
// starts at zero each epoch (the recipe re-runs initial_state per epoch) and on reset_state().
// Each batch is cut from the token ids when it is asked for, with the values batches() lays out,
// so a corpus is held once, as its ids, and not again as every batch's inputs and targets.
class StreamBatchSource : public BatchSource {
 public:
  ModelState state;  // carried into current()

  // state_floats: the model's state size for batch_size rows. Throws as batches() for a corpus
  // shorter than one batch; the tokens past the last whole batch are dropped.
  StreamBatchSource(std::vector<int32_t> ids, int batch_size, int seq_length, size_t state_floats);
  int64_t batches_per_epoch() const override { return n_batches_; }
  int batch_size() const { return batch_size_; }
  int seq_length() const { return seq_length_; }
  // The tokens an epoch reads as inputs, each once: batch_size rows of n_batches × seq_length.
  const std::vector<int32_t>& tokens() const { return ids_; }
  Batch current() override;
  void advance() override;
  void reset_state();
  void mark(SourceMark& m) const override {
    BatchSource::mark(m);
    m.state.assign(state.data.begin(), state.data.end());
  }
  void rewind(const SourceMark& m) override;

 private:
  std::vector<int32_t> ids_;
  int32_t n_batches_ = 0, batch_size_ = 0, seq_length_ = 0;
  std::vector<int32_t> inputs_, targets_;  // the batch at cut_, cut from ids_
  int64_t cut_ = -1;
  std::vector<float> next_state_;  // the current batch writes its final state here
};

}  // namespace rnn
