// A model file loaded to generate from (no training state is used).
#pragma once
#include <string>

#include "io/model_file.h"

namespace rnn {

struct LoadedModel {
  ModelFile file;
  LoadedModel(const uint8_t* bytes, size_t size) : file(load_model_file(bytes, size)) {}
  std::string save() const { return save_model_file(file.config, file.tokenizer, *file.model); }
  nlohmann::json info() const { return model_info(file.config, file.tokenizer, *file.model); }
};

}  // namespace rnn
