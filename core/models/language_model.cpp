#include "models/language_model.h"

#include <cmath>
#include <cstring>

#include "nn/dropout.h"
#include "kernels/kernels.h"
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

std::vector<TensorInfo> LanguageModel::layout(const ModelConfig& cfg) {
  const int V = cfg.vocab_size, E = cfg.embedding_size, H = cfg.hidden_size;
  Params p;
  p.add("embedding.weight", {V, E});
  for (int l = 0; l < cfg.layers; ++l) {
    const int G = cell_gates(cfg.cell) * H, I = l ? H : E;
    const std::string k = std::to_string(l);
    p.add("rnn.weight_ih_l" + k, {G, I});
    p.add("rnn.weight_hh_l" + k, {G, H});
    p.add("rnn.bias_ih_l" + k, {G});
    p.add("rnn.bias_hh_l" + k, {G});
  }
  p.add("fc.weight", {V, H});
  p.add("fc.bias", {V});
  return p.tensors;
}

LanguageModel::LanguageModel(const ModelConfig& cfg) : config(cfg) {
  config.validate();
  const int E = cfg.embedding_size, H = cfg.hidden_size;
  for (const TensorInfo& t : layout(cfg)) params.add(t.name, t.shape);
  params.allocate();
  // Views in layout order: embedding, then 4 per layer, then fc.weight, fc.bias.
  embedding = {cfg.vocab_size, E, params.view(0)};
  for (int l = 0; l < cfg.layers; ++l) {
    RecurrentLayer L;
    L.cell = cfg.cell;
    L.input = l ? H : E;
    L.hidden = H;
    L.w_ih = params.view(1 + 4 * l);
    L.w_hh = params.view(2 + 4 * l);
    L.b_ih = params.view(3 + 4 * l);
    L.b_hh = params.view(4 + 4 * l);
    layers.push_back(L);
  }
  output.in = H;
  output.out = cfg.vocab_size;
  output.weight = params.view(1 + 4 * cfg.layers);
  output.bias = params.view(2 + 4 * cfg.layers);

  Rng rng(cfg.seed, 1);
  embedding.init(rng);
  for (auto& L : layers) L.init(rng);
  output.init(rng);
  caches_.resize(cfg.layers);
  dropped_.resize(cfg.layers);
  masks_.resize(cfg.layers);
}

size_t LanguageModel::state_size(int batch) const {
  size_t n = 0;
  for (const auto& L : layers) n += (size_t)batch * L.state_size();
  return n;
}

ModelState LanguageModel::zero_state(int batch) const { return {batch, std::vector<float>(state_size(batch), 0.0f)}; }

void LanguageModel::forward(const int32_t* inputs, int B, int T, ModelState& state, bool train, Rng* rng) {
  if (B < 1 || T < 1) fail("batch and sequence length must be positive");
  if (state.batch != B || state.data.size() != state_size(B))
    fail("state was made for batch " + std::to_string(state.batch) + ", not " + std::to_string(B));
  const int E = config.embedding_size, H = config.hidden_size, V = config.vocab_size;
  const size_t N = (size_t)T * B;
  // Rows of text (B × T) to time-major (T × B): each step then reads one contiguous B block.
  ids_.resize(N);
  for (int b = 0; b < B; ++b)
    for (int t = 0; t < T; ++t) ids_[(size_t)t * B + b] = inputs[(size_t)b * T + t];
  emb_.resize(N * E);
  embedding.forward(ids_.data(), (int)N, emb_.data());

  dropout_active_ = train && config.dropout > 0.0f;
  const float* x = emb_.data();
  float* s = state.data.data();
  for (size_t l = 0; l < layers.size(); ++l) {
    if (l > 0 && dropout_active_) {
      dropped_[l].resize(N * H);
      masks_[l].resize(N * H);
      dropout_forward(N * H, config.dropout, *rng, x, dropped_[l].data(), masks_[l].data());
      x = dropped_[l].data();
    }
    recurrent_forward(layers[l], x, T, B, s, s, caches_[l]);
    s += (size_t)B * layers[l].state_size();
    x = caches_[l].outputs();
  }
  logits_.resize(N * V);
  output.forward(x, (int)N, logits_.data());
}

const float* LanguageModel::time_major_targets(const int32_t* targets, const float* weights, int B, int T) {
  const size_t N = (size_t)T * B;
  targets_.resize(N);
  for (int b = 0; b < B; ++b)
    for (int t = 0; t < T; ++t) targets_[(size_t)t * B + b] = targets[(size_t)b * T + t];
  if (!weights) return nullptr;
  weights_.resize(N);
  for (int b = 0; b < B; ++b)
    for (int t = 0; t < T; ++t) weights_[(size_t)t * B + b] = weights[(size_t)b * T + t];
  return weights_.data();
}

double LanguageModel::train_batch(const int32_t* inputs, const int32_t* targets, const float* weights, int B,
                                  int T, ModelState& state, Rng& dropout_rng, std::vector<float>* dstate0) {
  forward(inputs, B, T, state, true, &dropout_rng);
  const int H = config.hidden_size, V = config.vocab_size;
  const size_t N = (size_t)T * B;
  const float* w = time_major_targets(targets, weights, B, T);
  dlogits_.resize(N * V);
  const double loss = softmax_cross_entropy((int)N, V, logits_.data(), targets_.data(), w, dlogits_.data());
  // Refuse before backpropagating: no NaN reaches the gradients.
  if (!std::isfinite(loss)) fail("loss is not finite (" + std::to_string(loss) + "): training diverged");

  dtop_.resize(N * H);
  output.backward(caches_.back().outputs(), dlogits_.data(), (int)N, dtop_.data());
  if (dstate0) dstate0->assign(state_size(B), 0.0f);
  size_t soff = state_size(B);
  float* dy = dtop_.data();
  for (int l = (int)layers.size() - 1; l >= 0; --l) {
    const RecurrentLayer& L = layers[l];
    soff -= (size_t)B * L.state_size();
    dx_.resize(N * L.input);
    recurrent_backward(layers[l], dy, nullptr, dx_.data(), dstate0 ? dstate0->data() + soff : nullptr, caches_[l]);
    if (l > 0 && dropout_active_) dropout_backward(N * L.input, masks_[l].data(), dx_.data(), dx_.data());
    std::swap(dx_, dx2_);  // dx2_ now holds this layer's input gradient: the next layer down's dy
    dy = dx2_.data();
  }
  embedding.backward(ids_.data(), (int)N, dy);
  return loss;
}

double LanguageModel::evaluate_batch(const int32_t* inputs, const int32_t* targets, const float* weights, int B,
                                     int T, ModelState& state) {
  forward(inputs, B, T, state, false, nullptr);
  const size_t N = (size_t)T * B;
  const float* w = time_major_targets(targets, weights, B, T);
  return softmax_cross_entropy((int)N, config.vocab_size, logits_.data(), targets_.data(), w, nullptr);
}

void LanguageModel::step(const int32_t* tokens, int B, ModelState& state, float* logits) {
  forward(tokens, B, 1, state, false, nullptr);
  std::memcpy(logits, logits_.data(), sizeof(float) * B * config.vocab_size);
}

void LanguageModel::feed(const int32_t* tokens, int n, ModelState& state, float* last_logits) {
  forward(tokens, 1, n, state, false, nullptr);
  std::memcpy(last_logits, logits_.data() + (size_t)(n - 1) * config.vocab_size, sizeof(float) * config.vocab_size);
}

}  // namespace rnn
