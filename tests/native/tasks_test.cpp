// The tasks beside the language model learn, on data made here: a tagging task that needs the
// right context, a counting classifier, and a conditional model that writes each label's pattern.
#include <gtest/gtest.h>

#include <string>

#include "decode/generate.h"
#include "io/config.h"
#include "tasks/example_task.h"
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
