#include "io/model_file.h"

#include <set>

#include "io/safetensors.h"

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
    case OptimizerType::Adam: return {"exp_avg", "exp_avg_sq"};
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
  json j = json::parse(it->second, nullptr, false);
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

}  // namespace

std::string save_model_file(const RunConfig& config, const Tokenizer& tokenizer, const LanguageModel& model,
                            const Trainer* trainer, const Fingerprint& corpus) {
  std::vector<safetensors::TensorRef> refs;
  for (const TensorInfo& t : model.params.tensors)
    refs.push_back({t.name, t.shape, model.params.value.data() + t.offset, t.size});
  const ModelConfig& mc = model.config;
  std::map<std::string, std::string> meta = {
      {"format", "rnn-wasm"},
      {"format_version", std::to_string(kModelFormatVersion)},
      {"config", run_config_to_json(config).dump()},
      {"model", json{{"vocab_size", mc.vocab_size},
                     {"embedding_size", mc.embedding_size},
                     {"hidden_size", mc.hidden_size},
                     {"layers", mc.layers},
                     {"cell", cell_name(mc.cell)}}
                    .dump()},
      {"tokenizer", tokenizer.to_json().dump()},
  };
  if (trainer) {
    const OptimizerState& os = trainer->optimizer;
    const MomentNames mn = moment_names(trainer->config.optimizer.type, trainer->config.optimizer.momentum);
    for (const TensorInfo& t : model.params.tensors) {
      if (mn.m && os.m.size() == model.params.total)
        refs.push_back({std::string("optimizer.") + mn.m + "." + t.name, t.shape, os.m.data() + t.offset, t.size});
      if (mn.v && os.v.size() == model.params.total)
        refs.push_back({std::string("optimizer.") + mn.v + "." + t.name, t.shape, os.v.data() + t.offset, t.size});
    }
    const int B = trainer->state.batch;
    const float* s = trainer->state.data.data();
    for (size_t l = 0; l < model.layers.size(); ++l) {
      const int64_t H = model.layers[l].hidden;
      refs.push_back({"state.h_l" + std::to_string(l), {B, H}, s, (size_t)(B * H)});
      s += B * H;
      if (model.layers[l].cell == CellType::Lstm) {
        refs.push_back({"state.c_l" + std::to_string(l), {B, H}, s, (size_t)(B * H)});
        s += B * H;
      }
    }
    meta["training"] = json{{"step", trainer->step},
                            {"epoch", trainer->epoch},
                            {"position", trainer->position},
                            {"optimizer_step", os.step},
                            {"has_m", !os.m.empty()},
                            {"has_v", !os.v.empty()},
                            {"rng_state", std::to_string(trainer->dropout_rng.state)},
                            {"rng_inc", std::to_string(trainer->dropout_rng.inc)},
                            {"corpus_crc32", std::to_string(corpus.crc32)},
                            {"corpus_bytes", std::to_string(corpus.bytes)}}
                           .dump();
  }
  return safetensors::serialize(refs, meta);
}

ModelFile load_model_file(const uint8_t* bytes, size_t size) {
  safetensors::File f;
  try {
    f = safetensors::parse(bytes, size);
  } catch (const Error& e) {
    fail(std::string("invalid model file: ") + e.what());
  }
  auto fmt = f.metadata.find("format");
  if (fmt == f.metadata.end() || fmt->second != "rnn-wasm")
    fail("not an rnn-wasm model file: the safetensors metadata has no format = \"rnn-wasm\"");
  auto ver = f.metadata.find("format_version");
  if (ver == f.metadata.end() || ver->second.empty() || ver->second.size() > 6 ||
      ver->second.find_first_not_of("0123456789") != std::string::npos)
    fail("model file has no valid format_version");
  const int version = std::stoi(ver->second);
  if (version > kModelFormatVersion)
    fail("model file format version " + std::to_string(version) + " is newer than this build supports (" +
         std::to_string(kModelFormatVersion) + "); upgrade rnn-wasm to load it");

  ModelFile out;
  try {
    out.config = parse_run_config(parse_meta_json(f.metadata, "config"));
  } catch (const Error& e) {
    fail(std::string("model file config: ") + e.what());
  }
  try {
    out.tokenizer = Tokenizer::from_json(parse_meta_json(f.metadata, "tokenizer"));
  } catch (const Error& e) {
    fail(std::string("model file tokenizer: ") + e.what());
  }
  ModelConfig& mc = out.config.trainer.model;
  mc.vocab_size = out.tokenizer.vocab_size();
  mc.validate();

  // Every tensor the config implies must be present with exactly its shape, and nothing else.
  std::set<std::string> expected;
  auto expect = [&](const std::string& name, const std::vector<int64_t>& shape) {
    const safetensors::TensorEntry* e = f.find(name);
    if (!e) fail("model file lacks tensor '" + name + "'");
    if (e->dtype != "F32") fail("tensor '" + name + "' has dtype " + e->dtype + ", expected F32");
    if (e->shape != shape) {
      if (name == "embedding.weight" && !e->shape.empty() && e->shape[0] != shape[0])
        fail("vocabulary has " + std::to_string(shape[0]) + " tokens but tensor 'embedding.weight' has " +
             std::to_string(e->shape[0]) + " rows");
      fail("tensor '" + name + "' has shape " + shape_str(e->shape) + ", expected " + shape_str(shape) +
           " from the config");
    }
    expected.insert(name);
  };
  const std::vector<TensorInfo> layout = LanguageModel::layout(mc);
  for (const TensorInfo& t : layout) expect(t.name, t.shape);

  json training;
  const bool has_training = f.metadata.count("training") > 0;
  MomentNames mn;
  int state_batch = 0;
  if (has_training) {
    training = parse_meta_json(f.metadata, "training");
    if (!training.is_object()) fail("model file metadata 'training' is not an object");
    const OptimizerConfig& oc = out.config.trainer.optimizer;
    mn = moment_names(oc.type, oc.momentum);
    const bool has_m = parse_bool(training, "has_m"), has_v = parse_bool(training, "has_v");
    for (const TensorInfo& t : layout) {
      if (mn.m && has_m) expect(std::string("optimizer.") + mn.m + "." + t.name, t.shape);
      if (mn.v && has_v) expect(std::string("optimizer.") + mn.v + "." + t.name, t.shape);
    }
    const safetensors::TensorEntry* h0 = f.find("state.h_l0");
    if (!h0 || h0->shape.size() != 2) fail("checkpoint lacks tensor 'state.h_l0' [batch, hidden]");
    state_batch = (int)h0->shape[0];
    if (state_batch != out.config.trainer.batch_size)
      fail("checkpoint state has batch " + std::to_string(state_batch) + ", config says batchSize " +
           std::to_string(out.config.trainer.batch_size));
    for (int l = 0; l < mc.layers; ++l) {
      expect("state.h_l" + std::to_string(l), {state_batch, mc.hidden_size});
      if (mc.cell == CellType::Lstm) expect("state.c_l" + std::to_string(l), {state_batch, mc.hidden_size});
    }
  }
  for (const auto& e : f.tensors)
    if (!expected.count(e.name)) fail("model file has unexpected tensor '" + e.name + "'");

  // All checked: now allocate and copy.
  out.model = std::make_unique<LanguageModel>(mc);
  Params& P = out.model->params;
  for (const TensorInfo& t : P.tensors) f.read_f32_into(t.name, P.value.data() + t.offset, t.size);
  if (has_training) {
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
    auto read_moment = [&](const char* name, std::vector<float>& dst) {
      dst.assign(P.total, 0.0f);
      for (const TensorInfo& t : P.tensors)
        f.read_f32_into(std::string("optimizer.") + name + "." + t.name, dst.data() + t.offset, t.size);
    };
    if (mn.m && parse_bool(training, "has_m")) read_moment(mn.m, ts.optimizer.m);
    if (mn.v && parse_bool(training, "has_v")) read_moment(mn.v, ts.optimizer.v);
    ts.state = out.model->zero_state(state_batch);
    float* s = ts.state.data.data();
    const size_t BH = (size_t)state_batch * mc.hidden_size;
    for (int l = 0; l < mc.layers; ++l) {
      f.read_f32_into("state.h_l" + std::to_string(l), s, BH);
      s += BH;
      if (mc.cell == CellType::Lstm) {
        f.read_f32_into("state.c_l" + std::to_string(l), s, BH);
        s += BH;
      }
    }
    out.training = std::move(ts);
  }
  return out;
}

}  // namespace rnn
