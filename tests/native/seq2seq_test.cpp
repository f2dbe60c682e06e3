// The encoder–decoder learns, on data made here: reversing strings (attention must beat no
// attention at length 12) and, with beam search, the n best targets come out ranked.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "decode/translate.h"
#include "models/seq2seq.h"
#include "test_util.h"
#include "train/example_source.h"
#include "train/trainer.h"

using namespace rnn;

namespace {

constexpr int32_t kStart = 10, kEnd = 11;  // target vocabulary: the 10 letters, start, end

// Random strings over a 10-letter alphabet, lengths in [lo, hi]; the target is the string reversed.
SequenceExamples reversal(int n, int lo, int hi, uint64_t seed) {
  Rng rng(seed);
  SequenceExamples ex;
  for (int i = 0; i < n; ++i) {
    std::vector<int32_t> s(lo + (int)rng.below(hi - lo + 1));
    for (auto& c : s) c = (int32_t)rng.below(10);
    std::vector<int32_t> rev(s.rbegin(), s.rend()), in = {kStart}, out = rev;
    in.insert(in.end(), rev.begin(), rev.end());
    out.push_back(kEnd);
    ex.add_pair(s, in, out);
  }
  return ex;
}

ModelConfig reversal_model(bool attention) {
  ModelConfig cfg;
  cfg.kind = ModelKind::Seq2Seq;
  cfg.vocab_size = 10;
  cfg.target_vocab_size = 12;
  cfg.embedding_size = 16;
  cfg.hidden_size = 64;
  cfg.layers = 1;
  cfg.bidirectional = true;
  cfg.attention = attention;
  cfg.seed = 2;
  return cfg;
}

double exact_match(Seq2Seq& m, const SequenceExamples& ex, int beam = 1) {
  int right = 0;
  TranslateOptions o;
  o.beam = beam;
  for (int64_t i = 0; i < ex.size(); ++i) {
    const std::vector<int32_t> src(ex.tokens.begin() + ex.offsets[i], ex.tokens.begin() + ex.offsets[i + 1]);
    const std::vector<int32_t> want(src.rbegin(), src.rend());
    right += translate(m, src, kStart, kEnd, o)[0].tokens == want;
  }
  return (double)right / ex.size();
}

// Trains until exact match on `held_out` reaches `target` (checked every 100 steps) or max_steps.
double train(Seq2Seq& m, const SequenceExamples& train_set, const SequenceExamples& held_out, double target,
             int max_steps, int* steps) {
  TrainingConfig tc;
  tc.batch_size = 32;
  tc.optimizer.learning_rate = 0.005f;
  tc.clip.norm = 5;
  ExampleBatchSource source(train_set, tc.batch_size, true, 1);
  Trainer trainer(tc, m, source);
  double accuracy = 0;
  for (*steps = 1; *steps <= max_steps; ++*steps) {
    trainer.train_step();
    if (*steps % 200 == 0 && (accuracy = exact_match(m, held_out)) >= target) break;
  }
  return accuracy;
}

}  // namespace

TEST(Seq2Seq, LearnsToReverseStringsAndAttentionBeatsNone) {
  test::ThreadCount one(1);  // small products: a second thread would only spin
  const SequenceExamples train_set = reversal(4000, 3, 12, 1), held_out = reversal(100, 3, 12, 2);
  const SequenceExamples long_ones = reversal(100, 12, 12, 3);
  const auto t0 = std::chrono::steady_clock::now();
  Seq2Seq with(reversal_model(true));
  int steps = 0;
  const double accuracy = train(with, train_set, held_out, 0.98, 3000, &steps);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  Seq2Seq without(reversal_model(false));
  int steps_without = 0;
  train(without, train_set, held_out, 2.0, steps, &steps_without);  // the same number of steps
  const double long_with = exact_match(with, long_ones), long_without = exact_match(without, long_ones);
  std::cout << "[seq2seq] reversal: exact match " << accuracy << " after " << steps << " steps (" << secs
            << " s); at length 12: attention " << long_with << ", none " << long_without << "\n";
  EXPECT_GE(accuracy, 0.98);
  EXPECT_GT(long_with, long_without);
  // Beam search returns the n best, ranked, the best being the greedy answer here.
  TranslateOptions o;
  o.beam = 4;
  o.n_best = 3;
  const std::vector<int32_t> src = {1, 2, 3, 4, 5};
  const auto best = translate(with, src, kStart, kEnd, o);
  ASSERT_EQ(best.size(), 3u);
  EXPECT_EQ(best[0].tokens, (std::vector<int32_t>{5, 4, 3, 2, 1}));
  EXPECT_GE(best[0].score, best[1].score);
  EXPECT_GE(best[1].score, best[2].score);
  EXPECT_EQ(best[0].attention.size(), (best[0].tokens.size() + 1) * src.size());
}

namespace {
uint64_t fnv1a(const std::vector<float>& v) {
  uint64_t h = 1469598103934665603ULL;
  const unsigned char* p = reinterpret_cast<const unsigned char*>(v.data());
  for (size_t i = 0; i < v.size() * sizeof(float); ++i) h = (h ^ p[i]) * 1099511628211ULL;
  return h;
}
// A few training steps with dropout (so the RNG stream matters) for the pins below.
std::pair<std::vector<double>, uint64_t> pinned_run(CellType cell, bool bi, bool attention) {
  ModelConfig cfg = reversal_model(attention);
  cfg.cell = cell;
  cfg.bidirectional = bi;
  cfg.layers = 2;
  cfg.hidden_size = 12;
  cfg.embedding_size = 6;
  cfg.dropout = 0.2f;
  Seq2Seq m(cfg);
  const SequenceExamples data = reversal(64, 3, 9, 5);
  TrainingConfig tc;
  tc.batch_size = 8;
  tc.optimizer.learning_rate = 0.01f;
  ExampleBatchSource source(data, tc.batch_size, true, 3);
  Trainer trainer(tc, m, source);
  std::vector<double> losses;
  for (int i = 0; i < 6; ++i) losses.push_back(trainer.train_step().loss);
  return {losses, fnv1a(m.params.value)};
}
}  // namespace

TEST(Seq2Seq, PrintPins) {
  test::ThreadCount one(1);
  for (CellType cell : {CellType::Lstm, CellType::Gru})
    for (bool bi : {false, true})
      for (bool att : {false, true}) {
        auto [losses, hash] = pinned_run(cell, bi, att);
        std::printf("{\"%s\", %d, %d, {", cell_name(cell), bi, att);
        for (double l : losses) std::printf("%.17g, ", l);
        std::printf("}, 0x%016llxULL},\n", (unsigned long long)hash);
      }
}
