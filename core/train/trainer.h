// Stateful truncated-BPTT training of a LanguageModel on a token stream, the TV-script recipe's
// loop: batches are laid out so that row r of batch k+1 continues row r of batch k, and the final
// state of one batch is the initial state of the next. The state resets at each epoch (as the
// recipe re-runs initial_state per epoch) and whenever reset_state() is called.
#pragma once
#include <vector>

#include "train/batching.h"
#include "models/language_model.h"
#include "train/optimizer.h"

namespace rnn {

struct TrainerConfig {
  ModelConfig model;
  OptimizerConfig optimizer;
  ClipConfig clip;
  ScheduleConfig schedule;
  int batch_size = 32;
  int seq_length = 64;
  uint64_t seed = 1;  // dropout masks (the model's init uses model.seed)
  void validate() const;
};

struct StepResult {
  int64_t step = 0;         // updates done, including this one
  int64_t epoch = 0;        // completed epochs
  double loss = 0;          // mean cross-entropy of this batch (before the update)
  double grad_norm = 0;     // global norm before clipping
  float learning_rate = 0;  // used for this update
};

struct EvalResult {
  double loss = 0, perplexity = 0, bits_per_token = 0;
  int64_t tokens = 0;
};

class Trainer {
 public:
  TrainerConfig config;
  LanguageModel model;
  OptimizerState optimizer;
  Batches train_batches;
  std::vector<int32_t> validation_ids;
  ModelState state;
  int64_t step = 0;      // updates done
  int64_t epoch = 0;     // completed passes over train_batches
  int64_t position = 0;  // next batch within the epoch
  Rng dropout_rng;

  // Throws rnn::Error for a bad config or a corpus too short for one batch.
  Trainer(const TrainerConfig& cfg, const std::vector<int32_t>& train_ids, std::vector<int32_t> validation_ids = {});

  // One update on the next batch. If the loss or gradient is not finite, throws rnn::Error and
  // leaves the parameters, optimizer and carried state exactly as they were.
  StepResult train_step();
  // Mean loss over the validation split, state carried across its batches from zero. With
  // max_tokens > 0, stops after the first batches holding at least that many tokens (a quick
  // estimate during training). Throws if there is no validation split.
  EvalResult evaluate(int64_t max_tokens = 0);
  void reset_state();

 private:
  ModelState saved_state_;
};

}  // namespace rnn
