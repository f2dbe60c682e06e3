// The training loop's one step, for any model and batch source: zero the gradients, forward and
// backward on the source's current batch, clip, update. A step whose loss or gradient is not
// finite is refused: the parameters, optimizer, dropout RNG and source stay exactly as they were.
// Beside the latest weights the trainer keeps the best so far by validation loss (record_validation,
// with early stopping after `patience` evaluations without improvement), and with a schedule that
// fits a time budget it re-estimates the schedule's length from the measured speed (fit_time).
#pragma once
#include <cstdint>
#include <limits>
#include <vector>

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
  int patience = 0;   // early stopping: stop after this many evaluations without a better loss (0 = never)
  void validate() const;
};

// What a checkpoint keeps of the trainer beyond the optimizer (so a resumed run decides alike).
struct TrainerProgress {
  int64_t best_step = -1;  // the step of the best validation loss so far (−1: none recorded)
  double best_loss = std::numeric_limits<double>::infinity();
  int64_t stale = 0;          // evaluations recorded since the best
  int64_t planned_steps = 0;  // fit_time's estimate of the schedule's length (0: none yet)
};

struct ValidationRecord {
  bool improved = false;  // this loss is the best so far: its weights are kept
  bool stop = false;      // patience evaluations in a row brought no improvement
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
  TrainerProgress progress;
  std::vector<float> best_weights;  // the parameters at progress.best_step (empty until then)

  Trainer(const TrainingConfig& config, Model& model, BatchSource& source);
  StepResult train_step();

  // A validation loss of the current weights. Strictly lower than the best so far: they become the
  // best (a copy). Losses are only comparable when measured alike (the same slice of the split).
  ValidationRecord record_validation(double loss);
  bool should_stop() const { return config.patience > 0 && progress.stale >= config.patience; }

  // The time budget (schedule.fit_time): `elapsed` of `budget` seconds have passed (the caller's
  // clock). From the steps done since the first call of this budget, the schedule's length becomes
  // updates + (budget − elapsed)·speed, so its decay ends at the deadline. A call whose elapsed
  // goes back or whose budget changes starts a new measurement. Returns the estimate (0: none yet).
  int64_t fit_time(double elapsed, double budget);
  // The schedule the next update uses (total_steps from fit_time when it applies).
  ScheduleConfig schedule() const;

 private:
  struct Clock {
    double start = -1, last = -1, budget = 0;
    int64_t start_step = 0;
  } clock_;
};

// Mean loss over the batches of one pass of `source` (from its current position), stopping once
// max_tokens (> 0) have been scored: a quick estimate during training.
EvalResult evaluate(Model& model, BatchSource& source, int64_t max_tokens = 0);

}  // namespace rnn
