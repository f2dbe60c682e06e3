#include "tasks/lm_task.h"

#include <algorithm>
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
  MemoryEstimate e;
  e.parameters = (int64_t)parameter_count(m);
  e.weight_bytes = 4.0 * e.parameters * (2 + moments);
  e.checkpoint_bytes = 4.0 * e.parameters * (1 + moments);

  // Floats per position (one token of one sequence), from the buffers of LanguageModel,
  // RecurrentStack and RecurrentCache: ids and targets, the embedding output; per layer the gate
  // activations and their gradients and h (LSTM: c and tanh c; GRU: the hidden projections and their
  // gradients), the dropout copy and mask below it; logits and their gradient; the gradients
  // flowing down between layers.
  double per_position = E + 2.0;
  for (int l = 0; l < m.layers; ++l) {
    const double input = l ? H : E;
    per_position += 2 * gates + H;
    if (m.cell == CellType::Lstm) per_position += 2 * H;
    if (m.cell == CellType::Gru) per_position += 2 * gates;
    if (l > 0 && m.dropout > 0) per_position += 2 * input;
  }
  per_position += 2 * V + H + 2 * std::max(E, H);
  e.activation_bytes = 4.0 * per_position * c.batch_size * c.seq_length;
  e.packing_bytes = 4.0 * 2 * gates * H * m.layers;  // W_hh packed forward and backward
  e.corpus_bytes = 4.0 * 3 * (double)corpus_tokens;   // the ids, then the batches' inputs and targets
  return e;
}

namespace {
void check_ids(const std::vector<int32_t>& ids, int vocab, const char* what) {
  for (int32_t id : ids)
    if (id < 0 || id >= vocab)
      fail(std::string(what) + " id " + std::to_string(id) + " out of range for vocab_size " + std::to_string(vocab));
}
}  // namespace

LanguageModelTask::LanguageModelTask(const ModelConfig& m, const TrainingConfig& t, const std::vector<int32_t>& train_ids,
                                     std::vector<int32_t> val_ids)
    : model((validate(m, t), m)),
      train_data(train_ids, t.batch_size, t.seq_length, model.state_size(t.batch_size)),
      validation_ids(std::move(val_ids)),
      trainer(t, model, train_data) {
  check_ids(train_ids, m.vocab_size, "token");
  check_ids(validation_ids, m.vocab_size, "validation token");
}

EvalResult LanguageModelTask::evaluate(int64_t max_tokens) {
  const int64_t len = (int64_t)validation_ids.size();
  if (len < 2) fail("no validation split: set validationFraction > 0 (and give enough text)");
  // Same layout as training when the split is large enough; fewer rows or shorter rows otherwise.
  const int B = trainer.config.batch_size, T = trainer.config.seq_length;
  const int rows = (int)std::clamp<int64_t>(len / T, 1, B);
  StreamBatchSource data(validation_ids, rows, (int)std::min<int64_t>(T, len / rows), model.state_size(rows));
  return rnn::evaluate(model, data, max_tokens);
}

}  // namespace rnn
