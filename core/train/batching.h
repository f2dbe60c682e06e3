// Cutting a token stream into training batches, the TV-script recipe's way.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace rnn {

// Shape (n_batches, 2, batch_size, seq_length), row-major: [k][0] holds the inputs of batch
// k and [k][1] their targets.
struct Batches {
  int32_t n_batches = 0, batch_size = 0, seq_length = 0;
  std::vector<int32_t> data;

  size_t index(int32_t batch, int32_t which, int32_t row, int32_t t) const {
    return ((static_cast<size_t>(batch) * 2 + static_cast<size_t>(which)) * static_cast<size_t>(batch_size) +
            static_cast<size_t>(row)) * static_cast<size_t>(seq_length) + static_cast<size_t>(t);
  }
  // which: 0 = input, 1 = target.
  int32_t at(int32_t batch, int32_t which, int32_t row, int32_t t) const { return data[index(batch, which, row, t)]; }
  // Contiguous (batch_size x seq_length) blocks.
  const int32_t* inputs(int32_t batch) const { return data.data() + index(batch, 0, 0, 0); }
  const int32_t* targets(int32_t batch) const { return data.data() + index(batch, 1, 0, 0); }
};

// n_batches = len(ids) / (batch_size * seq_length); the tail is dropped. The kept tokens are
// laid out as batch_size contiguous rows, so row r of batch k+1 continues row r of batch k.
// Targets are the next token, cyclically over the kept tokens: the last target of row r is
// the first token of row r+1 and the very last target is kept[0]. Hence exactly
// batch_size * seq_length tokens suffice for one batch; fewer throw rnn::Error
// ("corpus too short: N tokens, need at least M for batch_size B x seq_length S"), as do
// batch_size or seq_length < 1.
Batches batches(const std::vector<int32_t>& ids, int32_t batch_size, int32_t seq_length);
// The same, one batch at a time: n_batches for `tokens` ids (throwing as batches() does), and batch
// k's inputs and targets (batch_size × seq_length each) from the first kept_size ids (n_batches ×
// batch_size × seq_length): what batches() stores at inputs(k) and targets(k).
int32_t batch_count(size_t tokens, int32_t batch_size, int32_t seq_length);
void cut_batch(const int32_t* kept, size_t kept_size, int32_t batch_size, int32_t seq_length, int32_t k,
               int32_t* inputs, int32_t* targets);

struct TrainValidation {
  std::vector<int32_t> train, validation;
};
// The last floor(len * fraction) tokens become the validation set (fraction 0 -> empty).
// fraction outside [0, 0.5] (or NaN) throws rnn::Error naming validationFraction. Ids moved in
// become the training part in place (a large corpus is not copied).
TrainValidation split_validation(std::vector<int32_t> ids, double fraction);
// How many of `tokens` that is; the same check of `fraction`.
size_t validation_count(size_t tokens, double fraction);

}  // namespace rnn
