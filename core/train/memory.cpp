#include "train/memory.h"

#include <algorithm>

#include "models/language_model.h"

namespace rnn {

MemoryEstimate estimate_memory(const TrainerConfig& c, int64_t corpus_tokens) {
  const ModelConfig& m = c.model;
  const double H = m.hidden_size, E = m.embedding_size, V = m.vocab_size;
  const double gates = cell_gates(m.cell) * H;
  const int moments = c.optimizer.type == OptimizerType::Adam      ? 2
                      : c.optimizer.type == OptimizerType::RmsProp ? 1
                      : c.optimizer.momentum > 0                   ? 1
                                                                   : 0;
  MemoryEstimate e;
  e.parameters = (int64_t)parameter_count(m);
  e.weight_bytes = 4.0 * e.parameters * (2 + moments);
  e.checkpoint_bytes = 4.0 * e.parameters * (1 + moments);

  // Floats per position (one token of one sequence), from the buffers of LanguageModel and
  // RecurrentCache: embedding output; per layer the gate activations and their gradients, h
  // (and c, tanh c for LSTM; the hidden projections and their gradients for GRU), the dropout
  // copy and mask below it; logits and their gradient; the gradient flowing down between layers.
  double per_position = E + 2.0 /* input and target ids */;
  for (int l = 0; l < m.layers; ++l) {
    const double input = l ? H : E;
    per_position += 2 * gates + H;
    if (m.cell == CellType::Lstm) per_position += 2 * H;
    if (m.cell == CellType::Gru) per_position += 2 * gates;
    if (l > 0 && m.dropout > 0) per_position += 2 * input;
  }
  per_position += 2 * V + H + 2 * std::max(E, H);
  e.activation_bytes = 4.0 * per_position * c.batch_size * c.seq_length;
  e.packing_bytes = 4.0 * 2 * gates * H * m.layers;
  // The ids, then the batches (inputs and targets) cut from them.
  e.corpus_bytes = 4.0 * 3 * (double)corpus_tokens;
  return e;
}

}  // namespace rnn
