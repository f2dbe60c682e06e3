// size 'auto' (train/auto_size.h): the rule as documented, the options given beside it kept, the
// choice written into the run's files as plain options, and the refusals.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "data_path.h"
#include "io/config.h"
#include "io/model_file.h"
#include "kernels/threads.h"
#include "tasks/session.h"
#include "test_util.h"
#include "train/auto_size.h"

using namespace rnn;
using nlohmann::json;

namespace {

AutoSizeInput chars(int64_t tokens, double seconds, int threads = 2) {
  AutoSizeInput in;
  in.train_tokens = tokens;
  in.vocab = 65;
  in.seconds = seconds;
  in.threads = threads;
  return in;
}

// The rule's own arithmetic, written out again: recurrent weights and the FLOPs of a token's step.
double recurrent(int layers, int H, double E, int gates = 4) {
  double w = 0;
  for (int l = 0; l < layers; ++l) w += gates * (double)H * ((l ? H : E) + H + 2);
  return w;
}
double tokens_in(const AutoSizeInput& in, int layers, int H) {
  const double E = in.words ? H : 64;
  return in.seconds * kFlopsPerThread * in.threads / (6 * (recurrent(layers, H, E, in.gates) + in.vocab * (H + 1.0)));
}

const std::string& corpus() {
  static const std::string text = test::brown_prose(60000);
  return text;
}

}  // namespace

// The chosen width is the widest whose tokens reach kTokensPerWeight per recurrent weight; the next
// width tried does not (or exceeds the corpus' cap).
TEST(AutoSize, ChoosesTheWidestBalancedWidth) {
  for (double seconds : {60.0, 600.0, 1200.0, 3600.0}) {
    const AutoSizeInput in = chars(1'000'000, seconds);
    const AutoSizeChoice c = choose_auto_size(in);
    ASSERT_EQ(c.layers, 2);
    const double w = recurrent(2, c.hidden, 64);
    EXPECT_GE(tokens_in(in, 2, c.hidden), kTokensPerWeight * w) << seconds;
    EXPECT_LE(w, kWeightsPerToken * 1e6);
    const int widths[] = {32, 48, 64, 96, 128, 160, 192, 256, 320, 384, 512, 640, 768, 1024};
    const int* at = std::find(std::begin(widths), std::end(widths), c.hidden);
    ASSERT_LT(at + 1, std::end(widths)) << c.hidden;
    const int next = at[1];
    EXPECT_LT(tokens_in(in, 2, next), kTokensPerWeight * recurrent(2, next, 64)) << seconds;
    EXPECT_NEAR(c.tokens, tokens_in(in, 2, c.hidden), 1e-6 * c.tokens);
    EXPECT_NEAR(c.epochs, c.tokens / 1e6, 1e-9 * c.epochs);
  }
  // Tiny Shakespeare's 1.06 M training characters on two threads: the widths the measurements
  // behind the rule found best for these budgets (README).
  EXPECT_EQ(choose_auto_size(chars(1'059'625, 1200)).hidden, 320);
  EXPECT_EQ(choose_auto_size(chars(1'059'625, 450)).hidden, 256);
  EXPECT_EQ(choose_auto_size(chars(1'059'625, 112)).hidden, 160);
}

TEST(AutoSize, MoreTimeOrThreadsNeverShrinksTheModel) {
  int last = 0;
  for (double s = 10; s <= 1e5; s *= 1.5) {
    const int h = choose_auto_size(chars(50'000'000, s)).hidden;
    EXPECT_GE(h, last) << s;
    last = h;
  }
  EXPECT_GT(last, 512);
  // Twice the threads is twice the time.
  EXPECT_EQ(choose_auto_size(chars(1'000'000, 600, 4)).hidden, choose_auto_size(chars(1'000'000, 1200, 2)).hidden);
}

TEST(AutoSize, ASmallTextCapsTheModelAndRaisesDropout) {
  const AutoSizeChoice big = choose_auto_size(chars(1'000'000, 600));
  const AutoSizeChoice small = choose_auto_size(chars(30'000, 1200));
  EXPECT_LT(small.hidden, big.hidden);
  EXPECT_LE(recurrent(small.layers, small.hidden, 64), kWeightsPerToken * 30'000);
  EXPECT_GT(small.dropout, big.dropout);
  EXPECT_EQ(small.dropout, 0.5f);  // the cap
  EXPECT_EQ(small.weight_drop, 0.3f);  // ≥ 30 passes: DropConnect too
  EXPECT_EQ(big.weight_drop, 0.0f);
  // Sequences shrink and batches narrow so an epoch still has ~16 batches.
  const AutoSizeChoice tiny = choose_auto_size(chars(2'000, 600));
  EXPECT_LE((double)tiny.batch_size * tiny.seq_length * 16, 2'000 * 1.0001);
  EXPECT_GE(tiny.batch_size, 1);
}

TEST(AutoSize, NoDropoutWhenTheTextIsSeenOnce) {
  const AutoSizeChoice c = choose_auto_size(chars(2'000'000'000, 600));
  EXPECT_LT(c.epochs, 1);
  EXPECT_EQ(c.dropout, 0.0f);
  EXPECT_EQ(c.embedding_dropout, 0.0f);
  // Dropout grows with the epochs: 0.05·(1 + log2 E) in steps of 0.05.
  const AutoSizeChoice d = choose_auto_size(chars(1'059'625, 1200));
  EXPECT_FLOAT_EQ(d.dropout, (float)(std::round(0.05 * (1 + std::log2(d.epochs)) * 20) / 20));
}

TEST(AutoSize, WordsTieTheEmbeddingAndCountTheOutputLayer) {
  AutoSizeInput in = chars(800'000, 600);
  in.words = true;
  in.vocab = 20'000;
  const AutoSizeChoice w = choose_auto_size(in);
  EXPECT_TRUE(w.tie);
  EXPECT_EQ(w.embedding, w.hidden);
  EXPECT_EQ(w.seq_length, 32);
  // The output layer dominates a word model's compute: a narrower model than characters get.
  EXPECT_LT(w.hidden, choose_auto_size(chars(800'000, 600)).hidden);
  EXPECT_GE(tokens_in(in, w.layers, w.hidden), kTokensPerWeight * recurrent(w.layers, w.hidden, w.hidden));
}

TEST(AutoSize, SessionAppliesTheChoiceAndKeepsGivenOptions) {
  json o = {{"size", "auto"}, {"budgetSeconds", 30}, {"seed", 3}};
  Session s(corpus(), parse_run_config(o));
  const json info = s.info();
  ASSERT_TRUE(info.contains("autoSize"));
  const json& a = info["autoSize"];
  const ModelConfig& m = s.config.model;
  EXPECT_EQ(m.hidden_size, a["hidden"].get<int>());
  EXPECT_EQ(m.layers, a["layers"].get<int>());
  EXPECT_EQ(s.config.training.seq_length, a["seqLength"].get<int>());
  EXPECT_EQ(s.config.training.batch_size, a["batchSize"].get<int>());
  EXPECT_EQ(a["threads"].get<int>(), threads::count());
  EXPECT_EQ(a["trainTokens"].get<int64_t>(), info["trainTokens"].get<int64_t>());
  EXPECT_TRUE(m.locked_dropout);
  EXPECT_EQ(s.config.training.optimizer.type, OptimizerType::AdamW);
  EXPECT_EQ(s.config.training.schedule.type, ScheduleType::Cosine);
  EXPECT_TRUE(s.config.training.schedule.fit_time);
  EXPECT_EQ(s.config.training.schedule.total_steps, a["predictedSteps"].get<int64_t>());
  // Given options win; the rest is still chosen.
  o["hidden"] = 40;
  o["dropout"] = 0;
  o["schedule"] = "constant";
  o["tieWeights"] = true;
  o["tokenizer"] = "word";
  Session g(corpus(), parse_run_config(o));
  EXPECT_EQ(g.config.model.hidden_size, 40);
  EXPECT_EQ(g.config.model.embedding_size, 40);  // tied: as wide as the given hidden
  EXPECT_TRUE(g.config.model.tie_weights);
  EXPECT_EQ(g.config.model.dropout, 0.0f);
  EXPECT_EQ(g.config.training.schedule.type, ScheduleType::Constant);
  EXPECT_EQ(g.config.training.seq_length, g.info()["autoSize"]["seqLength"].get<int>());
}

TEST(AutoSize, FilesHoldTheChosenOptionsAndResumeExactly) {
  Session s(corpus(), parse_run_config(json{{"size", "auto"}, {"budgetSeconds", 20}}));
  for (int i = 0; i < 3; ++i) s.step();
  const std::string ckpt = s.save_checkpoint();
  const ModelFile f = load_model_file(reinterpret_cast<const uint8_t*>(ckpt.data()), ckpt.size());
  const json cfg = run_config_to_json(f.config);
  EXPECT_FALSE(cfg.contains("size"));
  EXPECT_EQ(cfg["hidden"].get<int>(), s.config.model.hidden_size);
  Session r(corpus(), reinterpret_cast<const uint8_t*>(ckpt.data()), ckpt.size());
  const StepResult a = s.step(), b = r.step();
  EXPECT_EQ(a.loss, b.loss);
  EXPECT_TRUE(test::same_bits(s.model().params.value, r.model().params.value));
  // resolve_auto_size() (chooseSize) picks what the session picked.
  const json chosen = resolve_auto_size(corpus(), parse_run_config(json{{"size", "auto"}, {"budgetSeconds", 20}}));
  EXPECT_EQ(chosen["options"]["hidden"].get<int>(), s.config.model.hidden_size);
  EXPECT_EQ(chosen["options"]["dropout"], cfg["dropout"]);
  EXPECT_EQ(chosen["autoSize"], s.info()["autoSize"]);
}

TEST(AutoSize, RefusesWhatItCannotSize) {
  auto err = [](const json& o) { return test::error_of([&] { parse_run_config(o); }); };
  EXPECT_NE(err({{"size", "big"}}).find("option 'size' must be 'auto'"), std::string::npos);
  EXPECT_NE(err({{"size", 3}}).find("option 'size' must be 'auto'"), std::string::npos);
  EXPECT_NE(err({{"budgetSeconds", 60}}).find("give size: 'auto'"), std::string::npos);
  EXPECT_NE(err({{"size", "auto"}, {"budgetSeconds", 0}}).find("budgetSeconds"), std::string::npos);
  EXPECT_NE(err({{"size", "auto"}, {"budgetSeconds", -5}}).find("budgetSeconds"), std::string::npos);
  EXPECT_NE(err({{"size", "auto"}, {"task", "classify"}}).find("is for task 'lm'"), std::string::npos);
  // Both sizes given and untied-able: the usual message at once.
  EXPECT_NE(err({{"size", "auto"}, {"hidden", 32}, {"embedding", 16}, {"tieWeights", true}}).find("tieWeights"),
            std::string::npos);
  // An absurd budget still yields a model that validates (capped by the widths tried).
  Session s(corpus(), parse_run_config(json{{"size", "auto"}, {"budgetSeconds", 1e7}}));
  EXPECT_LE(s.config.model.hidden_size, 1024);
}
