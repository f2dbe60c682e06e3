// What every model offers the trainer and the decoders. A model keeps its parameters in one flat
// Params (named like PyTorch's modules), trains and evaluates on a Batch, and — if it writes
// tokens — steps one token at a time.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "nn/attention.h"
#include "nn/cell.h"
#include "nn/params.h"
#include "nn/pooling.h"
#include "rng.h"

namespace rnn {

enum class ModelKind { LanguageModel, Classifier, Tagger, Seq2Seq };
const char* model_kind_name(ModelKind k);  // "lm" | "classify" | "tag" | "seq2seq" (the JS API's task names)
ModelKind parse_model_kind(const std::string& name);

// Every model is an encoder (embedding → recurrent levels) and a head; one config describes all.
struct ModelConfig {
  ModelKind kind = ModelKind::LanguageModel;
  int vocab_size = 0;
  int embedding_size = 64;
  int hidden_size = 256;
  int layers = 2;
  CellType cell = CellType::Lstm;
  float dropout = 0.0f;         // between recurrent levels, training only
  // Language models only (training only, 0 = off): dropout on the embedding output (the first
  // level's input) and on the last level's output (the output layer's input); locked_dropout uses
  // one mask per sequence and unit for all steps at these sites and between levels (nn/dropout.h).
  float embedding_dropout = 0.0f, output_dropout = 0.0f;
  bool locked_dropout = false;
  // Language models only: DropConnect on each layer's W_hh (nn/recurrent.h), training only (0 = off).
  float weight_drop = 0.0f;
  // Language models only: the output layer's weight is the embedding matrix (Press & Wolf 2017);
  // needs hidden_size == embedding_size. One tensor, embedding.weight; fc.bias stays.
  bool tie_weights = false;
  // Language models only: the adaptive softmax (nn/adaptive_softmax.h) in place of the output layer.
  // adaptive_cutoffs are PyTorch's (increasing, < vocab_size); empty until chosen from the corpus's
  // frequencies when training starts (a model cannot be built without them).
  bool adaptive_softmax = false;
  std::vector<int> adaptive_cutoffs;
  double adaptive_div_value = 4.0;
  bool adaptive_head_bias = false;
  bool bidirectional = false;   // classifier and tagger only
  int labels = 0;               // classes (classifier), tags (tagger), categories (language model; 0 = none)
  Pooling pooling = Pooling::Final;  // classifier only
  // Encoder–decoder only: the target vocabulary, and Luong attention (or none).
  int target_vocab_size = 0;
  bool attention = true;
  AttentionScore attention_score = AttentionScore::General;
  bool input_feeding = false;     // with attention: step t's decoder input also gets h̃(t−1) (Luong et al. 2015)
  float scheduled_sampling = 0;   // training: chance of feeding the decoder its own previous prediction (0 = off)
  uint64_t seed = 1;            // initialisation
  bool trainable = true;        // false: weights only, no gradient buffers (a model loaded to use)
  // Throws rnn::Error naming the first bad field.
  void validate() const;
};
// Trainable floats of a model with this config (exact; in double so absurd sizes cannot overflow).
double parameter_count(const ModelConfig& cfg);

// The recurrent state a model carries for `batch` rows (its layout is the model's own).
struct ModelState {
  int batch = 0;
  std::vector<float> data;
  int32_t category = -1;  // what a conditional language model writes for (−1: none)
};

// B sequences of T steps, row-major B × T (a row is one sequence).
struct Batch {
  int B = 0, T = 0;
  const int32_t* inputs = nullptr;
  const int32_t* targets = nullptr;
  const float* weights = nullptr;    // per-position loss weights; null = all 1 (on real steps)
  const int32_t* lengths = nullptr;  // B real lengths (then padding); null = every row has T steps
  const int32_t* labels = nullptr;   // B: each row's class (classifier) or category (conditional LM)
  const float* state_in = nullptr;   // the carried state (ModelState::data); null = zeros
  float* state_out = nullptr;        // receives the final state; null = not wanted (may equal state_in)
  float* dstate_in = nullptr;        // train only: receives ∂L/∂state_in; null = not wanted
  // Encoder–decoder: `inputs`/`lengths` are the sources (B × T); the target side is B × target_steps:
  // the decoder's inputs (start token, then the target shifted) and `targets`, with their lengths.
  int target_steps = 0;
  const int32_t* decoder_inputs = nullptr;
  const int32_t* target_lengths = nullptr;
  int64_t tokens() const { return (int64_t)B * T; }

  // A batch that starts from `state` and leaves its final state there.
  static Batch carrying(int B, int T, const int32_t* inputs, const int32_t* targets, ModelState& state) {
    Batch b;
    b.B = B;
    b.T = T;
    b.inputs = inputs;
    b.targets = targets;
    b.state_in = b.state_out = state.data.data();
    return b;
  }
};

class Model {
 public:
  Params params;

  virtual ~Model() = default;
  // Forward and backward: gradients are *accumulated* into params.grad. Returns the mean loss.
  // No gradient flows into the batch before (truncated BPTT).
  virtual double train_batch(const Batch& batch, Rng& dropout_rng) = 0;
  // Forward only, dropout off. Returns the mean loss.
  virtual double evaluate_batch(const Batch& batch) = 0;
  // Floats of carried state for `batch` rows; 0 when the model carries none between batches.
  virtual size_t state_size(int batch) const = 0;
  ModelState zero_state(int batch) const { return {batch, std::vector<float>(state_size(batch), 0.0f), -1}; }
};

// A freshly initialised model of cfg.kind.
std::unique_ptr<Model> create_model(const ModelConfig& cfg);
// The tensors (PyTorch names and shapes, in buffer order) such a model has, without allocating them:
// what a loader checks a file against.
std::vector<TensorInfo> model_layout(const ModelConfig& cfg);

// A model that writes tokens: what sampling (and beam search) drive, one step at a time.
class TokenStepper {
 public:
  virtual ~TokenStepper() = default;
  virtual int vocab_size() const = 0;
  virtual ModelState start_state(int batch) const = 0;
  // One step for `batch` streams: logits is batch × vocab.
  virtual void step(int batch, const int32_t* tokens, ModelState& state, float* logits) = 0;
  // n tokens of one stream in a single pass (priming); logits after the last one (vocab floats).
  virtual void feed(int n, const int32_t* tokens, ModelState& state, float* last_logits) = 0;
};

}  // namespace rnn
