#include "train/memory.h"

#include <string>

#include "common.h"

namespace rnn {

void check_memory(const MemoryEstimate& m) {
  constexpr double MiB = 1 << 20;
  if (m.activation_bytes > 1000 * MiB)
    fail("batch_size × seq_length too large for this model: activations would need " +
         std::to_string((long long)(m.activation_bytes / MiB)) + " MiB (limit 1000 MiB)");
  const double mib = (m.weight_bytes + m.activation_bytes + m.packing_bytes + m.checkpoint_bytes) / MiB;
  if (sizeof(void*) == 4 && mib > 3072)
    fail("model too large for WebAssembly: weights, gradients, optimizer state and activations need about " +
         std::to_string((long long)mib) + " MiB, over the 3072 MiB limit; reduce hidden, layers or embedding");
}

void add_recurrent_products(kernels::GemmScratch& s, int rows, int gates, int input, int hidden) {
  s.add('t', rows, gates, input);   // gates = x·W_ihᵀ
  s.add('T', gates, input, rows);   // dW_ih += dgatesᵀ·x
  s.add('T', gates, hidden, rows);  // dW_hh += dgatesᵀ·h
  s.add('n', rows, input, gates);   // dx = dgates·W_ih
}

void add_dense_products(kernels::GemmScratch& s, int rows, int out, int in) {
  s.add('t', rows, out, in);
  s.add('n', rows, in, out);
  s.add('T', out, in, rows);
}

}  // namespace rnn
