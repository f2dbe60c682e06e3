// A training run on a text: tokenizer + trainer + validation split + model file, the unit the
// WebAssembly bindings and the native tools expose. Also the loaded-model side (generation only).
#pragma once
#include <memory>
#include <string>

#include "decode/generate.h"
#include "io/model_file.h"

namespace rnn {

class Session {
 public:
  RunConfig config;
  Tokenizer tokenizer;
  std::unique_ptr<Trainer> trainer;
  Fingerprint corpus;
  int64_t corpus_tokens = 0, validation_tokens = 0;

  // New run. Throws rnn::Error for bad options, empty or invalid text, or text too short.
  Session(const std::string& text, const RunConfig& config);
  // Exact resume of a checkpoint on the same text (checked by fingerprint).
  Session(const std::string& text, const uint8_t* checkpoint, size_t size);

  StepResult step() { return trainer->train_step(); }
  EvalResult evaluate(int64_t max_tokens = 0) { return trainer->evaluate(max_tokens); }
  std::string save_checkpoint() const;
  std::string save_model() const;  // weights, config, tokenizer: no training state
  nlohmann::json info() const;

 private:
  void start(const std::string& text);
};

Fingerprint fingerprint(const std::string& text);

// A model loaded for generation.
struct LoadedModel {
  ModelFile file;
  explicit LoadedModel(const uint8_t* bytes, size_t size) : file(load_model_file(bytes, size)) {}
  std::string save() const { return save_model_file(file.config, file.tokenizer, *file.model); }
  nlohmann::json info() const;
};

nlohmann::json model_info(const RunConfig& config, const Tokenizer& tokenizer, const LanguageModel& model);

}  // namespace rnn
