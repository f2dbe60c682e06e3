// What the front ends need beside a training run: a model file scored on data it was not trained
// on (the CLI's `eval --file`, the JS Model.evaluate()), the "what was parsed" view of a task's
// examples without training (the JS analyzeExamples()).
#pragma once
#include <cstdint>

#include <nlohmann/json.hpp>

#include "io/config.h"
#include "tasks/loaded_model.h"
#include "tasks/session.h"

namespace rnn {

// Loss and the task's metrics of a loaded model on `data`, in the shape Session::evaluate_json
// gives: a language model trained on a text is scored on data.text (the whole text, state carried,
// batches of the model's batchSize × seqLength); classify / tag / generation by category on
// data.examples (file text or JSON array, parsed with the model's options). Tag: `unseenTokens`
// counts tokens outside the model's vocabulary (the training words themselves are not in the
// file). Classify: the majority baseline is the label that was most frequent in training (the
// first label). Throws rnn::Error naming the problem: the wrong kind of data for the model, a
// label or tag the model does not know ("line 3: unknown label 'x' (the model knows 'a', 'b')"),
// a text with no token the model knows, a text too short to score.
nlohmann::json evaluate_loaded_model(LoadedModel& model, const TrainingData& data, int64_t max_tokens = 0);
// An encoder–decoder on pairs (data.examples: TSV text or an array), as Seq2SeqTask::evaluate:
// every source's references are its targets in the file. Tokens the model does not know become
// <unk> (or are left out when its vocabulary has none); a source left with none throws "line N: …".
nlohmann::json evaluate_loaded_seq2seq(LoadedModel& model, const TrainingData& data, const Seq2SeqEvalOptions& options);

// What a run on these examples would see, without training: ExampleTask::info() (task, labels,
// labelCounts, examples, validationExamples, tokens, truncated, lengthHistogram, batchesPerEpoch)
// plus vocabSize, parameters, skipped and problems. Throws as a run would for bad data or options.
// Task 'seq2seq': Seq2SeqTask::info() (pairs, sources, length histograms per side, vocabularies)
// plus vocabSize (the source's) and parameters.
nlohmann::json analyze_examples(const RunConfig& config, const TrainingData& data);

}  // namespace rnn
