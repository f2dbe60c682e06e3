// The language model: Embedding → N recurrent layers (RNN | LSTM | GRU) → Dense to the vocabulary,
// predicting each next token. Parameters, named like the PyTorch modules so a model file maps onto
// nn.Embedding + nn.LSTM/GRU/RNN + nn.Linear one-to-one:
//   embedding.weight, rnn.weight_ih_l{k}, rnn.weight_hh_l{k}, rnn.bias_ih_l{k}, rnn.bias_hh_l{k},
//   fc.weight, fc.bias
// With tie_weights the output layer's weight is embedding.weight (Press & Wolf 2017): the file has no
// fc.weight (in PyTorch: fc.weight = embedding.weight), and its gradient is the sum of both uses.
// With adaptive_softmax the output layer is nn/adaptive_softmax.h (PyTorch's AdaptiveLogSoftmaxWithLoss,
// tensors adaptive.head.weight, adaptive.tail.{i}.{0,1}.weight): training computes the head and the
// clusters of the batch's targets only; evaluation, step and feed give the full log-probabilities
// as the logits (softmax of them is the distribution p(w) = p_head(cluster)·p_cluster(w) exactly);
// generation (decode/generate.h) instead steps to the output layer's input only (step_top, feed_top)
// and samples from it in two levels (sample_next), computing a cluster only when the draw needs it.
// Dropout (training only): on the embedding output, between levels and on the last level's output,
// each plain or locked (the same mask at every step of a batch; ModelConfig).
// Carried state: layer l's B × S block (S = H, or 2H for LSTM: h then c) follows layer l−1's.
//
// Conditional (config.labels > 0 categories; one-to-many, e.g. a name written for a gender): a
// learned category embedding, category_embedding.weight [labels, E], is concatenated to the token
// embedding at *every* step, so layer 0 reads 2E. Every step sees the category directly: conditioning
// only the initial state would have to survive in the state through the whole sequence, and fades.
#pragma once
#include <vector>

#include "decode/sampling.h"
#include "models/model.h"
#include "nn/adaptive_softmax.h"
#include "nn/dense.h"
#include "nn/dropout.h"
#include "nn/embedding.h"
#include "nn/recurrent_stack.h"

namespace rnn {

class LanguageModel : public Model, public TokenStepper {
 public:
  ModelConfig config;
  Embedding embedding;
  Embedding category_embedding;  // conditional models only
  RecurrentStack rnn;
  Dense output;              // unused with the adaptive softmax
  AdaptiveSoftmax adaptive;  // adaptive_softmax only

  explicit LanguageModel(const ModelConfig& cfg);
  // The tensors (PyTorch names and shapes, in buffer order) a model of this config has.
  static std::vector<TensorInfo> layout(const ModelConfig& cfg);
  LanguageModel(const LanguageModel&) = delete;  // layers hold views into params
  LanguageModel& operator=(const LanguageModel&) = delete;
  bool conditional() const { return config.labels > 0; }

  // Model: inputs and targets are B × T token ids; the state is carried as Batch says. Rows of
  // different lengths (Batch::lengths) count only their real steps in the loss; a conditional
  // model takes each row's category from Batch::labels.
  double train_batch(const Batch& batch, Rng& dropout_rng) override;
  double evaluate_batch(const Batch& batch) override;
  size_t state_size(int batch) const override;

  // TokenStepper (a conditional model writes for state.category).
  int vocab_size() const override { return config.vocab_size; }
  ModelState start_state(int batch) const override { return zero_state(batch); }
  void step(int batch, const int32_t* tokens, ModelState& state, float* logits) override;
  void feed(int n, const int32_t* tokens, ModelState& state, float* last_logits) override;

  // Generation with the adaptive softmax: the network up to the output layer's input `top`
  // (hidden_size floats, after the last token), then one draw from the distribution it gives
  // (decode/sampling.h, sample_two_level: the same distribution as sample_token over the full
  // log-probabilities, no repetition penalty), or the full log-probabilities (vocab floats).
  void step_top(int32_t token, ModelState& state, float* top);
  void feed_top(int n, const int32_t* tokens, ModelState& state, float* top);
  int32_t sample_next(const float* top, const SamplingOptions& options, Rng& rng);
  // Brings the adaptive softmax's sampling bounds up to the weights (a probe, a rebuild if they
  // changed): sample_next does when params.version moved, a Generator once at its start.
  void check_sampling_bounds();
  void log_probs_of_top(const float* top, float* log_probs);

  // Logits of the last evaluation or generation pass (T × B × vocab, time-major); with the adaptive
  // softmax, its log-probabilities. A training pass leaves their gradient there (or, adaptive, nothing).
  const std::vector<float>& last_logits() const { return logits_; }

 private:
  struct Parts;
  // Sizes the layers from cfg and registers every tensor, in buffer order.
  static void declare(const ModelConfig& cfg, Params& params, Embedding& embedding, Embedding& category_embedding,
                      RecurrentStack& rnn, Dense& output, AdaptiveSoftmax& adaptive);
  // Fills logits_ (T·B × V). categories: B ids (conditional models). dropout_rng == null: evaluation.
  // output_layer == false: up to top_ only (adaptive generation).
  void forward(int B, int T, const int32_t* inputs, const int32_t* categories, const int32_t* lengths,
               const float* state_in, float* state_out, Rng* dropout_rng, bool output_layer = true);
  void check_stream(const ModelState& state) const;
  // The batch's targets (and weights, if any, or from the lengths) time-major into targets_ /
  // weights_; returns the weights pointer for the loss (null when unweighted).
  const float* time_major_targets(const Batch& batch);
  double log_prob_loss(size_t N, const float* weights) const;

  // Workspaces, reused between calls (time-major).
  std::vector<int32_t> ids_, targets_, categories_;
  std::vector<float> weights_;
  std::vector<float> emb_;      // T·B × E (conditional: T·B × 2E, token then category)
  std::vector<float> token_emb_, category_emb_;  // conditional: the two halves, then their gradients
  const float* top_ = nullptr;  // the output layer's input in the last forward pass (after its dropout)
  Dropout embedding_dropout_, output_dropout_;
  std::vector<float> logits_, dtop_, demb_;  // after train_batch logits_ holds their gradient
  std::vector<float> sample_head_;                 // sample_next: the head's log-probabilities …
  std::vector<std::vector<float>> sample_tails_;   // … and each cluster's, when expanded
  std::vector<int32_t> tail_start_, tail_size_;
  uint64_t bounds_version_ = ~uint64_t{0};         // params.version the bounds were checked at
};

}  // namespace rnn
