// The training loop's one step, for any model and batch source: zero the gradients, forward and
// backward on the source's current batch, clip, update. A step whose loss or gradient is not
// finite is refused: the parameters, optimizer, dropout RNG and source stay exactly as they were.
#pragma once
#include <cstdint>

#include "models/model.h"
#include "train/batch_source.h"
#include "train/clip.h"
#include "train/optimizer.h"
#include "train/schedule.h"

namespace rnn {

struct TrainingConfig {
  OptimizerConfig optimizer;
  ClipConfig clip;
  ScheduleConfig schedule;
  int batch_size = 32;
  int seq_length = 64;
  uint64_t seed = 1;  // dropout masks (the model's init has its own seed)
  void validate() const;
};

struct StepResult {
  int64_t step = 0;         // updates done, including this one
  int64_t epoch = 0;        // completed epochs
  double loss = 0;          // mean loss of this batch (before the update)
  double grad_norm = 0;     // global norm before clipping
  double grad_norm_clipped = 0;  // global norm after clipping (the update's); = grad_norm without clipping
  float learning_rate = 0;  // used for this update
};

struct EvalResult {
  double loss = 0, perplexity = 0, bits_per_token = 0;
  int64_t tokens = 0;
};

class Trainer {
 public:
  TrainingConfig config;
  Model& model;
  BatchSource& source;
  OptimizerState optimizer;
  int64_t updates = 0;  // steps done
  Rng dropout_rng;

  Trainer(const TrainingConfig& config, Model& model, BatchSource& source);
  StepResult train_step();
};

// Mean loss over the batches of one pass of `source` (from its current position), stopping once
// max_tokens (> 0) have been scored: a quick estimate during training.
EvalResult evaluate(Model& model, BatchSource& source, int64_t max_tokens = 0);

}  // namespace rnn
