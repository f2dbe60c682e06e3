#include "tasks/session.h"

#include <algorithm>

#include "common.h"
#include "io/safetensors.h"
#include "tasks/corpus.h"
#include "train/batching.h"

namespace rnn {

using nlohmann::json;

Fingerprint fingerprint(const std::string& text) {
  return {safetensors::crc32(reinterpret_cast<const uint8_t*>(text.data()), text.size()), (uint64_t)text.size()};
}

Session::Session(const std::string& text, const RunConfig& cfg) : config(cfg) {
  if (text.empty()) fail("text is empty: give a corpus to train on");
  tokenizer = Tokenizer::build(text, config.tokenizer);
  config.model.vocab_size = tokenizer.vocab_size();
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
  LanguageModelTask& t = *task;
  if (ts.position >= t.train_data.batches_per_epoch()) fail("resumeFrom: checkpoint data position is beyond the corpus");
  // Same layout; copy in place so the layers' views into the buffer stay valid.
  std::copy(f.model->params.value.begin(), f.model->params.value.end(), t.model.params.value.begin());
  t.trainer.optimizer = std::move(ts.optimizer);
  t.trainer.updates = ts.step;
  t.trainer.dropout_rng = ts.dropout_rng;
  t.train_data.epoch = ts.epoch;
  t.train_data.position = ts.position;
  t.train_data.state = std::move(ts.state);
}

void Session::start(const std::string& text) {
  corpus = fingerprint(text);
  std::vector<int32_t> ids = tokenizer.encode(text);
  corpus_tokens = (int64_t)ids.size();
  TrainValidation split = split_validation(ids, config.validation_fraction);
  validation_tokens = (int64_t)split.validation.size();
  const std::string problem = too_short_problem((int64_t)split.train.size(), validation_tokens, config.training);
  if (!problem.empty()) fail(problem);
  task = std::make_unique<LanguageModelTask>(config.model, config.training, split.train, std::move(split.validation));
}

std::string Session::save_checkpoint() const {
  const LanguageModelTask& t = *task;
  const TrainingState training{t.trainer.optimizer, t.trainer.updates,     t.train_data.epoch, t.train_data.position,
                               t.trainer.dropout_rng, t.train_data.state, corpus};
  return save_model_file(config, tokenizer, t.model, &training);
}

std::string Session::save_model() const { return save_model_file(config, tokenizer, task->model); }

json Session::info() const {
  json j = model_info(config, tokenizer, task->model);
  const LanguageModelTask& t = *task;
  j["tokens"] = corpus_tokens;
  j["trainTokens"] = corpus_tokens - validation_tokens;
  j["validationTokens"] = validation_tokens;
  j["batchesPerEpoch"] = t.train_data.batches_per_epoch();
  j["tokensPerBatch"] = t.trainer.config.batch_size * t.trainer.config.seq_length;
  j["step"] = t.trainer.updates;
  j["epoch"] = t.train_data.epoch;
  j["position"] = t.train_data.position;
  // Weights, gradients and up to two optimizer moments.
  j["parameterBytes"] = t.model.params.total * sizeof(float) * 4;
  return j;
}

}  // namespace rnn
