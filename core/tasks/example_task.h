// The tasks that learn from separate examples rather than from one stream of text:
//   classify  a text → a label                      SequenceClassifier
//   tag       a tag for every token                 SequenceTagger
//   lm with categories: a text written for a label  LanguageModel (conditional)
// A task owns its vocabularies (input tokens, labels), its examples (training and validation),
// the batch source and trainer over them, its metrics and its predictions.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "io/config.h"
#include "models/model.h"
#include "text/datasets.h"
#include "text/tokenizer.h"
#include "train/example_source.h"
#include "train/memory.h"
#include "train/trainer.h"

namespace rnn {

// Parsed examples of one task (only the vector for config.model.kind is used; category examples
// make a conditional language model).
struct ExampleData {
  std::vector<ClassifyExample> classify;
  std::vector<TagExample> tag;
  std::vector<CategoryExample> category;
  ParseReport report;
  int64_t size() const { return (int64_t)(classify.size() + tag.size() + category.size()); }
};

// The user's data (file contents, or a JSON array) for the task `config` names: TSV text<TAB>label
// (classify), CoNLL or word/tag (tag), TSV category<TAB>text (lm with categories).
ExampleData parse_examples(const RunConfig& config, const nlohmann::json& data);

class ExampleTask {
 public:
  RunConfig config;
  Tokenizer tokenizer;  // the input tokens
  Vocabulary labels;    // classes, tags or categories
  std::shared_ptr<Model> model;
  SequenceExamples train, validation;
  std::vector<uint8_t> validation_unseen;  // tag: per validation token, 1 if its word never occurs in training
  int64_t truncated = 0;                   // examples cut to config.max_length
  ParseReport report, validation_report;   // what parsing left out (skipBadLines)
  std::unique_ptr<ExampleBatchSource> train_data;
  std::unique_ptr<Trainer> trainer;

  // validation: explicit held-out examples, or empty to split config.validation_fraction off the
  // training examples (seeded; stratified by label for classify). Throws rnn::Error naming the
  // problem (an example without tokens, a configuration that cannot fit in memory, …).
  ExampleTask(const RunConfig& config, const ExampleData& examples, const ExampleData& validation = {});
  // For a model loaded from a file (prediction only): no examples, no trainer.
  ExampleTask(const RunConfig& config, Tokenizer tokenizer, Vocabulary labels, std::shared_ptr<Model> model);

  StepResult step() { return trainer->train_step(); }
  // Loss and the task's metrics on the validation examples (at most max_tokens input tokens when
  // > 0), in the JS API's shape: classify {loss, accuracy, majorityBaseline, perLabel, confusion},
  // tag {loss, accuracy, unseenAccuracy, …}, lm {loss, perplexity, bitsPerToken}.
  nlohmann::json evaluate(int64_t max_tokens = 0);

  // classify: {label, probabilities: [{label, probability}] most probable first}
  nlohmann::json classify(const std::string& text);
  // tag: [{token, tag, probability}] for the given tokens
  nlohmann::json tag(const std::vector<std::string>& tokens);
  // The token a conditional language model starts and ends each text with.
  int32_t boundary() const;
  bool conditional() const { return config.model.kind == ModelKind::LanguageModel; }

  // task, labels, labelCounts, examples, validationExamples, trainTokens, validationTokens,
  // truncated, lengthHistogram, batchesPerEpoch, skipped, problems ("validation …" for those).
  nlohmann::json info() const;
  // What this run holds, for its configuration and its longest training example.
  MemoryEstimate memory() const;

 private:
  int32_t longest_example() const;
  std::vector<int32_t> encode_tokens(const std::vector<std::string>& tokens) const;
  // Encodes examples into `out` (train or validation), cut to config.max_length.
  void add_examples(const ExampleData& data, SequenceExamples& out);
  std::vector<std::string> training_words_;  // tag: every word seen in training (sorted), for "unseen"
};

// The buffers a run holds: parameters, optimizer state, and the activations of a batch of
// batch_size rows of max_length steps (the longest example: the longest a batch can be).
MemoryEstimate estimate_example_memory(const ModelConfig& model, const TrainingConfig& training, int max_length,
                                       int64_t corpus_tokens);

}  // namespace rnn
