// The language model: Embedding → N recurrent layers (RNN | LSTM | GRU) → Dense to the vocabulary.
// All parameters sit in one flat buffer (Params), named like the PyTorch modules
//   embedding.weight, rnn.weight_ih_l{k}, rnn.weight_hh_l{k}, rnn.bias_ih_l{k}, rnn.bias_hh_l{k},
//   fc.weight, fc.bias
// so a model file maps onto nn.Embedding + nn.LSTM/GRU/RNN + nn.Linear one-to-one.
#pragma once
#include <vector>

#include "common.h"
#include "nn/dense.h"
#include "nn/embedding.h"
#include "nn/recurrent.h"
#include "rng.h"

namespace rnn {

struct ModelConfig {
  int vocab_size = 0;
  int embedding_size = 64;
  int hidden_size = 256;
  int layers = 2;
  CellType cell = CellType::Lstm;
  float dropout = 0.0f;  // between recurrent layers, training only
  uint64_t seed = 1;     // initialisation
  // Throws rnn::Error naming the first bad field.
  void validate() const;
};
// Trainable floats of a model with this config (exact; in double so absurd sizes cannot overflow).
double parameter_count(const ModelConfig& cfg);

// The carried state of every layer for a batch of B rows: layer l's B × S block follows layer l−1's.
struct ModelState {
  int batch = 0;
  std::vector<float> data;
};

class LanguageModel {
 public:
  ModelConfig config;
  Params params;
  Embedding embedding;
  std::vector<RecurrentLayer> layers;
  Dense output;

  explicit LanguageModel(const ModelConfig& cfg);
  // The tensors (PyTorch names and shapes, in buffer order) a model of this config has; lets a
  // loader check a file against the config before allocating anything.
  static std::vector<TensorInfo> layout(const ModelConfig& cfg);
  LanguageModel(const LanguageModel&) = delete;             // layers hold views into params
  LanguageModel& operator=(const LanguageModel&) = delete;
  LanguageModel(LanguageModel&&) = default;                 // vector moves keep their buffers

  size_t state_size(int batch) const;
  ModelState zero_state(int batch) const;

  // Forward and backward over one batch. inputs/targets/weights are B × T, row-major (row = one
  // stream of text, as batching lays it out); weights may be null. Gradients are *accumulated*
  // into params.grad. `state` is read as the initial state and overwritten with the final one
  // (truncated BPTT: no gradient flows into the previous batch). If dstate0 is given it receives
  // ∂L/∂state0. Returns the mean loss.
  double train_batch(const int32_t* inputs, const int32_t* targets, const float* weights, int B, int T,
                     ModelState& state, Rng& dropout_rng, std::vector<float>* dstate0 = nullptr);
  // Forward only, dropout off. Returns the mean loss and carries the state like train_batch.
  double evaluate_batch(const int32_t* inputs, const int32_t* targets, const float* weights, int B, int T,
                        ModelState& state);
  // One time step for B streams (generation): logits is B × vocab.
  void step(const int32_t* tokens, int B, ModelState& state, float* logits);
  // Feeds n tokens of one stream (B = 1) in a single pass — priming generation — and writes the
  // logits after the last one (vocab floats).
  void feed(const int32_t* tokens, int n, ModelState& state, float* last_logits);
  // Logits of the last forward pass (T × B × vocab, time-major).
  const std::vector<float>& last_logits() const { return logits_; }

 private:
  void forward(const int32_t* inputs, int B, int T, ModelState& state, bool train, Rng* rng);
  // B × T targets (and weights, if any) into targets_ / weights_ in time-major order; returns the
  // weights pointer for the loss (null when unweighted).
  const float* time_major_targets(const int32_t* targets, const float* weights, int B, int T);

  // Workspaces, reused between calls.
  std::vector<int32_t> ids_, targets_;
  std::vector<float> weights_;
  std::vector<float> emb_;                   // T·B × E
  std::vector<std::vector<float>> dropped_;  // layer inputs after dropout (layers ≥ 1)
  std::vector<std::vector<float>> masks_;
  std::vector<RecurrentCache> caches_;
  std::vector<float> logits_, dlogits_, dtop_, dx_, dx2_, dstate_;
  bool dropout_active_ = false;
};

}  // namespace rnn
