#include "tasks/lm_task.h"

#include <algorithm>
#include <cmath>
#include "common.h"

namespace rnn {

void validate(const ModelConfig& model, const TrainingConfig& training) {
  model.validate();
  training.validate();
  check_memory(estimate_memory(model, training));
}

MemoryEstimate estimate_memory(const ModelConfig& m, const TrainingConfig& c, int64_t corpus_tokens) {
  const double H = m.hidden_size, E = m.embedding_size, V = m.vocab_size;
  const double gates = cell_gates(m.cell) * H;
  const int moments = moment_buffers(c.optimizer);
  const double P = 4.0 * (double)parameter_count(m), BT = 4.0 * c.batch_size * c.seq_length;
  MemoryEstimate e;
  e.parameters = (int64_t)parameter_count(m);
  // Every buffer by name, from LanguageModel, RecurrentStack, RecurrentCache, the optimizer, the
  // guard and the kernels; each goes to one of the totals (`bytes` per position × BT for
  // activations). `needed` marks the unavoidable minimum (train/memory.h).
  auto add = [&](double& total, std::string name, double bytes, bool needed) {
    total += bytes;
    e.items.push_back({std::move(name), bytes, needed});
  };
  add(e.weight_bytes, "parameters", P, true);
  add(e.weight_bytes, "gradients", P, true);
  if (moments) add(e.weight_bytes, "optimizer moments", P * moments, true);
  if (c.guard.enabled) add(e.weight_bytes, "divergence guard: copy of the parameters and moments", P * (1 + moments), false);
  // A checkpoint goes to its file or JS buffer 64 KB at a time (safetensors::serialize_to).
  add(e.checkpoint_bytes, "checkpoint being written: one chunk", 65536, false);

  add(e.activation_bytes, "token ids and targets", 2 * BT, true);
  add(e.activation_bytes, "embedding output", E * BT, true);
  for (int l = 0; l < m.layers; ++l) {
    const double input = l ? H : E;
    const std::string layer = "layer " + std::to_string(l + 1) + ": ";
    add(e.activation_bytes, layer + "gate activations (then their gradients, in place)", gates * BT, true);
    add(e.activation_bytes, layer + "h", H * BT, true);
    if (m.cell == CellType::Lstm) {
      add(e.activation_bytes, layer + "c", H * BT, true);
      add(e.activation_bytes, layer + "tanh c", H * BT, false);
    }
    if (m.cell == CellType::Gru) {
      add(e.activation_bytes, layer + "hidden projections (then their gradients, in place)", gates * BT, true);
    }
    if (l > 0 && m.dropout > 0) {
      add(e.activation_bytes, layer + "dropout mask on its input", input * BT, true);
      add(e.activation_bytes, layer + "dropped input", input * BT, false);
    }
  }
  add(e.activation_bytes, "logits (then their gradients, in place)", V * BT, true);
  add(e.activation_bytes, "gradient into the top layer", H * BT, true);
  // Between layers the backward pass reads one layer's output gradient and writes its input's:
  // two buffers are the minimum.
  add(e.activation_bytes, "gradients between layers (2 buffers)", 2 * std::max(E, H) * BT, true);

  kernels::GemmScratch scratch;
  const int rows = c.batch_size * c.seq_length;
  for (int l = 0; l < m.layers; ++l)
    add_recurrent_products(scratch, rows, (int)gates, l ? m.hidden_size : m.embedding_size, m.hidden_size);
  add_dense_products(scratch, rows, m.vocab_size, m.hidden_size);
  add(e.packing_bytes, "W_hh packed for the kernels (forward and backward)", 4.0 * 2 * gates * H * m.layers, false);
  add(e.packing_bytes, "GEMM scratch: packed operand", 4.0 * (double)scratch.packed, false);
  if (scratch.transposed) add(e.packing_bytes, "GEMM scratch: transposed product", 4.0 * (double)scratch.transposed, false);
  if (m.weight_drop > 0) {
    add(e.packing_bytes, "DropConnect mask on W_hh", 4.0 * gates * H * m.layers, true);
    add(e.packing_bytes, "DropConnect: W_hh with the mask applied, and its gradient", 4.0 * 2 * gates * H * m.layers, false);
  }
  // the ids (batches are cut from them as they are needed)
  if (corpus_tokens) add(e.corpus_bytes, "corpus token ids", 4.0 * (double)corpus_tokens, true);
  return e;
}

namespace {
void check_ids(const std::vector<int32_t>& ids, int vocab, const char* what) {
  for (int32_t id : ids)
    if (id < 0 || id >= vocab)
      fail(std::string(what) + " id " + std::to_string(id) + " out of range for vocab_size " + std::to_string(vocab));
}
}  // namespace

LanguageModelTask::LanguageModelTask(const ModelConfig& m, const TrainingConfig& t, std::vector<int32_t> train_ids,
                                     std::vector<int32_t> val_ids)
    : model((validate(m, t), m)),
      train_data((check_ids(train_ids, m.vocab_size, "token"), std::move(train_ids)), t.batch_size, t.seq_length,
                 model.state_size(t.batch_size)),
      validation_ids(std::move(val_ids)),
      trainer(t, model, train_data) {
  check_ids(validation_ids, m.vocab_size, "validation token");
}

EvalResult LanguageModelTask::evaluate(int64_t max_tokens) {
  const int64_t len = (int64_t)validation_ids.size();
  if (len < 2) fail("no validation split: set validationFraction > 0 (and give enough text)");
  if (validation_given)
    return evaluate_text(model, validation_ids, trainer.config.batch_size, trainer.config.seq_length, max_tokens);
  // Same layout as training when the split is large enough; fewer rows or shorter rows otherwise.
  const int B = trainer.config.batch_size, T = trainer.config.seq_length;
  const int rows = (int)std::clamp<int64_t>(len / T, 1, B);
  StreamBatchSource data(validation_ids, rows, (int)std::min<int64_t>(T, len / rows), model.state_size(rows));
  return rnn::evaluate(model, data, max_tokens);
}

EvalResult evaluate_text(LanguageModel& model, const std::vector<int32_t>& ids, int batch_size, int seq_length,
                         int64_t max_tokens) {
  const int64_t P = (int64_t)ids.size() - 1;  // predictions
  if (P < 1)
    fail("the text is too short to score: it has " + std::to_string(ids.size()) + " token(s) the model knows, need at least 2");
  const int T = seq_length, R = (int)std::clamp<int64_t>(P / std::max(1, T), 1, std::max(1, batch_size));
  std::vector<int64_t> start(R + 1);
  for (int r = 0; r <= R; ++r) start[r] = P * r / R;
  int64_t longest = 0;
  for (int r = 0; r < R; ++r) longest = std::max(longest, start[r + 1] - start[r]);
  ModelState state = model.zero_state(R);
  std::vector<int32_t> in((size_t)R * T), target((size_t)R * T);
  std::vector<float> weight((size_t)R * T);
  double total = 0;
  int64_t scored = 0;
  for (int64_t t0 = 0; t0 < longest && (max_tokens <= 0 || scored < max_tokens); t0 += T) {
    const int steps = (int)std::min<int64_t>(T, longest - t0);
    int64_t real = 0;
    for (int r = 0; r < R; ++r)
      for (int t = 0; t < steps; ++t) {
        const int64_t pos = start[r] + t0 + t;
        const bool is_real = pos < start[r + 1];  // a shorter row ends one step early: weight 0 there
        const size_t k = (size_t)r * steps + t;
        in[k] = is_real ? ids[(size_t)pos] : 0;
        target[k] = is_real ? ids[(size_t)pos + 1] : 0;
        weight[k] = is_real ? 1.0f : 0.0f;
        real += is_real;
      }
    Batch b = Batch::carrying(R, steps, in.data(), target.data(), state);
    b.weights = weight.data();
    total += model.evaluate_batch(b) * (double)real;  // the batch's mean × its predictions = their sum
    scored += real;
  }
  EvalResult e;
  e.loss = total / (double)scored;
  e.perplexity = std::exp(e.loss);
  e.bits_per_token = e.loss / std::log(2.0);
  e.tokens = scored;
  return e;
}

}  // namespace rnn
