// A training run — on a text (the language model's stream), on examples (classify, tag,
// generation by category) or on source–target pairs (seq2seq) — with its model file: the unit the WebAssembly bindings and the
// native tools expose.
#pragma once
#include <memory>
#include <string>

#include "decode/generate.h"
#include "io/model_file.h"
#include "tasks/example_task.h"
#include "tasks/lm_task.h"
#include "tasks/seq2seq_task.h"

namespace rnn {

// A memory estimate in the JS API's shape (info.memoryEstimate, estimateMemory()): parameters,
// weightBytes, activationBytes, packingBytes, checkpointBytes, corpusBytes, totalBytes.
nlohmann::json memory_json(const MemoryEstimate& m);

// What a run trains on. Examples are the text of a file (a JSON string) or an array of examples;
// validation examples are optional (null: split validationFraction off the examples). For task
// 'seq2seq' the examples are the pairs (TSV text or an array). A language
// model on a text may be given its validation text (a JSON string, the JS validationText) instead
// of the fraction.
struct TrainingData {
  std::string text;
  nlohmann::json examples, validation;
  bool has_examples() const { return !examples.is_null(); }
};

class Session {
 public:
  RunConfig config;
  Tokenizer tokenizer;                         // stream runs
  std::unique_ptr<LanguageModelTask> task;     // stream runs
  std::unique_ptr<ExampleTask> example_task;   // examples runs
  std::unique_ptr<Seq2SeqTask> seq2seq_task;   // pairs runs
  Fingerprint corpus;
  int64_t corpus_tokens = 0, validation_tokens = 0;
  int64_t validation_unknown = 0;  // a given validation text: its tokens outside the vocabulary
  nlohmann::json auto_size;  // size 'auto': the rule's choice and prediction (info.autoSize); null otherwise

  // New run. Throws rnn::Error for bad options, empty or invalid data, or data too short.
  Session(const TrainingData& data, const RunConfig& config);
  // Exact resume of a checkpoint on the same data (checked by fingerprint).
  Session(const TrainingData& data, const uint8_t* checkpoint, size_t size);
  Session(const std::string& text, const RunConfig& config) : Session(TrainingData{text, {}, {}}, config) {}
  Session(const std::string& text, const uint8_t* checkpoint, size_t size)
      : Session(TrainingData{text, {}, {}}, checkpoint, size) {}

  StepResult step() { return task ? task->step() : example_task ? example_task->step() : seq2seq_task->step(); }
  EvalResult evaluate(int64_t max_tokens = 0) { return task->evaluate(max_tokens); }  // stream runs
  // Loss and the task's metrics, in the JS API's shape (stream runs: loss, perplexity, bitsPerToken, tokens).
  nlohmann::json evaluate_json(int64_t max_tokens = 0);
  // Seq2seq runs: loss, exact match, token error rate, BLEU (Seq2SeqTask::evaluate).
  nlohmann::json evaluate_pairs(const Seq2SeqEvalOptions& options);
  // The saves return the file, or with a sink write it there and return nothing.
  std::string save_checkpoint(safetensors::ByteSink* sink = nullptr) const;
  std::string save_model(safetensors::ByteSink* sink = nullptr) const;  // weights, config, tokenizer, labels: no training state
  // Keep-best (Trainer::record_validation): records a validation loss of the current weights and
  // returns best() plus { improved, stop }. best(): { step, loss, stale, stop } or null before any.
  nlohmann::json record_validation(double loss);
  nlohmann::json best() const;
  // The model file of the best weights so far (as save_model() would have written at that step).
  std::string save_best_model(safetensors::ByteSink* sink = nullptr) const;
  nlohmann::json info() const;

  Model& model() const;
  Trainer& trainer() const;
  const Tokenizer& input_tokenizer() const;
  // The batch source of an examples or pairs run.
  ExampleBatchSource& example_source() const;
  const Vocabulary& labels() const;
  // An encoder–decoder's target side; null for other runs.
  const Tokenizer* target_tokenizer() const { return seq2seq_task ? &seq2seq_task->target_tokenizer : nullptr; }
  // Generation for a language model (a conditional one resolves options.label).
  std::string generate(GenerateOptions options);
  std::unique_ptr<Generator> generator(GenerateOptions options);

 private:
  void start(const std::string& text, const nlohmann::json& validation = nullptr);
  void choose_size(int64_t train_tokens);
};

// size 'auto' resolved for a text without training (resolveOptions(options, text)):
// { options: the options as a trainer on this text would use them, autoSize: the choice or null }.
nlohmann::json resolve_auto_size(const std::string& text, RunConfig config);

Fingerprint fingerprint(const std::string& text);
Fingerprint fingerprint(const TrainingData& data);
// data.examples / data.validation as given: throws "line N: invalid UTF-8 at byte B (…)" for file
// text that is not UTF-8 (before anything hashes the text as JSON, which would throw its own error).
void check_examples_utf8(const TrainingData& data);
// Resolves options.label into options.category for a conditional model (throws for an unknown
// label, a missing one, or a label given to a model without categories).
void resolve_category(const Vocabulary& labels, bool conditional, GenerateOptions& options);

}  // namespace rnn
