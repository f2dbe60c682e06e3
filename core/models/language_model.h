// The language model: Embedding → N recurrent layers (RNN | LSTM | GRU) → Dense to the vocabulary.
// Parameters, named like the PyTorch modules so a model file maps onto nn.Embedding +
// nn.LSTM/GRU/RNN + nn.Linear one-to-one:
//   embedding.weight, rnn.weight_ih_l{k}, rnn.weight_hh_l{k}, rnn.bias_ih_l{k}, rnn.bias_hh_l{k},
//   fc.weight, fc.bias
// Carried state: layer l's B × S block (S = H, or 2H for LSTM: h then c) follows layer l−1's.
#pragma once
#include <vector>

#include "models/model.h"
#include "nn/dense.h"
#include "nn/embedding.h"
#include "nn/recurrent_stack.h"

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

class LanguageModel : public Model, public TokenStepper {
 public:
  ModelConfig config;
  Embedding embedding;
  RecurrentStack rnn;
  Dense output;

  explicit LanguageModel(const ModelConfig& cfg);
  // The tensors (PyTorch names and shapes, in buffer order) a model of this config has; lets a
  // loader check a file against the config before allocating anything.
  static std::vector<TensorInfo> layout(const ModelConfig& cfg);
  LanguageModel(const LanguageModel&) = delete;  // layers hold views into params
  LanguageModel& operator=(const LanguageModel&) = delete;

  // Model: inputs and targets are B × T token ids; the state is carried as Batch says.
  double train_batch(const Batch& batch, Rng& dropout_rng) override;
  double evaluate_batch(const Batch& batch) override;
  size_t state_size(int batch) const override;

  // TokenStepper.
  int vocab_size() const override { return config.vocab_size; }
  ModelState start_state(int batch) const override { return zero_state(batch); }
  void step(int batch, const int32_t* tokens, ModelState& state, float* logits) override;
  void feed(int n, const int32_t* tokens, ModelState& state, float* last_logits) override;

  // Logits of the last forward pass (T × B × vocab, time-major).
  const std::vector<float>& last_logits() const { return logits_; }

 private:
  // Sizes the layers from cfg and registers every tensor, in buffer order.
  static void declare(const ModelConfig& cfg, Params& params, Embedding& embedding, RecurrentStack& rnn,
                      Dense& output);
  // Fills logits_ (T·B × V). dropout_rng == null: evaluation.
  void forward(int B, int T, const int32_t* inputs, const float* state_in, float* state_out, Rng* dropout_rng);
  // The batch's targets (and weights, if any) time-major into targets_ / weights_; returns the
  // weights pointer for the loss (null when unweighted).
  const float* time_major_targets(const Batch& batch);

  // Workspaces, reused between calls (time-major).
  std::vector<int32_t> ids_, targets_;
  std::vector<float> weights_;
  std::vector<float> emb_;  // T·B × E
  const float* top_ = nullptr;  // the stack's outputs of the last forward pass
  std::vector<float> logits_, dlogits_, dtop_, demb_;
};

}  // namespace rnn
