// Model file round trips: exact resume of training, same text from a reloaded model, and the
// model-level validation of hostile files (container-level cases are in safetensors_test.cpp).
#include <gtest/gtest.h>

#include <cstring>

#include "data_path.h"
#include "decode/generate.h"
#include "io/safetensors.h"
#include "tasks/loaded_model.h"
#include "tasks/session.h"

using namespace rnn;
using nlohmann::json;

namespace {
const std::string& corpus() {
  static const std::string text = test::brown_prose(60000);
  return text;
}

RunConfig small(const std::string& cell, const std::string& optimizer, double dropout = 0.1) {
  return parse_run_config(json{{"tokenizer", "char"}, {"cell", cell}, {"layers", 2}, {"hidden", 24},
                               {"embedding", 8}, {"seqLength", 12}, {"batchSize", 4}, {"optimizer", optimizer},
                               {"learningRate", 0.01}, {"dropout", dropout}, {"validationFraction", 0.1},
                               {"schedule", {{"type", "cosine"}, {"totalSteps", 60}}}, {"seed", 7}});
}

std::string bytes_of(const Session& s) { return s.save_checkpoint(); }
}  // namespace

// 40 steps straight vs 20 steps, save, load into a fresh session, 20 more: identical bit for bit.
TEST(Resume, ExactAfterSaveAndLoad) {
  for (const char* opt : {"adam", "rmsprop", "sgd"}) {
    RunConfig cfg = small("lstm", opt);
    if (std::string(opt) == "sgd") cfg.training.optimizer.momentum = 0.9f;
    Session straight(corpus(), cfg);
    for (int i = 0; i < 40; ++i) straight.step();

    std::string ckpt;
    {
      Session first(corpus(), cfg);
      for (int i = 0; i < 20; ++i) first.step();
      ckpt = bytes_of(first);
    }  // the first session is gone: nothing but the file carries over
    Session resumed(corpus(), reinterpret_cast<const uint8_t*>(ckpt.data()), ckpt.size());
    EXPECT_EQ(resumed.task->trainer.updates, 20);
    for (int i = 0; i < 20; ++i) resumed.step();
    const auto& a = straight.task->model.params.value;
    const auto& b = resumed.task->model.params.value;
    ASSERT_EQ(a.size(), b.size());
    EXPECT_EQ(0, std::memcmp(a.data(), b.data(), a.size() * sizeof(float))) << opt << ": weights differ after resume";
    EXPECT_EQ(straight.task->train_data.state.data, resumed.task->train_data.state.data) << opt;
    EXPECT_EQ(straight.task->trainer.optimizer.m, resumed.task->trainer.optimizer.m) << opt;
  }
}

TEST(Resume, RefusesADifferentText) {
  Session s(corpus(), small("gru", "adam"));
  s.step();
  const std::string ckpt = s.save_checkpoint();
  std::string other = corpus();
  other[100] = other[100] == 'a' ? 'b' : 'a';
  try {
    Session r(other, reinterpret_cast<const uint8_t*>(ckpt.data()), ckpt.size());
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("different text"), std::string::npos) << e.what();
  }
  const std::string model_only = s.save_model();
  EXPECT_THROW(Session(corpus(), reinterpret_cast<const uint8_t*>(model_only.data()), model_only.size()), Error);
}

TEST(ModelFile, SavedAndLoadedGeneratesTheSameText) {
  Session s(corpus(), small("lstm", "adam", 0.0));
  for (int i = 0; i < 30; ++i) s.step();
  GenerateOptions g;
  g.prime = "ROMEO:";
  g.length = 120;
  g.sampling.temperature = 0.8f;
  g.sampling.top_k = 10;
  g.seed = 42;
  const std::string a = generate(s.task->model, s.tokenizer, g);
  const std::string bytes = s.save_model();
  LoadedModel m(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  const std::string b = generate(m.file.language_model(), m.file.tokenizer, g);
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.rfind("ROMEO:", 0), 0u) << a;
  EXPECT_GT(a.size(), 100u);
  g.seed = 43;
  EXPECT_NE(a, generate(m.file.language_model(), m.file.tokenizer, g)) << "another seed should give other text";
  // Re-saving a loaded model gives the same bytes.
  EXPECT_EQ(m.save(), bytes);
}

TEST(ModelFile, TensorNamesFollowPyTorch) {
  Session s(corpus(), small("gru", "adam"));
  s.step();
  const std::string bytes = s.save_checkpoint();
  auto f = safetensors::parse(bytes);
  std::vector<std::string> names;
  for (const auto& t : f.tensors) names.push_back(t.name);
  for (const char* n : {"embedding.weight", "rnn.weight_ih_l0", "rnn.weight_hh_l0", "rnn.bias_ih_l0", "rnn.bias_hh_l0",
                        "rnn.weight_ih_l1", "fc.weight", "fc.bias", "optimizer.exp_avg.fc.bias",
                        "optimizer.exp_avg_sq.rnn.weight_hh_l1", "state.h_l0", "state.h_l1"})
    EXPECT_NE(std::find(names.begin(), names.end(), n), names.end()) << n;
  EXPECT_EQ(f.find("rnn.weight_ih_l0")->shape, (std::vector<int64_t>{3 * 24, 8}));  // GRU: 3 gates (r, z, n)
  EXPECT_EQ(f.metadata.at("format"), "rnn-wasm");
  EXPECT_EQ(f.metadata.at("format_version"), "1");
  for (const auto& kv : f.metadata) EXPECT_FALSE(kv.second.empty()) << kv.first;
  EXPECT_EQ(json::parse(f.metadata.at("model"))["cell"], "gru");
}

namespace {
// Rewrites the metadata of a valid file (keeping tensors), then expects load to fail with `needle`.
void expect_rejected(const std::string& bytes, const std::function<void(std::map<std::string, std::string>&)>& edit,
                     const std::function<void(std::vector<std::pair<std::string, std::vector<float>>>&,
                                              std::map<std::string, std::vector<int64_t>>&)>& edit_tensors,
                     const std::string& needle) {
  auto f = safetensors::parse(bytes);
  auto meta = f.metadata;
  std::vector<std::pair<std::string, std::vector<float>>> data;
  std::map<std::string, std::vector<int64_t>> shapes;
  for (const auto& t : f.tensors) {
    data.push_back({t.name, f.read_f32(t.name)});
    shapes[t.name] = t.shape;
  }
  if (edit) edit(meta);
  if (edit_tensors) edit_tensors(data, shapes);
  std::vector<safetensors::TensorRef> refs;
  for (const auto& [name, v] : data) refs.push_back({name, shapes[name], v.data(), v.size()});
  const std::string out = safetensors::serialize(refs, meta);
  try {
    LoadedModel m(reinterpret_cast<const uint8_t*>(out.data()), out.size());
    FAIL() << "expected rejection mentioning '" << needle << "'";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}
}  // namespace

TEST(ModelFile, RejectsShapesThatDisagreeWithTheConfig) {
  Session s(corpus(), small("lstm", "adam"));
  const std::string bytes = s.save_model();
  expect_rejected(bytes, [](auto& m) {
    auto c = json::parse(m["config"]);
    c["hidden"] = 32;
    m["config"] = c.dump();
  }, nullptr, "expected [128, 8]");
  expect_rejected(bytes, nullptr, [](auto& data, auto& shapes) {
    for (auto& [n, v] : data)
      if (n == "fc.bias") v.push_back(0.0f);
    shapes["fc.bias"][0] += 1;
  }, "fc.bias");
  expect_rejected(bytes, [](auto& m) {
    auto t = json::parse(m["tokenizer"]);
    t["vocab"].push_back("\xe2\x82\xac");  // one more token than the embedding has rows
    m["tokenizer"] = t.dump();
  }, nullptr, "vocabulary has");
  expect_rejected(bytes, nullptr, [](auto& data, auto&) { data.pop_back(); }, "lacks tensor");
  expect_rejected(bytes, nullptr, [](auto& data, auto& shapes) {
    data.push_back({"extra", {1.0f}});
    shapes["extra"] = {1};
  }, "unexpected tensor 'extra'");
}

TEST(ModelFile, RejectsBadMetadata) {
  Session s(corpus(), small("rnn", "adam"));
  const std::string bytes = s.save_model();
  expect_rejected(bytes, [](auto& m) { m["format_version"] = "2"; }, nullptr, "newer than this build");
  expect_rejected(bytes, [](auto& m) { m.erase("format"); }, nullptr, "not an rnn-wasm model file");
  expect_rejected(bytes, [](auto& m) { m["config"] = "{not json"; }, nullptr, "'config' is not valid JSON");
  expect_rejected(bytes, [](auto& m) { m["config"] = R"({"cell":"transformer"})"; }, nullptr, "cell");
  expect_rejected(bytes, [](auto& m) { m["tokenizer"] = R"({"kind":"bpe"})"; }, nullptr, "tokenizer");
  expect_rejected(bytes, [](auto& m) { m.erase("tokenizer"); }, nullptr, "'tokenizer'");
}
