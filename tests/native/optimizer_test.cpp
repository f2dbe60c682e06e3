// Optimizers, clipping and schedules against numbers computed by hand (PyTorch's formulas,
// worked through step by step in double precision outside this code).
#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "common.h"
#include "train/clip.h"
#include "train/optimizer.h"
#include "train/schedule.h"

using namespace rnn;

namespace {
const std::vector<std::vector<float>> kGrads = {{0.5f, 0.1f}, {-0.25f, 0.3f}, {1.0f, -0.2f}};

std::vector<std::vector<float>> run(OptimizerConfig c) {
  std::vector<float> p = {1.0f, -2.0f};
  OptimizerState st;
  std::vector<std::vector<float>> out;
  for (const auto& g : kGrads) {
    optimizer_step(c, c.learning_rate, p.data(), g.data(), 2, st);
    out.push_back(p);
  }
  return out;
}

void expect_trajectory(const std::vector<std::vector<float>>& got, const std::vector<std::vector<double>>& want) {
  for (size_t t = 0; t < want.size(); ++t)
    for (size_t i = 0; i < 2; ++i) EXPECT_NEAR(got[t][i], want[t][i], 2e-6) << "step " << t + 1 << " param " << i;
}
}  // namespace

TEST(Optimizer, AdamWithBiasCorrection) {
  OptimizerConfig c;
  c.type = OptimizerType::Adam;
  c.learning_rate = 0.1f;
  // m₁ = 0.05, v₁ = 0.00025 → m̂ = 0.5, v̂ = 0.25 → p = 1 − 0.1·0.5/0.5 = 0.9, and so on.
  expect_trajectory(run(c), {{0.900000002, -2.099999990}, {0.873366299, -2.191778098}, {0.807555140, -2.217568477}});
}

TEST(Optimizer, RmsProp) {
  OptimizerConfig c;
  c.type = OptimizerType::RmsProp;
  c.learning_rate = 0.01f;
  // v₁ = 0.01·0.25 = 0.0025 → p = 1 − 0.01·0.5/0.05 = 0.9; v₂ = 0.99·0.0025 + 0.01·0.0625 = 0.0031 …
  expect_trajectory(run(c), {{0.900000020, -2.099999900}, {0.944901337, -2.194915670}, {0.857427378, -2.141252392}});
}

TEST(Optimizer, SgdMomentum) {
  OptimizerConfig c;
  c.type = OptimizerType::Sgd;
  c.learning_rate = 0.1f;
  c.momentum = 0.9f;
  // b₁ = g₁ = 0.5 → p = 0.95; b₂ = 0.45 − 0.25 = 0.2 → 0.93; b₃ = 0.18 + 1 = 1.18 → 0.812.
  expect_trajectory(run(c), {{0.95, -2.01}, {0.93, -2.049}, {0.812, -2.0641}});
}

TEST(Optimizer, PlainSgdAndWeightDecay) {
  OptimizerConfig c;
  c.type = OptimizerType::Sgd;
  c.learning_rate = 0.5f;
  c.weight_decay = 0.1f;
  std::vector<float> p = {2.0f};
  float g = 1.0f;
  OptimizerState st;
  optimizer_step(c, c.learning_rate, p.data(), &g, 1, st);
  EXPECT_FLOAT_EQ(p[0], 2.0f - 0.5f * (1.0f + 0.1f * 2.0f));  // 1.4
}

TEST(Clip, ByValue) {
  std::vector<float> g = {-3.0f, 0.5f, 2.0f, -0.25f};
  clip_by_value(g.data(), g.size(), 1.0f);
  EXPECT_EQ(g, (std::vector<float>{-1.0f, 0.5f, 1.0f, -0.25f}));
}

TEST(Clip, ByGlobalNorm) {
  std::vector<float> g = {3.0f, 4.0f};  // ‖g‖ = 5
  EXPECT_DOUBLE_EQ(clip_by_global_norm(g.data(), 2, 1.0f), 5.0);
  EXPECT_NEAR(g[0], 0.6f, 1e-6);
  EXPECT_NEAR(g[1], 0.8f, 1e-6);
  std::vector<float> small = {0.3f, 0.4f};  // ‖g‖ = 0.5 < 1: untouched
  EXPECT_NEAR(clip_by_global_norm(small.data(), 2, 1.0f), 0.5, 1e-7);
  EXPECT_EQ(small, (std::vector<float>{0.3f, 0.4f}));
}

TEST(Schedule, ConstantStepCosineWarmup) {
  ScheduleConfig s;
  EXPECT_FLOAT_EQ(learning_rate_at(s, 0.1f, 12345), 0.1f);
  s.type = ScheduleType::Step;
  s.step_size = 10;
  s.gamma = 0.5f;
  EXPECT_FLOAT_EQ(learning_rate_at(s, 0.1f, 9), 0.1f);
  EXPECT_FLOAT_EQ(learning_rate_at(s, 0.1f, 10), 0.05f);
  EXPECT_FLOAT_EQ(learning_rate_at(s, 0.1f, 25), 0.025f);
  s.type = ScheduleType::Cosine;
  s.total_steps = 100;
  s.min_lr = 0.0f;
  EXPECT_FLOAT_EQ(learning_rate_at(s, 0.1f, 0), 0.1f);
  EXPECT_NEAR(learning_rate_at(s, 0.1f, 50), 0.05f, 1e-8);
  EXPECT_NEAR(learning_rate_at(s, 0.1f, 100), 0.0f, 1e-8);
  EXPECT_NEAR(learning_rate_at(s, 0.1f, 500), 0.0f, 1e-8);
  s.type = ScheduleType::Constant;
  s.warmup = 4;
  EXPECT_FLOAT_EQ(learning_rate_at(s, 0.1f, 0), 0.025f);
  EXPECT_FLOAT_EQ(learning_rate_at(s, 0.1f, 3), 0.1f);
}

TEST(Optimizer, RejectsBadSettingsNamingTheField) {
  auto msg = [](auto mutate) {
    OptimizerConfig c;
    mutate(c);
    try {
      c.validate();
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(msg([](OptimizerConfig& c) { c.learning_rate = -1; }).find("learning_rate"), std::string::npos);
  EXPECT_NE(msg([](OptimizerConfig& c) { c.learning_rate = NAN; }).find("learning_rate"), std::string::npos);
  EXPECT_NE(msg([](OptimizerConfig& c) { c.learning_rate = 0; }).find("learning_rate"), std::string::npos);
  EXPECT_NE(msg([](OptimizerConfig& c) { c.momentum = 1.5f; }).find("momentum"), std::string::npos);
  EXPECT_NE(msg([](OptimizerConfig& c) { c.beta2 = INFINITY; }).find("beta2"), std::string::npos);
  EXPECT_THROW(parse_optimizer("adamax"), Error);  // (adamw is one since issue 14)
  ClipConfig cc;
  cc.norm = -1;
  EXPECT_THROW(cc.validate(), Error);
}
