// A training run on a text — tokenizer, language-model task, model file — the unit the
// WebAssembly bindings and the native tools expose.
#pragma once
#include <memory>
#include <string>

#include "io/model_file.h"
#include "tasks/lm_task.h"

namespace rnn {

class Session {
 public:
  RunConfig config;
  Tokenizer tokenizer;
  std::unique_ptr<LanguageModelTask> task;
  Fingerprint corpus;
  int64_t corpus_tokens = 0, validation_tokens = 0;

  // New run. Throws rnn::Error for bad options, empty or invalid text, or text too short.
  Session(const std::string& text, const RunConfig& config);
  // Exact resume of a checkpoint on the same text (checked by fingerprint).
  Session(const std::string& text, const uint8_t* checkpoint, size_t size);

  StepResult step() { return task->step(); }
  EvalResult evaluate(int64_t max_tokens = 0) { return task->evaluate(max_tokens); }
  std::string save_checkpoint() const;
  std::string save_model() const;  // weights, config, tokenizer: no training state
  nlohmann::json info() const;

 private:
  void start(const std::string& text);
};

Fingerprint fingerprint(const std::string& text);

}  // namespace rnn
