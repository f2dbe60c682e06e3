// Benchmarks as users run them: pre-tokenized text (the whitespace tokenizer: tokens exactly as
// written, a newline as <eos>), a validation text of its own, and a text scored with every token
// after the first predicted once (checked against one token at a time).
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "io/config.h"
#include "tasks/evaluation.h"
#include "tasks/loaded_model.h"
#include "tasks/session.h"
#include "test_util.h"

using namespace rnn;
using nlohmann::json;

namespace {

// A Penn-Treebank-like text: lower-case words, <unk>, N for numbers, one sentence a line.
std::string ptb_like(int sentences, uint64_t seed) {
  const std::vector<std::string> words = {"the", "company", "said", "it", "expects", "<unk>", "N", "shares",
                                          "of", "mr.", "u.s.", "'s", "a", "year", "million", "$"};
  Rng rng(seed);
  std::string s;
  for (int i = 0; i < sentences; ++i) {
    s += ' ';  // PTB lines start with a space
    for (int k = 0, n = 4 + (int)rng.below(10); k < n; ++k) s += words[rng.below((uint32_t)words.size())] + " ";
    s += "\n";
  }
  return s;
}

LoadedModel load(const std::string& bytes) { return LoadedModel(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()); }

}  // namespace

TEST(BenchmarkText, WhitespaceTokensAreExactlyTheStringsAndNewlineIsEos) {
  const RunConfig c = parse_run_config(json::parse(R"({"tokenizer": "whitespace"})"));
  EXPECT_FALSE(c.tokenizer.lowercase) << "pre-tokenized text keeps its case";
  EXPECT_EQ(c.tokenizer.eos, "<eos>");
  const std::string text = " Mr. Smith said U.S. N <unk> 's $\n\nit ended .\n";
  const Tokenizer tok = Tokenizer::build(text, c.tokenizer);
  const std::vector<std::string> want = {"Mr.", "Smith", "said", "U.S.", "N", "<unk>", "'s", "$", "<eos>", "<eos>",
                                         "it", "ended", ".", "<eos>"};
  EXPECT_EQ(tok.split(text), want);
  // <unk> written in the corpus is the vocabulary's <unk>: unknown words of a test text map to it.
  EXPECT_GE(tok.unk, 0);
  EXPECT_EQ(tok.encode("zebra")[0], tok.unk);
  // Decoding writes a newline for <eos> and one space between tokens.
  EXPECT_EQ(tok.decode(tok.encode(text)), "Mr. Smith said U.S. N <unk> 's $\n\nit ended .\n");
  // Files keep the setting; a tokenizer without it (older files, tagging) has none.
  const json j = tok.to_json();
  EXPECT_EQ(j["eos"], "<eos>");
  EXPECT_EQ(Tokenizer::from_json(j).split(text), want);
  json old = j;
  old.erase("eos");
  EXPECT_EQ(Tokenizer::from_json(old).split("a\nb"), (std::vector<std::string>{"a", "b"}));
  json bad = j;
  bad["eos"] = "a b";
  EXPECT_EQ(test::error_of([&] { Tokenizer::from_json(bad); }), "tokenizer eos \"a b\" contains whitespace");
  // lowercase still works when asked for; tagging keeps newline-free tokens and no <eos>.
  EXPECT_TRUE(parse_run_config(json::parse(R"({"tokenizer": "whitespace", "lowercase": true})")).tokenizer.lowercase);
  EXPECT_EQ(parse_run_config(json::parse(R"({"task": "tag"})")).tokenizer.eos, "");
  EXPECT_EQ(parse_run_config(json::parse(R"({"tokenizer": "word"})")).tokenizer.eos, "");
}

// evaluate_text against the definition: each row from a zero state, one token at a time.
TEST(BenchmarkText, EvaluateTextScoresEveryTokenOnceAsOneTokenAtATime) {
  const RunConfig cfg = parse_run_config(
      json::parse(R"({"tokenizer": "whitespace", "layers": 2, "hidden": 12, "embedding": 6, "seqLength": 7, "batchSize": 3})"));
  Session run(ptb_like(60, 1), cfg);
  for (int i = 0; i < 10; ++i) run.step();
  auto& lm = dynamic_cast<LanguageModel&>(run.model());
  for (int sentences : {1, 3, 25}) {  // one row; rows of different lengths; all batchSize rows
    const std::vector<int32_t> ids = run.tokenizer.encode(ptb_like(sentences, 7 + sentences));
    const EvalResult e = evaluate_text(lm, ids, 3, 7);
    const int64_t P = (int64_t)ids.size() - 1;
    ASSERT_EQ(e.tokens, P);
    const int R = (int)std::clamp<int64_t>(P / 7, 1, 3);
    double total = 0;
    std::vector<float> logits(lm.vocab_size());
    for (int r = 0; r < R; ++r) {
      ModelState state = lm.start_state(1);
      for (int64_t p = P * r / R; p < P * (r + 1) / R; ++p) {
        lm.step(1, &ids[(size_t)p], state, logits.data());
        double mx = logits[0], z = 0;
        for (float x : logits) mx = std::max(mx, (double)x);
        for (float x : logits) z += std::exp((double)x - mx);
        total -= (double)logits[(size_t)ids[(size_t)p + 1]] - mx - std::log(z);
      }
    }
    EXPECT_NEAR(e.loss, total / (double)P, 2e-6 * std::abs(e.loss)) << sentences << " sentences";
    EXPECT_NEAR(e.perplexity, std::exp(e.loss), 1e-9 * e.perplexity);
    EXPECT_NEAR(e.bits_per_token, e.loss / std::log(2.0), 1e-12);
  }
  EXPECT_EQ(test::error_of([&] { evaluate_text(lm, {1}, 3, 7); }),
            "the text is too short to score: it has 1 token(s) the model knows, need at least 2");
}

TEST(BenchmarkText, AGivenValidationTextReplacesTheFractionAndScoresAsEval) {
  const std::string train = ptb_like(200, 2), valid = ptb_like(20, 3) + " zebra quagga the\n";
  TrainingData data{train, nullptr, valid};
  const RunConfig cfg = parse_run_config(
      json::parse(R"({"tokenizer": "whitespace", "layers": 1, "hidden": 16, "embedding": 8, "seqLength": 10, "batchSize": 4})"));
  Session run(data, cfg);
  const json info = run.info();
  UnknownReport unknown;
  const std::vector<int32_t> val_ids = run.tokenizer.encode(valid, &unknown);
  EXPECT_EQ(info["trainTokens"], info["tokens"]) << "nothing is split off the training text";
  EXPECT_EQ(info["validationTokens"].get<int64_t>(), (int64_t)val_ids.size());
  EXPECT_EQ(info["validationUnknownTokens"], 2) << "zebra and quagga";
  EXPECT_EQ(unknown.replaced, 2u);
  for (int i = 0; i < 30; ++i) run.step();
  const json e = run.evaluate_json();
  EXPECT_EQ(e["tokens"].get<int64_t>(), (int64_t)val_ids.size() - 1);
  // The model file scores the same text to the same numbers, and says what it did not know.
  LoadedModel m = load(run.save_model());
  TrainingData file;
  file.text = valid;
  const json scored = evaluate_loaded_model(m, file);
  EXPECT_DOUBLE_EQ(scored["loss"].get<double>(), e["loss"].get<double>());
  EXPECT_EQ(scored["tokens"], e["tokens"]);
  EXPECT_EQ(scored["unknownTokens"], 2);
  EXPECT_EQ(scored["skippedTokens"], 0);
  EXPECT_EQ(scored["unknownExamples"], json::array({"zebra", "quagga"}));
  // A checkpoint resumes with the same validation text; a validation text must be text.
  const std::string ck = run.save_checkpoint();
  Session again(data, reinterpret_cast<const uint8_t*>(ck.data()), ck.size());
  EXPECT_DOUBLE_EQ(again.evaluate_json()["loss"].get<double>(), e["loss"].get<double>());
  TrainingData wrong{train, nullptr, json::array({1, 2})};
  EXPECT_EQ(test::error_of([&] { Session s(wrong, cfg); }), "option 'validationText' must be a text (a string or Uint8Array)");
  TrainingData tiny{train, nullptr, "zebra"};
  EXPECT_EQ(test::error_of([&] { Session s(tiny, cfg); }),
            "validationText is too short: it has 1 token(s) the vocabulary knows, need at least 2");
}
