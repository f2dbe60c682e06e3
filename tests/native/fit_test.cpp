// Issue 14's building blocks: locked dropout, weight tying, AdamW, keep-best and the schedule that
// fits a time budget, and their exact resume. (The gradient checks of the new maths are in
// gradcheck_test.cpp: ModelTied*, ModelLockedDropout.)
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <map>

#include "data_path.h"
#include "io/model_file.h"
#include "io/safetensors.h"
#include "nn/dropout.h"
#include "tasks/session.h"
#include "test_util.h"

using namespace rnn;
using nlohmann::json;

namespace {
const std::string& corpus() {
  static const std::string text = test::brown_prose(60000);
  return text;
}

using test::same_bits;

json small_lm() {
  return json{{"tokenizer", "char"}, {"cell", "lstm"}, {"layers", 2}, {"hidden", 16}, {"embedding", 16},
              {"seqLength", 12}, {"batchSize", 4}, {"learningRate", 0.01}, {"validationFraction", 0.1}, {"seed", 7}};
}
}  // namespace

TEST(LockedDropout, OneMaskForEveryStep) {
  const int T = 6;
  const size_t row = 3 * 50;  // batch 3 × 50 units
  std::vector<float> x((size_t)T * row);
  Rng data(1);
  for (auto& v : x) v = (float)data.uniform(0.5, 1.5);  // never zero: a zero output means dropped
  Dropout d;
  d.p = 0.4f;
  d.locked = true;
  Rng rng(3);
  const float* y = d.forward(T, row, x.data(), &rng);
  ASSERT_EQ(d.mask.size(), row);
  size_t dropped = 0;
  for (size_t i = 0; i < row; ++i) {
    const bool off = y[i] == 0.0f;
    dropped += off;
    for (int t = 1; t < T; ++t) {
      const size_t k = (size_t)t * row + i;
      EXPECT_EQ(y[k] == 0.0f, off) << "unit " << i << " step " << t;
      EXPECT_EQ(y[k], x[k] * d.mask[i]);
    }
  }
  EXPECT_GT(dropped, row / 5);  // p = 0.4 of 150 units
  EXPECT_LT(dropped, row * 3 / 5);
  // Plain dropout on the same input does change its mask from step to step.
  Dropout plain;
  plain.p = 0.4f;
  Rng rng2(3);
  const float* z = plain.forward(T, row, x.data(), &rng2);
  size_t changed = 0;
  for (size_t i = 0; i < row; ++i) changed += (z[i] == 0.0f) != (z[row + i] == 0.0f);
  EXPECT_GT(changed, 0u);
  // Backward multiplies by the same mask at every step; evaluation draws nothing.
  std::vector<float> g((size_t)T * row, 1.0f);
  d.backward(T, row, g.data());
  for (int t = 0; t < T; ++t)
    for (size_t i = 0; i < row; ++i) EXPECT_EQ(g[(size_t)t * row + i], d.mask[i]);
  EXPECT_EQ(d.forward(T, row, x.data(), nullptr), x.data());
  EXPECT_FALSE(d.active);
}

TEST(LockedDropout, StackMasksAreConstantOverTime) {
  // One row (B = 1): ∂L/∂weight_ih_l1[:, j] = Σₜ dgatesₜ·x̃ₜ[j], where x̃ is level 0's output after
  // dropout. A unit dropped at every step leaves its column exactly zero: with locked masks about
  // half the columns; with a fresh mask per step only those dropped at all T = 6 steps (~1/64).
  auto zero_columns = [](bool locked) {
    ModelConfig cfg;
    cfg.vocab_size = 5;
    cfg.embedding_size = 3;
    cfg.hidden_size = 64;
    cfg.layers = 2;
    cfg.dropout = 0.5f;
    cfg.locked_dropout = locked;
    LanguageModel m(cfg);
    const int B = 1, T = 6;
    std::vector<int32_t> in = {1, 2, 3, 4, 0, 1}, tg = {2, 3, 4, 0, 1, 2};
    Batch b;
    b.B = B;
    b.T = T;
    b.inputs = in.data();
    b.targets = tg.data();
    Rng rng(9);
    m.params.zero_grad();
    m.train_batch(b, rng);
    const TensorInfo* w = m.params.find("rnn.weight_ih_l1");
    const int H = cfg.hidden_size, rows = 4 * H;
    int zero = 0;
    for (int j = 0; j < H; ++j) {
      bool all = true;
      for (int r = 0; r < rows; ++r) all = all && m.params.grad[w->offset + (size_t)r * H + j] == 0.0f;
      zero += all;
    }
    return zero;
  };
  const int locked = zero_columns(true), plain = zero_columns(false);
  EXPECT_GT(locked, 16) << "about half of 64 units dropped for the whole sequence";
  EXPECT_LT(locked, 48);
  EXPECT_LT(plain, 8);
}

// DropConnect (weightDrop): in a step, the recurrent weights a mask dropped get no gradient (about
// p of them, one mask for all steps of the batch); evaluation uses the weights as they are.
TEST(WeightDrop, DroppedWeightsGetNoGradientAndEvaluationUsesAll) {
  ModelConfig cfg;
  cfg.vocab_size = 5;
  cfg.embedding_size = 3;
  cfg.hidden_size = 32;
  cfg.layers = 1;
  cfg.weight_drop = 0.3f;
  LanguageModel m(cfg);
  std::vector<int32_t> in = {1, 2, 3, 4, 0, 1, 2, 3}, tg = {2, 3, 4, 0, 1, 2, 3, 4};
  Batch b;
  b.B = 2;
  b.T = 4;
  b.inputs = in.data();
  b.targets = tg.data();
  Rng rng(9);
  m.params.zero_grad();
  m.train_batch(b, rng);
  const TensorInfo* w = m.params.find("rnn.weight_hh_l0");
  size_t zero = 0;
  for (size_t i = 0; i < w->size; ++i) zero += m.params.grad[w->offset + i] == 0.0f;
  EXPECT_NEAR((double)zero / w->size, 0.3, 0.05);  // 4,096 weights
  // Evaluation: no mask, the same loss as the model without weight drop on the same weights.
  ModelConfig plain = cfg;
  plain.weight_drop = 0;
  LanguageModel q(plain);
  q.params.value = m.params.value;
  EXPECT_EQ(m.evaluate_batch(b), q.evaluate_batch(b));
}

TEST(WeightTying, OneTensorInTheModelFileAndTheGradients) {
  json o = small_lm();
  o["tieWeights"] = true;
  o["outputDropout"] = 0.2;
  RunConfig cfg = parse_run_config(o);
  Session s(corpus(), cfg);
  const LanguageModel& lm = s.task->model;
  EXPECT_EQ(s.model().params.find("fc.weight"), nullptr);
  EXPECT_NE(s.model().params.find("fc.bias"), nullptr);
  EXPECT_EQ(lm.output.weight.w, lm.embedding.weight.w);
  EXPECT_EQ(lm.output.weight.g, lm.embedding.weight.g);
  EXPECT_EQ((double)s.model().params.total, parameter_count(s.config.model));
  for (int i = 0; i < 3; ++i) s.step();
  // In the file: one tensor, embedding.weight; loads back as a tied model with the same weights.
  const std::string bytes = s.save_checkpoint();
  safetensors::File f = safetensors::parse(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  EXPECT_EQ(f.find("fc.weight"), nullptr);
  EXPECT_NE(f.find("embedding.weight"), nullptr);
  ModelFile mf = load_model_file(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  EXPECT_TRUE(mf.config.model.tie_weights);
  EXPECT_TRUE(same_bits(mf.model->params.value, s.model().params.value));
  EXPECT_EQ(mf.language_model().output.weight.w, mf.language_model().embedding.weight.w);
  // Refused when the sizes differ, and for other tasks.
  o["embedding"] = 8;
  EXPECT_NE(test::error_of([&] { parse_run_config(o); }).find("tieWeights"), std::string::npos);
}

// The tied gradient is the sum of both uses: an untied model whose fc.weight equals its embedding
// gets embedding.weight.grad + fc.weight.grad = the tied model's one gradient.
TEST(WeightTying, GradientIsTheSumOfBothUses) {
  ModelConfig cfg;
  cfg.vocab_size = 9;
  cfg.embedding_size = cfg.hidden_size = 6;
  cfg.layers = 2;
  cfg.seed = 4;
  ModelConfig tied_cfg = cfg;
  tied_cfg.tie_weights = true;
  LanguageModel untied(cfg), tied(tied_cfg);
  // The same values everywhere: copy the tied model's tensors into the untied one, fc.weight = embedding.
  for (const TensorInfo& t : tied.params.tensors) {
    const TensorInfo* u = untied.params.find(t.name);
    ASSERT_NE(u, nullptr) << t.name;
    std::copy_n(tied.params.value.data() + t.offset, t.size, untied.params.value.data() + u->offset);
  }
  const TensorInfo* fc = untied.params.find("fc.weight");
  const TensorInfo* emb = untied.params.find("embedding.weight");
  std::copy_n(untied.params.value.data() + emb->offset, emb->size, untied.params.value.data() + fc->offset);
  const int B = 3, T = 4;
  Rng data(5);
  std::vector<int32_t> in(B * T), tg(B * T);
  for (auto& v : in) v = (int32_t)data.below(9);
  for (auto& v : tg) v = (int32_t)data.below(9);
  Batch b;
  b.B = B;
  b.T = T;
  b.inputs = in.data();
  b.targets = tg.data();
  Rng r1(1), r2(1);
  untied.params.zero_grad();
  tied.params.zero_grad();
  const double l1 = untied.train_batch(b, r1), l2 = tied.train_batch(b, r2);
  EXPECT_DOUBLE_EQ(l1, l2);
  const TensorInfo* temb = tied.params.find("embedding.weight");
  double worst = 0, largest = 0;
  for (size_t i = 0; i < temb->size; ++i) {
    const double sum = (double)untied.params.grad[emb->offset + i] + untied.params.grad[fc->offset + i];
    worst = std::max(worst, std::abs(sum - tied.params.grad[temb->offset + i]));
    largest = std::max(largest, std::abs(sum));
  }
  EXPECT_GT(largest, 1e-3);
  EXPECT_LT(worst, 1e-6 * std::max(1.0, largest));
}

// AdamW by hand: lr 0.1, λ 0.5, first step. Adam's first update is lr·g/(|g| + ε) ≈ lr·sign(g);
// the decay multiplies matrices by 1 − lr·λ = 0.95 first, and leaves biases alone.
TEST(AdamW, DecayMatchesTheFormula) {
  Params P;
  ParamView w = P.add("fc.weight", {1, 2});
  ParamView bias = P.add("fc.bias", {1});
  P.allocate();
  P.bind(w);
  P.bind(bias);
  w.w[0] = 1.0f;
  w.w[1] = -2.0f;
  bias.w[0] = 0.5f;
  const std::vector<float> g = {0.1f, 0.2f, -0.3f};
  OptimizerConfig c;
  c.type = OptimizerType::AdamW;
  c.weight_decay = 0.5f;
  OptimizerState st;
  const float lr = 0.1f;
  apply_decoupled_weight_decay(c, lr, P.value.data(), P.tensors);
  optimizer_step(c, lr, P.value.data(), g.data(), P.total, st);
  EXPECT_NEAR(P.value[0], 1.0 * 0.95 - 0.1, 1e-6);
  EXPECT_NEAR(P.value[1], -2.0 * 0.95 - 0.1, 1e-6);
  EXPECT_NEAR(P.value[2], 0.5 + 0.1, 1e-6);  // the bias: not decayed
  // Adam's L2 weight decay is a different update: g + λp enters the moments.
  Params Q = P;
  Q.value = {1.0f, -2.0f, 0.5f};
  OptimizerConfig a = c;
  a.type = OptimizerType::Adam;
  OptimizerState sa;
  apply_decoupled_weight_decay(a, lr, Q.value.data(), Q.tensors);  // nothing for Adam
  optimizer_step(a, lr, Q.value.data(), g.data(), Q.total, sa);
  EXPECT_NEAR(Q.value[0], 1.0 - 0.1, 1e-6);  // sign(0.1 + 0.5·1) = +
  EXPECT_EQ(parse_optimizer("adamw"), OptimizerType::AdamW);
  EXPECT_EQ(moment_buffers(c), 2);
}

// One step of AdamW against one of Adam without decay from the same weights: the gradients and so
// the Adam updates are the same, so the difference is the decay alone — lr·λ·w on matrices and
// embeddings, nothing on biases.
TEST(AdamW, TrainerDecaysMatricesNotBiases) {
  json o = small_lm();
  o["optimizer"] = "adamw";
  o["weightDecay"] = 0.1;
  o["learningRate"] = 0.001;
  Session decayed(corpus(), parse_run_config(o));
  o["optimizer"] = "adam";
  o["weightDecay"] = 0;
  Session plain(corpus(), parse_run_config(o));
  const std::vector<float> w0 = plain.model().params.value;
  ASSERT_TRUE(same_bits(w0, decayed.model().params.value));
  decayed.step();
  plain.step();
  int matrices = 0, vectors = 0;
  for (const TensorInfo& t : plain.model().params.tensors) {
    const float* a = plain.model().params.value.data() + t.offset;
    const float* d = decayed.model().params.value.data() + t.offset;
    double worst = 0;
    for (size_t i = 0; i < t.size; ++i) {
      const double expected = decays(t) ? 0.001 * 0.1 * w0[t.offset + i] : 0.0;
      worst = std::max(worst, std::abs(((double)a[i] - d[i]) - expected));
    }
    EXPECT_LT(worst, 4e-7) << t.name;  // float round-off of values below ~2; the decay itself is ~1e-4·w
    (decays(t) ? matrices : vectors)++;
  }
  EXPECT_GT(matrices, 3);
  EXPECT_GT(vectors, 3);
}

TEST(Schedule, Linear) {
  ScheduleConfig s;
  s.type = ScheduleType::Linear;
  s.total_steps = 100;
  s.min_lr = 0.1f;
  EXPECT_FLOAT_EQ(learning_rate_at(s, 1.0f, 0), 1.0f);
  EXPECT_FLOAT_EQ(learning_rate_at(s, 1.0f, 50), 0.55f);
  EXPECT_FLOAT_EQ(learning_rate_at(s, 1.0f, 100), 0.1f);
  EXPECT_FLOAT_EQ(learning_rate_at(s, 1.0f, 500), 0.1f);
  EXPECT_EQ(parse_schedule("linear"), ScheduleType::Linear);
}

// The budget schedule with an injected clock: the trainer is told the elapsed time after every
// step; the speed halves midway. The decay must reach its end exactly when the time runs out.
TEST(Schedule, FitTimeEndsAtTheDeadline) {
  for (const char* type : {"cosine", "linear"}) {
    json o = small_lm();
    o["schedule"] = {{"type", type}, {"fitTime", true}, {"minLearningRate", 0.001}, {"warmup", 5}};
    Session s(corpus(), parse_run_config(o));
    Trainer& t = s.trainer();
    const double budget = 60;  // seconds
    int ms = 0;  // the injected clock, in whole milliseconds so the step count is exact
    t.fit_time(0, budget);  // the start
    float lr_half = 0;
    int64_t steps = 0;
    while (ms < 60000) {
      ms += ms < 30000 ? 100 : 200;  // 10 steps/s, then 5
      ++t.updates;                   // a step (its arithmetic does not matter here)
      ++steps;
      t.fit_time(ms / 1000.0, budget);
      if (ms == 30000) lr_half = learning_rate_at(t.schedule(), 0.01f, t.updates);
    }
    EXPECT_EQ(steps, 300 + 150);
    EXPECT_EQ(t.schedule().total_steps, t.updates) << type << ": the schedule ends at the deadline";
    EXPECT_FLOAT_EQ(learning_rate_at(t.schedule(), 0.01f, t.updates), 0.001f) << type;
    // Half the time in, the estimate (10 steps/s for the rest) says 600 steps: half way down.
    EXPECT_FLOAT_EQ(lr_half, 0.001f + 0.5f * 0.009f) << type;
    // Warm-up still applies at the start; with fitTime off, fit_time changes nothing.
    EXPECT_FLOAT_EQ(learning_rate_at(t.schedule(), 0.01f, 0), 0.01f * 0.2f);
  }
  Session plain(corpus(), parse_run_config(small_lm()));
  EXPECT_EQ(plain.trainer().fit_time(1, 10), 0);
  EXPECT_EQ(plain.trainer().fit_time(2, 10), 0);
  EXPECT_NE(test::error_of([] {
              json o = small_lm();
              o["schedule"] = {{"type", "step"}, {"fitTime", true}};
              parse_run_config(o);
            }).find("fitTime"),
            std::string::npos);
}

// The best model equals the checkpoint taken at its step, bit for bit; patience stops.
TEST(KeepBest, BestModelIsTheCheckpointAtItsStep) {
  json o = small_lm();
  o["patience"] = 2;
  o["learningRate"] = 0.05;  // fast enough to improve, noisy enough to have ups and downs
  Session s(corpus(), parse_run_config(o));
  EXPECT_TRUE(s.best().is_null());
  EXPECT_NE(test::error_of([&] { s.save_best_model(); }).find("no best model"), std::string::npos);
  std::map<int64_t, std::string> checkpoints;
  double best_loss = 1e30;
  int64_t best_step = -1, stale = 0;
  bool stopped = false;
  for (int round = 0; round < 12 && !stopped; ++round) {
    for (int i = 0; i < 5; ++i) s.step();
    const double loss = s.evaluate(400).loss;
    checkpoints[s.trainer().updates] = s.save_model();
    const json r = s.record_validation(loss);
    if (loss < best_loss) {
      best_loss = loss;
      best_step = s.trainer().updates;
      stale = 0;
    } else {
      ++stale;
    }
    EXPECT_EQ(r["improved"].get<bool>(), stale == 0);
    EXPECT_EQ(r["step"].get<int64_t>(), best_step);
    EXPECT_EQ(r["stale"].get<int64_t>(), stale);
    stopped = r["stop"].get<bool>();
    EXPECT_EQ(stopped, stale >= 2);
  }
  ASSERT_GE(best_step, 0);
  EXPECT_EQ(s.best()["loss"].get<double>(), best_loss);
  EXPECT_EQ(s.save_best_model(), checkpoints.at(best_step)) << "the best model file is the one saved at step " << best_step;
  // Saving the best leaves the live weights alone.
  EXPECT_EQ(s.save_model(), checkpoints.rbegin()->second);
}

// Exact resume with every new piece on: locked, embedding and output dropout (new RNG uses), tying,
// AdamW, a fitted schedule, and the best/patience state with the best weights.
TEST(Resume, ExactWithRegularisationBestAndFittedSchedule) {
  json o = small_lm();
  o["dropout"] = 0.2;
  o["embeddingDropout"] = 0.1;
  o["outputDropout"] = 0.3;
  o["lockedDropout"] = true;
  o["weightDrop"] = 0.3;
  o["tieWeights"] = true;
  o["optimizer"] = "adamw";
  o["weightDecay"] = 0.01;
  o["patience"] = 3;
  o["schedule"] = {{"type", "cosine"}, {"fitTime", true}, {"warmup", 3}};
  const RunConfig cfg = parse_run_config(o);
  auto run_first = [&](Session& s) {
    s.trainer().fit_time(0, 100);
    for (int i = 0; i < 10; ++i) s.step();
    s.trainer().fit_time(1, 100);  // 10 steps/s: 1000 steps planned
    s.record_validation(s.evaluate(300).loss);
    for (int i = 0; i < 5; ++i) s.step();
    s.record_validation(s.evaluate(300).loss + 1);  // worse: one stale evaluation
  };
  Session straight(corpus(), cfg);
  run_first(straight);
  EXPECT_EQ(straight.trainer().progress.planned_steps, 1000);
  const std::string ckpt = straight.save_checkpoint();
  for (int i = 0; i < 15; ++i) straight.step();
  straight.record_validation(straight.evaluate(300).loss);

  Session resumed(corpus(), reinterpret_cast<const uint8_t*>(ckpt.data()), ckpt.size());
  EXPECT_EQ(resumed.trainer().progress.planned_steps, 1000);
  EXPECT_EQ(resumed.trainer().progress.best_step, 10);
  EXPECT_EQ(resumed.trainer().progress.stale, 1);
  for (int i = 0; i < 15; ++i) resumed.step();
  resumed.record_validation(resumed.evaluate(300).loss);
  EXPECT_TRUE(same_bits(straight.model().params.value, resumed.model().params.value)) << "weights differ after resume";
  EXPECT_TRUE(same_bits(straight.trainer().best_weights, resumed.trainer().best_weights));
  EXPECT_EQ(straight.best(), resumed.best());
  EXPECT_EQ(straight.save_checkpoint(), resumed.save_checkpoint());
  EXPECT_EQ(straight.save_best_model(), resumed.save_best_model());
}

// Reduce on plateau: the learning rate halves after every `patience` evaluations without a new best
// (on top of the schedule and any guard factor), a new best restarts the count, and a checkpoint
// carries the factor: the resumed run goes on bit for bit.
TEST(Plateau, LowersTheRateAfterPatienceEvaluationsAndResumesExactly) {
  json o = small_lm();
  o["plateau"] = {{"patience", 2}, {"factor", 0.25}};
  const RunConfig cfg = parse_run_config(o);
  EXPECT_EQ(run_config_to_json(cfg)["plateau"], (json{{"patience", 2}, {"factor", 0.25}}));
  Session s(corpus(), cfg);
  const float lr = s.trainer().learning_rate();
  EXPECT_FLOAT_EQ(lr, 0.01f);
  const auto record = [&](double loss) { return s.record_validation(loss); };
  EXPECT_TRUE(record(2.0)["improved"].get<bool>());
  EXPECT_FALSE(record(2.5)["reduced"].get<bool>());
  json r = record(2.1);  // the second in a row without a better loss
  EXPECT_TRUE(r["reduced"].get<bool>());
  EXPECT_FLOAT_EQ(r["learningRate"].get<float>(), 0.25f * lr);
  EXPECT_FLOAT_EQ(s.trainer().learning_rate(), 0.25f * lr);
  EXPECT_FALSE(record(2.2)["reduced"].get<bool>());
  EXPECT_TRUE(record(2.3)["reduced"].get<bool>());  // every `patience` evaluations
  EXPECT_FLOAT_EQ(s.trainer().learning_rate(), 0.0625f * lr);
  EXPECT_TRUE(record(1.5)["improved"].get<bool>());
  EXPECT_FALSE(record(1.6)["reduced"].get<bool>());  // the count starts again at a new best
  EXPECT_FLOAT_EQ(s.trainer().learning_rate(), 0.0625f * lr);
  EXPECT_EQ(s.trainer().progress.plateau_reductions, 2);
  for (int i = 0; i < 3; ++i) EXPECT_FLOAT_EQ(s.step().learning_rate, 0.0625f * lr) << "the steps use the lowered rate";

  const std::string ckpt = s.save_checkpoint();
  Session resumed(corpus(), reinterpret_cast<const uint8_t*>(ckpt.data()), ckpt.size());
  EXPECT_EQ(resumed.trainer().progress.plateau_reductions, 2);
  EXPECT_FLOAT_EQ(resumed.trainer().learning_rate(), 0.0625f * lr);
  for (int i = 0; i < 5; ++i) s.step(), resumed.step();
  EXPECT_TRUE(record(1.7)["reduced"].get<bool>()) << "the second stale evaluation since the best";
  EXPECT_TRUE(resumed.record_validation(1.7)["reduced"].get<bool>()) << "the resumed run counts alike";
  EXPECT_TRUE(same_bits(s.model().params.value, resumed.model().params.value));
  EXPECT_EQ(s.save_checkpoint(), resumed.save_checkpoint());

  // Refused with a reason.
  for (const json& bad : {json{{"factor", 1.0}}, json{{"factor", 0}}, json{{"patience", 0}}, json("2"), json(-1)}) {
    json b = small_lm();
    b["plateau"] = bad;
    EXPECT_NE(test::error_of([&] { parse_run_config(b); }).find("plateau"), std::string::npos) << bad.dump();
  }
}

// Off by default: a default run's config JSON has none of the new keys (model files keep their bytes).
TEST(Regularisation, OffByDefaultAndRefusedElsewhere) {
  const json j = run_config_to_json(parse_run_config(small_lm()));
  for (const char* k : {"embeddingDropout", "outputDropout", "lockedDropout", "tieWeights", "patience", "weightDrop"})
    EXPECT_FALSE(j.contains(k)) << k;
  EXPECT_FALSE(j["schedule"].contains("fitTime"));
  json o = small_lm();
  o["task"] = "classify";
  o["lockedDropout"] = true;
  EXPECT_NE(test::error_of([&] { parse_run_config(o); }).find("for task 'lm'"), std::string::npos);
  json r = small_lm();
  r["embeddingDropout"] = 0.3;
  r["weightDrop"] = 0.2;
  r["lockedDropout"] = true;
  r["tieWeights"] = true;
  r["patience"] = 4;
  r["schedule"] = {{"type", "linear"}, {"fitTime", true}};
  const RunConfig back = parse_run_config(run_config_to_json(parse_run_config(r)));
  EXPECT_EQ(back.model.embedding_dropout, 0.3f);
  EXPECT_EQ(back.model.weight_drop, 0.2f);
  EXPECT_TRUE(back.model.locked_dropout);
  EXPECT_TRUE(back.model.tie_weights);
  EXPECT_EQ(back.training.patience, 4);
  EXPECT_TRUE(back.training.schedule.fit_time);
  EXPECT_EQ(back.training.schedule.type, ScheduleType::Linear);
}
