// What a training run will hold in memory, estimated from its configuration before anything is
// allocated. The one formula behind the trainer's refusals, the page's live estimate and the
// JS API's estimateMemory(); each item names the buffers it stands for.
#pragma once
#include <cstdint>

#include "train/trainer.h"

namespace rnn {

struct MemoryEstimate {
  int64_t parameters = 0;        // trainable floats
  double weight_bytes = 0;       // values + gradients + optimizer moments
  double activation_bytes = 0;   // what one step keeps for backpropagation through time, and its scratch
  double packing_bytes = 0;      // W_hh packed for the forward and backward products
  double checkpoint_bytes = 0;   // the serialized checkpoint, while a save runs
  double corpus_bytes = 0;       // token ids and the batches cut from them (0 when the corpus is unknown)
  double total() const { return weight_bytes + activation_bytes + packing_bytes + checkpoint_bytes + corpus_bytes; }
};

// corpus_tokens: tokens of the training text, or 0 if not known yet.
MemoryEstimate estimate_memory(const TrainerConfig& config, int64_t corpus_tokens = 0);

// Refusal limits, applied by TrainerConfig::validate.
inline constexpr double kMaxActivationBytes = 1000.0 * (1 << 20);
inline constexpr double kMaxWasmBytes = 3072.0 * (1 << 20);  // a 32-bit heap tops out at 4 GiB

}  // namespace rnn
