// A model file loaded to use: generate (language models), classify or tag (the example tasks),
// translate (encoder–decoders).
#pragma once
#include <memory>
#include <string>

#include "decode/generate.h"
#include "io/model_file.h"
#include "tasks/example_task.h"
#include "tasks/seq2seq_task.h"

namespace rnn {

struct LoadedModel {
  ModelFile file;
  std::unique_ptr<ExampleTask> predictor;  // classify / tag models
  std::unique_ptr<Seq2SeqTask> translator; // seq2seq models

  LoadedModel(const uint8_t* bytes, size_t size);
  std::string save(safetensors::ByteSink* sink = nullptr) const {
    return save_model_file(file.config, file.tokenizer, file.labels, *file.model, nullptr, target_tokenizer(), sink);
  }
  nlohmann::json info() const { return model_info(file.config, file.tokenizer, file.labels, *file.model, target_tokenizer()); }
  const Tokenizer* target_tokenizer() const { return translator ? &file.target_tokenizer : nullptr; }
  // [{ text, tokens, score, logProb, attention }] (Seq2SeqTask::translate); throws for other models.
  nlohmann::json translate(const std::string& source, const TranslateOptions& options);
  std::unique_ptr<Generator> generator(GenerateOptions options);
  std::string generate(GenerateOptions options);
};

}  // namespace rnn
