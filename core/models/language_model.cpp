#include "models/language_model.h"

#include <cmath>
#include <cstring>

#include "common.h"
#include "nn/loss.h"

namespace rnn {

namespace {
void check_size(const char* field, long long v, long long lo, long long hi) {
  if (v < lo || v > hi)
    fail(std::string(field) + " must be between " + std::to_string(lo) + " and " + std::to_string(hi) +
         " (got " + std::to_string(v) + ")");
}
}  // namespace

void ModelConfig::validate() const {
  check_size("vocab_size", vocab_size, 1, 1 << 22);
  check_size("embedding_size", embedding_size, 1, 1 << 16);
  check_size("hidden_size", hidden_size, 1, 1 << 16);
  check_size("layers", layers, 1, 64);
  if (!(dropout >= 0.0f && dropout < 1.0f))
    fail("dropout must be in [0, 1) (got " + std::to_string(dropout) + ")");
  // Guard the parameter count so absurd sizes fail here, not as an out-of-memory abort later.
  const double n = parameter_count(*this);
  if (n > 4.0e8)
    fail("model too large: " + std::to_string((long long)n) + " parameters (limit 400000000); reduce hidden_size, embedding_size, layers or the vocabulary");
}

// In double: the sizes are checked one by one, but their products may not fit a 32-bit size_t (wasm).
double parameter_count(const ModelConfig& cfg) {
  const double V = cfg.vocab_size, E = cfg.embedding_size, H = cfg.hidden_size, G = cell_gates(cfg.cell) * H;
  double n = V * E + V * (H + 1);
  for (int l = 0; l < cfg.layers; ++l) n += G * ((l ? H : E) + H + 2);
  return n;
}

void LanguageModel::declare(const ModelConfig& cfg, Params& params, Embedding& embedding, RecurrentStack& rnn,
                            Dense& output) {
  embedding.vocab = cfg.vocab_size;
  embedding.dim = cfg.embedding_size;
  embedding.declare(params, "embedding");
  rnn.declare(params, "rnn", cfg.cell, cfg.embedding_size, cfg.hidden_size, cfg.layers);
  rnn.dropout = cfg.dropout;
  output.in = cfg.hidden_size;
  output.out = cfg.vocab_size;
  output.declare(params, "fc");
}

std::vector<TensorInfo> LanguageModel::layout(const ModelConfig& cfg) {
  Params p;
  Embedding e;
  RecurrentStack r;
  Dense d;
  declare(cfg, p, e, r, d);
  return p.tensors;
}

LanguageModel::LanguageModel(const ModelConfig& cfg) : config(cfg) {
  config.validate();
  declare(cfg, params, embedding, rnn, output);
  params.allocate();
  embedding.bind(params);
  rnn.bind(params);
  output.bind(params);

  Rng rng(cfg.seed, 1);
  embedding.init(rng);
  rnn.init(rng);
  output.init(rng);
}

size_t LanguageModel::state_size(int batch) const { return rnn.state_size(batch); }

void LanguageModel::forward(int B, int T, const int32_t* inputs, const float* state_in, float* state_out,
                            Rng* dropout_rng) {
  if (B < 1 || T < 1) fail("batch and sequence length must be positive");
  const int E = config.embedding_size, V = config.vocab_size;
  const size_t N = (size_t)T * B;
  to_time_major(B, T, inputs, ids_);
  emb_.resize(N * E);
  embedding.forward((int)N, ids_.data(), emb_.data());
  top_ = rnn.forward(T, B, emb_.data(), nullptr, state_in, state_out, dropout_rng);
  logits_.resize(N * V);
  output.forward((int)N, top_, logits_.data());
}

const float* LanguageModel::time_major_targets(const Batch& b) {
  to_time_major(b.B, b.T, b.targets, targets_);
  if (!b.weights) return nullptr;
  to_time_major(b.B, b.T, b.weights, weights_);
  return weights_.data();
}

double LanguageModel::train_batch(const Batch& b, Rng& dropout_rng) {
  forward(b.B, b.T, b.inputs, b.state_in, b.state_out, &dropout_rng);
  const int E = config.embedding_size, H = config.hidden_size, V = config.vocab_size;
  const size_t N = (size_t)b.T * b.B;
  const float* w = time_major_targets(b);
  dlogits_.resize(N * V);
  const double loss = softmax_cross_entropy((int)N, V, logits_.data(), targets_.data(), w, dlogits_.data());
  // Refuse before backpropagating: no NaN reaches the gradients.
  if (!std::isfinite(loss)) fail("loss is not finite (" + std::to_string(loss) + "): training diverged");

  dtop_.resize(N * H);
  output.backward((int)N, top_, dlogits_.data(), dtop_.data());
  demb_.resize(N * E);
  rnn.backward(dtop_.data(), demb_.data(), b.dstate_in);
  embedding.backward((int)N, ids_.data(), demb_.data());
  return loss;
}

double LanguageModel::evaluate_batch(const Batch& b) {
  forward(b.B, b.T, b.inputs, b.state_in, b.state_out, nullptr);
  const size_t N = (size_t)b.T * b.B;
  const float* w = time_major_targets(b);
  return softmax_cross_entropy((int)N, config.vocab_size, logits_.data(), targets_.data(), w, nullptr);
}

void LanguageModel::step(int batch, const int32_t* tokens, ModelState& state, float* logits) {
  if (state.batch != batch || state.data.size() != state_size(batch))
    fail("state was made for batch " + std::to_string(state.batch) + ", not " + std::to_string(batch));
  forward(batch, 1, tokens, state.data.data(), state.data.data(), nullptr);
  std::memcpy(logits, logits_.data(), sizeof(float) * batch * config.vocab_size);
}

void LanguageModel::feed(int n, const int32_t* tokens, ModelState& state, float* last_logits) {
  if (state.batch != 1 || state.data.size() != state_size(1)) fail("feed takes the state of one stream");
  forward(1, n, tokens, state.data.data(), state.data.data(), nullptr);
  std::memcpy(last_logits, logits_.data() + (size_t)(n - 1) * config.vocab_size, sizeof(float) * config.vocab_size);
}

}  // namespace rnn
