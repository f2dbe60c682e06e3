// A model file loaded to use: generate (language models), classify or tag (the example tasks).
#pragma once
#include <memory>
#include <string>

#include "decode/generate.h"
#include "io/model_file.h"
#include "tasks/example_task.h"

namespace rnn {

struct LoadedModel {
  ModelFile file;
  std::unique_ptr<ExampleTask> predictor;  // classify / tag models

  LoadedModel(const uint8_t* bytes, size_t size);
  std::string save() const { return save_model_file(file.config, file.tokenizer, file.labels, *file.model); }
  nlohmann::json info() const { return model_info(file.config, file.tokenizer, file.labels, *file.model); }
  std::unique_ptr<Generator> generator(GenerateOptions options);
  std::string generate(GenerateOptions options);
};

}  // namespace rnn
