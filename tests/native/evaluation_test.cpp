// tasks/evaluation: a model file scored on a file's examples gives what its run's evaluate() gave
// on the same examples; the parse-only analysis; the errors naming the line.
#include <gtest/gtest.h>

#include <string>

#include "io/config.h"
#include "tasks/evaluation.h"
#include "tasks/loaded_model.h"
#include "tasks/session.h"
#include "test_util.h"

using namespace rnn;
using nlohmann::json;

namespace {

std::string classify_lines(int n, uint64_t seed) {
  std::string s;
  Rng rng(seed);
  for (int i = 0; i < n; ++i) {
    std::string t;
    for (int k = 0, len = 2 + (int)rng.below(8); k < len; ++k) t += (char)('a' + rng.below(4));
    s += t + "\t" + (t.find('a') != std::string::npos ? "has a" : "no a") + "\n";
  }
  return s;
}

std::string tagged_lines(int n, uint64_t seed) {
  std::string s;
  Rng rng(seed);
  for (int i = 0; i < n; ++i) {
    for (int t = 0, len = 3 + (int)rng.below(6); t < len; ++t) {
      const char c = (char)('a' + rng.below(6));
      s += std::string(t ? " " : "") + c + c + "/" + (c < 'c' ? "X" : "Y");
    }
    s += "\n";
  }
  return s;
}

std::string category_lines(int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += std::string(i % 2 ? "low" : "high") + "\t" + std::string(i % 2 ? "abcab" : "XYZYX").substr(0, 2 + i % 4) + "\n";
  return s;
}

LoadedModel load(const std::string& bytes) { return LoadedModel(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()); }

const json kSmall = json::parse(R"({"layers": 1, "hidden": 16, "embedding": 8, "batchSize": 8, "seed": 3})");

json with(json options, const json& more) {
  for (auto& [k, v] : more.items()) options[k] = v;
  return options;
}

}  // namespace

// The run's validation examples, given explicitly, scored through the model file: same loss and
// metrics as the run's own evaluate().
TEST(Evaluation, LoadedModelScoresAFileAsItsRunDid) {
  struct Case {
    json options;
    std::string train, validation;
  };
  const std::vector<Case> cases = {
      {with(kSmall, {{"task", "classify"}, {"bidirectional", true}}), classify_lines(120, 1), classify_lines(40, 2)},
      {with(kSmall, {{"task", "tag"}, {"minCount", 1}}), tagged_lines(80, 3), tagged_lines(30, 4)},
      {kSmall, category_lines(100), category_lines(20)},
  };
  for (const Case& c : cases) {
    TrainingData data;
    data.examples = c.train;
    data.validation = c.validation;
    Session run(data, parse_run_config(c.options));
    for (int i = 0; i < 10; ++i) run.step();
    const json expected = run.evaluate_json();
    LoadedModel m = load(run.save_model());
    TrainingData file;
    file.examples = c.validation;
    const json got = evaluate_loaded_model(m, file);
    EXPECT_EQ(got["loss"], expected["loss"]) << c.options.dump();
    EXPECT_EQ(got["examples"], expected["examples"]);
    EXPECT_EQ(got["tokens"], expected["tokens"]);
    if (expected.contains("accuracy")) EXPECT_EQ(got["accuracy"], expected["accuracy"]);
    if (expected.contains("confusion")) EXPECT_EQ(got["confusion"], expected["confusion"]);
    if (expected.contains("perplexity")) EXPECT_EQ(got["perplexity"], expected["perplexity"]);
    // A file cut short by max_tokens scores fewer tokens.
    EXPECT_LT(evaluate_loaded_model(m, file, 5)["tokens"].get<int64_t>(), got["tokens"].get<int64_t>());
  }
}

TEST(Evaluation, LanguageModelOnAText) {
  std::string text;
  for (int i = 0; i < 200; ++i) text += "abcabd ";
  Session run(text, parse_run_config(json::parse(R"({"layers": 1, "hidden": 8, "embedding": 4, "seqLength": 8, "batchSize": 4})")));
  for (int i = 0; i < 5; ++i) run.step();
  LoadedModel m = load(run.save_model());
  TrainingData d;
  d.text = text;
  const json e = evaluate_loaded_model(m, d);
  EXPECT_GT(e["tokens"].get<int64_t>(), 1000);
  EXPECT_NEAR(e["perplexity"].get<double>(), std::exp(e["loss"].get<double>()), 1e-9);
  d.text = "a";
  EXPECT_EQ(test::error_of([&] { evaluate_loaded_model(m, d); }),
            "the text is too short to score: it has 1 token(s) the model knows, need at least 2");
  d.examples = "x\ty\n";
  EXPECT_EQ(test::error_of([&] { evaluate_loaded_model(m, d); }),
            "this language model was trained on a text: score it on a text, not on examples");
}

TEST(Evaluation, ErrorsNameTheLine) {
  TrainingData data;
  data.examples = classify_lines(60, 5);
  Session run(data, parse_run_config(with(kSmall, {{"task", "classify"}})));
  LoadedModel m = load(run.save_model());
  TrainingData file;
  EXPECT_EQ(test::error_of([&] { evaluate_loaded_model(m, file); }),
            "this model was trained on examples (task 'classify'): score it on examples in the same format");
  file.examples = "abc\thas a\nzzz\tmaybe\n";
  EXPECT_EQ(test::error_of([&] { evaluate_loaded_model(m, file); }),
            "line 2: unknown label 'maybe' (the model knows 'has a', 'no a')");
  file.examples = "abc\thas a\n\nqqq\tno a\n";
  EXPECT_EQ(test::error_of([&] { evaluate_loaded_model(m, file); }), "line 3: the text has no token the model knows");
  file.examples = "abc\thas a\nab\xff\tno a\n";
  EXPECT_EQ(test::error_of([&] { evaluate_loaded_model(m, file); }).rfind("line 2: invalid UTF-8 at byte 12", 0), 0u);
}

TEST(Evaluation, AnalyzeExamplesCountsWhatARunWouldSee) {
  TrainingData data;
  data.examples = "text\tlabel\naa\tx\nbb\ty\nno tab here\naaa\tx\n\tx\ncc\tx\n";
  const RunConfig cfg = parse_run_config(with(kSmall, {{"task", "classify"}, {"skipBadLines", true}, {"validationFraction", 0}}));
  const json a = analyze_examples(cfg, data);
  EXPECT_EQ(a["task"], "classify");
  EXPECT_EQ(a["labels"], json::parse(R"(["x", "y"])"));
  EXPECT_EQ(a["labelCounts"], json::parse(R"({"x": 3, "y": 1})"));
  EXPECT_EQ(a["examples"], 4);
  EXPECT_EQ(a["skipped"], 2);
  EXPECT_EQ(a["problems"], json::parse(R"(["line 4: missing tab between text and label", "line 6: empty text"])"));
  EXPECT_EQ(a["vocabSize"], 4);  // a, b, c and the line break between texts
  EXPECT_GT(a["parameters"].get<int64_t>(), 0);
  // The report of a run's examples is the same.
  Session run(data, cfg);
  EXPECT_EQ(example_parse_report(cfg, data)["problems"], a["problems"]);
  const json info = session_info(run);
  EXPECT_EQ(info["labelCounts"], a["labelCounts"]);
  EXPECT_EQ(info["step"], 0);
  EXPECT_EQ(info["epoch"], 0);
  EXPECT_EQ(info["task"], "classify");
  EXPECT_EQ(info["vocabSize"], a["vocabSize"]);

  data.examples = "aa\tx\nb\xc3\tx\n";
  EXPECT_EQ(test::error_of([&] { analyze_examples(cfg, data); }).rfind("line 2: invalid UTF-8 at byte 6", 0), 0u);
  data.examples = "aa\tx\n";
  data.validation = "\xff";
  EXPECT_EQ(test::error_of([&] { analyze_examples(cfg, data); }).rfind("validation line 1: invalid UTF-8 at byte 0", 0), 0u);
}
