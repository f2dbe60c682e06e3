#include "train/trainer.h"

#include <cmath>

#include "common.h"

namespace rnn {

void TrainingConfig::validate() const {
  optimizer.validate();
  clip.validate();
  schedule.validate();
  if (batch_size < 1 || batch_size > 65536) fail("batch_size must be between 1 and 65536 (got " + std::to_string(batch_size) + ")");
  if (seq_length < 1 || seq_length > 65536) fail("seq_length must be between 1 and 65536 (got " + std::to_string(seq_length) + ")");
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
  const float lr = learning_rate_at(config.schedule, config.optimizer.learning_rate, updates);
  optimizer_step(config.optimizer, lr, model.params.value.data(), g, n, optimizer);
  ++updates;
  source.advance();
  StepResult r{updates, source.epoch, loss, norm, 0, lr};
  r.grad_norm_clipped = clipped;
  return r;
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
