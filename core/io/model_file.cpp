#include "io/model_file.h"

#include <cmath>
#include <set>

#include "common.h"
#include "io/json_text.h"
#include "io/safetensors.h"
#include "kernels/kernels.h"

namespace rnn {

using nlohmann::json;

namespace {

// The optimizer's per-parameter buffers and their PyTorch state names.
struct MomentNames {
  const char* m = nullptr;
  const char* v = nullptr;
};
MomentNames moment_names(OptimizerType t, float momentum) {
  switch (t) {
    case OptimizerType::Adam:
    case OptimizerType::AdamW: return {"exp_avg", "exp_avg_sq"};
    case OptimizerType::RmsProp: return {nullptr, "square_avg"};
    case OptimizerType::Sgd: return {momentum > 0 ? "momentum_buffer" : nullptr, nullptr};
  }
  return {};
}

std::string shape_str(const std::vector<int64_t>& s) {
  std::string r = "[";
  for (size_t i = 0; i < s.size(); ++i) r += (i ? ", " : "") + std::to_string(s[i]);
  return r + "]";
}

json parse_meta_json(const std::map<std::string, std::string>& meta, const std::string& key) {
  auto it = meta.find(key);
  if (it == meta.end()) fail("model file has no '" + key + "' metadata");
  json j = parse_json_text(it->second, "model file metadata '" + key + "'");
  if (j.is_discarded()) fail("model file metadata '" + key + "' is not valid JSON");
  return j;
}

uint64_t parse_u64(const json& j, const char* key) {
  if (!j.contains(key) || !j.at(key).is_string()) fail(std::string("model file training metadata lacks '") + key + "'");
  const std::string s = j.at(key).get<std::string>();
  if (s.empty() || s.size() > 20 || s.find_first_not_of("0123456789") != std::string::npos)
    fail(std::string("model file training metadata '") + key + "' is not a number");
  return std::stoull(s);
}

bool parse_bool(const json& j, const char* key) {
  if (!j.contains(key)) return false;
  if (!j.at(key).is_boolean()) fail(std::string("model file training metadata '") + key + "' must be true or false");
  return j.at(key).get<bool>();
}

int64_t parse_i64(const json& j, const char* key) {
  if (!j.contains(key) || !j.at(key).is_number_integer() || j.at(key).get<int64_t>() < 0)
    fail(std::string("model file training metadata '") + key + "' must be a non-negative integer");
  return j.at(key).get<int64_t>();
}

// For readers that build the network from the `model` metadata (python/rnn_wasm_torch.py): PyTorch's
// AdaptiveLogSoftmaxWithLoss arguments.
json adaptive_meta(const ModelConfig& mc) {
  return {{"cutoffs", mc.adaptive_cutoffs}, {"div_value", mc.adaptive_div_value}, {"head_bias", mc.adaptive_head_bias}};
}

}  // namespace

LanguageModel& ModelFile::language_model() const {
  auto* lm = dynamic_cast<LanguageModel*>(model.get());
  if (!lm) fail("this model was trained for task '" + std::string(model_kind_name(config.model.kind)) +
                "', not to write text");
  return *lm;
}

std::string save_model_file(const RunConfig& config, const Tokenizer& tokenizer, const Vocabulary& labels,
                            const Model& model, const TrainingState* training, const Tokenizer* target_tokenizer,
                            safetensors::ByteSink* sink) {
  const bool seq2seq = config.model.kind == ModelKind::Seq2Seq;
  if (seq2seq != (target_tokenizer != nullptr))
    fail(seq2seq ? "an encoder–decoder's model file needs its target tokenizer"
                 : "only an encoder–decoder's model file has a target tokenizer");
  std::vector<safetensors::TensorRef> refs;
  for (const TensorInfo& t : model.params.tensors)
    refs.push_back({t.name, t.shape, model.params.value.data() + t.offset, t.size});
  const ModelConfig& mc = config.model;
  json model_meta = {{"vocab_size", mc.vocab_size},
                     {"embedding_size", mc.embedding_size},
                     {"hidden_size", mc.hidden_size},
                     {"layers", mc.layers},
                     {"cell", cell_name(mc.cell)}};
  if (mc.kind != ModelKind::LanguageModel) model_meta["task"] = model_kind_name(mc.kind);
  if (mc.bidirectional) model_meta["bidirectional"] = true;
  if (mc.labels > 0) model_meta["labels"] = mc.labels;
  if (mc.adaptive_softmax) model_meta["adaptive_softmax"] = adaptive_meta(mc);
  if (seq2seq) {
    model_meta["target_vocab_size"] = mc.target_vocab_size;
    model_meta["attention"] = mc.attention ? attention_score_name(mc.attention_score) : "none";
    model_meta["input_feeding"] = mc.input_feeding;
  }
  std::map<std::string, std::string> meta = {
      {"format", "rnn-wasm"},
      {"format_version", std::to_string(kModelFormatVersion)},
      {"config", run_config_to_json(config).dump()},
      {"model", model_meta.dump()},
      {"tokenizer", tokenizer.to_json().dump()},
  };
  if (labels.size() > 0) meta["labels"] = json(labels.entries()).dump();
  if (target_tokenizer) meta["target_tokenizer"] = target_tokenizer->to_json().dump();
  if (training) {
    const OptimizerState& os = training->optimizer;
    const MomentNames mn = moment_names(config.training.optimizer.type, config.training.optimizer.momentum);
    for (const TensorInfo& t : model.params.tensors) {
      if (mn.m && os.m.size() == model.params.total)
        refs.push_back({std::string("optimizer.") + mn.m + "." + t.name, t.shape, os.m.data() + t.offset, t.size});
      if (mn.v && os.v.size() == model.params.total)
        refs.push_back({std::string("optimizer.") + mn.v + "." + t.name, t.shape, os.v.data() + t.offset, t.size});
    }
    const bool has_best = training->best_weights && training->best_weights->size() == model.params.total;
    if (has_best)
      for (const TensorInfo& t : model.params.tensors)
        refs.push_back({"best." + t.name, t.shape, training->best_weights->data() + t.offset, t.size});
    if (training->state) {
      const int B = training->state->batch;
      const int64_t H = mc.hidden_size;
      const float* s = training->state->data.data();
      for (int l = 0; l < mc.layers; ++l) {
        refs.push_back({"state.h_l" + std::to_string(l), {B, H}, s, (size_t)(B * H)});
        s += B * H;
        if (mc.cell == CellType::Lstm) {
          refs.push_back({"state.c_l" + std::to_string(l), {B, H}, s, (size_t)(B * H)});
          s += B * H;
        }
      }
    }
    json training_meta = json{{"step", training->step},
                            {"epoch", training->epoch},
                            {"position", training->position},
                            {"optimizer_step", os.step},
                            {"has_m", !os.m.empty()},
                            {"has_v", !os.v.empty()},
                            {"rng_state", std::to_string(training->dropout_rng.state)},
                            {"rng_inc", std::to_string(training->dropout_rng.inc)},
                            {"corpus_crc32", std::to_string(training->corpus.crc32)},
                            {"corpus_bytes", std::to_string(training->corpus.bytes)}};
    const TrainerProgress& pr = training->progress;
    if (pr.best_step >= 0) {  // only once recorded: other checkpoints keep their bytes
      training_meta["best_step"] = pr.best_step;
      training_meta["best_loss"] = pr.best_loss;  // JSON doubles round-trip exactly
      training_meta["stale_evaluations"] = pr.stale;
      training_meta["has_best"] = has_best;
    }
    if (pr.planned_steps > 0) training_meta["planned_steps"] = pr.planned_steps;
    // The learning rate's factor, once the divergence guard or a plateau lowered it (the name is
    // from when only the guard did; the PyTorch module reads it too).
    if (pr.guard_events > 0) training_meta["guard_events"] = pr.guard_events;
    if (pr.plateau_reductions > 0) training_meta["plateau_reductions"] = pr.plateau_reductions;
    if (pr.guard_events > 0 || pr.plateau_reductions > 0) training_meta["guard_lr_scale"] = pr.lr_scale;
    if (training->shuffle_rng) {
      training_meta["shuffle_rng_state"] = std::to_string(training->shuffle_rng->state);
      training_meta["shuffle_rng_inc"] = std::to_string(training->shuffle_rng->inc);
    }
    meta["training"] = training_meta.dump();
  }
  if (!sink) return safetensors::serialize(refs, meta);
  safetensors::serialize_to(*sink, refs, meta);
  return {};
}

namespace {

safetensors::File parse_container(const uint8_t* bytes, size_t size) {
  try {
    return safetensors::parse(bytes, size);
  } catch (const Error& e) {
    fail(std::string("invalid model file: ") + e.what());
  }
}

void check_format(const std::map<std::string, std::string>& meta) {
  auto fmt = meta.find("format");
  if (fmt == meta.end() || fmt->second != "rnn-wasm")
    fail("not an rnn-wasm model file: the safetensors metadata has no format = \"rnn-wasm\"");
  auto ver = meta.find("format_version");
  if (ver == meta.end() || ver->second.empty() || ver->second.size() > 6 ||
      ver->second.find_first_not_of("0123456789") != std::string::npos)
    fail("model file has no valid format_version");
  const int version = std::stoi(ver->second);
  if (version > kModelFormatVersion)
    fail("model file format version " + std::to_string(version) + " is newer than this build supports (" +
         std::to_string(kModelFormatVersion) + "); upgrade rnn-wasm to load it");
}

// The run options and the tokenizer; the vocabulary fixes the model's vocab_size.
void read_settings(const std::map<std::string, std::string>& meta, ModelFile& out) {
  const json config = parse_meta_json(meta, "config"), tokenizer = parse_meta_json(meta, "tokenizer");
  try {
    out.config = parse_run_config(config);
  } catch (const Error& e) {
    fail(std::string("model file config: ") + e.what());
  }
  try {
    out.tokenizer = Tokenizer::from_json(tokenizer);
  } catch (const Error& e) {
    fail(std::string("model file tokenizer: ") + e.what());
  }
  out.config.tokenizer = out.tokenizer.options;  // the tokenizer's own record is the one that encodes
  if (meta.count("labels")) {
    const json labels = parse_meta_json(meta, "labels");
    if (!labels.is_array()) fail("model file metadata 'labels' is not an array");
    for (size_t i = 0; i < labels.size(); ++i) {
      if (!labels[i].is_string() || labels[i].get<std::string>().empty())
        fail("model file label " + std::to_string(i) + " is not a non-empty string");
      if (out.labels.add(labels[i].get<std::string>()) != (int32_t)i)
        fail("model file has the label '" + labels[i].get<std::string>() + "' twice");
    }
  }
  out.config.model.vocab_size = out.tokenizer.vocab_size();
  out.config.model.labels = out.labels.size();
  const bool seq2seq = out.config.model.kind == ModelKind::Seq2Seq;
  if (seq2seq != (meta.count("target_tokenizer") > 0))
    fail(seq2seq ? "model file of task 'seq2seq' has no 'target_tokenizer' metadata"
                 : "model file has 'target_tokenizer' metadata but is not for task 'seq2seq'");
  if (seq2seq) {
    const json target_json = parse_meta_json(meta, "target_tokenizer");
    try {
      out.target_tokenizer = Tokenizer::from_json(target_json);
    } catch (const Error& e) {
      fail(std::string("model file target tokenizer: ") + e.what());
    }
    const RunConfig& c = out.config;
    if (out.tokenizer.options.kind != c.tokenizer.kind || out.target_tokenizer.options.kind != c.target_tokenizer.kind)
      fail(std::string("model file tokenizers (source '") + tokenizer_kind_name(out.tokenizer.options.kind) +
           "', target '" + tokenizer_kind_name(out.target_tokenizer.options.kind) + "') do not match its config (source '" +
           tokenizer_kind_name(c.tokenizer.kind) + "', target '" + tokenizer_kind_name(c.target_tokenizer.kind) + "')");
    if (c.shared_vocabulary && out.tokenizer.vocab.entries() != out.target_tokenizer.vocab.entries())
      fail("model file config says sharedVocabulary but its source and target vocabularies differ");
    out.config.model.target_vocab_size = out.target_tokenizer.vocab_size() + 2;  // + start and end tokens
  }
  try {
    out.config.model.validate();
  } catch (const Error& e) {
    fail(std::string("model file config: ") + e.what());
  }
}

// The `model` metadata repeats the architecture for readers that skip the config (the PyTorch
// module builds its network from it): it must say what the config and tensors say, field by field.
void check_model_metadata(const std::map<std::string, std::string>& meta, const ModelConfig& mc) {
  const json m = parse_meta_json(meta, "model");
  if (!m.is_object()) fail("model file metadata 'model' is not an object");
  const bool seq2seq = mc.kind == ModelKind::Seq2Seq;
  std::map<std::string, json> want = {{"vocab_size", mc.vocab_size},   {"embedding_size", mc.embedding_size},
                                      {"hidden_size", mc.hidden_size}, {"layers", mc.layers},
                                      {"cell", cell_name(mc.cell)},    {"task", model_kind_name(mc.kind)},
                                      {"bidirectional", mc.bidirectional}, {"labels", mc.labels}};
  // Written only when they differ from these defaults.
  const std::map<std::string, json> defaults = {{"task", "lm"}, {"bidirectional", false}, {"labels", 0}};
  if (seq2seq) {
    want["target_vocab_size"] = mc.target_vocab_size;
    want["attention"] = mc.attention ? attention_score_name(mc.attention_score) : "none";
    want["input_feeding"] = mc.input_feeding;
  }
  if (mc.adaptive_softmax) want["adaptive_softmax"] = adaptive_meta(mc);
  for (auto it = m.begin(); it != m.end(); ++it)
    if (!want.count(it.key())) fail("model file metadata 'model' has unknown field '" + it.key() + "'");
  for (const auto& [field, expected] : want) {
    const auto d = defaults.find(field);
    const json got = m.contains(field) ? m.at(field) : d != defaults.end() ? d->second : json();
    if (got.is_null()) fail("model file metadata 'model' lacks '" + field + "'");
    if (got != expected) {
      std::string shown = got.dump();
      if (shown.size() > 80) shown = shown.substr(0, 80) + "...";
      fail("model file metadata 'model' says " + field + " " + shown + " but its config and tensors say " +
           expected.dump());
    }
  }
}

// Every tensor the config implies must be present with exactly its shape, and nothing else.
class TensorChecklist {
 public:
  explicit TensorChecklist(const safetensors::File& f) : f_(f) {}
  void expect(const std::string& name, const std::vector<int64_t>& shape) {
    const safetensors::TensorEntry* e = f_.find(name);
    if (!e) fail("model file lacks tensor '" + name + "'");
    if (e->dtype != "F32") fail("tensor '" + name + "' has dtype " + e->dtype + ", expected F32");
    if (e->shape != shape) {
      const char* side = name == "embedding.weight"           ? "vocabulary"
                         : name == "encoder.embedding.weight" ? "source vocabulary"
                         : name == "decoder.embedding.weight" ? "target vocabulary (with the start and end tokens)"
                                                              : nullptr;
      if (side && !e->shape.empty() && e->shape[0] != shape[0])
        fail(std::string(side) + " has " + std::to_string(shape[0]) + " tokens but tensor '" + name + "' has " +
             std::to_string(e->shape[0]) + " rows");
      fail("tensor '" + name + "' has shape " + shape_str(e->shape) + ", expected " + shape_str(shape) +
           " from the config");
    }
    expected_.insert(name);
  }
  void reject_others() const {
    for (const auto& e : f_.tensors)
      if (!expected_.count(e.name)) fail("model file has unexpected tensor '" + e.name + "'");
  }

 private:
  const safetensors::File& f_;
  std::set<std::string> expected_;
};

// A checkpoint's tensors: optimizer moments per parameter, the carried state per layer. Returns the
// state's batch size.
int expect_training_tensors(const safetensors::File& f, const json& training, const RunConfig& config,
                            const std::vector<TensorInfo>& layout, TensorChecklist& list) {
  const OptimizerConfig& oc = config.training.optimizer;
  const MomentNames mn = moment_names(oc.type, oc.momentum);
  const bool has_m = parse_bool(training, "has_m"), has_v = parse_bool(training, "has_v");
  for (const TensorInfo& t : layout) {
    if (mn.m && has_m) list.expect(std::string("optimizer.") + mn.m + "." + t.name, t.shape);
    if (mn.v && has_v) list.expect(std::string("optimizer.") + mn.v + "." + t.name, t.shape);
    if (parse_bool(training, "has_best")) list.expect("best." + t.name, t.shape);
  }
  const ModelConfig& mc = config.model;
  if (mc.kind != ModelKind::LanguageModel || mc.labels > 0) return 0;  // only stream training carries a state
  const safetensors::TensorEntry* h0 = f.find("state.h_l0");
  if (!h0 || h0->shape.size() != 2) fail("checkpoint lacks tensor 'state.h_l0' [batch, hidden]");
  const int batch = (int)h0->shape[0];
  if (batch != config.training.batch_size)
    fail("checkpoint state has batch " + std::to_string(batch) + ", config says batchSize " +
         std::to_string(config.training.batch_size));
  for (int l = 0; l < mc.layers; ++l) {
    list.expect("state.h_l" + std::to_string(l), {batch, mc.hidden_size});
    if (mc.cell == CellType::Lstm) list.expect("state.c_l" + std::to_string(l), {batch, mc.hidden_size});
  }
  return batch;
}

TrainingSnapshot read_training(const safetensors::File& f, const json& training, const RunConfig& config,
                               const Model& model, int state_batch) {
  TrainingSnapshot ts;
  ts.step = parse_i64(training, "step");
  ts.epoch = parse_i64(training, "epoch");
  ts.position = parse_i64(training, "position");
  ts.optimizer.step = parse_i64(training, "optimizer_step");
  ts.dropout_rng.state = parse_u64(training, "rng_state");
  ts.dropout_rng.inc = parse_u64(training, "rng_inc");
  const uint64_t crc = parse_u64(training, "corpus_crc32");
  if (crc > 0xffffffffULL) fail("model file training metadata 'corpus_crc32' is out of range");
  ts.corpus = {(uint32_t)crc, parse_u64(training, "corpus_bytes")};
  const Params& P = model.params;
  auto read_moment = [&](const char* name, std::vector<float>& dst) {
    dst.assign(P.total, 0.0f);
    for (const TensorInfo& t : P.tensors)
      f.read_f32_into(std::string("optimizer.") + name + "." + t.name, dst.data() + t.offset, t.size);
  };
  const OptimizerConfig& oc = config.training.optimizer;
  const MomentNames mn = moment_names(oc.type, oc.momentum);
  if (mn.m && parse_bool(training, "has_m")) read_moment(mn.m, ts.optimizer.m);
  if (mn.v && parse_bool(training, "has_v")) read_moment(mn.v, ts.optimizer.v);
  if (training.contains("best_step")) {
    ts.progress.best_step = parse_i64(training, "best_step");
    ts.progress.stale = parse_i64(training, "stale_evaluations");
    const json& bl = training.at("best_loss");
    if (!bl.is_number() || !std::isfinite(bl.get<double>()))
      fail("model file training metadata 'best_loss' must be a finite number");
    ts.progress.best_loss = bl.get<double>();
  }
  if (training.contains("planned_steps")) ts.progress.planned_steps = parse_i64(training, "planned_steps");
  if (training.contains("guard_events") || training.contains("plateau_reductions")) {
    if (training.contains("guard_events")) ts.progress.guard_events = parse_i64(training, "guard_events");
    if (training.contains("plateau_reductions")) ts.progress.plateau_reductions = parse_i64(training, "plateau_reductions");
    const json& sc = training.contains("guard_lr_scale") ? training.at("guard_lr_scale") : json();
    if (!sc.is_number() || !(sc.get<double>() > 0.0 && sc.get<double>() <= 1.0))
      fail("model file training metadata 'guard_lr_scale' must be a number in (0, 1]");
    ts.progress.lr_scale = sc.get<double>();
  }
  if (parse_bool(training, "has_best")) {
    ts.best_weights.assign(P.total, 0.0f);
    for (const TensorInfo& t : P.tensors) f.read_f32_into("best." + t.name, ts.best_weights.data() + t.offset, t.size);
  }
  if (training.contains("shuffle_rng_state")) {
    Rng r;
    r.state = parse_u64(training, "shuffle_rng_state");
    r.inc = parse_u64(training, "shuffle_rng_inc");
    ts.shuffle_rng = r;
  }
  if (state_batch == 0) return ts;
  ts.state = model.zero_state(state_batch);
  float* s = ts.state.data.data();
  const ModelConfig& mc = config.model;
  const size_t BH = (size_t)state_batch * mc.hidden_size;
  for (int l = 0; l < mc.layers; ++l) {
    f.read_f32_into("state.h_l" + std::to_string(l), s, BH);
    s += BH;
    if (mc.cell == CellType::Lstm) {
      f.read_f32_into("state.c_l" + std::to_string(l), s, BH);
      s += BH;
    }
  }
  return ts;
}

}  // namespace

// Validates the container, the metadata and every tensor's name, dtype and shape, and only then
// allocates the model and copies the tensors in.
ModelFile load_model_file(const uint8_t* bytes, size_t size, bool weights_only) {
  const safetensors::File f = parse_container(bytes, size);
  check_format(f.metadata);
  ModelFile out;
  read_settings(f.metadata, out);

  TensorChecklist tensors(f);
  const std::vector<TensorInfo> layout = model_layout(out.config.model);
  for (const TensorInfo& t : layout) tensors.expect(t.name, t.shape);
  json training;
  int state_batch = 0;
  const bool has_training = f.metadata.count("training") > 0;
  if (has_training) {
    training = parse_meta_json(f.metadata, "training");
    if (!training.is_object()) fail("model file metadata 'training' is not an object");
    state_batch = expect_training_tensors(f, training, out.config, layout, tensors);
  }
  tensors.reject_others();
  check_model_metadata(f.metadata, out.config.model);

  ModelConfig mc = out.config.model;
  mc.trainable = !weights_only;
  out.model = create_model(mc);
  Params& P = out.model->params;
  for (const TensorInfo& t : P.tensors) f.read_f32_into(t.name, P.value.data() + t.offset, t.size);
  if (has_training && !weights_only) out.training = read_training(f, training, out.config, *out.model, state_batch);
  return out;
}

json model_info(const RunConfig& config, const Tokenizer& tokenizer, const Vocabulary& labels, const Model& model,
                const Tokenizer* target_tokenizer, const OptimizerState* optimizer) {
  const ModelConfig& mc = config.model;
  json j = {{"parameters", model.params.total},
            {"vocabSize", tokenizer.vocab_size()},
            {"tokenizer", tokenizer_kind_name(tokenizer.options.kind)},
            {"cell", cell_name(mc.cell)},
            {"layers", mc.layers},
            {"hidden", mc.hidden_size},
            {"embedding", mc.embedding_size},
            {"config", run_config_to_json(config)},
            {"simd", kernels::simd_arch()}};
  j["task"] = model_kind_name(mc.kind);
  j["bidirectional"] = mc.bidirectional;
  j["labels"] = labels.entries();
  j["memory"] = {{"weightBytes", model.params.value.size() * sizeof(float)},
                 {"gradientBytes", model.params.grad.size() * sizeof(float)},
                 {"optimizerBytes", optimizer ? (optimizer->m.size() + optimizer->v.size()) * sizeof(float) : 0}};
  if (mc.kind == ModelKind::Seq2Seq) {
    if (!target_tokenizer) fail("model_info: an encoder–decoder needs its target tokenizer");
    j["sourceTokenizer"] = tokenizer_kind_name(tokenizer.options.kind);
    j["targetTokenizer"] = tokenizer_kind_name(target_tokenizer->options.kind);
    j["sourceVocabSize"] = tokenizer.vocab_size();
    j["targetVocabSize"] = target_tokenizer->vocab_size() + 2;
    j["sharedVocabulary"] = config.shared_vocabulary;
    j["attention"] = mc.attention ? attention_score_name(mc.attention_score) : "none";
    j["inputFeeding"] = mc.input_feeding;
    j["scheduledSampling"] = mc.scheduled_sampling;
    j["maxLength"] = config.max_length;
  }
  return j;
}

}  // namespace rnn
