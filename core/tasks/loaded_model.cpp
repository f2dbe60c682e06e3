#include "tasks/loaded_model.h"

#include "common.h"
#include "tasks/session.h"

namespace rnn {

// Weights only: generating, predicting and translating never need gradients or optimizer moments.
LoadedModel::LoadedModel(const uint8_t* bytes, size_t size) : file(load_model_file(bytes, size, true)) {
  if (file.config.model.kind == ModelKind::Seq2Seq)
    translator = std::make_unique<Seq2SeqTask>(file.config, file.tokenizer, file.target_tokenizer, file.model);
  else if (file.config.model.kind != ModelKind::LanguageModel)
    predictor = std::make_unique<ExampleTask>(file.config, file.tokenizer, file.labels, file.model);
}

nlohmann::json LoadedModel::translate(const std::string& source, const TranslateOptions& options) {
  if (!translator)
    fail("translate() needs a model trained with task 'seq2seq'; this one is for task '" +
         std::string(model_kind_name(file.config.model.kind)) + "'");
  return translator->translate(source, options);
}

std::unique_ptr<Generator> LoadedModel::generator(GenerateOptions o) {
  LanguageModel& lm = file.language_model();
  resolve_category(file.labels, lm.conditional(), o);
  return std::make_unique<Generator>(lm, file.tokenizer, o);
}

std::string LoadedModel::generate(GenerateOptions o) {
  std::unique_ptr<Generator> g = generator(std::move(o));
  std::string out, piece;
  while (g->next(piece)) out += piece;
  return out;
}

}  // namespace rnn
