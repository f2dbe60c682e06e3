// The divergence guard (train/trainer.h): a blow-up never reaches the weights; the run goes back to
// its last good state with a lower learning rate, and resumes bit for bit.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <map>

#include "data_path.h"
#include "io/config.h"
#include "tasks/session.h"
#include "test_util.h"

using namespace rnn;
using nlohmann::json;

namespace {
const std::string& corpus() {
  static const std::string text = test::brown_prose(40000);
  return text;
}

json tiny_lm() {
  return json{{"tokenizer", "char"}, {"cell", "lstm"}, {"layers", 1}, {"hidden", 24}, {"embedding", 16},
              {"seqLength", 16}, {"batchSize", 8}, {"learningRate", 0.01}, {"validationFraction", 0.1}, {"seed", 5}};
}

using test::same_bits;

// Poisons the gradient of the step with this number with a NaN, once (after the rollback the same
// step number comes again, and passes).
void poison(Trainer& t, int64_t at) {
  t.test_after_backward = [at, done = false](int64_t step, double&, float* g, size_t n) mutable {
    if (step != at || done) return;
    g[n / 2] = std::numeric_limits<float>::quiet_NaN();
    done = true;
  };
}
}  // namespace

TEST(Guard, AbsurdLearningRateRecoversWithFiniteFallingLoss) {
  json o = tiny_lm();
  o["learningRate"] = 1000.0;  // Adam moves every weight by about 1000 on the first update
  Session s(corpus(), parse_run_config(o));
  const double first = s.step().loss;
  std::vector<double> accepted;
  int events = 0;
  for (int i = 0; i < 400; ++i) {
    const StepResult r = s.step();
    if (!r.guard.empty()) {
      ++events;
      continue;
    }
    ASSERT_TRUE(std::isfinite(r.loss));
    accepted.push_back(r.loss);
  }
  EXPECT_GT(events, 5) << "a learning rate of 1000 must trip the guard again and again";
  EXPECT_EQ(s.trainer().progress.guard_events, events);
  EXPECT_LT(s.trainer().progress.lr_scale, 1e-3);
  ASSERT_GT(accepted.size(), 100u);
  auto mean = [&](size_t from, size_t to) {
    double m = 0;
    for (size_t i = from; i < to; ++i) m += accepted[i];
    return m / (double)(to - from);
  };
  const double tail = mean(accepted.size() - 30, accepted.size());
  EXPECT_LT(tail, first - 0.3) << "the loss after recovery (" << tail << ") must fall below the first step's (" << first << ")";
  EXPECT_LT(tail, mean(0, 30)) << "and keep falling";
  for (float w : s.model().params.value) ASSERT_TRUE(std::isfinite(w));
}

TEST(Guard, InjectedNaNIsUndoneAndTheRunGoesBackToItsLastGoodState) {
  Session s(corpus(), parse_run_config(tiny_lm()));
  Trainer& t = s.trainer();
  std::map<int64_t, std::vector<float>> weights_at;  // by updates done
  std::map<int64_t, std::vector<float>> moments_at;
  poison(t, 37);
  for (int i = 0; i < 36; ++i) {
    weights_at[t.updates] = s.model().params.value;
    moments_at[t.updates] = t.optimizer.m;
    const StepResult r = s.step();
    ASSERT_TRUE(r.guard.empty()) << r.guard;
  }
  const float lr_before = t.learning_rate();
  const int64_t position_at_25 = 25 % t.source.batches_per_epoch();
  const StepResult r = s.step();  // step 37: NaN gradient
  ASSERT_FALSE(r.guard.empty());
  EXPECT_NE(r.guard.find("gradient norm is not finite at step 37"), std::string::npos) << r.guard;
  EXPECT_EQ(r.guard_events, 1);
  // The last good state was kept after 25 accepted steps (kGuardEvery): weights, moments, data position.
  ASSERT_EQ(kGuardEvery, 25);
  EXPECT_EQ(r.step, 25);
  EXPECT_EQ(t.updates, 25);
  EXPECT_TRUE(same_bits(s.model().params.value, weights_at[25]));
  EXPECT_TRUE(same_bits(t.optimizer.m, moments_at[25]));
  EXPECT_EQ(t.optimizer.step, 25);
  EXPECT_EQ(t.source.position, position_at_25);
  EXPECT_FLOAT_EQ(t.learning_rate(), 0.5f * lr_before);
  // Training goes on from there, finite.
  for (int i = 0; i < 20; ++i) {
    const StepResult q = s.step();
    EXPECT_TRUE(q.guard.empty());
    EXPECT_TRUE(std::isfinite(q.loss));
  }
  EXPECT_EQ(t.updates, 45);
}

TEST(Guard, AStepFarAboveTheMedianIsAnEvent) {
  Session s(corpus(), parse_run_config(tiny_lm()));
  Trainer& t = s.trainer();
  for (int i = 0; i < 10; ++i) s.step();
  // The rule: loss > M + max(M, 1) for M the median of the accepted losses; just under it passes.
  t.test_after_backward = [](int64_t, double& loss, float*, size_t) { loss = 1e3; };
  const StepResult r = s.step();
  EXPECT_NE(r.guard.find("is far above the running median"), std::string::npos) << r.guard;
  t.test_after_backward = nullptr;
  EXPECT_TRUE(s.step().guard.empty());
}

TEST(Guard, OffAStepThatBlowsUpThrowsAndChangesNothing) {
  json o = tiny_lm();
  o["guard"] = false;
  Session s(corpus(), parse_run_config(o));
  for (int i = 0; i < 5; ++i) s.step();
  const std::vector<float> before = s.model().params.value;
  poison(s.trainer(), 6);
  try {
    s.step();
    FAIL() << "a NaN gradient without the guard must throw";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("gradient norm is not finite at step 6"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(same_bits(before, s.model().params.value));
  EXPECT_EQ(s.trainer().updates, 5);
  EXPECT_EQ(s.trainer().progress.guard_events, 0);
}

// Bit-exact resume across guard events: saved after an event (its count and factor are carried), and
// saved before one (the save is the rollback point in both runs).
TEST(Guard, ResumeAroundAnEventIsBitExact) {
  for (const int64_t event : {12, 47}) {
    SCOPED_TRACE("event at step " + std::to_string(event));
    json o = tiny_lm();
    o["dropout"] = 0.0;
    o["task"] = "lm";
    Session straight(corpus(), parse_run_config(o));
    poison(straight.trainer(), event);
    for (int i = 0; i < 30; ++i) straight.step();
    const std::string ckpt = straight.save_checkpoint();
    std::vector<double> losses;
    for (int i = 0; i < 40; ++i) losses.push_back(straight.step().loss);

    Session resumed(corpus(), reinterpret_cast<const uint8_t*>(ckpt.data()), ckpt.size());
    if (event > 30) poison(resumed.trainer(), event);  // the earlier one happened before the save
    EXPECT_EQ(resumed.trainer().progress.guard_events, event > 30 ? 0 : 1);
    for (int i = 0; i < 40; ++i) ASSERT_EQ(resumed.step().loss, losses[(size_t)i]) << "step " << i;
    EXPECT_TRUE(same_bits(straight.model().params.value, resumed.model().params.value));
    EXPECT_EQ(straight.trainer().progress.guard_events, 1);
    EXPECT_EQ(resumed.trainer().progress.guard_events, 1);
    EXPECT_EQ(straight.trainer().progress.lr_scale, resumed.trainer().progress.lr_scale);
  }
}

TEST(Guard, OptionsRoundTripAndRefuseNonsense) {
  const json d = run_config_to_json(parse_run_config(json::object()));
  EXPECT_FALSE(d.contains("guard")) << "the default guard stays out of files (they keep their bytes)";
  EXPECT_EQ(run_config_to_json(parse_run_config(json{{"guard", false}}))["guard"], false);
  EXPECT_EQ(run_config_to_json(parse_run_config(json{{"guard", {{"factor", 0.25}}}}))["guard"]["factor"], 0.25);
  EXPECT_FALSE(parse_run_config(json{{"guard", false}}).training.guard.enabled);
  for (const json& bad : {json{{"guard", {{"factor", 1}}}}, json{{"guard", {{"factor", 0}}}}, json{{"guard", "yes"}},
                          json{{"guard", {{"factr", 0.5}}}}}) {
    EXPECT_THROW(parse_run_config(bad), Error) << bad.dump();
  }
  try {
    parse_run_config(json{{"guard", {{"factor", 1}}}});
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("guard.factor"), std::string::npos) << e.what();
  }
}
