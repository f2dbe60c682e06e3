// The tasks beside the language model learn, on data made here: a tagging task that needs the
// right context, a counting classifier, and a conditional model that writes each label's pattern.
#include <gtest/gtest.h>

#include <string>

#include "decode/generate.h"
#include "io/config.h"
#include "tasks/example_task.h"
#include "tasks/loaded_model.h"
#include "tasks/session.h"
#include "test_util.h"

using namespace rnn;
using nlohmann::json;

namespace {

RunConfig run_config(const json& options) { return parse_run_config(options); }

// Train until the validation accuracy reaches `target` (checked every `every` steps) or max_steps.
double train_until(ExampleTask& task, double target, int max_steps, int every = 50) {
  double accuracy = 0;
  for (int s = 1; s <= max_steps; ++s) {
    task.step();
    if (s % every == 0) {
      accuracy = task.evaluate()["accuracy"].get<double>();
      if (accuracy >= target) break;
    }
  }
  return accuracy;
}

// Each symbol is tagged with the next non-blank symbol after it ('$' at the end): only a model
// that reads to the right can know it.
ExampleData next_symbol_tagging(int n, uint64_t seed) {
  Rng rng(seed);
  ExampleData d;
  for (int i = 0; i < n; ++i) {
    TagExample e;
    const int len = 4 + (int)rng.below(9);
    for (int t = 0; t < len; ++t) e.tokens.push_back(rng.below(3) == 0 ? "_" : std::string(1, (char)('a' + rng.below(6))));
    for (int t = 0; t < len; ++t) {
      std::string next = "$";
      for (int u = t + 1; u < len; ++u)
        if (e.tokens[u] != "_") {
          next = e.tokens[u];
          break;
        }
      e.tags.push_back(next);
    }
    e.line = i + 1;
    d.tag.push_back(e);
  }
  return d;
}

}  // namespace

TEST(TagTask, BidirectionalLearnsTheRightContextUnidirectionalCannot) {
  const ExampleData train = next_symbol_tagging(1500, 1), held_out = next_symbol_tagging(300, 2);
  json options = {{"task", "tag"}, {"cell", "lstm"}, {"layers", 1}, {"hidden", 48}, {"embedding", 16},
                  {"batchSize", 32}, {"learningRate", 0.01}, {"minCount", 1}, {"seed", 3}};
  options["bidirectional"] = true;
  ExampleTask bi(run_config(options), train, held_out);
  const double bi_accuracy = train_until(bi, 0.99, 1500);
  options["bidirectional"] = false;
  ExampleTask uni(run_config(options), train, held_out);
  const double uni_accuracy = train_until(uni, 2.0, 600, 600);
  std::cout << "[tag] next non-blank symbol: bidirectional " << bi_accuracy << ", unidirectional " << uni_accuracy
            << " (" << bi.trainer->updates << " and " << uni.trainer->updates << " steps)\n";
  EXPECT_GE(bi_accuracy, 0.99);
  EXPECT_LT(uni_accuracy, 0.6);
  const json tagged = bi.tag({"a", "_", "c", "b"});
  ASSERT_EQ(tagged.size(), 4u);
  EXPECT_EQ(tagged[0]["tag"], "c");
  EXPECT_EQ(tagged[1]["tag"], "c");
  EXPECT_EQ(tagged[2]["tag"], "b");
  EXPECT_EQ(tagged[3]["tag"], "$");
}

// Sentences of made-up words whose tag shows only in their shape: names (capitalised), verbs
// (…ing), adverbs (…ly), numbers, in random order among a few common words — so a word never seen
// in training can be tagged from its shape alone, and from nothing else.
ExampleData shaped_words(int n, uint64_t seed) {
  Rng rng(seed);
  auto stem = [&] {
    std::string s;
    for (int k = 0, len = 2 + (int)rng.below(3); k < len; ++k) s += "bdfgkmprtvz"[rng.below(11)], s += "aou"[rng.below(3)];
    return s;
  };
  const char* common[] = {"the", "a", "of", "and", "to", "in"};
  ExampleData d;
  for (int i = 0; i < n; ++i) {
    TagExample e;
    for (int t = 0, len = 3 + (int)rng.below(6); t < len; ++t) {
      switch (rng.below(5)) {
        case 0: e.tokens.push_back(common[rng.below(6)]), e.tags.push_back("DET"); break;
        case 1: { std::string s = stem(); s[0] = char(s[0] - 32); e.tokens.push_back(s), e.tags.push_back("NAME"); break; }
        case 2: e.tokens.push_back(stem() + "ing"), e.tags.push_back("VERB"); break;
        case 3: e.tokens.push_back(stem() + "ly"), e.tags.push_back("ADV"); break;
        default: e.tokens.push_back(std::to_string(rng.below(100000))), e.tags.push_back("NUM"); break;
      }
    }
    e.line = i + 1;
    d.tag.push_back(e);
  }
  return d;
}

TEST(TagTask, UnknownShapesTagUnseenWordsByTheirShape) {
  const ExampleData train = shaped_words(600, 5), held_out = shaped_words(200, 6);
  json options = {{"task", "tag"}, {"layers", 1}, {"hidden", 32}, {"embedding", 16}, {"batchSize", 32},
                  {"learningRate", 0.01}, {"seed", 3}};
  EXPECT_TRUE(run_config(options).tokenizer.unknown_shapes);  // the tag task's default
  ExampleTask shapes(run_config(options), train, held_out);
  train_until(shapes, 2.0, 300, 300);
  const json with = shapes.evaluate();
  options["unknownShapes"] = false;
  ExampleTask plain(run_config(options), train, held_out);
  train_until(plain, 2.0, 300, 300);
  const json without = plain.evaluate();
  std::cout << "[tag] unseen words: with shapes " << with["unseenAccuracy"] << " (all " << with["accuracy"]
            << "), with <unk> " << without["unseenAccuracy"] << " (all " << without["accuracy"] << ")\n";
  EXPECT_GE(with["unseenAccuracy"].get<double>(), 0.97);
  EXPECT_LT(without["unseenAccuracy"].get<double>(), 0.6);
  const json tagged = shapes.tag({"Quomba", "zuvoing", "1234", "the", "kakaly"});
  ASSERT_EQ(tagged.size(), 5u);
  EXPECT_EQ(tagged[0]["tag"], "NAME");
  EXPECT_EQ(tagged[1]["tag"], "VERB");
  EXPECT_EQ(tagged[2]["tag"], "NUM");
  EXPECT_EQ(tagged[3]["tag"], "DET");
  EXPECT_EQ(tagged[4]["tag"], "ADV");
}

TEST(TaskOptions, UnknownShapesNeedWordsAndRareTokens) {
  EXPECT_FALSE(run_config({{"task", "tag"}, {"minCount", 1}}).tokenizer.unknown_shapes);
  EXPECT_FALSE(run_config({{"task", "classify"}}).tokenizer.unknown_shapes);
  EXPECT_TRUE(run_config({{"task", "classify"}, {"tokenizer", "word"}, {"minCount", 2}, {"unknownShapes", true}})
                  .tokenizer.unknown_shapes);
  EXPECT_NE(rnn::test::error_of([] { run_config({{"unknownShapes", true}, {"minCount", 2}}); }).find("'word' and 'whitespace'"),
            std::string::npos);
  EXPECT_NE(rnn::test::error_of([] { run_config({{"tokenizer", "word"}, {"unknownShapes", true}}); }).find("'minCount' of at least 2"),
            std::string::npos);
  // Written into the config of a tagger's file, and read back.
  const RunConfig c = run_config({{"task", "tag"}});
  EXPECT_EQ(run_config_to_json(c)["unknownShapes"], true);
  EXPECT_TRUE(run_config(run_config_to_json(c)).tokenizer.unknown_shapes);
}

TEST(ClassifyTask, LearnsToCompareCounts) {
  auto make = [](int n, uint64_t seed) {
    Rng rng(seed);
    ExampleData d;
    for (int i = 0; i < n; ++i) {
      std::string s;
      int a = 0, b = 0;
      const int len = 3 + (int)rng.below(14);
      for (int t = 0; t < len; ++t) {
        const char c = "abc"[rng.below(3)];
        a += c == 'a';
        b += c == 'b';
        s += c;
      }
      if (a == b) s += 'a', ++a;  // no ties
      d.classify.push_back({s, a > b ? "more a" : "more b", i + 1});
    }
    return d;
  };
  ExampleTask task(run_config({{"task", "classify"}, {"layers", 1}, {"hidden", 32}, {"embedding", 8},
                               {"batchSize", 32}, {"learningRate", 0.01}, {"seed", 2}}),
                   make(3000, 5), make(400, 6));
  const double accuracy = train_until(task, 0.95, 2000);
  const json e = task.evaluate();
  std::cout << "[classify] more a than b: accuracy " << accuracy << " after " << task.trainer->updates
            << " steps (majority baseline " << e["majorityBaseline"] << ")\n";
  EXPECT_GE(accuracy, 0.95);
  EXPECT_EQ(e["confusion"]["matrix"].size(), 2u);
  EXPECT_EQ(task.classify("aaaabc")["label"], "more a");
  EXPECT_EQ(task.classify("bcbbba")["label"], "more b");
}

TEST(ConditionalLm, WritesEachLabelsFamily) {
  // "up": a run of consecutive letters; "same": one letter repeated; "pair": two letters alternating.
  auto make = [](int n, uint64_t seed) {
    Rng rng(seed);
    ExampleData d;
    for (int i = 0; i < n; ++i) {
      const int kind = (int)rng.below(3), len = 3 + (int)rng.below(5);
      const char first = (char)('a' + rng.below(10));
      std::string s;
      for (int t = 0; t < len; ++t) s += kind == 0 ? (char)(first + t) : kind == 1 ? first : (t % 2 ? 'x' : first);
      d.category.push_back({kind == 0 ? "up" : kind == 1 ? "same" : "pair", s, i + 1});
    }
    return d;
  };
  ExampleTask task(run_config({{"layers", 1}, {"hidden", 64}, {"embedding", 16}, {"batchSize", 32},
                               {"learningRate", 0.01}, {"seed", 4}}),
                   make(2000, 7), make(200, 8));
  for (int s = 0; s < 1500; ++s) task.step();
  std::cout << "[conditional] validation loss " << task.evaluate()["loss"] << "\n";
  auto& lm = static_cast<LanguageModel&>(*task.model);
  int right = 0, total = 0;
  for (const char* label : {"up", "same", "pair"})
    for (uint64_t seed = 1; seed <= 10; ++seed) {
      GenerateOptions g;
      g.length = 12;
      g.seed = seed;
      g.stop = {"\n"};
      g.sampling.temperature = 0.5f;
      g.include_prime = false;
      g.category = task.labels.id_of(label);
      std::string text = generate(lm, task.tokenizer, g);
      if (!text.empty() && text.back() == '\n') text.pop_back();
      bool ok = text.size() >= 2;
      for (size_t t = 1; ok && t < text.size(); ++t) {
        if (std::string(label) == "up") ok = text[t] == text[t - 1] + 1;
        if (std::string(label) == "same") ok = text[t] == text[0];
        if (std::string(label) == "pair") ok = text[t] == (t % 2 ? 'x' : text[0]);
      }
      right += ok;
      ++total;
      if (seed == 1) std::cout << "[conditional] " << label << ": " << text << "\n";
    }
  std::cout << "[conditional] " << right << " of " << total << " texts follow their label's pattern\n";
  EXPECT_GE(right, total * 9 / 10);
}

namespace {
// Small data of each kind, as the user's file text.
std::string tagged_file() {
  std::string s;
  Rng rng(9);
  for (int i = 0; i < 120; ++i) {
    for (int t = 0, n = 3 + (int)rng.below(6); t < n; ++t) {
      const char c = (char)('a' + rng.below(5));
      s += std::string(t ? " " : "") + c + c + "/" + (c < 'c' ? "X" : "Y");
    }
    s += "\n";
  }
  return s;
}
std::string classify_file() {
  std::string s = "text\tlabel\n";
  Rng rng(10);
  for (int i = 0; i < 200; ++i) {
    std::string t;
    for (int k = 0, n = 2 + (int)rng.below(8); k < n; ++k) t += (char)('a' + rng.below(4));
    s += t + "\t" + (t.find('a') != std::string::npos ? "has a" : "no a") + "\n";
  }
  return s;
}
std::string category_file() {
  std::string s;
  for (int i = 0; i < 150; ++i) s += std::string(i % 2 ? "low" : "high") + "\t" + std::string(i % 2 ? "abcab" : "XYZYX").substr(0, 2 + i % 4) + "\n";
  return s;
}
}  // namespace

// A checkpoint resumes every example task exactly: 12 steps straight == 6, save, load, 6 more.
TEST(TaskResume, ExactForEveryExampleTask) {
  struct Case {
    const char* name;
    json options;
    std::string data;
  };
  std::vector<Case> cases(3);
  cases[0] = {"classify", json::parse(R"({"task": "classify", "bidirectional": true, "pooling": "max"})"), classify_file()};
  cases[1] = {"tag", json::parse(R"({"task": "tag", "bidirectional": true, "dropout": 0.2})"), tagged_file()};
  cases[2] = {"lm by category", json::parse(R"({"dropout": 0.2})"), category_file()};
  for (const Case& c : cases) {
    json options = c.options;
    const json common = json::parse(R"({"layers": 2, "hidden": 16, "embedding": 8, "batchSize": 8, "seed": 3})");
    for (auto& [k, v] : common.items()) options[k] = v;
    TrainingData data;
    data.examples = c.data;
    const RunConfig cfg = parse_run_config(options);
    Session straight(data, cfg);
    std::vector<double> losses;
    for (int i = 0; i < 12; ++i) losses.push_back(straight.step().loss);
    std::string ckpt;
    {
      Session first(data, cfg);
      for (int i = 0; i < 6; ++i) first.step();
      ckpt = first.save_checkpoint();
    }
    Session resumed(data, reinterpret_cast<const uint8_t*>(ckpt.data()), ckpt.size());
    for (int i = 6; i < 12; ++i) EXPECT_EQ(resumed.step().loss, losses[i]) << c.name << " step " << i + 1;
    EXPECT_EQ(resumed.model().params.value, straight.model().params.value) << c.name;
    EXPECT_EQ(resumed.evaluate_json().dump(), straight.evaluate_json().dump()) << c.name;
    // A model file predicts exactly as the run it came from.
    const std::string bytes = straight.save_model();
    LoadedModel m(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    EXPECT_EQ(m.save(), bytes) << c.name;
    const ModelKind kind = straight.example_task->config.model.kind;
    if (kind == ModelKind::Classifier) {
      EXPECT_EQ(m.predictor->classify("abca").dump(), straight.example_task->classify("abca").dump());
    }
    if (kind == ModelKind::Tagger) {
      EXPECT_EQ(m.predictor->tag({"aa", "dd", "zz"}).dump(), straight.example_task->tag({"aa", "dd", "zz"}).dump());
    }
    if (straight.example_task->conditional()) {
      GenerateOptions g;
      g.label = "high";
      g.length = 10;
      EXPECT_EQ(m.generate(g), straight.generate(g));
      g.label = "nope";
      EXPECT_EQ(test::error_of([&] { m.generate(g); }), "unknown label 'nope'");
    }
  }
}
