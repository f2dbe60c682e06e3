#include "train/trainer.h"

#include <algorithm>
#include <cmath>

#include "common.h"

namespace rnn {

void TrainingConfig::validate() const {
  optimizer.validate();
  clip.validate();
  schedule.validate();
  if (batch_size < 1 || batch_size > 65536) fail("batch_size must be between 1 and 65536 (got " + std::to_string(batch_size) + ")");
  if (seq_length < 1 || seq_length > 65536) fail("seq_length must be between 1 and 65536 (got " + std::to_string(seq_length) + ")");
  if (patience < 0) fail("patience must be >= 0 (got " + std::to_string(patience) + ")");
}

Trainer::Trainer(const TrainingConfig& cfg, Model& m, BatchSource& s)
    : config(cfg), model(m), source(s), dropout_rng(cfg.seed, 2) {}

StepResult Trainer::train_step() {
  const Rng saved_rng = dropout_rng;
  auto refuse = [&](const std::string& why) {
    dropout_rng = saved_rng;
    model.params.zero_grad();
    fail(why + " at step " + std::to_string(updates + 1) + "; the model was left unchanged (lower the learning rate or enable clipping)");
  };
  model.params.zero_grad();
  double loss;
  try {
    loss = model.train_batch(source.current(), dropout_rng);
  } catch (const Error& e) {
    refuse(e.what());
  }
  float* g = model.params.grad.data();
  const size_t n = model.params.total;
  const double norm = global_norm(g, n);
  if (!std::isfinite(norm)) refuse("gradient norm is not finite");
  if (config.clip.value > 0) clip_by_value(g, n, config.clip.value);
  if (config.clip.norm > 0) clip_by_global_norm(g, n, config.clip.norm);
  // The norm the update sees: clipping by norm scales by c/(‖g‖ + 1e-6) past c (clip.cpp); by value it
  // takes one more pass over the gradients (a few ms against a step's forward and backward).
  double clipped = norm;
  if (config.clip.value > 0) clipped = global_norm(g, n);
  if (config.clip.norm > 0 && clipped > config.clip.norm) clipped *= config.clip.norm / (clipped + 1e-6);
  const float lr = learning_rate_at(schedule(), config.optimizer.learning_rate, updates);
  apply_decoupled_weight_decay(config.optimizer, lr, model.params.value.data(), model.params.tensors);
  optimizer_step(config.optimizer, lr, model.params.value.data(), g, n, optimizer);
  ++updates;
  source.advance();
  StepResult r{updates, source.epoch, loss, norm, 0, lr};
  r.grad_norm_clipped = clipped;
  return r;
}

ValidationRecord Trainer::record_validation(double loss) {
  if (!std::isfinite(loss)) fail("record_validation: the loss is not finite");
  ValidationRecord r;
  if (loss < progress.best_loss) {
    progress.best_step = updates;
    progress.best_loss = loss;
    progress.stale = 0;
    best_weights = model.params.value;
    r.improved = true;
  } else {
    ++progress.stale;
  }
  r.stop = should_stop();
  return r;
}

int64_t Trainer::fit_time(double elapsed, double budget) {
  if (!(std::isfinite(elapsed) && std::isfinite(budget) && elapsed >= 0 && budget > 0))
    fail("fit_time needs elapsed >= 0 and budget > 0 seconds");
  if (!config.schedule.fit_time) return 0;
  if (clock_.start < 0 || elapsed < clock_.last || budget != clock_.budget) {
    clock_ = {elapsed, elapsed, budget, updates};
    return progress.planned_steps;
  }
  clock_.last = elapsed;
  const double spent = elapsed - clock_.start;
  const int64_t done = updates - clock_.start_step;
  if (spent <= 0 || done <= 0) return progress.planned_steps;
  const double left = std::max(0.0, budget - elapsed) * (double)done / spent;
  progress.planned_steps = std::max<int64_t>(1, updates + (int64_t)std::llround(std::min(left, 1e15)));
  return progress.planned_steps;
}

ScheduleConfig Trainer::schedule() const {
  ScheduleConfig s = config.schedule;
  if (s.fit_time && progress.planned_steps > 0) s.total_steps = progress.planned_steps;
  return s;
}

EvalResult evaluate(Model& model, BatchSource& source, int64_t max_tokens) {
  double total = 0;
  int64_t batches = 0, tokens = 0;
  while (batches < source.batches_per_epoch() && (max_tokens <= 0 || tokens < max_tokens)) {
    const Batch b = source.current();
    total += model.evaluate_batch(b);
    tokens += b.tokens();
    source.advance();
    ++batches;
  }
  EvalResult r;
  r.loss = total / (double)batches;
  r.perplexity = std::exp(r.loss);
  r.bits_per_token = r.loss / std::log(2.0);
  r.tokens = tokens;
  return r;
}

}  // namespace rnn
