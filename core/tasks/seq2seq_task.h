// The encoder–decoder task: learn to write a target for a source (spelling → pronunciation,
// dates → ISO dates, sentence → translation) from source<TAB>target pairs.
//
// Vocabularies: one tokenizer per side (sourceTokenizer / targetTokenizer), each built from the
// training pairs' side; with sharedVocabulary one tokenizer is built from both sides and serves
// both (the encoder's and the decoder's embeddings stay two tensors: the model does not tie them).
// The decoder's vocabulary is the target tokenizer's V tokens followed by the start token (id V)
// and the end token (id V + 1), which no text contains.
//
// A source may occur with several targets: each is a training pair; in evaluation they are the
// source's references (right if the output equals any). The validation split is drawn over the
// distinct sources (seeded), so a source's references never straddle training and validation.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "decode/translate.h"
#include "io/config.h"
#include "models/seq2seq.h"
#include "text/datasets.h"
#include "text/tokenizer.h"
#include "train/example_source.h"
#include "train/memory.h"
#include "train/trainer.h"

namespace rnn {

struct PairData {
  std::vector<PairExample> pairs;
  ParseReport report;
  int64_t size() const { return (int64_t)pairs.size(); }
};

// The file text (TSV) or a JSON array of pairs; skipBadLines as the config says.
PairData parse_pairs(const RunConfig& config, const nlohmann::json& data);

// The JS API's translate options: { beam, nBest, maxLength, alpha, temperature, topK, topP, sample,
// seed } (all optional). Unknown keys and bad values throw naming the option.
TranslateOptions parse_translate_options(const nlohmann::json& j);

struct Seq2SeqEvalOptions {
  int beam = 1;              // 1: greedy
  float alpha = 0.6f;        // beam search's length normalisation
  int64_t max_examples = 0;  // > 0: only the first that many validation sources (and their pairs)
  int samples = 5;           // predictions returned beside the metrics
};
// { beam, alpha, maxExamples } (all optional).
Seq2SeqEvalOptions parse_seq2seq_eval_options(const nlohmann::json& j);

// Every source's outputs, n best each. The one place evaluation decodes: one source at a time for
// now (translate()); a batched decoder can replace the loop without changing the results.
std::vector<std::vector<Translation>> translate_sources(Seq2Seq& model, const std::vector<std::vector<int32_t>>& sources,
                                                        int32_t start, int32_t end, const TranslateOptions& options);

class Seq2SeqTask {
 public:
  // A distinct source of the evaluation pairs and its references (target ids, without start/end).
  struct Source {
    std::string text;
    std::vector<int32_t> ids;
    std::vector<std::vector<int32_t>> references;
    std::vector<std::string> reference_texts;
    std::vector<int64_t> pairs;  // its pairs' indices in `validation`
  };

  RunConfig config;
  Tokenizer source_tokenizer, target_tokenizer;  // the same vocabulary with sharedVocabulary
  std::shared_ptr<Model> model;                  // a Seq2Seq
  SequenceExamples train, validation;
  std::vector<Source> validation_sources;
  int64_t train_sources = 0, multi_reference_sources = 0;  // distinct training sources; those with > 1 target
  int64_t truncated_sources = 0, truncated_targets = 0;    // pairs whose side was cut to maxLength
  ParseReport report, validation_report;
  std::unique_ptr<ExampleBatchSource> train_data;
  std::unique_ptr<Trainer> trainer;

  // validation: explicit held-out pairs, or empty to split validationFraction of the distinct
  // sources off. Throws rnn::Error naming the problem.
  Seq2SeqTask(const RunConfig& config, const PairData& pairs, const PairData& validation = {});
  // A model loaded from a file: translation, and evaluation on pairs given with add_evaluation_pairs.
  Seq2SeqTask(const RunConfig& config, Tokenizer source, Tokenizer target, std::shared_ptr<Model> model);

  // Replaces the evaluation pairs (a loaded model scored on a file). Tokens the vocabularies do not
  // know become <unk> (or are left out without one); a source left with no token throws.
  void set_evaluation_pairs(const std::vector<PairExample>& pairs);

  StepResult step() { return trainer->train_step(); }
  Seq2Seq& seq2seq() const { return static_cast<Seq2Seq&>(*model); }
  int32_t start_token() const { return target_tokenizer.vocab_size(); }
  int32_t end_token() const { return target_tokenizer.vocab_size() + 1; }
  bool word_targets() const { return target_tokenizer.options.kind != TokenizerKind::Char; }

  // { loss, exactMatch, tokenErrorRate, bleu (word-level targets; else null), sources, examples
  // (= sources scored), pairs, targetTokens, beam, samples: [{ source, prediction, references,
  // correct }] }.
  nlohmann::json evaluate(const Seq2SeqEvalOptions& options);
  // [{ text, tokens, score, logProb, attention: { source, target, weights } | null }], best first.
  nlohmann::json translate(const std::string& source, const TranslateOptions& options);
  // task, pairs/examples, validationPairs/validationExamples, sources, validationSources,
  // multiReferenceSources, sourceTokens, targetTokens, trainTokens, validationTokens, truncated,
  // truncatedSources, truncatedTargets, sourceLengthHistogram, targetLengthHistogram,
  // sourceVocabSize, targetVocabSize, batchesPerEpoch, skipped, problems.
  nlohmann::json info() const;
  // What this run holds, for its configuration and its longest training source and target.
  MemoryEstimate memory() const;

 private:
  // Encodes pairs into `out`; `sources` (when given) collects the distinct sources and references.
  void add_pairs(const std::vector<PairExample>& pairs, SequenceExamples& out, std::vector<Source>* sources,
                 bool validation, bool count_truncation);
  std::vector<int32_t> encode_source(const std::string& text, bool* cut = nullptr) const;
};

// Parameters, optimizer state and one batch's activations of an encoder–decoder.
MemoryEstimate estimate_seq2seq_memory(const ModelConfig& model, const TrainingConfig& training, int max_source,
                                       int max_target, int64_t corpus_tokens);

}  // namespace rnn
