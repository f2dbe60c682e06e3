#include "train/batching.h"

#include <cmath>
#include <sstream>
#include <utility>

#include "common.h"

namespace rnn {

int32_t batch_count(size_t tokens, int32_t batch_size, int32_t seq_length) {
  if (batch_size < 1) fail("batch_size must be >= 1 (got " + std::to_string(batch_size) + ")");
  if (seq_length < 1) fail("seq_length must be >= 1 (got " + std::to_string(seq_length) + ")");
  // 64-bit: size_t is 32 bits in wasm and the product of two int32 may not fit.
  const uint64_t need = static_cast<uint64_t>(batch_size) * static_cast<uint64_t>(seq_length);
  if (static_cast<uint64_t>(tokens) < need)
    fail("corpus too short: " + std::to_string(tokens) + " tokens, need at least " + std::to_string(need) +
         " for batch_size " + std::to_string(batch_size) + " x seq_length " + std::to_string(seq_length));
  return static_cast<int32_t>(static_cast<uint64_t>(tokens) / need);
}

void cut_batch(const int32_t* kept, size_t kept_size, int32_t batch_size, int32_t seq_length, int32_t k,
               int32_t* inputs, int32_t* targets) {
  const size_t row_len = kept_size / static_cast<size_t>(batch_size);  // n_batches * seq_length
  for (int32_t r = 0; r < batch_size; ++r)
    for (int32_t t = 0; t < seq_length; ++t) {
      const size_t src = static_cast<size_t>(r) * row_len + static_cast<size_t>(k) * seq_length + t;
      const size_t dst = static_cast<size_t>(r) * seq_length + t;
      inputs[dst] = kept[src];
      targets[dst] = kept[(src + 1) % kept_size];
    }
}

Batches batches(const std::vector<int32_t>& ids, int32_t batch_size, int32_t seq_length) {
  Batches b;
  b.n_batches = batch_count(ids.size(), batch_size, seq_length);
  b.batch_size = batch_size;
  b.seq_length = seq_length;
  const size_t kept = static_cast<size_t>(b.n_batches) * batch_size * seq_length;  // the tail is dropped
  b.data.resize(2 * kept);
  for (int32_t k = 0; k < b.n_batches; ++k)
    cut_batch(ids.data(), kept, batch_size, seq_length, k, b.data.data() + b.index(k, 0, 0, 0),
              b.data.data() + b.index(k, 1, 0, 0));
  return b;
}

size_t validation_count(size_t tokens, double fraction) {
  if (!(fraction >= 0.0 && fraction <= 0.5)) {
    std::ostringstream msg;
    msg << "validationFraction must be in [0, 0.5] (got " << fraction << ")";
    fail(msg.str());
  }
  return static_cast<size_t>(std::floor(static_cast<double>(tokens) * fraction));
}

TrainValidation split_validation(std::vector<int32_t> ids, double fraction) {
  const size_t n_val = validation_count(ids.size(), fraction);
  std::vector<int32_t> validation(ids.end() - static_cast<std::ptrdiff_t>(n_val), ids.end());
  ids.resize(ids.size() - n_val);
  return {std::move(ids), std::move(validation)};
}

}  // namespace rnn
