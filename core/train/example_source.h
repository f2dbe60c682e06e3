// Examples of different lengths (sentences, names, texts with a label), batched for training:
// each epoch shuffles the examples with a seeded RNG, groups them by length (the rows of a batch
// have similar lengths, so little padding) and shuffles the order of the batches. Nothing is
// carried from one batch to the next. For evaluation the order is fixed (by length).
#pragma once
#include <cstdint>
#include <vector>

#include "rng.h"
#include "train/batch_source.h"

namespace rnn {

// Examples stored flat: example i is tokens[offsets[i] .. offsets[i+1]); targets (if any) have the
// same layout; labels (if any) hold one id per example. Pairs (encoder–decoder) add a target side of
// its own length: the decoder's inputs and the targets it predicts, decoder_offsets alike.
struct SequenceExamples {
  std::vector<int32_t> tokens, targets, labels;
  std::vector<int64_t> offsets = {0};
  std::vector<int32_t> decoder_inputs, decoder_targets;
  std::vector<int64_t> decoder_offsets = {0};

  int64_t size() const { return (int64_t)offsets.size() - 1; }
  int32_t length(int64_t i) const { return (int32_t)(offsets[i + 1] - offsets[i]); }
  // targets may be empty (then none are kept); label < 0: none.
  void add(const std::vector<int32_t>& inputs, const std::vector<int32_t>& targets = {}, int32_t label = -1);
  // A source and its target side (decoder inputs and targets of equal length).
  void add_pair(const std::vector<int32_t>& source, const std::vector<int32_t>& decoder_inputs,
                const std::vector<int32_t>& decoder_targets);
  bool pairs() const { return decoder_offsets.size() > 1; }
  int32_t target_length(int64_t i) const { return (int32_t)(decoder_offsets[i + 1] - decoder_offsets[i]); }
  int64_t total_tokens() const { return offsets.back(); }
};

class ExampleBatchSource : public BatchSource {
 public:
  // shuffle = false: a fixed order (sorted by length), for evaluation. Throws if there are no examples.
  ExampleBatchSource(const SequenceExamples& examples, int batch_size, bool shuffle, uint64_t seed);
  int64_t batches_per_epoch() const override { return (int64_t)batch_starts_.size() - 1; }
  Batch current() override;
  void advance() override;

  // The shuffling RNG as it was when this epoch was planned: a checkpoint stores it, and
  // restore() plans the same epoch again.
  const Rng& epoch_rng() const { return epoch_start_; }
  void restore(int64_t epoch, int64_t position, const Rng& epoch_rng);
  void mark(SourceMark& m) const override {
    BatchSource::mark(m);
    m.epoch_rng = epoch_start_;
  }
  void rewind(const SourceMark& m) override { restore(m.epoch, m.position, m.epoch_rng); }
  const SequenceExamples& examples() const { return examples_; }
  // The example indices of batch k of this epoch (in row order).
  std::vector<int64_t> batch_examples(int64_t k) const;

 private:
  void plan_epoch();
  const SequenceExamples& examples_;
  int batch_size_;
  bool shuffle_;
  Rng rng_, epoch_start_;
  std::vector<int64_t> order_;         // example indices, batch after batch
  std::vector<int64_t> batch_starts_;  // offsets into order_, one past the last batch at the end
  std::vector<int32_t> inputs_, targets_, lengths_, labels_;  // the current batch, padded with 0
  std::vector<int32_t> decoder_inputs_, target_lengths_;     // pairs: the target side
};

}  // namespace rnn
