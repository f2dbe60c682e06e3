#include "tasks/seq2seq_task.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "common.h"
#include "tasks/translation_metrics.h"

namespace rnn {

using nlohmann::json;

PairData parse_pairs(const RunConfig& config, const json& data) {
  PairData d;
  ParseOptions o;
  o.skip_bad_lines = config.skip_bad_lines;
  if (data.is_string()) d.pairs = parse_pairs_tsv(data.get<std::string>(), o, &d.report);
  else if (data.is_array()) d.pairs = pair_examples_from_json(data);
  else fail("pairs must be the text of a file (source<TAB>target lines) or an array of [source, target]");
  return d;
}

namespace {

void check_keys(const json& j, std::initializer_list<const char*> known) {
  if (!j.is_object()) fail("options must be an object");
  for (auto it = j.begin(); it != j.end(); ++it)
    if (std::none_of(known.begin(), known.end(), [&](const char* k) { return it.key() == k; }))
      fail("unknown option '" + it.key() + "'");
}

bool present(const json& j, const char* k) { return j.contains(k) && !j.at(k).is_null(); }

double number(const json& j, const char* k) {
  const json& v = j.at(k);
  if (!v.is_number() || !std::isfinite(v.get<double>()))
    fail(std::string("option '") + k + "' must be a number (got " + v.dump() + ")");
  return v.get<double>();
}

long long integer(const json& j, const char* k, long long lo, long long hi) {
  const double d = number(j, k);
  if (d != std::floor(d) || d < (double)lo || d > (double)hi)
    fail(std::string("option '") + k + "' must be an integer between " + std::to_string(lo) + " and " +
         std::to_string(hi) + " (got " + j.at(k).dump() + ")");
  return (long long)d;
}

std::string where(int64_t line, bool validation) {
  return std::string(validation ? "validation " : "") + "line " + std::to_string(line);
}

// A tokenizer built from texts, one after another. They are joined with line breaks, so a char
// (or word) tokenizer would learn the break as a token no text contains (the decoder could then
// write it): unless some text has one, that entry is taken out again.
Tokenizer build_tokenizer(const std::vector<const std::string*>& texts, const TokenizerOptions& options) {
  std::string joined;
  bool has_break = false;
  for (const std::string* t : texts) {
    joined += *t;
    joined += '\n';
    has_break = has_break || t->find('\n') != std::string::npos;
  }
  Tokenizer tok = Tokenizer::build(joined, options);
  const char* joiner = options.kind == TokenizerKind::Char ? "\n"
                       : options.kind == TokenizerKind::Word ? "||Return||"
                                                               : nullptr;
  if (has_break || !joiner || tok.id_of(joiner) < 0) return tok;
  json j = tok.to_json();
  json& vocab = j["vocab"];
  vocab.erase(vocab.begin() + tok.id_of(joiner));
  return Tokenizer::from_json(j);
}

// How a token reads on its own: word-level punctuation tokens as their text.
std::string shown(const std::string& token) {
  for (const PunctuationToken& p : kPunctuationTokens)
    if (token == p.token) return std::string(p.text) == "\n" ? "\u21b5" : p.text;
  return token;
}

json histogram(const SequenceExamples& ex, bool target_side) {
  int32_t longest = 0;
  for (int64_t i = 0; i < ex.size(); ++i)
    longest = std::max(longest, target_side ? ex.target_length(i) - 1 : ex.length(i));
  const int32_t bin = std::max<int32_t>(1, (longest + 29) / 30);
  std::vector<int64_t> counts((size_t)(longest / bin) + 1, 0);
  for (int64_t i = 0; i < ex.size(); ++i) ++counts[(size_t)((target_side ? ex.target_length(i) - 1 : ex.length(i)) / bin)];
  return {{"binWidth", bin}, {"counts", counts}};
}

}  // namespace

TranslateOptions parse_translate_options(const json& j) {
  if (j.is_null()) return {};
  check_keys(j, {"beam", "nBest", "maxLength", "alpha", "temperature", "topK", "topP", "sample", "seed"});
  TranslateOptions o;
  if (present(j, "beam")) o.beam = (int)integer(j, "beam", 1, 64);
  if (present(j, "nBest")) o.n_best = (int)integer(j, "nBest", 1, 64);
  if (present(j, "maxLength")) o.max_length = (int)integer(j, "maxLength", 1, 100000);
  if (present(j, "alpha")) o.alpha = (float)number(j, "alpha");
  if (present(j, "temperature")) o.sampling.temperature = (float)number(j, "temperature");
  if (present(j, "topK")) o.sampling.top_k = (int)integer(j, "topK", 0, 1 << 22);
  if (present(j, "topP")) o.sampling.top_p = (float)number(j, "topP");
  if (present(j, "sample")) {
    if (!j.at("sample").is_boolean()) fail("option 'sample' must be true or false");
    o.sample = j.at("sample").get<bool>();
  }
  if (present(j, "seed")) o.seed = (uint64_t)integer(j, "seed", 0, 9007199254740991LL);
  const bool sampling_set = present(j, "temperature") || present(j, "topK") || present(j, "topP");
  if (sampling_set && !o.sample) fail("options 'temperature', 'topK' and 'topP' need 'sample: true'");
  if (o.sample && o.beam > 1) fail("option 'sample' is for beam 1: beam search keeps the most probable outputs");
  if (o.n_best > o.beam)
    fail("option 'nBest' must be at most the beam width " + std::to_string(o.beam) + " (got " + std::to_string(o.n_best) +
         ")");
  o.validate();
  return o;
}

Seq2SeqEvalOptions parse_seq2seq_eval_options(const json& j) {
  Seq2SeqEvalOptions o;
  if (j.is_null()) return o;
  check_keys(j, {"beam", "alpha", "maxExamples"});
  if (present(j, "beam")) o.beam = (int)integer(j, "beam", 1, 64);
  if (present(j, "alpha")) {
    o.alpha = (float)number(j, "alpha");
    if (!(o.alpha >= 0 && o.alpha <= 10)) fail("option 'alpha' must be between 0 and 10");
  }
  if (present(j, "maxExamples")) o.max_examples = integer(j, "maxExamples", 0, 9007199254740991LL);
  return o;
}

std::vector<std::vector<Translation>> translate_sources(Seq2Seq& model, const std::vector<std::vector<int32_t>>& sources,
                                                        int32_t start, int32_t end, const TranslateOptions& options) {
  return translate_batch(model, sources, start, end, options);  // the same results as one at a time, faster
}

MemoryEstimate estimate_seq2seq_memory(const ModelConfig& m, const TrainingConfig& c, int max_source, int max_target,
                                       int64_t corpus_tokens) {
  const double H = m.hidden_size, E = m.embedding_size, Vt = m.target_vocab_size;
  const double directions = m.bidirectional ? 2 : 1, gates = cell_gates(m.cell) * H;
  const int moments = moment_buffers(c.optimizer);
  MemoryEstimate e;
  e.parameters = (int64_t)parameter_count(m);
  // values, gradients, moments, and the divergence guard's copy of the values and moments
  e.weight_bytes = 4.0 * e.parameters * (2 + moments + (c.guard.enabled ? 1 + moments : 0));
  e.checkpoint_bytes = 65536;  // a checkpoint is written 64 KB at a time (safetensors::serialize_to)
  // Per step and direction as the other tasks (tasks/example_task.cpp); the decoder adds the
  // attention (weights over the source, context, attentional state) and the logits.
  auto level = [&](double dirs) {
    double per = 0;
    for (int l = 0; l < m.layers; ++l) {
      double one = 2 * gates + 3 * H;
      if (m.cell == CellType::Gru) one += 2 * gates;
      per += dirs * one + 2 * dirs * H;
    }
    return per;
  };
  const double source_position = 2 * E + 4.0 + level(directions);
  const double target_position = 2 * E + 4.0 + level(1) + (m.attention ? 2.0 * (max_source + directions * H + 2 * H) : 0) +
                                 2.0 * Vt;
  e.activation_bytes = 4.0 * c.batch_size * (source_position * max_source + target_position * max_target);
  kernels::GemmScratch scratch;
  const int source_rows = c.batch_size * max_source, target_rows = c.batch_size * max_target, D = (int)directions;
  for (int l = 0; l < m.layers; ++l) {
    add_recurrent_products(scratch, source_rows, (int)gates, l ? D * m.hidden_size : m.embedding_size, m.hidden_size);
    add_recurrent_products(scratch, target_rows, (int)gates, l ? m.hidden_size : m.embedding_size, m.hidden_size);
  }
  add_dense_products(scratch, target_rows, m.target_vocab_size, m.hidden_size);
  e.packing_bytes = 4.0 * 2 * gates * H * m.layers * (directions + 1) + scratch.bytes();
  e.corpus_bytes = 4.0 * 3 * (double)corpus_tokens;
  return e;
}

std::vector<int32_t> Seq2SeqTask::encode_source(const std::string& text, bool* cut) const {
  std::vector<int32_t> ids = source_tokenizer.encode(text);
  const bool was_cut = (int)ids.size() > config.max_length;
  if (was_cut) ids.resize(config.max_length);
  if (cut) *cut = was_cut;
  return ids;
}

void Seq2SeqTask::add_pairs(const std::vector<PairExample>& pairs, SequenceExamples& out, std::vector<Source>* sources,
                            bool is_validation, bool count_truncation) {
  std::unordered_map<std::string, size_t> index;
  const int max_len = config.max_length;
  for (const PairExample& p : pairs) {
    bool cut_source = false;
    const std::vector<int32_t> src = encode_source(p.source, &cut_source);
    if (src.empty()) fail(where(p.line, is_validation) + ": the source has no token the vocabulary knows");
    std::vector<int32_t> tgt = target_tokenizer.encode(p.target);
    const bool cut_target = (int)tgt.size() > max_len;
    if (cut_target) tgt.resize(max_len);
    if (count_truncation) {
      truncated_sources += cut_source;
      truncated_targets += cut_target;
    }
    std::vector<int32_t> in = {start_token()}, next = tgt;
    in.insert(in.end(), tgt.begin(), tgt.end());
    next.push_back(end_token());
    out.add_pair(src, in, next);
    if (!sources) continue;
    auto [it, fresh] = index.emplace(p.source, sources->size());
    if (fresh) sources->push_back({p.source, src, {}, {}, {}});
    Source& s = (*sources)[it->second];
    s.references.push_back(tgt);
    s.reference_texts.push_back(p.target);
    s.pairs.push_back(out.size() - 1);
  }
}

Seq2SeqTask::Seq2SeqTask(const RunConfig& cfg, const PairData& data, const PairData& explicit_validation)
    : config(cfg), report(data.report), validation_report(explicit_validation.report) {
  if (config.model.kind != ModelKind::Seq2Seq) fail("an encoder–decoder task needs option task 'seq2seq'");
  if (data.size() == 0) fail("no pairs: give at least one source<TAB>target pair");
  // The split is drawn over the distinct sources, in order of first appearance.
  std::vector<PairExample> train_pairs, validation_pairs = explicit_validation.pairs;
  if (explicit_validation.size() == 0 && config.validation_fraction > 0) {
    std::unordered_map<std::string, int64_t> source_index;
    std::vector<int64_t> source_of;
    for (const PairExample& p : data.pairs)
      source_of.push_back(source_index.emplace(p.source, (int64_t)source_index.size()).first->second);
    const SplitIndices split = split_examples((int64_t)source_index.size(), config.validation_fraction, config.training.seed);
    std::vector<uint8_t> held_out(source_index.size(), 0);
    for (int64_t s : split.validation) held_out[s] = 1;
    for (size_t i = 0; i < data.pairs.size(); ++i)
      (held_out[source_of[i]] ? validation_pairs : train_pairs).push_back(data.pairs[i]);
  } else {
    train_pairs = data.pairs;
  }
  if (train_pairs.empty()) fail("no training pairs left after the validation split");
  {
    std::unordered_map<std::string, int64_t> targets_per_source;
    for (const PairExample& p : train_pairs) ++targets_per_source[p.source];
    train_sources = (int64_t)targets_per_source.size();
    for (const auto& [s, n] : targets_per_source) multi_reference_sources += n > 1;
  }
  std::vector<const std::string*> sources, targets;
  for (const PairExample& p : train_pairs) {
    sources.push_back(&p.source);
    targets.push_back(&p.target);
  }
  if (config.shared_vocabulary) {
    std::vector<const std::string*> both = sources;
    both.insert(both.end(), targets.begin(), targets.end());
    source_tokenizer = build_tokenizer(both, config.tokenizer);
    target_tokenizer = source_tokenizer;
  } else {
    source_tokenizer = build_tokenizer(sources, config.tokenizer);
    target_tokenizer = build_tokenizer(targets, config.target_tokenizer);
  }
  add_pairs(train_pairs, train, nullptr, false, true);
  add_pairs(validation_pairs, validation, &validation_sources, explicit_validation.size() > 0, true);

  config.model.vocab_size = source_tokenizer.vocab_size();
  config.model.target_vocab_size = target_tokenizer.vocab_size() + 2;
  config.model.labels = 0;
  config.model.validate();
  config.training.validate();
  check_memory(memory());
  model = create_model(config.model);
  train_data = std::make_unique<ExampleBatchSource>(train, config.training.batch_size, true, config.training.seed);
  trainer = std::make_unique<Trainer>(config.training, *model, *train_data);
}

Seq2SeqTask::Seq2SeqTask(const RunConfig& cfg, Tokenizer source, Tokenizer target, std::shared_ptr<Model> m)
    : config(cfg), source_tokenizer(std::move(source)), target_tokenizer(std::move(target)), model(std::move(m)) {
  if (!dynamic_cast<Seq2Seq*>(model.get())) fail("an encoder–decoder task needs an encoder–decoder model");
}

void Seq2SeqTask::set_evaluation_pairs(const std::vector<PairExample>& pairs) {
  validation = {};
  validation_sources.clear();
  add_pairs(pairs, validation, &validation_sources, false, false);
}

json Seq2SeqTask::evaluate(const Seq2SeqEvalOptions& o) {
  if (validation_sources.empty())
    fail("no validation pairs: set validationFraction > 0 or give validationPairs");
  const size_t n = o.max_examples > 0 ? std::min<size_t>((size_t)o.max_examples, validation_sources.size())
                                      : validation_sources.size();
  // The loss (teacher forcing) over the pairs of the sources scored.
  SequenceExamples subset;
  const SequenceExamples* scored = &validation;
  if (n < validation_sources.size()) {
    const SequenceExamples& v = validation;
    for (size_t s = 0; s < n; ++s)
      for (int64_t i : validation_sources[s].pairs) {
        subset.add_pair({v.tokens.begin() + v.offsets[i], v.tokens.begin() + v.offsets[i + 1]},
                        {v.decoder_inputs.begin() + v.decoder_offsets[i], v.decoder_inputs.begin() + v.decoder_offsets[i + 1]},
                        {v.decoder_targets.begin() + v.decoder_offsets[i], v.decoder_targets.begin() + v.decoder_offsets[i + 1]});
      }
    scored = &subset;
  }
  ExampleBatchSource data(*scored, config.training.batch_size, false, 0);
  double total = 0;
  int64_t tokens = 0;
  while (data.epoch == 0) {
    const Batch b = data.current();
    const double loss = model->evaluate_batch(b);
    int64_t batch_tokens = 0;
    for (int r = 0; r < b.B; ++r) batch_tokens += b.target_lengths[r];
    total += loss * batch_tokens;
    tokens += batch_tokens;
    data.advance();
  }
  // The outputs, against every reference of their source.
  TranslateOptions t;
  t.beam = o.beam;
  t.alpha = o.alpha;
  std::vector<std::vector<int32_t>> sources;
  for (size_t s = 0; s < n; ++s) sources.push_back(validation_sources[s].ids);
  const std::vector<std::vector<Translation>> outputs = translate_sources(seq2seq(), sources, start_token(), end_token(), t);
  TranslationMetrics metrics;
  json samples = json::array();
  for (size_t s = 0; s < n; ++s) {
    const Source& src = validation_sources[s];
    const std::vector<int32_t>& prediction = outputs[s][0].tokens;
    metrics.add(prediction, src.references);
    if ((int)samples.size() < o.samples) {
      const bool right = std::find(src.references.begin(), src.references.end(), prediction) != src.references.end();
      samples.push_back({{"source", src.text},
                         {"prediction", target_tokenizer.decode(prediction)},
                         {"references", src.reference_texts},
                         {"correct", right}});
    }
  }
  const double loss = tokens ? total / (double)tokens : 0.0;
  json j = {{"loss", loss},
            {"perplexity", std::exp(loss)},
            {"exactMatch", metrics.exact_match()},
            {"tokenErrorRate", metrics.token_error_rate()},
            {"bleu", word_targets() ? json(metrics.bleu()) : json(nullptr)},
            {"examples", (int64_t)n},
            {"sources", (int64_t)n},
            {"pairs", scored->size()},
            {"targetTokens", tokens},
            {"beam", o.beam},
            {"samples", samples}};
  return j;
}

json Seq2SeqTask::translate(const std::string& text, const TranslateOptions& options) {
  const std::vector<int32_t> ids = encode_source(text);
  if (ids.empty()) fail("the source has no token this model knows");
  // The source's tokens as the attention matrix labels them: as split when every piece was kept.
  std::vector<std::string> pieces = source_tokenizer.split(text);
  if (pieces.size() != source_tokenizer.encode(text).size()) {
    pieces.clear();
    for (int32_t id : ids) pieces.push_back(source_tokenizer.vocab.at(id));
  }
  pieces.resize(ids.size());
  for (std::string& p : pieces) p = shown(p);
  const std::vector<Translation> outputs = translate_sources(seq2seq(), {ids}, start_token(), end_token(), options)[0];
  json out = json::array();
  const int S = (int)ids.size();
  for (const Translation& t : outputs) {
    std::vector<std::string> tokens;
    for (int32_t id : t.tokens) tokens.push_back(shown(target_tokenizer.vocab.at(id)));
    json attention = nullptr;
    if (!t.attention.empty()) {
      std::vector<std::string> rows = tokens;
      const size_t steps = t.attention.size() / S;
      if (steps > rows.size()) rows.push_back("</s>");  // the step that wrote the end token
      attention = {{"source", pieces}, {"target", rows}, {"weights", t.attention}};
    }
    out.push_back({{"text", target_tokenizer.decode(t.tokens)},
                   {"tokens", tokens},
                   {"score", t.score},
                   {"logProb", t.log_prob},
                   {"attention", attention}});
  }
  return out;
}

MemoryEstimate Seq2SeqTask::memory() const {
  int longest_source = 0, longest_target = 0;
  for (int64_t i = 0; i < train.size(); ++i) {
    longest_source = std::max(longest_source, train.length(i));
    longest_target = std::max(longest_target, train.target_length(i));
  }
  return estimate_seq2seq_memory(config.model, config.training, longest_source, longest_target,
                                 train.total_tokens() + (int64_t)train.decoder_inputs.size());
}

json Seq2SeqTask::info() const {
  int64_t source_tokens = train.total_tokens(), target_tokens = 0, val_tokens = validation.total_tokens();
  for (int64_t i = 0; i < train.size(); ++i) target_tokens += train.target_length(i) - 1;
  for (int64_t i = 0; i < validation.size(); ++i) val_tokens += validation.target_length(i) - 1;
  json problems = report.problems;
  for (const std::string& p : validation_report.problems) problems.push_back("validation " + p);
  return {{"task", "seq2seq"},
          {"conditional", false},
          {"labels", json::array()},
          {"pairs", train.size()},
          {"validationPairs", validation.size()},
          {"examples", train.size()},
          {"validationExamples", validation.size()},
          {"sources", train_sources},
          {"validationSources", (int64_t)validation_sources.size()},
          {"multiReferenceSources", multi_reference_sources},
          {"sourceTokens", source_tokens},
          {"targetTokens", target_tokens},
          {"trainTokens", source_tokens + target_tokens},
          {"validationTokens", val_tokens},
          {"truncated", truncated_sources + truncated_targets},
          {"truncatedSources", truncated_sources},
          {"truncatedTargets", truncated_targets},
          {"lengthHistogram", histogram(train, false)},
          {"sourceLengthHistogram", histogram(train, false)},
          {"targetLengthHistogram", histogram(train, true)},
          {"sourceVocabSize", source_tokenizer.vocab_size()},
          {"targetVocabSize", target_tokenizer.vocab_size() + 2},
          {"batchesPerEpoch", train_data ? train_data->batches_per_epoch() : 0},
          {"skipped", report.skipped + validation_report.skipped},
          {"problems", problems}};
}

}  // namespace rnn
