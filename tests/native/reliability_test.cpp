// Issue 16 (reliability): one nesting limit for every JSON the core parses, the model file's
// `model` metadata checked against its config and tensors, generation-only loads that hold the
// weights only, and primes of any length in one chunk's memory.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <map>

#include "data_path.h"
#include "decode/generate.h"
#include "io/json_text.h"
#include "io/model_file.h"
#include "io/safetensors.h"
#include "tasks/loaded_model.h"
#include "tasks/session.h"
#include "test_util.h"

using namespace rnn;
using nlohmann::json;

namespace {

const std::string& corpus() {
  static const std::string text = test::brown_prose(40000);
  return text;
}

RunConfig small_lm(const std::string& cell = "lstm") {
  return parse_run_config(json{{"tokenizer", "char"}, {"cell", cell}, {"layers", 2}, {"hidden", 24},
                               {"embedding", 8}, {"seqLength", 16}, {"batchSize", 4}, {"optimizer", "adam"},
                               {"learningRate", 0.01}, {"validationFraction", 0.1}, {"seed", 3}});
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no rnn::Error)";
}

// A copy of `bytes` (a model file) with its metadata edited, tensors kept.
std::string with_metadata(const std::string& bytes, const std::function<void(std::map<std::string, std::string>&)>& edit) {
  const safetensors::File f = safetensors::parse(bytes);
  std::map<std::string, std::string> meta = f.metadata;
  edit(meta);
  std::vector<std::vector<float>> store;
  std::vector<safetensors::TensorRef> refs;
  for (const auto& t : f.tensors) store.push_back(f.read_f32(t.name));
  for (size_t i = 0; i < f.tensors.size(); ++i)
    refs.push_back({f.tensors[i].name, f.tensors[i].shape, store[i].data(), store[i].size()});
  return safetensors::serialize(refs, meta);
}

std::string load_error(const std::string& bytes) {
  return error_of([&] { LoadedModel m(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()); });
}

std::string deep(int levels) { return std::string(levels, '[') + std::string(levels, ']'); }

std::vector<double> softmax(const std::vector<float>& z) {
  double mx = -INFINITY, sum = 0;
  for (float v : z) mx = std::max(mx, (double)v);
  std::vector<double> p(z.size());
  for (size_t i = 0; i < z.size(); ++i) sum += p[i] = std::exp((double)z[i] - mx);
  for (double& v : p) v /= sum;
  return p;
}

}  // namespace

// ---- JSON nesting ----

TEST(JsonNesting, TheSharedParseRefusesDeepNestingAndNamesWhere) {
  EXPECT_EQ(error_of([] { parse_json_text(deep(100000), "generate options"); }),
            "generate options nests deeper than 64 levels (the JSON nesting limit)");
  EXPECT_EQ(error_of([] { parse_json_text(std::string(100000, '{'), "options"); }),
            "options nests deeper than 64 levels (the JSON nesting limit)");
  EXPECT_EQ(parse_json_text(deep(kMaxJsonDepth), "x").dump(), deep(kMaxJsonDepth));
  EXPECT_EQ(parse_json_text("[\"" + std::string(1000, '[') + "\\\"\"]", "x")[0], std::string(1000, '[') + "\"");
  EXPECT_TRUE(parse_json_text("{oops", "x").is_discarded());
}

TEST(JsonNesting, EveryModelFileMetadataJsonIsLimited) {
  Session s(corpus(), small_lm());
  s.step();
  for (const std::string& bytes : {s.save_model(), s.save_checkpoint()})
    for (const char* key : {"config", "model", "tokenizer", "labels", "training"}) {
      if (std::string(key) == "training" && !safetensors::parse(bytes).metadata.count("training")) continue;
      const std::string bad = with_metadata(bytes, [&](auto& m) { m[key] = "{\"a\":" + deep(100000) + "}"; });
      EXPECT_EQ(load_error(bad), std::string("model file metadata '") + key +
                                     "' nests deeper than 64 levels (the JSON nesting limit)");
      EXPECT_NE(error_of([&] { Session r(corpus(), reinterpret_cast<const uint8_t*>(bad.data()), bad.size()); })
                    .find("nests deeper than 64 levels"),
                std::string::npos)
          << key;
    }
  // Deep inside the vocabulary (this one overflowed the wasm stack).
  const std::string vocab = with_metadata(s.save_model(), [](auto& m) {
    const size_t at = m["tokenizer"].find("\"vocab\":[");
    ASSERT_NE(at, std::string::npos);
    m["tokenizer"].insert(at + 9, deep(100000) + ",");
  });
  EXPECT_EQ(load_error(vocab), "model file metadata 'tokenizer' nests deeper than 64 levels (the JSON nesting limit)");
}

// ---- the `model` metadata ----

TEST(ModelMetadata, MustAgreeWithTheConfigAndTensors) {
  Session s(corpus(), small_lm("gru"));
  const std::string bytes = s.save_model();
  auto edited = [&](const std::function<void(json&)>& edit) {
    return with_metadata(bytes, [&](auto& m) {
      json j = json::parse(m["model"]);
      edit(j);
      m["model"] = j.dump();
    });
  };
  EXPECT_EQ(load_error(edited([](json& j) { j["hidden_size"] = 32; })),
            "model file metadata 'model' says hidden_size 32 but its config and tensors say 24");
  EXPECT_EQ(load_error(edited([](json& j) { j["cell"] = "lstm"; })),
            "model file metadata 'model' says cell \"lstm\" but its config and tensors say \"gru\"");
  EXPECT_EQ(load_error(edited([](json& j) { j["layers"] = "2"; })),
            "model file metadata 'model' says layers \"2\" but its config and tensors say 2");
  EXPECT_EQ(load_error(edited([](json& j) { j["vocab_size"] = j["vocab_size"].get<int>() + 1; })).find("vocab_size"),
            std::string("model file metadata 'model' says ").size());
  EXPECT_EQ(load_error(edited([](json& j) { j["task"] = "classify"; })),
            "model file metadata 'model' says task \"classify\" but its config and tensors say \"lm\"");
  EXPECT_EQ(load_error(edited([](json& j) { j["bidirectional"] = true; })),
            "model file metadata 'model' says bidirectional true but its config and tensors say false");
  EXPECT_EQ(load_error(edited([](json& j) { j.erase("embedding_size"); })),
            "model file metadata 'model' lacks 'embedding_size'");
  EXPECT_EQ(load_error(edited([](json& j) { j["heads"] = 4; })), "model file metadata 'model' has unknown field 'heads'");
  EXPECT_EQ(load_error(with_metadata(bytes, [](auto& m) { m["model"] = "[1]"; })),
            "model file metadata 'model' is not an object");
  EXPECT_EQ(load_error(with_metadata(bytes, [](auto& m) { m.erase("model"); })), "model file has no 'model' metadata");
  // Defaults written as values agree; the untouched file loads.
  EXPECT_EQ(load_error(edited([](json& j) { j["task"] = "lm"; j["labels"] = 0; j["bidirectional"] = false; })),
            "(no rnn::Error)");
  EXPECT_EQ(load_error(bytes), "(no rnn::Error)");
}

// ---- generation-only loads ----

TEST(WeightsOnly, ALoadedCheckpointHoldsItsWeightsOnly) {
  Session s(corpus(), small_lm());
  for (int i = 0; i < 3; ++i) s.step();
  const std::string ckpt = s.save_checkpoint();
  const size_t P = s.task->model.params.total;

  const json trainer_memory = s.info()["memory"];
  EXPECT_EQ(trainer_memory["weightBytes"], P * 4);
  EXPECT_EQ(trainer_memory["gradientBytes"], P * 4);
  EXPECT_EQ(trainer_memory["optimizerBytes"], 2 * P * 4);  // Adam: two moments

  LoadedModel m(reinterpret_cast<const uint8_t*>(ckpt.data()), ckpt.size());
  EXPECT_EQ(m.file.model->params.value.size(), P);
  EXPECT_EQ(m.file.model->params.grad.capacity(), 0u) << "gradient buffers in a model loaded to generate";
  EXPECT_FALSE(m.file.training.has_value()) << "optimizer moments in a model loaded to generate";
  const json memory = m.info()["memory"];
  EXPECT_EQ(memory["weightBytes"], P * 4);
  EXPECT_EQ(memory["gradientBytes"], 0);
  EXPECT_EQ(memory["optimizerBytes"], 0);

  // The same text as the trainer's model, and training it is a clear error.
  GenerateOptions g;
  g.prime = "The ";
  g.length = 80;
  g.seed = 5;
  EXPECT_EQ(m.generate(g), generate(s.task->model, s.tokenizer, g));
  Rng rng(1);
  std::vector<int32_t> ids(8, 1);
  ModelState state = m.file.model->zero_state(1);
  const Batch b = Batch::carrying(1, 8, ids.data(), ids.data(), state);
  EXPECT_NE(error_of([&] { m.file.model->train_batch(b, rng); }).find("weights only"), std::string::npos);

  // Resuming still reads everything.
  const ModelFile full = load_model_file(reinterpret_cast<const uint8_t*>(ckpt.data()), ckpt.size());
  EXPECT_EQ(full.model->params.grad.size(), P);
  ASSERT_TRUE(full.training.has_value());
  EXPECT_EQ(full.training->optimizer.m.size(), P);
}

// ---- long primes ----

TEST(LongPrime, ChunkedPrimeGivesTheSameNextTokenDistributionInOneChunksMemory) {
  Session s(corpus(), small_lm());
  for (int i = 0; i < 20; ++i) s.step();
  LanguageModel& lm = s.task->model;
  for (size_t len : {(size_t)100, Generator::kPrimeChunk, 3 * Generator::kPrimeChunk + 77}) {
    const std::string prime = corpus().substr(1000, len);
    const std::vector<int32_t> ids = s.tokenizer.encode(prime);
    ASSERT_EQ(ids.size(), len);
    // In one go: one forward pass over the whole prime.
    ModelState whole = lm.start_state(1);
    std::vector<float> want(lm.vocab_size());
    lm.feed((int)ids.size(), ids.data(), whole, want.data());
    // Through the generator: in chunks, the state carried.
    GenerateOptions g;
    g.prime = prime;
    g.length = 1;
    Generator gen(lm, s.tokenizer, g);
    const std::vector<double> p = softmax(gen.next_logits()), q = softmax(want);
    for (size_t i = 0; i < p.size(); ++i) ASSERT_NEAR(p[i], q[i], 1e-6) << "prime of " << len << ", token " << i;
    // The forward pass saw one chunk at most.
    EXPECT_LE(lm.last_logits().size(), Generator::kPrimeChunk * (size_t)lm.vocab_size()) << "prime of " << len;
  }
}
