// What a training run will hold in memory, estimated from its configuration before anything is
// allocated: each task adds up its own buffers (tasks/), and one rule refuses what cannot fit.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "kernels/kernels.h"

namespace rnn {

// One buffer of the estimate. `needed`: part of the unavoidable minimum — parameters, gradients,
// optimizer moments, the activations backpropagation through time must keep, the corpus ids —
// against which the whole is judged (what speed, safety or convenience adds is not `needed`).
struct MemoryItem {
  std::string name;
  double bytes = 0;
  bool needed = false;
};

struct MemoryEstimate {
  int64_t parameters = 0;        // trainable floats
  double weight_bytes = 0;       // values + gradients + optimizer moments
  double activation_bytes = 0;   // what one step keeps for backpropagation through time, and its scratch
  double packing_bytes = 0;      // weights packed for the GEMM kernels, and the products' packed operands
  double checkpoint_bytes = 0;   // the serialized checkpoint, while a save runs
  double corpus_bytes = 0;       // token ids and the batches cut from them (0 when the corpus is unknown)
  std::vector<MemoryItem> items;  // the buffers one by one, when the task lists them (language models)
  double total() const { return weight_bytes + activation_bytes + packing_bytes + checkpoint_bytes + corpus_bytes; }
  double minimum() const {
    double m = 0;
    for (const MemoryItem& i : items) m += i.needed ? i.bytes : 0;
    return m;
  }
};

// Throws rnn::Error when the activations exceed 1000 MiB, or, in a 32-bit build (WebAssembly,
// whose heap tops out at 4 GiB), when everything but the corpus exceeds 3072 MiB.
void check_memory(const MemoryEstimate& estimate);

// The GEMM scratch (kernels::GemmScratch) of a step's products over `rows` positions: a recurrent
// level (input projection, its weight gradients, the input gradient) and a dense layer.
void add_recurrent_products(kernels::GemmScratch& s, int rows, int gates, int input, int hidden);
void add_dense_products(kernels::GemmScratch& s, int rows, int out, int in);

}  // namespace rnn
