// What the front ends need beside a training run: a model file scored on data it was not trained
// on (the CLI's `eval --file`, the JS Model.evaluate()), the "what was parsed" view of a task's
// examples without training (the JS analyzeExamples()), and the parse report of a run's examples.
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

// What a run on these examples would see, without training: ExampleTask::info() (task, labels,
// labelCounts, examples, validationExamples, tokens, truncated, lengthHistogram, batchesPerEpoch)
// plus vocabSize, parameters, skipped and problems. Throws as a run would for bad data or options.
nlohmann::json analyze_examples(const RunConfig& config, const TrainingData& data);

// {skipped, problems} of parsing a run's examples and validation examples (validation problems
// are prefixed "validation "). Parses again: only worth calling with config.skip_bad_lines.
nlohmann::json example_parse_report(const RunConfig& config, const TrainingData& data);

// Session::info() for every run. (Session::info iterates `example_task->info().items()`, a
// temporary destroyed before the loop body runs: use-after-free for examples runs. This builds the
// same JSON with the temporary kept alive, until session.cpp is fixed.)
nlohmann::json session_info(const Session& session);

// data.examples / data.validation as given: throws "line N: invalid UTF-8 at byte B (…)" for file
// text that is not UTF-8 (checked before anything hashes the text as JSON).
void check_examples_utf8(const TrainingData& data);

}  // namespace rnn
