#include "tasks/example_task.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "common.h"
#include "models/classifier.h"
#include "models/tagger.h"
#include "nn/adaptive_softmax.h"

namespace rnn {

using nlohmann::json;

ExampleData parse_examples(const RunConfig& config, const json& data) {
  ExampleData d;
  ParseOptions o;
  o.skip_bad_lines = config.skip_bad_lines;
  const bool text = data.is_string();
  if (!text && !data.is_array()) fail("examples must be the text of a file or an array of examples");
  switch (config.model.kind) {
    case ModelKind::Classifier:
      d.classify = text ? parse_classify_tsv(data.get<std::string>(), o, &d.report) : classify_examples_from_json(data);
      break;
    case ModelKind::Tagger:
      d.tag = text ? parse_tagged(data.get<std::string>(), o, &d.report) : tag_examples_from_json(data);
      break;
    case ModelKind::LanguageModel:
      d.category = text ? parse_category_tsv(data.get<std::string>(), o, &d.report) : category_examples_from_json(data);
      break;
    case ModelKind::Seq2Seq:
      fail("task 'seq2seq' trains on pairs (parse_pairs), not on examples");
  }
  return d;
}

MemoryEstimate estimate_example_memory(const ModelConfig& m, const TrainingConfig& c, int max_length,
                                       int64_t corpus_tokens) {
  const double H = m.hidden_size, E = m.embedding_size, V = m.vocab_size;
  const double directions = m.bidirectional ? 2 : 1, gates = cell_gates(m.cell) * H;
  const int moments = moment_buffers(c.optimizer);
  MemoryEstimate e;
  e.parameters = (int64_t)parameter_count(m);
  // values, gradients, moments, and the divergence guard's copy of the values and moments
  e.weight_bytes = 4.0 * e.parameters * (2 + moments + (c.guard.enabled ? 1 + moments : 0));
  e.checkpoint_bytes = 65536;  // a checkpoint is written 64 KB at a time (safetensors::serialize_to)
  // Per position, as for the language model (tasks/lm_task.cpp), per direction, plus the level
  // outputs, the reversed inputs and the head's logits (the vocabulary for a language model, the
  // tags for a tagger; a classifier's are per row and negligible).
  double per_position = 2 * E + 4.0;
  for (int l = 0; l < m.layers; ++l) {
    // The gate gradients overwrite the gates; the second gates-wide term stands for the level's
    // other buffers (outputs, reversed inputs, their gradients), measured in tests/node/memory.test.mjs.
    double level = 2 * gates + 3 * H;
    if (m.cell == CellType::Gru) level += 2 * gates;
    per_position += directions * level + 2 * directions * H;
  }
  // (a language model's logit gradients overwrite its logits)
  per_position += m.kind == ModelKind::LanguageModel ? V : m.kind == ModelKind::Tagger ? 2.0 * m.labels : 0;
  e.activation_bytes = 4.0 * per_position * c.batch_size * max_length;
  kernels::GemmScratch scratch;
  const int rows = c.batch_size * max_length, D = (int)directions;
  for (int l = 0; l < m.layers; ++l)
    add_recurrent_products(scratch, rows, (int)gates, l ? D * m.hidden_size : m.embedding_size, m.hidden_size);
  if (m.kind == ModelKind::LanguageModel) add_dense_products(scratch, rows, m.vocab_size, D * m.hidden_size);
  if (m.kind == ModelKind::Tagger) add_dense_products(scratch, rows, m.labels, D * m.hidden_size);
  if (m.kind == ModelKind::Classifier) add_dense_products(scratch, c.batch_size, m.labels, D * m.hidden_size);
  e.packing_bytes = 4.0 * 2 * gates * H * m.layers * directions + scratch.bytes();
  e.corpus_bytes = 4.0 * 2 * (double)corpus_tokens;
  return e;
}

namespace {

std::string where(int64_t line, bool validation) {
  return std::string(validation ? "validation " : "") + "line " + std::to_string(line);
}

// The labels of a task's examples, most frequent first.
Vocabulary label_vocabulary(const RunConfig& config, const ExampleData& a, const ExampleData& b) {
  std::unordered_map<std::string, int64_t> counts;
  for (const ExampleData* d : {&a, &b}) {
    for (const auto& e : d->classify) ++counts[e.label];
    for (const auto& e : d->category) ++counts[e.label];
    for (const auto& e : d->tag)
      for (const auto& t : e.tags) ++counts[t];
  }
  (void)config;
  return Vocabulary::by_frequency(counts, 1);
}

// Keeps the examples at `indices` (all when null).
ExampleData select(const ExampleData& d, const std::vector<int64_t>* indices) {
  if (!indices) return d;
  ExampleData out;
  for (int64_t i : *indices) {
    if (!d.classify.empty()) out.classify.push_back(d.classify[i]);
    if (!d.tag.empty()) out.tag.push_back(d.tag[i]);
    if (!d.category.empty()) out.category.push_back(d.category[i]);
  }
  return out;
}

// The text the tokenizer's vocabulary is built from: every training text (or token) once.
std::string vocabulary_text(const ExampleData& d) {
  std::string s;
  for (const auto& e : d.classify) s += e.text + "\n";
  for (const auto& e : d.category) s += e.text + "\n";
  for (const auto& e : d.tag) {
    for (const auto& t : e.tokens) s += t + " ";
    s += "\n";
  }
  return s;
}

int32_t argmax(const float* p, int n) { return (int32_t)(std::max_element(p, p + n) - p); }

}  // namespace

std::vector<int32_t> ExampleTask::encode_tokens(const std::vector<std::string>& tokens) const {
  std::vector<int32_t> ids;
  ids.reserve(tokens.size());
  for (const std::string& t : tokens) {
    // The tokenizer's own normalisation (lower-casing) applies to given tokens too.
    const std::vector<std::string> normalised = tokenizer.split(t);
    const int32_t id = normalised.size() == 1 ? tokenizer.lookup(normalised[0]) : tokenizer.unk;
    if (id < 0) fail("token '" + t + "' is not in the vocabulary, which has no <unk>");
    ids.push_back(id);
  }
  return ids;
}

int32_t ExampleTask::boundary() const {
  return tokenizer.id_of(config.tokenizer.kind == TokenizerKind::Word ? "||Return||" : "\n");
}

void ExampleTask::add_examples(const ExampleData& d, SequenceExamples& out) {
  const bool is_validation = &out == &validation;
  const int max_len = config.max_length;
  auto cut = [&](std::vector<int32_t>& v) {
    if ((int)v.size() > max_len) {
      v.resize(max_len);
      return true;
    }
    return false;
  };
  for (const auto& e : d.classify) {
    std::vector<int32_t> ids = tokenizer.encode(e.text);
    if (ids.empty()) fail(where(e.line, is_validation) + ": the text has no token the vocabulary knows");
    truncated += cut(ids);
    out.add(ids, {}, labels.id_of(e.label));
  }
  for (const auto& e : d.tag) {
    std::vector<int32_t> ids = encode_tokens(e.tokens), tags;
    for (const auto& t : e.tags) tags.push_back(labels.id_of(t));
    const bool was_cut = cut(ids);
    truncated += was_cut;
    if (was_cut) tags.resize(max_len);
    out.add(ids, tags);
    if (is_validation)
      for (size_t k = 0; k < ids.size(); ++k)
        validation_unseen.push_back(!std::binary_search(training_words_.begin(), training_words_.end(), e.tokens[k]));
  }
  const int32_t bnd = d.category.empty() ? -1 : boundary();
  for (const auto& e : d.category) {
    // A text for its category: [boundary] t₁ … tₙ predicts t₁ … tₙ [boundary].
    std::vector<int32_t> ids = tokenizer.encode(e.text), in = {bnd}, target;
    if (ids.empty()) fail(where(e.line, is_validation) + ": the text has no token the vocabulary knows");
    in.insert(in.end(), ids.begin(), ids.end());
    target = ids;
    target.push_back(bnd);
    truncated += cut(in);
    cut(target);
    out.add(in, target, labels.id_of(e.label));
  }
}

ExampleTask::ExampleTask(const RunConfig& cfg, const ExampleData& data, const ExampleData& explicit_validation)
    : config(cfg), report(data.report), validation_report(explicit_validation.report) {
  if (data.size() == 0) fail("no examples: give at least one");
  labels = label_vocabulary(config, data, explicit_validation);
  // The validation split: explicit, or a seeded fraction of the examples (stratified for classify).
  const ExampleData* val_data = &explicit_validation;
  ExampleData split_train, split_val;
  const ExampleData* train_data_src = &data;
  if (explicit_validation.size() == 0 && config.validation_fraction > 0) {
    std::vector<int32_t> strata;
    for (const auto& e : data.classify) strata.push_back(labels.id_of(e.label));
    const SplitIndices split = split_examples(data.size(), config.validation_fraction, config.training.seed,
                                              strata.empty() ? nullptr : &strata);
    split_train = select(data, &split.train);
    split_val = select(data, &split.validation);
    train_data_src = &split_train;
    val_data = &split_val;
  }
  if (train_data_src->size() == 0) fail("no training examples left after the validation split");
  tokenizer = Tokenizer::build(vocabulary_text(*train_data_src), config.tokenizer);
  if (conditional() && boundary() < 0) fail("the vocabulary has no line break to start and end each text with");
  for (const auto& e : train_data_src->tag) training_words_.insert(training_words_.end(), e.tokens.begin(), e.tokens.end());
  std::sort(training_words_.begin(), training_words_.end());
  training_words_.erase(std::unique(training_words_.begin(), training_words_.end()), training_words_.end());

  add_examples(*train_data_src, train);
  add_examples(*val_data, validation);

  config.model.vocab_size = tokenizer.vocab_size();
  config.model.labels = labels.size();
  ModelConfig& mc = config.model;
  if (mc.adaptive_softmax && mc.adaptive_cutoffs.empty()) {  // by category: cut-offs from the training texts
    std::vector<int64_t> counts(tokenizer.vocab_size(), 0);
    for (int32_t id : train.tokens) ++counts[id];
    mc.adaptive_cutoffs = choose_adaptive_cutoffs(counts, mc.hidden_size, mc.adaptive_div_value);
  }
  config.model.validate();
  config.training.validate();
  check_memory(memory());
  model = create_model(config.model);
  train_data = std::make_unique<ExampleBatchSource>(train, config.training.batch_size, true, config.training.seed);
  trainer = std::make_unique<Trainer>(config.training, *model, *train_data);
}

ExampleTask::ExampleTask(const RunConfig& cfg, Tokenizer tok, Vocabulary labs, std::shared_ptr<Model> m)
    : config(cfg), tokenizer(std::move(tok)), labels(std::move(labs)), model(std::move(m)) {}

json ExampleTask::evaluate(int64_t max_tokens) {
  if (validation.size() == 0)
    fail("no validation examples: set validationFraction > 0 or give validationExamples");
  ExampleBatchSource data(validation, config.training.batch_size, false, 0);
  const ModelKind kind = config.model.kind;
  const int K = labels.size();
  double total = 0;
  int64_t rows = 0, tokens = 0, scored = 0, correct = 0, unseen = 0, unseen_correct = 0;
  std::vector<int64_t> confusion(kind == ModelKind::Classifier ? (size_t)K * K : 0, 0);
  while (data.epoch == 0 && (max_tokens <= 0 || tokens < max_tokens)) {
    const Batch b = data.current();
    const double loss = model->evaluate_batch(b);
    int64_t batch_tokens = 0;
    for (int r = 0; r < b.B; ++r) batch_tokens += b.lengths[r];
    tokens += batch_tokens;
    rows += b.B;
    if (kind == ModelKind::Classifier) {
      total += loss * b.B;
      const std::vector<float>& p = static_cast<SequenceClassifier&>(*model).probabilities();
      for (int r = 0; r < b.B; ++r) {
        const int32_t predicted = argmax(p.data() + (size_t)r * K, K);
        ++confusion[(size_t)b.labels[r] * K + predicted];
        correct += predicted == b.labels[r];
      }
      scored += b.B;
    } else {
      total += loss * batch_tokens;
      if (kind == ModelKind::Tagger) {
        const std::vector<float>& logits = static_cast<SequenceTagger&>(*model).last_logits();
        const std::vector<int64_t> which = data.batch_examples(data.position);
        for (int r = 0; r < b.B; ++r) {
          const int64_t from = validation.offsets[which[r]];
          for (int t = 0; t < b.lengths[r]; ++t) {
            const bool ok = argmax(logits.data() + ((size_t)t * b.B + r) * K, K) == b.targets[(size_t)r * b.T + t];
            correct += ok;
            if (validation_unseen[from + t]) {
              ++unseen;
              unseen_correct += ok;
            }
          }
        }
        scored += batch_tokens;
      }
    }
    data.advance();
  }
  json j;
  const double loss = total / (double)(kind == ModelKind::Classifier ? rows : tokens);
  j["loss"] = loss;
  j["examples"] = rows;
  j["tokens"] = tokens;
  if (kind == ModelKind::LanguageModel) {
    j["perplexity"] = std::exp(loss);
    j["bitsPerToken"] = loss / std::log(2.0);
    return j;
  }
  j["accuracy"] = scored ? (double)correct / scored : 0.0;
  if (kind == ModelKind::Tagger) {
    j["unseenTokens"] = unseen;
    j["unseenAccuracy"] = unseen ? json((double)unseen_correct / unseen) : json(nullptr);
    return j;
  }
  // Classify: the majority class of the training examples as a baseline, and per-label scores.
  std::vector<int64_t> train_counts(K, 0);
  for (int32_t l : train.labels) ++train_counts[l];
  const int32_t majority = (int32_t)(std::max_element(train_counts.begin(), train_counts.end()) - train_counts.begin());
  int64_t majority_right = 0;
  for (int k = 0; k < K; ++k) majority_right += confusion[(size_t)majority * K + k];  // the majority label's row: its true examples
  j["majorityLabel"] = labels.at(majority);
  j["majorityBaseline"] = rows ? (double)majority_right / rows : 0.0;
  json per_label = json::array(), matrix = json::array();
  for (int k = 0; k < K; ++k) {
    int64_t tp = confusion[(size_t)k * K + k], actual = 0, predicted = 0;
    for (int q = 0; q < K; ++q) {
      actual += confusion[(size_t)k * K + q];
      predicted += confusion[(size_t)q * K + k];
    }
    const double precision = predicted ? (double)tp / predicted : 0.0, recall = actual ? (double)tp / actual : 0.0;
    per_label.push_back({{"label", labels.at(k)},
                         {"precision", precision},
                         {"recall", recall},
                         {"f1", precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0.0},
                         {"support", actual}});
    matrix.push_back(std::vector<int64_t>(confusion.begin() + (size_t)k * K, confusion.begin() + (size_t)(k + 1) * K));
  }
  j["perLabel"] = per_label;
  j["confusion"] = {{"labels", labels.entries()}, {"matrix", matrix}};  // rows: true label, columns: predicted
  return j;
}

json ExampleTask::classify(const std::string& text) {
  auto* m = dynamic_cast<SequenceClassifier*>(model.get());
  if (!m) fail("classify() needs a model trained with task 'classify'");
  std::vector<int32_t> ids = tokenizer.encode(text);
  if (ids.empty()) fail("the text has no token this model knows");
  if ((int)ids.size() > config.max_length) ids.resize(config.max_length);
  const int32_t label = 0;
  Batch b;
  b.B = 1;
  b.T = (int)ids.size();
  b.inputs = ids.data();
  b.labels = &label;
  m->evaluate_batch(b);
  const std::vector<float>& p = m->probabilities();
  std::vector<int> order(labels.size());
  for (int k = 0; k < labels.size(); ++k) order[k] = k;
  std::stable_sort(order.begin(), order.end(), [&](int a, int c) { return p[a] > p[c]; });
  json probs = json::array();
  for (int k : order) probs.push_back({{"label", labels.at(k)}, {"probability", p[k]}});
  return {{"label", labels.at(order[0])}, {"probabilities", probs}};
}

json ExampleTask::tag(const std::vector<std::string>& tokens) {
  auto* m = dynamic_cast<SequenceTagger*>(model.get());
  if (!m) fail("tag() needs a model trained with task 'tag'");
  if (tokens.empty()) return json::array();
  json out = json::array();
  // In pieces of at most max_length tokens, as the model was trained.
  for (size_t from = 0; from < tokens.size(); from += config.max_length) {
    const std::vector<std::string> piece(tokens.begin() + from,
                                         tokens.begin() + std::min(tokens.size(), from + config.max_length));
    const std::vector<int32_t> ids = encode_tokens(piece), targets(ids.size(), 0);
    Batch b;
    b.B = 1;
    b.T = (int)ids.size();
    b.inputs = ids.data();
    b.targets = targets.data();
    m->evaluate_batch(b);
    const int K = labels.size();
    for (size_t t = 0; t < ids.size(); ++t) {
      const float* z = m->last_logits().data() + t * K;
      const int32_t best = argmax(z, K);
      double sum = 0;
      for (int k = 0; k < K; ++k) sum += std::exp((double)z[k] - z[best]);
      out.push_back({{"token", piece[t]}, {"tag", labels.at(best)}, {"probability", 1.0 / sum}});
    }
  }
  return out;
}

int32_t ExampleTask::longest_example() const {
  int32_t longest = 0;
  for (int64_t i = 0; i < train.size(); ++i) longest = std::max(longest, train.length(i));
  return longest;
}

MemoryEstimate ExampleTask::memory() const {
  return estimate_example_memory(config.model, config.training, longest_example(), train.total_tokens());
}

json ExampleTask::info() const {
  json label_counts = json::object();
  std::vector<int64_t> counts(labels.size(), 0);
  if (config.model.kind == ModelKind::Tagger) {
    for (int32_t t : train.targets) ++counts[t];
  } else {
    for (int32_t l : train.labels) ++counts[l];
  }
  for (int k = 0; k < labels.size(); ++k) label_counts[labels.at(k)] = counts[k];
  // Lengths of the training examples in tokens, as a histogram of at most 30 bins.
  const int32_t longest = longest_example();
  const int32_t bin = std::max<int32_t>(1, (longest + 29) / 30);
  std::vector<int64_t> histogram((size_t)(longest / bin) + 1, 0);
  for (int64_t i = 0; i < train.size(); ++i) ++histogram[(size_t)(train.length(i) / bin)];
  json problems = report.problems;
  for (const std::string& p : validation_report.problems) problems.push_back("validation " + p);
  return {{"task", model_kind_name(config.model.kind)},
          {"conditional", conditional()},
          {"labels", labels.entries()},
          {"labelCounts", label_counts},
          {"examples", train.size()},
          {"validationExamples", validation.size()},
          {"trainTokens", train.total_tokens()},
          {"validationTokens", validation.total_tokens()},
          {"truncated", truncated},
          {"lengthHistogram", {{"binWidth", bin}, {"counts", histogram}}},
          {"batchesPerEpoch", train_data ? train_data->batches_per_epoch() : 0},
          {"skipped", report.skipped + validation_report.skipped},
          {"problems", problems}};
}

}  // namespace rnn
