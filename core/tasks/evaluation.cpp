#include "tasks/evaluation.h"

#include <algorithm>
#include <cmath>

#include "common.h"
#include "text/utf8.h"
#include "train/batch_source.h"
#include "train/trainer.h"

namespace rnn {

using nlohmann::json;

namespace {

std::string at_line(int64_t line) { return "line " + std::to_string(line) + ": "; }

std::string known(const Vocabulary& v) {
  std::string s;
  const size_t n = std::min<size_t>(v.entries().size(), 20);
  for (size_t k = 0; k < n; ++k) s += (k ? ", '" : "'") + v.entries()[k] + "'";
  if (v.entries().size() > n) s += ", …";
  return s;
}

int32_t label_id(const Vocabulary& labels, const std::string& label, int64_t line, const char* what) {
  const int32_t id = labels.id_of(label);
  if (id < 0) fail(at_line(line) + "unknown " + what + " '" + label + "' (the model knows " + known(labels) + ")");
  return id;
}

// A token given as such (tagging): normalised as the tokenizer would (lower-casing), then looked
// up; unknown ones become <unk>. -1 when the vocabulary has no <unk>.
int32_t token_id(const Tokenizer& tok, const std::string& t) {
  const std::vector<std::string> normalised = tok.split(t);
  const int32_t id = normalised.size() == 1 ? tok.id_of(normalised[0]) : -1;
  return id < 0 ? tok.unk : id;
}

json score_text(LoadedModel& m, const std::string& text, int64_t max_tokens) {
  LanguageModel& lm = m.file.language_model();
  UnknownReport unknown;
  const std::vector<int32_t> ids = m.file.tokenizer.encode(text, &unknown);
  const TrainingConfig& t = m.file.config.training;
  const EvalResult e = evaluate_text(lm, ids, t.batch_size, t.seq_length, max_tokens);
  // Tokens outside the vocabulary are read as <unk> (unknownTokens) or, without one, left out
  // (skippedTokens, also counted in unknownTokens): a perplexity is only comparable when both are known.
  return {{"loss", e.loss}, {"perplexity", e.perplexity}, {"bitsPerToken", e.bits_per_token}, {"tokens", e.tokens},
          {"unknownTokens", unknown.total()}, {"skippedTokens", unknown.skipped}, {"unknownExamples", unknown.examples}};
}

}  // namespace

json evaluate_loaded_model(LoadedModel& m, const TrainingData& data, int64_t max_tokens) {
  const RunConfig& cfg = m.file.config;
  const ModelKind kind = cfg.model.kind;
  const bool conditional = kind == ModelKind::LanguageModel && m.file.labels.size() > 0;
  if (kind == ModelKind::LanguageModel && !conditional) {
    if (data.has_examples()) fail("this language model was trained on a text: score it on a text, not on examples");
    return score_text(m, data.text, max_tokens);
  }
  if (kind == ModelKind::Seq2Seq) {
    if (max_tokens > 0) fail("an encoder–decoder is evaluated on a number of sources: use maxExamples, not maxTokens");
    return evaluate_loaded_seq2seq(m, data, {});
  }
  if (!data.has_examples())
    fail(std::string("this model was trained on examples (task '") + model_kind_name(kind) +
         (conditional ? "' by category" : "'") + "): score it on examples in the same format");
  check_examples_utf8(data);
  const ExampleData d = parse_examples(cfg, data.examples);
  ExampleTask task(cfg, m.file.tokenizer, m.file.labels, m.file.model);
  const Tokenizer& tok = task.tokenizer;
  const int max_len = cfg.max_length;
  auto cut = [&](std::vector<int32_t>& v) {
    if ((int)v.size() > max_len) v.resize(max_len);
  };
  for (const auto& e : d.classify) {
    const int32_t label = label_id(task.labels, e.label, e.line, "label");
    std::vector<int32_t> ids = tok.encode(e.text);
    if (ids.empty()) fail(at_line(e.line) + "the text has no token the model knows");
    cut(ids);
    task.validation.add(ids, {}, label);
  }
  for (const auto& e : d.tag) {
    std::vector<int32_t> ids, tags;
    for (size_t k = 0; k < e.tokens.size(); ++k) {
      const int32_t id = token_id(tok, e.tokens[k]);
      if (id < 0) fail(at_line(e.line) + "token '" + e.tokens[k] + "' is not in the vocabulary, which has no <unk>");
      ids.push_back(id);
      tags.push_back(label_id(task.labels, e.tags[k], e.line, "tag"));
    }
    cut(ids);
    cut(tags);
    task.validation.add(ids, tags);
    for (int32_t id : ids) task.validation_unseen.push_back(id == tok.unk);
  }
  const int32_t bnd = d.category.empty() ? -1 : task.boundary();
  for (const auto& e : d.category) {
    const int32_t label = label_id(task.labels, e.label, e.line, "category");
    std::vector<int32_t> ids = tok.encode(e.text), in = {bnd}, target;
    if (ids.empty()) fail(at_line(e.line) + "the text has no token the model knows");
    in.insert(in.end(), ids.begin(), ids.end());
    target = ids;
    target.push_back(bnd);
    cut(in);
    cut(target);
    task.validation.add(in, target, label);
  }
  return task.evaluate(max_tokens);
}

json evaluate_loaded_seq2seq(LoadedModel& m, const TrainingData& data, const Seq2SeqEvalOptions& options) {
  if (!m.translator)
    fail("options beam and maxExamples are for an encoder–decoder (task 'seq2seq'); this model is for task '" +
         std::string(model_kind_name(m.file.config.model.kind)) + "'");
  if (!data.has_examples()) fail("this model was trained on pairs (task 'seq2seq'): score it on source<TAB>target pairs");
  check_examples_utf8(data);
  m.translator->set_evaluation_pairs(parse_pairs(m.file.config, data.examples).pairs);
  return m.translator->evaluate(options);
}

json analyze_examples(const RunConfig& config, const TrainingData& data) {
  if (!data.has_examples()) fail("option 'examples' is required: the text of a file or an array of examples");
  check_examples_utf8(data);
  if (config.model.kind == ModelKind::Seq2Seq) {
    const PairData v = data.validation.is_null() ? PairData{} : parse_pairs(config, data.validation);
    const Seq2SeqTask task(config, parse_pairs(config, data.examples), v);
    json j = task.info();
    j["vocabSize"] = task.source_tokenizer.vocab_size();
    j["parameters"] = task.model->params.total;
    return j;
  }
  const ExampleData d = parse_examples(config, data.examples);
  const ExampleData v = data.validation.is_null() ? ExampleData{} : parse_examples(config, data.validation);
  const ExampleTask task(config, d, v);
  json j = task.info();
  j["vocabSize"] = task.tokenizer.vocab_size();
  j["parameters"] = task.model->params.total;
  return j;
}

}  // namespace rnn
