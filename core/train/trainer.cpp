#include "train/trainer.h"

#include <algorithm>
#include <cmath>

#include "train/memory.h"

namespace rnn {

void TrainerConfig::validate() const {
  model.validate();
  optimizer.validate();
  clip.validate();
  schedule.validate();
  if (batch_size < 1 || batch_size > 65536) fail("batch_size must be between 1 and 65536 (got " + std::to_string(batch_size) + ")");
  if (seq_length < 1 || seq_length > 65536) fail("seq_length must be between 1 and 65536 (got " + std::to_string(seq_length) + ")");
  // Refuse what cannot fit before allocating anything, rather than fail mid-step or on save.
  const MemoryEstimate mem = estimate_memory(*this);
  if (mem.activation_bytes > kMaxActivationBytes)
    fail("batch_size × seq_length too large for this model: activations would need " +
         std::to_string((long long)(mem.activation_bytes / (1 << 20))) + " MiB (limit 1000 MiB)");
  const double mib = (mem.weight_bytes + mem.activation_bytes + mem.packing_bytes + mem.checkpoint_bytes) / (1 << 20);
  if (sizeof(void*) == 4 && mib > kMaxWasmBytes / (1 << 20))
    fail("model too large for WebAssembly: weights, gradients, optimizer state and activations need about " +
         std::to_string((long long)mib) + " MiB, over the 3072 MiB limit; reduce hidden, layers or embedding");
}

Trainer::Trainer(const TrainerConfig& cfg, const std::vector<int32_t>& train_ids, std::vector<int32_t> val_ids)
    : config(cfg), model((cfg.validate(), cfg.model)), validation_ids(std::move(val_ids)), dropout_rng(cfg.seed, 2) {
  train_batches = batches(train_ids, cfg.batch_size, cfg.seq_length);
  for (int32_t id : train_ids)
    if (id < 0 || id >= cfg.model.vocab_size) fail("token id " + std::to_string(id) + " out of range for vocab_size " + std::to_string(cfg.model.vocab_size));
  for (int32_t id : validation_ids)
    if (id < 0 || id >= cfg.model.vocab_size) fail("validation token id " + std::to_string(id) + " out of range");
  reset_state();
}

void Trainer::reset_state() { state = model.zero_state(config.batch_size); }

StepResult Trainer::train_step() {
  const int B = config.batch_size, T = config.seq_length;
  saved_state_ = state;  // restored if this step has to be refused (assignment reuses the buffer)
  const Rng saved_rng = dropout_rng;
  auto refuse = [&](const std::string& why) {
    state = saved_state_;
    dropout_rng = saved_rng;
    model.params.zero_grad();
    fail(why + " at step " + std::to_string(step + 1) + "; the model was left unchanged (lower the learning rate or enable clipping)");
  };
  model.params.zero_grad();
  double loss;
  try {
    loss = model.train_batch(train_batches.inputs((int32_t)position), train_batches.targets((int32_t)position), nullptr,
                             B, T, state, dropout_rng);
  } catch (const Error& e) {
    refuse(e.what());
  }
  float* g = model.params.grad.data();
  const size_t n = model.params.total;
  const double norm = global_norm(g, n);
  if (!std::isfinite(norm)) refuse("gradient norm is not finite");
  if (config.clip.value > 0) clip_by_value(g, n, config.clip.value);
  if (config.clip.norm > 0) clip_by_global_norm(g, n, config.clip.norm);
  const float lr = learning_rate_at(config.schedule, config.optimizer.learning_rate, step);
  optimizer_step(config.optimizer, lr, model.params.value.data(), g, n, optimizer);
  ++step;
  if (++position == train_batches.n_batches) {
    position = 0;
    ++epoch;
    reset_state();
  }
  return {step, epoch, loss, norm, lr};
}

EvalResult Trainer::evaluate(int64_t max_tokens) {
  const int64_t len = (int64_t)validation_ids.size();
  if (len < 2) fail("no validation split: set validationFraction > 0 (and give enough text)");
  // Same layout as training when the split is large enough; fewer rows or shorter rows otherwise.
  const int rows = (int)std::clamp<int64_t>(len / config.seq_length, 1, config.batch_size);
  const int T = (int)std::min<int64_t>(config.seq_length, len / rows);
  Batches vb = batches(validation_ids, rows, T);
  ModelState s = model.zero_state(rows);
  double total = 0;
  int k = 0;
  while (k < vb.n_batches && (max_tokens <= 0 || (int64_t)k * rows * T < max_tokens)) {
    total += model.evaluate_batch(vb.inputs(k), vb.targets(k), nullptr, rows, T, s);
    ++k;
  }
  EvalResult r;
  r.loss = total / k;
  r.perplexity = std::exp(r.loss);
  r.bits_per_token = r.loss / std::log(2.0);
  r.tokens = (int64_t)k * rows * T;
  return r;
}

}  // namespace rnn
