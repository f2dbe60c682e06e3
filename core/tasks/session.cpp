#include "tasks/session.h"

#include <algorithm>

#include "tasks/corpus.h"
#include "train/batching.h"
#include "kernels/kernels.h"
#include "io/safetensors.h"

namespace rnn {

using nlohmann::json;

Fingerprint fingerprint(const std::string& text) {
  return {safetensors::crc32(reinterpret_cast<const uint8_t*>(text.data()), text.size()), (uint64_t)text.size()};
}

Session::Session(const std::string& text, const RunConfig& cfg) : config(cfg) {
  if (text.empty()) fail("text is empty: give a corpus to train on");
  tokenizer = Tokenizer::build(text, config.tokenizer);
  config.trainer.model.vocab_size = tokenizer.vocab_size();
  start(text);
}

Session::Session(const std::string& text, const uint8_t* bytes, size_t size) {
  ModelFile f = load_model_file(bytes, size);
  if (!f.training) fail("resumeFrom: this file is a model without training state, not a checkpoint");
  const Fingerprint fp = fingerprint(text);
  if (fp.crc32 != f.training->corpus.crc32 || fp.bytes != f.training->corpus.bytes)
    fail("resumeFrom: the checkpoint was trained on a different text (" + std::to_string(f.training->corpus.bytes) +
         " bytes, crc32 " + std::to_string(f.training->corpus.crc32) + "; this text has " + std::to_string(fp.bytes) +
         " bytes, crc32 " + std::to_string(fp.crc32) + ")");
  config = f.config;
  tokenizer = std::move(f.tokenizer);
  start(text);
  TrainingSnapshot& ts = *f.training;
  if (ts.position >= trainer->train_batches.n_batches) fail("resumeFrom: checkpoint data position is beyond the corpus");
  // Same layout; copy in place so the layers' views into the buffer stay valid.
  std::copy(f.model->params.value.begin(), f.model->params.value.end(), trainer->model.params.value.begin());
  trainer->optimizer = std::move(ts.optimizer);
  trainer->step = ts.step;
  trainer->epoch = ts.epoch;
  trainer->position = ts.position;
  trainer->dropout_rng = ts.dropout_rng;
  trainer->state = std::move(ts.state);
}

void Session::start(const std::string& text) {
  corpus = fingerprint(text);
  std::vector<int32_t> ids = tokenizer.encode(text);
  corpus_tokens = (int64_t)ids.size();
  TrainValidation split = split_validation(ids, config.validation_fraction);
  validation_tokens = (int64_t)split.validation.size();
  const TrainerConfig& tc = config.trainer;
  const std::string problem = too_short_problem((int64_t)split.train.size(), validation_tokens, tc);
  if (!problem.empty()) fail(problem);
  trainer = std::make_unique<Trainer>(tc, split.train, std::move(split.validation));
}

std::string Session::save_checkpoint() const {
  return save_model_file(config, tokenizer, trainer->model, trainer.get(), corpus);
}

std::string Session::save_model() const { return save_model_file(config, tokenizer, trainer->model); }

json model_info(const RunConfig& config, const Tokenizer& tokenizer, const LanguageModel& model) {
  return {{"parameters", model.params.total},
          {"vocabSize", tokenizer.vocab_size()},
          {"tokenizer", tokenizer.options.kind == TokenizerKind::Word ? "word" : "char"},
          {"cell", cell_name(model.config.cell)},
          {"layers", model.config.layers},
          {"hidden", model.config.hidden_size},
          {"embedding", model.config.embedding_size},
          {"config", run_config_to_json(config)},
          {"simd", kernels::simd_arch()}};
}

json Session::info() const {
  json j = model_info(config, tokenizer, trainer->model);
  const Trainer& t = *trainer;
  j["tokens"] = corpus_tokens;
  j["trainTokens"] = corpus_tokens - validation_tokens;
  j["validationTokens"] = validation_tokens;
  j["batchesPerEpoch"] = t.train_batches.n_batches;
  j["tokensPerBatch"] = t.config.batch_size * t.config.seq_length;
  j["step"] = t.step;
  j["epoch"] = t.epoch;
  j["position"] = t.position;
  // Weights, gradients and up to two optimizer moments.
  j["parameterBytes"] = t.model.params.total * sizeof(float) * 4;
  return j;
}

json LoadedModel::info() const { return model_info(file.config, file.tokenizer, *file.model); }

}  // namespace rnn
