// The user-facing configuration of a training run, as JSON with the JS API's option names
// (camelCase). One parser serves the WebAssembly bindings, the native tools and the model file,
// so every front end rejects the same mistakes with the same messages.
//
//   { "tokenizer": "char"|"word", "lowercase": true, "minCount": 1, "replaceInvalid": false,
//     "cell": "lstm"|"gru"|"rnn", "layers": 2, "hidden": 256, "embedding": 64, "dropout": 0,
//     "seqLength": 64, "batchSize": 32,
//     "optimizer": "adam"|"rmsprop"|"sgd", "learningRate": 2e-3, "momentum": 0, "beta1": 0.9,
//     "beta2": 0.999, "eps": 1e-8, "weightDecay": 0, "alpha": 0.99,
//     "schedule": "constant" | { "type": "step", "stepSize": 1000, "gamma": 0.5 }
//               | { "type": "cosine", "totalSteps": 10000, "minLearningRate": 0 } (+ "warmup"),
//     "clip": { "value": 1 } | { "norm": 5 } | { "value": 1, "norm": 5 } | null,
//     "validationFraction": 0.05, "seed": 1,
//     regularisation of a language model (task 'lm'; off by default): "embeddingDropout": 0,
//     "outputDropout": 0, "lockedDropout": false (one mask per sequence for all steps, also for
//     "dropout"), "weightDrop": 0 (DropConnect on the recurrent weights W_hh),
//     "tieWeights": false (needs embedding == hidden);
//     "adaptiveSoftmax": false | true | 'auto' | { "cutoffs": [2000, 10000], "divValue": 4,
//     "headBias": false } (word-level 'lm' only, not with tieWeights; cutoffs chosen from the
//     corpus's frequencies unless given, nn/adaptive_softmax.h); "optimizer": "adamw" decays
//     weightDecay decoupled (train/optimizer.h); "schedule": { "type": "cosine"|"linear",
//     "fitTime": true } fits the decay to a time budget; "patience": 0 (early stopping, evaluations),
//     "guard": true | false | { "factor": 0.5 } (the divergence guard, train/trainer.h),
//     "size": "auto", "budgetSeconds": 600 (task 'lm': size and regularisation from the corpus and
//     the time, train/auto_size.h; options given beside it are kept),
//     the tasks beside the language model (tasks/example_task.h):
//     "task": "lm"|"classify"|"tag", "bidirectional": false, "pooling": "final"|"mean"|"max",
//     "maxLength": 256, "skipBadLines": false,
//     the encoder–decoder (task "seq2seq", tasks/seq2seq_task.h):
//     "sourceTokenizer", "targetTokenizer": "char"|"word"|"whitespace" (default: "tokenizer", char),
//     "sharedVocabulary": false, "attention": "general"|"dot"|"none", "inputFeeding": true (default:
//     true with attention), "scheduledSampling": 0 }
// For task 'tag' the tokenizer defaults to 'whitespace' (the only one it takes), lowercase to
// false and minCount to 2 (rare words then train the <unk> embedding unseen words will get).
// For task 'seq2seq', "tokenizer" sets both sides and lowercase (default false: targets are
// written as given), minCount and replaceInvalid apply to both; maxLength caps sources and
// targets alike.
// Tokenizer 'whitespace' keeps case unless lowercase is given; for a language model every newline
// is then the end-of-sentence token "<eos>".
#pragma once
#include <nlohmann/json.hpp>

#include "models/language_model.h"
#include "text/tokenizer.h"
#include "train/trainer.h"

namespace rnn {

struct RunConfig {
  TokenizerOptions tokenizer;          // the input tokens (seq2seq: the source side)
  TokenizerOptions target_tokenizer;   // seq2seq: the target side (same options, its own kind)
  bool shared_vocabulary = false;      // seq2seq: one vocabulary built from both sides
  ModelConfig model;  // model.vocab_size is filled in from the tokenizer
  TrainingConfig training;
  double validation_fraction = 0.05;
  int max_length = 256;         // examples tasks: longer examples are cut to this many tokens
  bool skip_bad_lines = false;  // examples tasks: leave out malformed lines (counted) instead of failing
  // "size": "auto" with "budgetSeconds" (train/auto_size.h): the size is chosen once the corpus is
  // read, for the options not in `given` (the names the user set); then auto_size is false again.
  bool auto_size = false;
  double budget_seconds = 600;
  std::vector<std::string> given;
};

RunConfig default_run_config();
// Unknown keys, wrong types and out-of-range values throw rnn::Error naming the option.
// `allow` lists extra keys the caller handles itself (e.g. "text", "resumeFrom").
RunConfig parse_run_config(const nlohmann::json& j, const std::vector<std::string>& allow = {});
nlohmann::json run_config_to_json(const RunConfig& c);

}  // namespace rnn
