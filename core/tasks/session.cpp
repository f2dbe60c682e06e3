#include "tasks/session.h"

#include <algorithm>

#include "common.h"
#include "io/safetensors.h"
#include "tasks/corpus.h"
#include "kernels/threads.h"
#include "nn/adaptive_softmax.h"
#include "text/utf8.h"
#include "train/auto_size.h"
#include "train/batching.h"

namespace rnn {

using nlohmann::json;

Fingerprint fingerprint(const std::string& text) {
  return {safetensors::crc32(reinterpret_cast<const uint8_t*>(text.data()), text.size()), (uint64_t)text.size()};
}

namespace {
std::string at_line(int64_t line) { return "line " + std::to_string(line) + ": "; }
}  // namespace

void check_examples_utf8(const TrainingData& data) {
  for (const json* j : {&data.examples, &data.validation}) {
    if (!j->is_string()) continue;
    const std::string& s = j->get_ref<const std::string&>();
    const std::optional<size_t> bad = validate_utf8(s);
    if (!bad) continue;
    const int64_t line = 1 + std::count(s.begin(), s.begin() + (std::ptrdiff_t)*bad, '\n');
    std::string reason = "invalid UTF-8 at byte " + std::to_string(*bad);
    try {
      decode_utf8(s);
    } catch (const Error& e) {
      reason = e.what();
    }
    fail(std::string(j == &data.validation ? "validation " : "") + at_line(line) + reason);
  }
}

Fingerprint fingerprint(const TrainingData& d) {
  // A given validation text decides the training tokens too (nothing is split off): resuming needs it again.
  if (!d.has_examples()) return d.validation.is_string() ? fingerprint(d.text + "\x1e" + d.validation.get<std::string>()) : fingerprint(d.text);
  check_examples_utf8(d);
  return fingerprint(d.examples.dump() + "\x1e" + d.validation.dump());
}

void resolve_category(const Vocabulary& labels, bool conditional, GenerateOptions& o) {
  if (!conditional) {
    if (!o.label.empty()) fail("option 'label' is for a model trained with categories; this one has none");
    return;
  }
  if (o.label.empty()) {
    std::string names;
    for (const auto& l : labels.entries()) names += (names.empty() ? "'" : ", '") + l + "'";
    fail("option 'label' is required: choose the category to write for (" + names + ")");
  }
  o.category = labels.id_of(o.label);
  if (o.category < 0) fail("unknown label '" + o.label + "'");
}

namespace {
ExampleData parse_validation(const RunConfig& config, const TrainingData& d) {
  if (d.validation.is_null()) return {};
  return parse_examples(config, d.validation);
}
PairData parse_validation_pairs(const RunConfig& config, const TrainingData& d) {
  if (d.validation.is_null()) return {};
  return parse_pairs(config, d.validation);
}
}  // namespace

Session::Session(const TrainingData& data, const RunConfig& cfg) : config(cfg) {
  corpus = fingerprint(data);
  if (data.has_examples() && config.model.kind == ModelKind::Seq2Seq) {
    seq2seq_task = std::make_unique<Seq2SeqTask>(config, parse_pairs(config, data.examples), parse_validation_pairs(config, data));
    config = seq2seq_task->config;
    return;
  }
  if (config.model.kind == ModelKind::Seq2Seq) fail("task 'seq2seq' trains on source<TAB>target pairs: give pairs");
  if (data.has_examples()) {
    example_task = std::make_unique<ExampleTask>(config, parse_examples(config, data.examples), parse_validation(config, data));
    config = example_task->config;
    return;
  }
  if (config.model.kind != ModelKind::LanguageModel)
    fail(std::string("task '") + model_kind_name(config.model.kind) + "' trains on examples, not on a text");
  check_corpus_text(data.text, "text");
  tokenizer = Tokenizer::build(data.text, config.tokenizer);
  const std::string one = vocabulary_problem(tokenizer);
  if (!one.empty()) fail(one);
  config.model.vocab_size = tokenizer.vocab_size();
  start(data.text, data.validation);
}

Session::Session(const TrainingData& data, const uint8_t* bytes, size_t size) {
  ModelFile f = load_model_file(bytes, size);
  if (!f.training) fail("resumeFrom: this file is a model without training state, not a checkpoint");
  corpus = fingerprint(data);
  const Fingerprint& was = f.training->corpus;
  if (corpus.crc32 != was.crc32 || corpus.bytes != was.bytes)
    fail(std::string("resumeFrom: the checkpoint was trained on ") +
         (data.has_examples() ? "other examples" : "a different text") + " (" + std::to_string(was.bytes) +
         " bytes, crc32 " + std::to_string(was.crc32) + "; this " + (data.has_examples() ? "data" : "text") + " has " +
         std::to_string(corpus.bytes) + " bytes, crc32 " + std::to_string(corpus.crc32) + ")");
  // The run is rebuilt from the data (deterministically); the file supplies weights and state.
  config = f.config;
  if (config.model.kind == ModelKind::Seq2Seq) {
    if (!data.has_examples()) fail("resumeFrom: this checkpoint trained an encoder–decoder: give its pairs");
    seq2seq_task = std::make_unique<Seq2SeqTask>(config, parse_pairs(config, data.examples), parse_validation_pairs(config, data));
  } else if (data.has_examples()) {
    example_task = std::make_unique<ExampleTask>(config, parse_examples(config, data.examples), parse_validation(config, data));
  } else {
    tokenizer = std::move(f.tokenizer);
    start(data.text, data.validation);
  }
  Model& m = model();
  if (m.params.total != f.model->params.total) fail("resumeFrom: the checkpoint does not match this data's model");
  // Same layout; copy in place so the layers' views into the buffer stay valid.
  std::copy(f.model->params.value.begin(), f.model->params.value.end(), m.params.value.begin());
  m.params.touched();
  TrainingSnapshot& ts = *f.training;
  Trainer& t = trainer();
  t.optimizer = std::move(ts.optimizer);
  t.updates = ts.step;
  t.dropout_rng = ts.dropout_rng;
  t.progress = ts.progress;
  t.best_weights = std::move(ts.best_weights);
  if (example_task || seq2seq_task) {
    if (!ts.shuffle_rng) fail("resumeFrom: the checkpoint has no example order to resume");
    example_source().restore(ts.epoch, ts.position, *ts.shuffle_rng);
  } else {
    if (ts.position >= task->train_data.batches_per_epoch()) fail("resumeFrom: checkpoint data position is beyond the corpus");
    task->train_data.epoch = ts.epoch;
    task->train_data.position = ts.position;
    task->train_data.state = std::move(ts.state);
  }
  t.mark_good_state();  // as the run that saved it did
}

void Session::start(const std::string& text, const json& validation) {
  std::vector<int32_t> ids = tokenizer.encode(text);
  corpus_tokens = (int64_t)ids.size();
  // The training tokens as the split below will leave them (analyze_corpus counts them alike).
  if (config.auto_size)
    choose_size(corpus_tokens - (validation.is_null() ? (int64_t)validation_count(ids.size(), config.validation_fraction) : 0));
  ModelConfig& mc = config.model;
  if (mc.adaptive_softmax && mc.adaptive_cutoffs.empty()) {
    // The adaptive softmax's clusters from the text's frequencies (ids are in frequency order); saved
    // in the config, so a resumed run keeps them.
    std::vector<int64_t> counts(tokenizer.vocab_size(), 0);
    for (int32_t id : ids) ++counts[id];
    mc.adaptive_cutoffs = choose_adaptive_cutoffs(counts, mc.hidden_size, mc.adaptive_div_value);
    mc.validate();
  }
  if (!validation.is_null()) {  // a validation text of its own, read with the training text's vocabulary
    if (!validation.is_string()) fail("option 'validationText' must be a text (a string or Uint8Array)");
    check_corpus_text(validation.get_ref<const std::string&>(), "validationText");
    UnknownReport unknown;
    std::vector<int32_t> val = tokenizer.encode(validation.get_ref<const std::string&>(), &unknown);
    if (val.size() < 2)
      fail("validationText is too short: it has " + std::to_string(val.size()) + " token(s) the vocabulary knows, need at least 2");
    validation_tokens = (int64_t)val.size();
    validation_unknown = (int64_t)unknown.total();
    const std::string problem = too_short_problem(corpus_tokens, 0, config.training);
    if (!problem.empty()) fail(problem);
    task = std::make_unique<LanguageModelTask>(config.model, config.training, std::move(ids), std::move(val));
    task->validation_given = true;
    return;
  }
  // Moved in, split in place: the corpus is held as its ids once.
  TrainValidation split = split_validation(std::move(ids), config.validation_fraction);
  validation_tokens = (int64_t)split.validation.size();
  const std::string problem = too_short_problem((int64_t)split.train.size(), validation_tokens, config.training);
  if (!problem.empty()) fail(problem);
  task = std::make_unique<LanguageModelTask>(config.model, config.training, std::move(split.train),
                                             std::move(split.validation));
}

namespace {

// Applies size 'auto' to cfg for a corpus of train_tokens and vocab; returns info.autoSize.
json choose_size_for(RunConfig& cfg, int64_t train_tokens, int64_t vocab) {
  AutoSizeInput in;
  in.train_tokens = train_tokens;
  in.vocab = (int)vocab;
  in.words = cfg.tokenizer.kind != TokenizerKind::Char;
  in.gates = cell_gates(cfg.model.cell);
  in.seconds = cfg.budget_seconds;
  in.threads = threads::count();
  const AutoSizeChoice c = choose_auto_size(in);
  apply_auto_size(c, cfg.given, cfg.model, cfg.training);
  if (cfg.model.adaptive_softmax) cfg.model.tie_weights = false;  // the adaptive softmax has no tying (config.cpp)
  cfg.model.validate();
  cfg.training.validate();
  cfg.auto_size = false;  // chosen: the files keep the options, not the rule
  return auto_size_json(in, c);
}

}  // namespace

void Session::choose_size(int64_t train_tokens) {
  auto_size = choose_size_for(config, train_tokens, tokenizer.vocab_size());
}

json resolve_auto_size(const std::string& text, RunConfig cfg) {
  if (!cfg.auto_size) return {{"options", run_config_to_json(cfg)}, {"autoSize", nullptr}};
  const CorpusStats st = analyze_corpus(text, cfg);
  cfg.model.vocab_size = (int)st.vocab;
  const json choice = choose_size_for(cfg, st.train_tokens, st.vocab);
  return {{"options", run_config_to_json(cfg)}, {"autoSize", choice}};
}

Model& Session::model() const {
  if (task) return task->model;
  return example_task ? *example_task->model : *seq2seq_task->model;
}

Trainer& Session::trainer() const {
  if (task) return task->trainer;
  return example_task ? *example_task->trainer : *seq2seq_task->trainer;
}

const Tokenizer& Session::input_tokenizer() const {
  if (task) return tokenizer;
  return example_task ? example_task->tokenizer : seq2seq_task->source_tokenizer;
}

ExampleBatchSource& Session::example_source() const {
  if (example_task) return *example_task->train_data;
  if (seq2seq_task) return *seq2seq_task->train_data;
  fail("a run on a text has no examples");
}

const Vocabulary& Session::labels() const {
  static const Vocabulary none;
  return example_task ? example_task->labels : none;
}

json Session::evaluate_json(int64_t max_tokens) {
  if (example_task) return example_task->evaluate(max_tokens);
  if (seq2seq_task) {
    Seq2SeqEvalOptions o;
    if (max_tokens > 0) fail("an encoder–decoder is evaluated on a number of sources: use maxExamples, not maxTokens");
    return seq2seq_task->evaluate(o);
  }
  const EvalResult e = task->evaluate(max_tokens);
  return {{"loss", e.loss}, {"perplexity", e.perplexity}, {"bitsPerToken", e.bits_per_token}, {"tokens", e.tokens}};
}

json Session::evaluate_pairs(const Seq2SeqEvalOptions& options) {
  if (!seq2seq_task)
    fail("this run is for task '" + std::string(model_kind_name(config.model.kind)) +
         "': options beam and maxExamples are for an encoder–decoder (task 'seq2seq')");
  return seq2seq_task->evaluate(options);
}

std::string Session::save_checkpoint(safetensors::ByteSink* sink) const {
  Trainer& t = trainer();
  // What is saved is a good state: the guard's rollback point, here and in a run resumed from it.
  t.mark_good_state();
  if (task) {
    const TrainingState training{t.optimizer, t.updates, task->train_data.epoch, task->train_data.position,
                                 t.dropout_rng, &task->train_data.state, nullptr, corpus, t.progress, &t.best_weights};
    return save_model_file(config, tokenizer, labels(), task->model, &training, nullptr, sink);
  }
  const ExampleBatchSource& d = example_source();
  const TrainingState training{t.optimizer, t.updates, d.epoch, d.position, t.dropout_rng, nullptr, &d.epoch_rng(), corpus,
                               t.progress, &t.best_weights};
  return save_model_file(config, input_tokenizer(), labels(), model(), &training, target_tokenizer(), sink);
}

std::string Session::save_model(safetensors::ByteSink* sink) const {
  return save_model_file(config, input_tokenizer(), labels(), model(), nullptr, target_tokenizer(), sink);
}

json Session::record_validation(double loss) {
  const ValidationRecord r = trainer().record_validation(loss);
  json j = best();
  j["improved"] = r.improved;
  j["stop"] = r.stop;
  j["reduced"] = r.reduced;
  j["learningRate"] = trainer().learning_rate();
  return j;
}

json Session::best() const {
  const Trainer& t = trainer();
  if (t.progress.best_step < 0) return nullptr;
  return {{"step", t.progress.best_step}, {"loss", t.progress.best_loss}, {"stale", t.progress.stale},
          {"stop", t.should_stop()}};
}

std::string Session::save_best_model(safetensors::ByteSink* sink) const {
  Trainer& t = trainer();  // its best weights are swapped in and back out
  if (t.progress.best_step < 0) fail("no best model yet: record a validation loss first");
  std::vector<float>& value = model().params.value;
  if (t.best_weights.size() != value.size()) fail("the best model's weights are missing");
  // The layers hold views into params.value: swap the contents in and out, not the buffers.
  std::vector<float>& best = t.best_weights;
  std::swap_ranges(value.begin(), value.end(), best.begin());
  std::string bytes;
  try {
    bytes = save_model(sink);
  } catch (...) {
    std::swap_ranges(value.begin(), value.end(), best.begin());
    throw;
  }
  std::swap_ranges(value.begin(), value.end(), best.begin());
  return bytes;
}

std::unique_ptr<Generator> Session::generator(GenerateOptions o) {
  auto* lm = dynamic_cast<LanguageModel*>(&model());
  if (!lm) fail("generate() needs a language model; this run is for task '" +
                std::string(model_kind_name(config.model.kind)) + "'");
  resolve_category(labels(), lm->conditional(), o);
  return std::make_unique<Generator>(*lm, input_tokenizer(), o);
}

std::string Session::generate(GenerateOptions o) {
  std::unique_ptr<Generator> g = generator(std::move(o));
  std::string out, piece;
  while (g->next(piece)) out += piece;
  return out;
}

json memory_json(const MemoryEstimate& m) {
  json j = {{"parameters", m.parameters},         {"weightBytes", m.weight_bytes},
          {"activationBytes", m.activation_bytes}, {"packingBytes", m.packing_bytes},
          {"checkpointBytes", m.checkpoint_bytes}, {"corpusBytes", m.corpus_bytes},
          {"totalBytes", m.total()}};
  if (m.items.empty()) return j;
  json items = json::array();
  for (const MemoryItem& i : m.items) items.push_back({{"name", i.name}, {"bytes", i.bytes}, {"needed", i.needed}});
  j["items"] = std::move(items);
  j["minimumBytes"] = m.minimum();
  return j;
}

json Session::info() const {
  const Trainer& t = trainer();
  json j = model_info(config, input_tokenizer(), labels(), model(), target_tokenizer(), &t.optimizer);
  j["step"] = t.updates;
  j["parameterBytes"] = model().params.total * sizeof(float) * 4;  // weights, gradients and up to two moments
  j["memoryEstimate"] = memory_json(example_task    ? example_task->memory()
                            : seq2seq_task ? seq2seq_task->memory()
                                           : estimate_memory(config.model, t.config, corpus_tokens));
  if (example_task || seq2seq_task) {
    const json task_info = example_task ? example_task->info() : seq2seq_task->info();  // named: items() of a temporary would dangle
    for (auto& [k, v] : task_info.items()) j[k] = v;
    j["epoch"] = example_source().epoch;
    j["position"] = example_source().position;
    return j;
  }
  if (!auto_size.is_null()) j["autoSize"] = auto_size;
  j["tokens"] = corpus_tokens;
  j["trainTokens"] = task->validation_given ? corpus_tokens : corpus_tokens - validation_tokens;
  j["validationTokens"] = validation_tokens;
  if (task->validation_given) j["validationUnknownTokens"] = validation_unknown;
  j["batchesPerEpoch"] = task->train_data.batches_per_epoch();
  j["tokensPerBatch"] = t.config.batch_size * t.config.seq_length;
  j["epoch"] = task->train_data.epoch;
  j["position"] = task->train_data.position;
  return j;
}

}  // namespace rnn
