// A language model trained on a token stream — the TV-script recipe: the model, the stream batches
// with the state carried from batch to batch, the validation split and the trainer over them.
#pragma once
#include <vector>

#include "models/language_model.h"
#include "train/memory.h"
#include "train/trainer.h"

namespace rnn {

// Throws rnn::Error naming the first bad field, or a configuration that cannot fit in memory.
void validate(const ModelConfig& model, const TrainingConfig& training);
// The buffers a run of this configuration holds (corpus_tokens: 0 if not known yet).
MemoryEstimate estimate_memory(const ModelConfig& model, const TrainingConfig& training, int64_t corpus_tokens = 0);

class LanguageModelTask {
 public:
  LanguageModel model;
  StreamBatchSource train_data;
  std::vector<int32_t> validation_ids;
  Trainer trainer;

  // Throws rnn::Error for a bad config, a corpus too short for one batch or ids out of range.
  LanguageModelTask(const ModelConfig& model, const TrainingConfig& training, std::vector<int32_t> train_ids,
                    std::vector<int32_t> validation_ids = {});
  LanguageModelTask(const LanguageModelTask&) = delete;  // the trainer refers to the model and the data
  LanguageModelTask& operator=(const LanguageModelTask&) = delete;

  StepResult step() { return trainer.train_step(); }
  // Mean loss over the validation split, state carried across its batches from zero; with
  // max_tokens > 0, stops after the first batches holding that many tokens. Throws if there is
  // no validation split.
  EvalResult evaluate(int64_t max_tokens = 0);
  void reset_state() { train_data.reset_state(); }
  // Set when the validation tokens are a text of their own (validationText): evaluate() then
  // scores them as evaluate_text() does, every token once, as benchmarks count it.
  bool validation_given = false;
};

// A language model's loss on a token stream as benchmarks count it: every token after the first
// is predicted once, from everything before it in its row. The ids.size() − 1 predictions are cut
// into R = clamp(predictions / seq_length, 1, batch_size) contiguous rows (row r: predictions
// ⌊rP/R⌋ … ⌊(r+1)P/R⌋ − 1), each starting from a zero state and carrying it from one seq_length
// chunk to the next; nothing is dropped and no target wraps around (the training batches' layout
// does both). max_tokens > 0 stops after the chunks holding that many predictions. Throws for
// fewer than 2 tokens.
EvalResult evaluate_text(LanguageModel& model, const std::vector<int32_t>& ids, int batch_size, int seq_length,
                         int64_t max_tokens = 0);

}  // namespace rnn
