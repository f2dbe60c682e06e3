#include "io/config.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include "common.h"

namespace rnn {

using nlohmann::json;

namespace {

std::string type_of(const json& v) { return v.type_name(); }

// Numbers in messages as a person writes them: 0.5, 1000000, 1e-08.
std::string num_str(double d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.10g", d);
  return buf;
}

double read_number(const json& j, const std::string& key, const std::string& where = "") {
  const std::string name = where + key;
  const json& v = j.at(key);
  if (!v.is_number()) fail("option '" + name + "' must be a number (got " + type_of(v) + ")");
  const double d = v.get<double>();
  if (!std::isfinite(d)) fail("option '" + name + "' must be finite");
  return d;
}

long long read_integer(const json& j, const std::string& key, long long lo, long long hi, const std::string& where = "") {
  const std::string name = where + key;
  const json& v = j.at(key);
  if (!v.is_number()) fail("option '" + name + "' must be an integer (got " + type_of(v) + ")");
  const double d = v.get<double>();
  if (!std::isfinite(d) || d != std::floor(d)) fail("option '" + name + "' must be an integer (got " + v.dump() + ")");
  if (d < (double)lo || d > (double)hi)
    fail("option '" + name + "' must be between " + std::to_string(lo) + " and " + std::to_string(hi) + " (got " +
         num_str(d) + ")");
  return (long long)d;
}

double read_ranged(const json& j, const std::string& key, double lo, double hi, bool lo_open = false,
              const std::string& where = "") {
  const std::string name = where + key;
  const double d = read_number(j, key, where);
  if (d < lo || d > hi || (lo_open && d == lo))
    fail("option '" + name + "' must be " + (lo_open ? "> " : ">= ") + num_str(lo) + " and <= " + num_str(hi) +
         " (got " + num_str(d) + ")");
  return d;
}

bool read_bool(const json& j, const std::string& key) {
  const std::string& name = key;
  const json& v = j.at(key);
  if (!v.is_boolean()) fail("option '" + name + "' must be true or false (got " + type_of(v) + ")");
  return v.get<bool>();
}

std::string read_string(const json& j, const std::string& key, const std::string& where = "") {
  const std::string name = where + key;
  const json& v = j.at(key);
  if (!v.is_string()) fail("option '" + name + "' must be a string (got " + type_of(v) + ")");
  return v.get<std::string>();
}

void check_keys(const json& j, const std::string& where, std::initializer_list<const char*> known,
                const std::vector<std::string>& extra = {}) {
  for (auto it = j.begin(); it != j.end(); ++it) {
    bool ok = false;
    for (const char* k : known) ok = ok || it.key() == k;
    for (const auto& k : extra) ok = ok || it.key() == k;
    if (!ok) fail("unknown option '" + where + it.key() + "'");
  }
}

// The shortest decimal that reads back as the same float: 0.002, not 0.0020000000949949026.
json short_float(float f) {
  char buf[32];
  for (int prec = 6; prec <= 9; ++prec) {
    std::snprintf(buf, sizeof buf, "%.*g", prec, (double)f);
    if (std::strtof(buf, nullptr) == f) break;
  }
  return std::strtod(buf, nullptr);
}

}  // namespace

RunConfig default_run_config() {
  RunConfig c;
  c.training.clip.norm = 5.0f;
  return c;
}

RunConfig parse_run_config(const json& j, const std::vector<std::string>& allow) {
  if (!j.is_object()) fail("options must be an object");
  check_keys(j, "",
             {"tokenizer", "lowercase", "minCount", "replaceInvalid", "cell", "layers", "hidden", "embedding", "dropout",
              "seqLength", "batchSize", "optimizer", "learningRate", "momentum", "beta1", "beta2", "eps", "alpha",
              "weightDecay", "schedule", "clip", "validationFraction", "seed", "task", "bidirectional", "pooling",
              "maxLength", "skipBadLines", "unknownShapes", "sourceTokenizer", "targetTokenizer", "sharedVocabulary",
              "attention", "inputFeeding", "scheduledSampling", "embeddingDropout", "outputDropout", "lockedDropout",
              "tieWeights", "patience", "guard", "plateau", "size", "budgetSeconds", "weightDrop", "adaptiveSoftmax"},
             allow);
  RunConfig c = default_run_config();
  ModelConfig& m = c.model;
  TrainingConfig& t = c.training;
  auto has = [&](const char* k) { return j.contains(k) && !j.at(k).is_null(); };
  if (has("task")) {
    const std::string task = read_string(j, "task");
    if (task != "lm" && task != "classify" && task != "tag" && task != "seq2seq")
      fail("option 'task' must be 'lm', 'classify', 'tag' or 'seq2seq' (got '" + task + "')");
    m.kind = parse_model_kind(task);
  }
  if (m.kind == ModelKind::Tagger) {  // defaults for tagging given tokens (see config.h)
    c.tokenizer.kind = TokenizerKind::Whitespace;
    c.tokenizer.lowercase = false;
    c.tokenizer.min_count = 2;
    c.tokenizer.unknown_shapes = true;  // see the README, "The other shapes on real data"
  }
  const bool seq2seq = m.kind == ModelKind::Seq2Seq;
  if (seq2seq) c.tokenizer.lowercase = false;  // a target is written as given: no case folding unless asked
  for (const char* k : {"sourceTokenizer", "targetTokenizer", "sharedVocabulary", "attention", "inputFeeding",
                        "scheduledSampling"})
    if (has(k) && !seq2seq) fail(std::string("option '") + k + "' is for task 'seq2seq'");
  if (has("pooling") && seq2seq) fail("option 'pooling' is for task 'classify'");
  if (has("bidirectional")) m.bidirectional = read_bool(j, "bidirectional");
  if (has("pooling")) m.pooling = parse_pooling(read_string(j, "pooling"));
  if (has("maxLength")) c.max_length = (int)read_integer(j, "maxLength", 1, 65536);
  if (has("skipBadLines")) c.skip_bad_lines = read_bool(j, "skipBadLines");
  if (has("tokenizer")) {
    const std::string k = read_string(j, "tokenizer");
    c.tokenizer.kind = parse_tokenizer_kind(k);
  }
  TokenizerKind target_kind = c.tokenizer.kind;
  if (has("sourceTokenizer"))
    c.tokenizer.kind = parse_tokenizer_kind(read_string(j, "sourceTokenizer"), "option 'sourceTokenizer'");
  if (has("targetTokenizer"))
    target_kind = parse_tokenizer_kind(read_string(j, "targetTokenizer"), "option 'targetTokenizer'");
  if (has("sharedVocabulary")) c.shared_vocabulary = read_bool(j, "sharedVocabulary");
  if (seq2seq) {
    if (has("attention")) {
      const std::string a = read_string(j, "attention");
      if (a != "general" && a != "dot" && a != "none")
        fail("option 'attention' must be 'general', 'dot' or 'none' (got '" + a + "')");
      m.attention = a != "none";
      if (m.attention) m.attention_score = parse_attention_score(a);
    }
    m.input_feeding = has("inputFeeding") ? read_bool(j, "inputFeeding") : m.attention;
    if (m.input_feeding && !m.attention)
      fail("option 'inputFeeding' needs attention: it feeds the attentional state to the next step");
    if (has("scheduledSampling")) m.scheduled_sampling = (float)read_ranged(j, "scheduledSampling", 0, 1);
    if (c.shared_vocabulary && c.tokenizer.kind != target_kind)
      fail(std::string("option 'sharedVocabulary' needs the same tokenizer on both sides (source '") +
           tokenizer_kind_name(c.tokenizer.kind) + "', target '" + tokenizer_kind_name(target_kind) + "')");
  }
  if (has("lowercase")) c.tokenizer.lowercase = read_bool(j, "lowercase");
  if (has("minCount")) c.tokenizer.min_count = (int)read_integer(j, "minCount", 1, 1000000);
  if (has("replaceInvalid")) c.tokenizer.replace_invalid = read_bool(j, "replaceInvalid");
  // 'whitespace' takes pre-tokenized text as it is: no lower-casing unless asked for, and a language
  // model reads each newline as the end-of-sentence token (benchmarks such as Penn Treebank count it).
  if (c.tokenizer.kind == TokenizerKind::Whitespace && !has("lowercase")) c.tokenizer.lowercase = false;
  if (c.tokenizer.kind == TokenizerKind::Whitespace && m.kind == ModelKind::LanguageModel) c.tokenizer.eos = "<eos>";
  if (has("unknownShapes")) {
    c.tokenizer.unknown_shapes = read_bool(j, "unknownShapes");
    if (c.tokenizer.unknown_shapes && c.tokenizer.kind == TokenizerKind::Char)
      fail("option 'unknownShapes' is for the 'word' and 'whitespace' tokenizers (a character has no shape to keep)");
    if (c.tokenizer.unknown_shapes && c.tokenizer.min_count < 2)
      fail("option 'unknownShapes' needs 'minCount' of at least 2: the shapes are learned from the tokens seen fewer "
           "than minCount times");
  } else if (c.tokenizer.min_count < 2) {
    c.tokenizer.unknown_shapes = false;  // the tagger's default needs rare tokens to learn from
  }
  c.target_tokenizer = c.tokenizer;  // every option but the kind applies to both sides
  c.target_tokenizer.kind = target_kind;
  c.target_tokenizer.unknown_shapes = false;  // an output <unk:Cing> would be no better than <unk>
  if (has("cell")) {
    m.cell = parse_cell(read_string(j, "cell"));
  }
  if (has("layers")) m.layers = (int)read_integer(j, "layers", 1, 64);
  if (has("hidden")) m.hidden_size = (int)read_integer(j, "hidden", 1, 65536);
  if (has("embedding")) m.embedding_size = (int)read_integer(j, "embedding", 1, 65536);
  if (has("dropout")) {
    m.dropout = (float)read_ranged(j, "dropout", 0, 1);
    if (m.dropout >= 1.0f) fail("option 'dropout' must be < 1 (got " + j.at("dropout").dump() + ")");
  }
  for (const char* k : {"embeddingDropout", "outputDropout", "weightDrop"}) {
    if (!has(k)) continue;
    const float p = (float)read_ranged(j, k, 0, 1);
    if (p >= 1.0f) fail(std::string("option '") + k + "' must be < 1 (got " + j.at(k).dump() + ")");
    const std::string key = k;
    (key == "embeddingDropout" ? m.embedding_dropout : key == "outputDropout" ? m.output_dropout : m.weight_drop) = p;
  }
  if (has("lockedDropout")) m.locked_dropout = read_bool(j, "lockedDropout");
  if (has("tieWeights")) m.tie_weights = read_bool(j, "tieWeights");
  for (const char* k : {"embeddingDropout", "outputDropout", "lockedDropout", "tieWeights", "weightDrop"})
    if (has(k) && m.kind != ModelKind::LanguageModel) fail(std::string("option '") + k + "' is for task 'lm'");
  if (has("adaptiveSoftmax")) {  // true | 'auto' | false | { cutoffs, divValue, headBias } (nn/adaptive_softmax.h)
    const json& a = j.at("adaptiveSoftmax");
    if (a.is_boolean()) {
      m.adaptive_softmax = a.get<bool>();
    } else if (a.is_string() && a.get<std::string>() == "auto") {
      m.adaptive_softmax = true;
    } else if (a.is_object()) {
      check_keys(a, "adaptiveSoftmax.", {"cutoffs", "divValue", "headBias"});
      m.adaptive_softmax = true;
      // ≥ 1: a cluster narrower than the hidden state (PyTorch takes any positive value; 4 is Grave et al.'s).
      if (a.contains("divValue")) m.adaptive_div_value = read_ranged(a, "divValue", 1, 1e6, false, "adaptiveSoftmax.");
      if (a.contains("headBias")) {
        if (!a.at("headBias").is_boolean())
          fail("option 'adaptiveSoftmax.headBias' must be true or false (got " + type_of(a.at("headBias")) + ")");
        m.adaptive_head_bias = a.at("headBias").get<bool>();
      }
      if (a.contains("cutoffs") && !a.at("cutoffs").is_null()) {
        const json& cs = a.at("cutoffs");
        if (!cs.is_array() || cs.empty())
          fail("option 'adaptiveSoftmax.cutoffs' must be a non-empty array of increasing token ids (got " + cs.dump() + ")");
        for (size_t i = 0; i < cs.size(); ++i) {
          const json& v = cs[i];
          if (!v.is_number() || !std::isfinite(v.get<double>()) || v.get<double>() != std::floor(v.get<double>()))
            fail("option 'adaptiveSoftmax.cutoffs' must hold integers (got " + v.dump() + ")");
          const double d = v.get<double>();
          if (d < 1 || d > (1 << 22)) fail("option 'adaptiveSoftmax.cutoffs' must hold ids from 1 up (got " + v.dump() + ")");
          if (!m.adaptive_cutoffs.empty() && (int)d <= m.adaptive_cutoffs.back())
            fail("option 'adaptiveSoftmax.cutoffs' must increase (got " + cs.dump() + ")");
          m.adaptive_cutoffs.push_back((int)d);
        }
      }
    } else {
      fail("option 'adaptiveSoftmax' must be true, 'auto', false or { cutoffs, divValue, headBias } (got " + a.dump() + ")");
    }
    if (m.adaptive_softmax) {
      if (m.kind != ModelKind::LanguageModel) fail("option 'adaptiveSoftmax' is for task 'lm'");
      if (c.tokenizer.kind == TokenizerKind::Char)
        fail("option 'adaptiveSoftmax' is for word-level language models (tokenizer 'word' or 'whitespace'): a "
             "character vocabulary is small, and the full softmax over it is cheap");
      if (m.tie_weights)
        fail("option 'adaptiveSoftmax' cannot be combined with option 'tieWeights': its head and clusters have "
             "weights of their own (as PyTorch's AdaptiveLogSoftmaxWithLoss)");
    }
  }
  if (has("size")) {
    const json& z = j.at("size");
    if (!z.is_string() || z.get<std::string>() != "auto")
      fail("option 'size' must be 'auto' (got " + z.dump() + "); leave it out to set layers, hidden, … yourself");
    if (m.kind != ModelKind::LanguageModel) fail("option 'size' 'auto' is for task 'lm' (a language model on a text)");
    c.auto_size = true;
    for (auto it = j.begin(); it != j.end(); ++it)
      if (!it.value().is_null()) c.given.push_back(it.key());
  }
  if (has("budgetSeconds")) {
    if (!c.auto_size) fail("option 'budgetSeconds' is the time option 'size' 'auto' sizes the model for: give size: 'auto' with it");
    c.budget_seconds = read_ranged(j, "budgetSeconds", 0, 1e7, true);
  }
  // With size 'auto' the sizes given by hand are checked once the rest is chosen (Session).
  const bool sizes_open = c.auto_size && !(has("hidden") && has("embedding"));
  if (m.tie_weights && m.hidden_size != m.embedding_size && !sizes_open)
    fail("option 'tieWeights' needs option 'embedding' equal to option 'hidden' (the output layer reads the last layer's " +
         std::to_string(m.hidden_size) + " units; the embedding has " + std::to_string(m.embedding_size) + ")");
  if (has("patience")) t.patience = (int)read_integer(j, "patience", 0, 1000000);
  if (has("guard")) {  // the divergence guard (train/trainer.h): false, true or { factor }
    const json& g = j.at("guard");
    if (g.is_boolean()) {
      t.guard.enabled = g.get<bool>();
    } else if (g.is_object()) {
      check_keys(g, "guard.", {"factor"});
      if (g.contains("factor")) t.guard.factor = (float)read_ranged(g, "factor", 0, 1, true, "guard.");
      t.guard.validate();
    } else {
      fail("option 'guard' must be true, false or { factor } (got " + type_of(g) + ")");
    }
  }
  if (has("plateau")) {  // reduce on plateau (train/trainer.h): false, a patience, or { patience, factor }
    const json& p = j.at("plateau");
    if (p.is_boolean() && !p.get<bool>()) {
      t.plateau.patience = 0;
    } else if (p.is_number()) {
      t.plateau.patience = (int)read_integer(j, "plateau", 0, 1000000);
    } else if (p.is_object()) {
      check_keys(p, "plateau.", {"patience", "factor"});
      t.plateau.patience = p.contains("patience") ? (int)read_integer(p, "patience", 1, 1000000, "plateau.") : 2;
      if (p.contains("factor")) t.plateau.factor = (float)read_ranged(p, "factor", 0, 1, true, "plateau.");
      t.plateau.validate();
    } else {
      fail("option 'plateau' must be false, a number of evaluations or { patience, factor } (got " + type_of(p) + ")");
    }
  }
  if (has("seqLength")) t.seq_length = (int)read_integer(j, "seqLength", 1, 65536);
  if (has("batchSize")) t.batch_size = (int)read_integer(j, "batchSize", 1, 65536);
  if (has("optimizer")) {
    t.optimizer.type = parse_optimizer(read_string(j, "optimizer"));
  }
  if (has("learningRate")) t.optimizer.learning_rate = (float)read_ranged(j, "learningRate", 0, 1e4, true);
  if (has("momentum")) t.optimizer.momentum = (float)read_ranged(j, "momentum", 0, 0.999999);
  if (has("beta1")) t.optimizer.beta1 = (float)read_ranged(j, "beta1", 0, 0.999999);
  if (has("beta2")) t.optimizer.beta2 = (float)read_ranged(j, "beta2", 0, 0.99999999);
  if (has("eps")) t.optimizer.eps = (float)read_ranged(j, "eps", 0, 1, true);
  if (has("alpha")) t.optimizer.alpha = (float)read_ranged(j, "alpha", 0, 0.999999);
  if (has("weightDecay")) t.optimizer.weight_decay = (float)read_ranged(j, "weightDecay", 0, 1);
  if (j.contains("schedule")) {
    const json& s = j.at("schedule");
    ScheduleConfig& sc = t.schedule;
    if (s.is_null()) {
    } else if (s.is_string()) {
      sc.type = parse_schedule(s.get<std::string>());
    } else if (s.is_object()) {
      check_keys(s, "schedule.", {"type", "stepSize", "gamma", "totalSteps", "minLearningRate", "warmup", "fitTime"});
      if (!s.contains("type")) fail("option 'schedule.type' is required ('constant', 'step', 'cosine' or 'linear')");
      const std::string ty = read_string(s, "type", "schedule.");
      try {
        sc.type = parse_schedule(ty);
      } catch (const Error&) {
        fail("option 'schedule.type' must be 'constant', 'step', 'cosine' or 'linear' (got '" + ty + "')");
      }
      if (s.contains("stepSize")) sc.step_size = read_integer(s, "stepSize", 1, 1LL << 40, "schedule.");
      if (s.contains("gamma")) sc.gamma = (float)read_ranged(s, "gamma", 0, 1, true, "schedule.");
      if (s.contains("totalSteps")) sc.total_steps = read_integer(s, "totalSteps", 1, 1LL << 40, "schedule.");
      if (s.contains("minLearningRate")) sc.min_lr = (float)read_ranged(s, "minLearningRate", 0, 10, false, "schedule.");
      if (s.contains("warmup")) sc.warmup = read_integer(s, "warmup", 0, 1LL << 40, "schedule.");
      if (s.contains("fitTime")) {
        if (!s.at("fitTime").is_boolean())
          fail("option 'schedule.fitTime' must be true or false (got " + type_of(s.at("fitTime")) + ")");
        sc.fit_time = s.at("fitTime").get<bool>();
        if (sc.fit_time && sc.type != ScheduleType::Cosine && sc.type != ScheduleType::Linear)
          fail("option 'schedule.fitTime' is for the 'cosine' and 'linear' schedules (they decay to an end)");
      }
    } else {
      fail("option 'schedule' must be a string or an object (got " + type_of(s) + ")");
    }
  }
  if (j.contains("clip")) {
    const json& cl = j.at("clip");
    t.clip = ClipConfig{};
    if (cl.is_null() || (cl.is_boolean() && !cl.get<bool>())) {
    } else if (cl.is_object()) {
      check_keys(cl, "clip.", {"value", "norm"});
      if (cl.contains("value")) t.clip.value = (float)read_ranged(cl, "value", 0, 1e6, true, "clip.");
      if (cl.contains("norm")) t.clip.norm = (float)read_ranged(cl, "norm", 0, 1e6, true, "clip.");
    } else {
      fail("option 'clip' must be { value: v }, { norm: n } or null (got " + type_of(cl) + ")");
    }
  }
  if (has("validationFraction")) c.validation_fraction = read_ranged(j, "validationFraction", 0, 0.5);  // kept as a double: it round-trips exactly
  if (m.kind == ModelKind::Tagger && c.tokenizer.kind != TokenizerKind::Whitespace)
    fail("option 'tokenizer' must be 'whitespace' for task 'tag': the examples are already split into tokens");
  if (has("seed")) {
    const long long s = read_integer(j, "seed", 0, 9007199254740991LL);
    t.seed = (uint64_t)s;
    m.seed = (uint64_t)s;
  }
  return c;
}

json run_config_to_json(const RunConfig& c) {
  const ModelConfig& m = c.model;
  const TrainingConfig& t = c.training;
  json clip = nullptr;
  if (t.clip.value > 0 || t.clip.norm > 0) {
    clip = json::object();
    if (t.clip.value > 0) clip["value"] = short_float(t.clip.value);
    if (t.clip.norm > 0) clip["norm"] = short_float(t.clip.norm);
  }
  const ScheduleConfig& s = t.schedule;
  json sched = {{"type", schedule_name(s.type)}, {"warmup", s.warmup}};
  if (s.type == ScheduleType::Step) {
    sched["stepSize"] = s.step_size;
    sched["gamma"] = short_float(s.gamma);
  } else if (s.type == ScheduleType::Cosine || s.type == ScheduleType::Linear) {
    sched["totalSteps"] = s.total_steps;
    sched["minLearningRate"] = short_float(s.min_lr);
    if (s.fit_time) sched["fitTime"] = true;
  }
  json j = {{"tokenizer", tokenizer_kind_name(c.tokenizer.kind)},
          {"lowercase", c.tokenizer.lowercase},
          {"minCount", c.tokenizer.min_count},
          {"replaceInvalid", c.tokenizer.replace_invalid},
          {"cell", cell_name(m.cell)},
          {"layers", m.layers},
          {"hidden", m.hidden_size},
          {"embedding", m.embedding_size},
          {"dropout", short_float(m.dropout)},
          {"seqLength", t.seq_length},
          {"batchSize", t.batch_size},
          {"optimizer", optimizer_name(t.optimizer.type)},
          {"learningRate", short_float(t.optimizer.learning_rate)},
          {"momentum", short_float(t.optimizer.momentum)},
          {"beta1", short_float(t.optimizer.beta1)},
          {"beta2", short_float(t.optimizer.beta2)},
          {"eps", short_float(t.optimizer.eps)},
          {"alpha", short_float(t.optimizer.alpha)},
          {"weightDecay", short_float(t.optimizer.weight_decay)},
          {"schedule", sched},
          {"clip", clip},
          {"validationFraction", c.validation_fraction},
          {"seed", t.seed}};
  // Only where they differ from a language model's, so language-model files keep their bytes.
  if (m.kind != ModelKind::LanguageModel) j["task"] = model_kind_name(m.kind);
  if (c.auto_size) {  // not chosen yet (no text): the sizes above are placeholders
    j["size"] = "auto";
    j["budgetSeconds"] = c.budget_seconds;
  }
  if (m.bidirectional) j["bidirectional"] = true;
  // The regularisation and keep-best options only when set, so files without them keep their bytes.
  if (m.embedding_dropout > 0) j["embeddingDropout"] = short_float(m.embedding_dropout);
  if (m.output_dropout > 0) j["outputDropout"] = short_float(m.output_dropout);
  if (m.locked_dropout) j["lockedDropout"] = true;
  if (m.weight_drop > 0) j["weightDrop"] = short_float(m.weight_drop);
  if (m.tie_weights) j["tieWeights"] = true;
  if (m.adaptive_softmax) {
    json a = {{"divValue", m.adaptive_div_value}};
    if (!m.adaptive_cutoffs.empty()) a["cutoffs"] = m.adaptive_cutoffs;
    if (m.adaptive_head_bias) a["headBias"] = true;
    j["adaptiveSoftmax"] = a;
  }
  if (t.patience > 0) j["patience"] = t.patience;
  if (t.plateau.patience > 0) {
    j["plateau"] = {{"patience", t.plateau.patience}};
    if (t.plateau.factor != PlateauConfig{}.factor) j["plateau"]["factor"] = short_float(t.plateau.factor);
  }
  if (!t.guard.enabled) j["guard"] = false;
  else if (t.guard.factor != GuardConfig{}.factor) j["guard"] = {{"factor", short_float(t.guard.factor)}};
  if (c.tokenizer.unknown_shapes || m.kind == ModelKind::Tagger) j["unknownShapes"] = c.tokenizer.unknown_shapes;
  if (m.kind == ModelKind::Classifier) j["pooling"] = pooling_name(m.pooling);
  if (m.kind == ModelKind::Seq2Seq) {
    j["sourceTokenizer"] = tokenizer_kind_name(c.tokenizer.kind);
    j["targetTokenizer"] = tokenizer_kind_name(c.target_tokenizer.kind);
    j["sharedVocabulary"] = c.shared_vocabulary;
    j["attention"] = m.attention ? attention_score_name(m.attention_score) : "none";
    j["inputFeeding"] = m.input_feeding;
    j["scheduledSampling"] = short_float(m.scheduled_sampling);
  }
  if (m.kind != ModelKind::LanguageModel || m.labels > 0) {
    j["maxLength"] = c.max_length;
    j["skipBadLines"] = c.skip_bad_lines;
  }
  return j;
}

}  // namespace rnn
