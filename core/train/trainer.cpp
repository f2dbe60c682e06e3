#include "train/trainer.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "common.h"

namespace rnn {

void GuardConfig::validate() const {
  if (!(factor > 0.0f && factor < 1.0f))
    fail("guard.factor must be between 0 and 1, exclusive (got " + std::to_string(factor) + ")");
}

void TrainingConfig::validate() const {
  guard.validate();
  optimizer.validate();
  clip.validate();
  schedule.validate();
  if (batch_size < 1 || batch_size > 65536) fail("batch_size must be between 1 and 65536 (got " + std::to_string(batch_size) + ")");
  if (seq_length < 1 || seq_length > 65536) fail("seq_length must be between 1 and 65536 (got " + std::to_string(seq_length) + ")");
  if (patience < 0) fail("patience must be >= 0 (got " + std::to_string(patience) + ")");
  plateau.validate();
}

void PlateauConfig::validate() const {
  if (patience < 0) fail("plateau.patience must be >= 0 (got " + std::to_string(patience) + ")");
  if (!(factor > 0.0f && factor < 1.0f)) fail("plateau.factor must be in (0, 1) (got " + std::to_string(factor) + ")");
}

Trainer::Trainer(const TrainingConfig& cfg, Model& m, BatchSource& s)
    : config(cfg), model(m), source(s), dropout_rng(cfg.seed, 2) {
  recent_.reserve(kGuardWindow);
  median_scratch_.reserve(kGuardWindow);
}

namespace {

// The median of `from`, using `v` as scratch (its capacity is reused: steps allocate nothing).
double median(const std::vector<double>& from, std::vector<double>& v) {
  v.assign(from.begin(), from.end());
  const size_t k = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + (std::ptrdiff_t)k, v.end());
  if (v.size() % 2) return v[k];
  return 0.5 * (v[k] + *std::max_element(v.begin(), v.begin() + (std::ptrdiff_t)k));
}

std::string fmt(double x) {
  char b[32];
  std::snprintf(b, sizeof b, "%.4g", x);
  return b;
}

}  // namespace

float Trainer::learning_rate() const {
  return (float)(learning_rate_at(schedule(), config.optimizer.learning_rate, updates) * progress.lr_scale);
}

void Trainer::mark_good_state() {
  if (config.guard.enabled) keep_good_state(dropout_rng);  // without the guard, a copy nobody reads
  recent_.clear();
}

void Trainer::keep_good_state(const Rng& rng) {
  good_.valid = true;
  good_.updates = updates;
  good_.params.assign(model.params.value.begin(), model.params.value.end());
  good_.optimizer.step = optimizer.step;
  good_.optimizer.m.assign(optimizer.m.begin(), optimizer.m.end());
  good_.optimizer.v.assign(optimizer.v.begin(), optimizer.v.end());
  good_.dropout_rng = rng;
  source.mark(good_.source);
}

StepResult Trainer::guard_event(const std::string& why, double loss, double norm, const Rng& rng) {
  model.params.zero_grad();
  dropout_rng = rng;
  ++progress.guard_events;
  progress.lr_scale *= config.guard.factor;
  if (good_.valid) {
    std::copy(good_.params.begin(), good_.params.end(), model.params.value.begin());
    model.params.touched();
    optimizer.step = good_.optimizer.step;
    optimizer.m.assign(good_.optimizer.m.begin(), good_.optimizer.m.end());
    optimizer.v.assign(good_.optimizer.v.begin(), good_.optimizer.v.end());
    updates = good_.updates;
    dropout_rng = good_.dropout_rng;
    source.rewind(good_.source);
  }
  // A learning rate a million times smaller than asked still diverging: the data or the model is
  // the problem, and more halving only hides it.
  if (progress.lr_scale < 1e-6)
    fail(why + "; the divergence guard has undone " + std::to_string(progress.guard_events) +
         " steps and cut the learning rate to " + fmt(progress.lr_scale) + " of the setting without a stable step: stopping "
         "(the model is as it was at step " + std::to_string(updates) + ")");
  StepResult r{updates, source.epoch, loss, norm, norm, learning_rate()};
  r.guard = why;
  r.guard_events = progress.guard_events;
  return r;
}

StepResult Trainer::train_step() {
  const Rng saved_rng = dropout_rng;
  const bool guard = config.guard.enabled;
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
  if (test_after_backward) test_after_backward(updates + 1, loss, g, n);
  const double norm = global_norm(g, n);
  std::string why;
  if (!std::isfinite(loss)) why = "loss is not finite";
  else if (!std::isfinite(norm)) why = "gradient norm is not finite";
  else if (guard && !recent_.empty()) {
    const double m = median(recent_, median_scratch_);
    if (loss > m + std::max(m, 1.0)) why = "loss " + fmt(loss) + " is far above the running median " + fmt(m);
  }
  if (!why.empty()) {
    if (!guard) refuse(why);
    return guard_event(why + " at step " + std::to_string(updates + 1), loss, norm, saved_rng);
  }
  // These weights passed: the rollback point, now and then (before this step's update).
  if (guard && (!good_.valid || updates - good_.updates >= kGuardEvery)) keep_good_state(saved_rng);
  if (guard) {
    if ((int)recent_.size() == kGuardWindow) recent_.erase(recent_.begin());
    recent_.push_back(loss);
  }
  if (config.clip.value > 0) clip_by_value(g, n, config.clip.value);
  if (config.clip.norm > 0) clip_by_global_norm(g, n, config.clip.norm);
  // The norm the update sees: clipping by norm scales by c/(‖g‖ + 1e-6) past c (clip.cpp); by value it
  // takes one more pass over the gradients (a few ms against a step's forward and backward).
  double clipped = norm;
  if (config.clip.value > 0) clipped = global_norm(g, n);
  if (config.clip.norm > 0 && clipped > config.clip.norm) clipped *= config.clip.norm / (clipped + 1e-6);
  const float lr = learning_rate();
  apply_decoupled_weight_decay(config.optimizer, lr, model.params.value.data(), model.params.tensors);
  optimizer_step(config.optimizer, lr, model.params.value.data(), g, n, optimizer);
  model.params.touched();
  ++updates;
  source.advance();
  StepResult r{updates, source.epoch, loss, norm, 0, lr};
  r.grad_norm_clipped = clipped;
  r.guard_events = progress.guard_events;
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
    if (config.plateau.patience > 0 && progress.stale % config.plateau.patience == 0) {
      progress.lr_scale *= config.plateau.factor;
      ++progress.plateau_reductions;
      r.reduced = true;
    }
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
