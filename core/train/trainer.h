// The training loop's one step, for any model and batch source: zero the gradients, forward and
// backward on the source's current batch, clip, update. A step whose loss or gradient is not
// finite is refused: the parameters, optimizer, dropout RNG and source stay exactly as they were.
// Beside the latest weights the trainer keeps the best so far by validation loss (record_validation,
// with early stopping after `patience` evaluations without improvement), and with a schedule that
// fits a time budget it re-estimates the schedule's length from the measured speed (fit_time).
//
// The divergence guard (config.guard, on by default) keeps a blow-up from reaching the weights. A
// step is a guard event when its loss or gradient norm is not finite, or its loss is far above the
// running median of the last 64 accepted steps' losses M: loss > M + max(M, 1 nat) (twice the median,
// and at least one nat above it, so a near-zero median does not make every hard batch an event).
// An event undoes the step and rolls the run back to the last good state — weights, optimizer
// moments, step count, dropout RNG and data position (with any carried state), kept every
// kGuardEvery accepted steps and at each checkpoint save or resume, from weights whose loss passed
// the check — and multiplies the learning rate by guard.factor (0.5). The losses window starts afresh
// at each mark of a good state, so a resumed run decides exactly as the uninterrupted one. The cost:
// one more copy of the weights and optimizer moments, and a copy every kGuardEvery steps.
#pragma once
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "models/model.h"
#include "train/batch_source.h"
#include "train/clip.h"
#include "train/optimizer.h"
#include "train/schedule.h"

namespace rnn {

struct GuardConfig {
  bool enabled = true;
  float factor = 0.5f;  // the learning rate's multiplier at each event, in (0, 1)
  void validate() const;
};

// Reduce on plateau: after every `patience` validation losses in a row without a new best, the
// learning rate is multiplied by `factor` (as PyTorch's ReduceLROnPlateau with threshold 0, no
// cooldown). patience 0: off.
struct PlateauConfig {
  int patience = 0;
  float factor = 0.5f;  // in (0, 1)
  void validate() const;
};

constexpr int kGuardWindow = 64;  // accepted losses the median is taken over
constexpr int kGuardEvery = 25;   // accepted steps between two marks of the last good state

struct TrainingConfig {
  OptimizerConfig optimizer;
  ClipConfig clip;
  ScheduleConfig schedule;
  int batch_size = 32;
  int seq_length = 64;
  uint64_t seed = 1;  // dropout masks (the model's init has its own seed)
  int patience = 0;   // early stopping: stop after this many evaluations without a better loss (0 = never)
  GuardConfig guard;
  PlateauConfig plateau;
  void validate() const;
};

// What a checkpoint keeps of the trainer beyond the optimizer (so a resumed run decides alike).
struct TrainerProgress {
  int64_t best_step = -1;  // the step of the best validation loss so far (−1: none recorded)
  double best_loss = std::numeric_limits<double>::infinity();
  int64_t stale = 0;          // evaluations recorded since the best
  int64_t planned_steps = 0;  // fit_time's estimate of the schedule's length (0: none yet)
  double lr_scale = 1.0;      // the factor on the learning rate of guard events and plateau reductions (1: none yet)
  int64_t guard_events = 0;   // steps the guard undid
  int64_t plateau_reductions = 0;  // times a plateau lowered the learning rate
};

struct ValidationRecord {
  bool improved = false;  // this loss is the best so far: its weights are kept
  bool stop = false;      // patience evaluations in a row brought no improvement
  bool reduced = false;   // a plateau: the learning rate was multiplied by plateau.factor
};

struct StepResult {
  int64_t step = 0;         // updates done, including this one
  int64_t epoch = 0;        // completed epochs
  double loss = 0;          // mean loss of this batch (before the update)
  double grad_norm = 0;     // global norm before clipping
  double grad_norm_clipped = 0;  // global norm after clipping (the update's); = grad_norm without clipping
  float learning_rate = 0;  // used for this update
  std::string guard;        // non-empty: this step was a guard event (why); step is where the run went back to
  int64_t guard_events = 0; // events so far in this run
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
  // Tests only: called after each backward pass with the step's number (updates + 1), its loss and
  // gradients, to corrupt one on purpose.
  std::function<void(int64_t step, double& loss, float* grad, size_t n)> test_after_backward;

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
  // The learning rate the next update uses: the schedule's, times the guard's scale.
  float learning_rate() const;
  // The current state is good (a checkpoint was saved or resumed): the guard's rollback point, and
  // a fresh losses window.
  void mark_good_state();

 private:
  struct GoodState {
    bool valid = false;
    int64_t updates = 0;
    std::vector<float> params;
    OptimizerState optimizer;
    Rng dropout_rng;
    SourceMark source;
  } good_;
  std::vector<double> recent_;  // accepted losses since the last mark, oldest first (at most kGuardWindow)
  std::vector<double> median_scratch_;
  void keep_good_state(const Rng& rng);
  StepResult guard_event(const std::string& why, double loss, double norm, const Rng& rng);

  struct Clock {
    double start = -1, last = -1, budget = 0;
    int64_t start_step = 0;
  } clock_;
};

// Mean loss over the batches of one pass of `source` (from its current position), stopping once
// max_tokens (> 0) have been scored: a quick estimate during training.
EvalResult evaluate(Model& model, BatchSource& source, int64_t max_tokens = 0);

}  // namespace rnn
