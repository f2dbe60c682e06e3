// The model file: one safetensors file holding everything needed to generate and, for
// checkpoints, to resume training exactly.
//
// Tensors (float32, little-endian, PyTorch names and layouts):
//   embedding.weight [V, E]                      nn.Embedding
//   rnn.weight_ih_l{k} [G·H, I], rnn.weight_hh_l{k} [G·H, H], rnn.bias_ih_l{k} [G·H], rnn.bias_hh_l{k} [G·H]
//                                                nn.LSTM (G=4, gates i,f,g,o) / nn.GRU (G=3, r,z,n) / nn.RNN (G=1, tanh)
//   fc.weight [V, H], fc.bias [V]                nn.Linear
// Checkpoints add:
//   optimizer.exp_avg.<param>, optimizer.exp_avg_sq.<param>   Adam moments (PyTorch's state names)
//   optimizer.momentum_buffer.<param>                         SGD with momentum
//   optimizer.square_avg.<param>                              RMSProp
//   state.h_l{k} [B, H] (and state.c_l{k} for LSTM)           the hidden state carried into the next batch
// Metadata (all values strings, structured ones JSON-encoded):
//   format = "rnn-wasm", format_version = "1", config = the run options (JSON, as the JS API takes),
//   model = {vocab_size, embedding_size, hidden_size, layers, cell} (JSON), tokenizer = kind, options
//   and vocabulary (JSON), checksum = "crc32:…" of the tensor bytes, and for checkpoints
//   training = {step, epoch, position, optimizer_step, rng_state, rng_inc, corpus_crc32, corpus_bytes}
//   (JSON; 64-bit values as decimal strings), plus, once recorded, best_step, best_loss, stale_evaluations
//   (the best validation loss so far; its weights as best.<param> tensors), planned_steps (a
//   time-fitted schedule's length), and guard_events, guard_lr_scale (once the divergence guard
//   undid a step: their count and the learning rate's factor). A tied language model has no fc.weight (embedding.weight is both).
// Encoder–decoders (task "seq2seq") hold the tensors core/models/seq2seq.h names (encoder.*, bridge.*,
// decoder.*, attention.*, fc.*); `tokenizer` is the source side's and `target_tokenizer` the target
// side's (the decoder's vocabulary is its V tokens, then the start and end tokens: V + 2 rows);
// `model` adds target_vocab_size, attention ("general" | "dot" | "none") and input_feeding.
#pragma once
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "io/config.h"
#include "io/safetensors.h"
#include "models/language_model.h"
#include "text/vocabulary.h"
#include "text/tokenizer.h"
#include "train/optimizer.h"

namespace rnn {

constexpr int kModelFormatVersion = 1;

struct Fingerprint {
  uint32_t crc32 = 0;  // of the corpus bytes
  uint64_t bytes = 0;
};

// What a checkpoint adds to the weights, as loaded.
struct TrainingSnapshot {
  OptimizerState optimizer;
  int64_t step = 0, epoch = 0, position = 0;
  Rng dropout_rng;
  ModelState state;           // the language model's carried state (stream training)
  std::optional<Rng> shuffle_rng;  // examples tasks: the shuffling RNG at the start of the epoch
  Fingerprint corpus;
  TrainerProgress progress;
  std::vector<float> best_weights;  // empty when the file has none
};

struct ModelFile {
  RunConfig config;     // config.model.vocab_size and labels filled in
  Tokenizer tokenizer;  // seq2seq: the source side's
  Tokenizer target_tokenizer;  // seq2seq only
  Vocabulary labels;    // classes, tags or categories (empty for a plain language model)
  std::shared_ptr<Model> model;
  std::optional<TrainingSnapshot> training;
  // The model as a language model; throws if it is another kind.
  LanguageModel& language_model() const;
};

// What a checkpoint adds to the weights, as saved: views of a live run.
struct TrainingState {
  const OptimizerState& optimizer;
  int64_t step, epoch, position;
  Rng dropout_rng;
  const ModelState* state;   // the language model's carried state, or null
  const Rng* shuffle_rng;    // examples tasks' epoch RNG, or null
  Fingerprint corpus;
  TrainerProgress progress = {};
  const std::vector<float>* best_weights = nullptr;  // the best model's parameters, or null
};

// training == nullptr writes the weights only (a model to generate or predict with). `config`
// must describe `model` (vocab_size and labels filled in); `labels` is saved when not empty;
// `target_tokenizer` is required for an encoder–decoder (and refused for other models).
// With a sink, the bytes go to it and the result is empty.
std::string save_model_file(const RunConfig& config, const Tokenizer& tokenizer, const Vocabulary& labels,
                            const Model& model, const TrainingState* training = nullptr,
                            const Tokenizer* target_tokenizer = nullptr, safetensors::ByteSink* sink = nullptr);
// Validates the container, the metadata, the config and every tensor's name, dtype and shape
// before allocating the model; throws rnn::Error naming the first problem.
// weights_only: a model to use, not to train: no gradient buffers, and a checkpoint's training
// state (optimizer moments, carried state) is checked but not read — the parameters' bytes only.
ModelFile load_model_file(const uint8_t* bytes, size_t size, bool weights_only = false);

// What the JS API's info reports of a model: sizes, tokenizer, cell, the run options.
// Encoder–decoders add sourceTokenizer, targetTokenizer, targetVocabSize, sharedVocabulary,
// attention, inputFeeding, scheduledSampling (`target_tokenizer` required for them).
// memory: { weightBytes, gradientBytes, optimizerBytes } the model and `optimizer` (if any) hold.
nlohmann::json model_info(const RunConfig& config, const Tokenizer& tokenizer, const Vocabulary& labels,
                          const Model& model, const Tokenizer* target_tokenizer = nullptr,
                          const OptimizerState* optimizer = nullptr);

}  // namespace rnn
