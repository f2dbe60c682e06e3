// Seeing inside the network (tasks/inspect.h): gradient flow through time against finite
// differences, activations against the training forward pass, surprise against the loss, and the
// seed's point measured: a plain RNN's gradient vanishes through time where an LSTM's does not.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <string>

#include "models/language_model.h"
#include "nn/loss.h"
#include "nn/recurrent.h"
#include "tasks/inspect.h"
#include "tasks/lm_task.h"
#include "test_util.h"
#include "text/tokenizer.h"

using namespace rnn;

namespace {

ModelConfig tiny(CellType cell, int layers = 2) { return test::model_config(7, 4, 5, layers, cell, 3); }

std::vector<int32_t> random_ids(size_t n, int V, Rng& rng) {
  std::vector<int32_t> v(n);
  for (auto& x : v) x = (int32_t)(rng.next_u32() % (uint32_t)V);
  return v;
}

// L_T (mean over rows of the last step's loss) with h_t of level pl perturbed at element pidx by
// eps — in the state that carries it to step t+1 *and* in the output the level above reads at t —
// computed from the model's own layers, run in two pieces around step t.
double perturbed_last_loss(LanguageModel& m, int B, int T, const std::vector<int32_t>& inputs,
                           const std::vector<int32_t>& targets, const std::vector<float>& state_in, int pl, int pt,
                           size_t pidx, float eps) {
  const int E = m.config.embedding_size, H = m.config.hidden_size, V = m.config.vocab_size;
  const size_t N = (size_t)T * B, BH = (size_t)B * H;
  std::vector<int32_t> ids;
  to_time_major(B, T, inputs.data(), ids);
  std::vector<float> x(N * E);
  m.embedding.forward((int)N, ids.data(), x.data());
  int I = E;
  size_t s = 0;
  for (int k = 0; k < m.config.layers; ++k) {
    const RecurrentLayer& L = m.rnn.layers[k];
    const size_t S = (size_t)B * L.state_size();
    std::vector<float> out(N * H);
    RecurrentCache c1, c2;
    if (k == pl) {
      std::vector<float> st(S);
      recurrent_forward(L, pt + 1, B, x.data(), nullptr, state_in.data() + s, st.data(), c1);
      std::copy_n(c1.outputs(), (size_t)(pt + 1) * BH, out.data());
      out[(size_t)pt * BH + pidx] += eps;
      st[pidx] += eps;  // a level's state block is h (B × H), then c
      if (pt + 1 < T) {
        recurrent_forward(L, T - pt - 1, B, x.data() + (size_t)(pt + 1) * B * I, nullptr, st.data(), nullptr, c2);
        std::copy_n(c2.outputs(), (size_t)(T - pt - 1) * BH, out.data() + (size_t)(pt + 1) * BH);
      }
    } else {
      recurrent_forward(L, T, B, x.data(), nullptr, state_in.data() + s, nullptr, c1);
      std::copy_n(c1.outputs(), N * H, out.data());
    }
    x = std::move(out);
    I = H;
    s += S;
  }
  std::vector<float> logits((size_t)B * V);
  m.output.forward(B, x.data() + (size_t)(T - 1) * BH, logits.data());
  std::vector<int32_t> last(B);
  for (int b = 0; b < B; ++b) last[b] = targets[(size_t)b * T + T - 1];
  return softmax_cross_entropy(B, V, logits.data(), last.data(), nullptr, nullptr);
}

void check_flow_against_finite_differences(CellType cell) {
  const int B = 2, T = 4;
  LanguageModel m(tiny(cell));
  for (auto& w : m.params.value) w *= 2.0f;  // larger weights: gradients large enough to check
  Rng rng(17);
  const auto inputs = random_ids((size_t)B * T, 7, rng), targets = random_ids((size_t)B * T, 7, rng);
  const auto state = test::random_vector(m.state_size(B), rng, 0.5);
  Batch b;
  b.B = B;
  b.T = T;
  b.inputs = inputs.data();
  b.targets = targets.data();
  b.state_in = state.data();

  // The whole ∂L_T/∂h_t through the probe (what gradient_flow reduces to norms).
  std::vector<float> w((size_t)B * T, 0.0f);
  for (int r = 0; r < B; ++r) w[(size_t)r * T + T - 1] = 1.0f;
  Batch lastb = b;
  lastb.weights = w.data();
  std::vector<std::vector<float>> grads;
  m.rnn.state_gradients = &grads;
  Rng drop(1);
  m.train_batch(lastb, drop);
  m.rnn.state_gradients = nullptr;
  m.params.zero_grad();

  const GradientFlow flow = gradient_flow(m, b, Rng(1));
  ASSERT_EQ(flow.norms.size(), 2u);
  const size_t BH = (size_t)B * m.config.hidden_size;
  for (int l = 0; l < 2; ++l)
    for (int t = 0; t < T; ++t) {
      std::vector<float> analytic(grads[l].begin() + t * BH, grads[l].begin() + (t + 1) * BH);
      double norm2 = 0;
      for (float g : analytic) norm2 += (double)g * g;
      EXPECT_NEAR(flow.norms[l][t], std::sqrt(norm2), 1e-6 * (1 + std::sqrt(norm2)));
      // Finite differences of L_T in every element of h_t.
      std::vector<float> dummy(BH, 0.0f);
      size_t idx = 0;
      float eps = 0;
      auto loss = [&] { return perturbed_last_loss(m, B, T, inputs, targets, state, l, t, idx, eps); };
      test::GradCheckResult r;
      const double h = 1e-2;
      for (idx = 0; idx < BH; ++idx) {
        eps = (float)h;
        const double lp = loss();
        eps = (float)-h;
        const double lm = loss();
        const double numeric = (lp - lm) / (2 * h), err = std::fabs(analytic[idx] - numeric);
        r.max_grad = std::max(r.max_grad, std::fabs((double)analytic[idx]));
        ++r.checked;
        if (err > 3e-3 + 2e-2 * std::fabs(numeric) && !r.failures++)
          r.first_failure = "[" + std::to_string(idx) + "] analytic " + std::to_string(analytic[idx]) + " numeric " +
                            std::to_string(numeric);
      }
      EXPECT_EQ(r.failures, 0u) << cell_name(cell) << " level " << l << " step " << t << ": " << r.first_failure;
      if (t >= T - 2) {
        EXPECT_GT(r.max_grad, 1e-2) << "level " << l << " step " << t << ": gradient too small to check";
      }
    }
  // The model was not changed and its gradients are clear.
  for (float g : m.params.grad) ASSERT_EQ(g, 0.0f);
}

}  // namespace

TEST(GradientFlow, LstmMatchesFiniteDifferences) { check_flow_against_finite_differences(CellType::Lstm); }
TEST(GradientFlow, GruMatchesFiniteDifferences) { check_flow_against_finite_differences(CellType::Gru); }
TEST(GradientFlow, RnnMatchesFiniteDifferences) { check_flow_against_finite_differences(CellType::Rnn); }

// A diagnostic step trains exactly as a plain one: same losses, same weights, bit for bit.
TEST(GradientFlow, DiagnosticStepsChangeNothing) {
  for (CellType cell : {CellType::Lstm, CellType::Gru, CellType::Rnn}) {
    test::LmConfig tc;
    tc.model = tiny(cell);
    tc.model.vocab_size = 11;
    tc.model.dropout = 0.3f;
    tc.batch_size = 3;
    tc.seq_length = 6;
    tc.clip.norm = 1.0f;
    Rng rng(5);
    const auto ids = random_ids(400, 11, rng);
    LanguageModelTask a(tc.model, tc, ids), b(tc.model, tc, ids);
    for (int i = 0; i < 12; ++i) {
      const StepResult ra = a.step();
      StepResult rb;
      if (i % 3 == 1) {
        const DiagnosticStep d = diagnostic_step(b.trainer, b.model);
        rb = d.step;
        ASSERT_EQ(d.flow.norms.size(), 2u);
        ASSERT_EQ(d.flow.norms[0].size(), 6u);
      } else {
        rb = b.step();
      }
      ASSERT_EQ(ra.loss, rb.loss) << cell_name(cell) << " step " << i;
      ASSERT_EQ(ra.grad_norm, rb.grad_norm);
      ASSERT_LE(rb.grad_norm_clipped, 1.0 + 1e-6);
      ASSERT_EQ(rb.grad_norm_clipped, rb.grad_norm > 1.0 ? rb.grad_norm_clipped : rb.grad_norm);
    }
    ASSERT_EQ(a.model.params.value, b.model.params.value) << cell_name(cell);
    ASSERT_EQ(a.train_data.state.data, b.train_data.state.data);
  }
}

namespace {

// a == b exactly (exact) or to float rounding: a product over fewer rows (a short chunk) may take
// another GEMM path with another summation order, so level 1 and up can differ in the last bits.
::testing::AssertionResult same_states(const std::vector<float>& a, const std::vector<float>& b, bool exact) {
  if (a.size() != b.size()) return ::testing::AssertionFailure() << "sizes " << a.size() << " vs " << b.size();
  double worst = 0;
  for (size_t i = 0; i < a.size(); ++i) worst = std::max(worst, (double)std::fabs(a[i] - b[i]));
  if (exact ? worst == 0 : worst <= 1e-6) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "largest difference " << worst;
}

}  // namespace

// Activations are the states of the training forward pass over the same tokens: bit for bit in one
// chunk, to float rounding in several.
TEST(Inspect, ActivationsEqualTheTrainingForwardStates) {
  for (CellType cell : {CellType::Lstm, CellType::Gru, CellType::Rnn}) {
    ModelConfig cfg = tiny(cell);
    cfg.hidden_size = 9;
    LanguageModel m(cfg);
    Rng rng(8);
    const int T = 37, H = 9, GH = cell_gates(cell) * H;
    const auto ids = random_ids(T + 1, 7, rng);
    const std::vector<int32_t> in(ids.begin(), ids.end() - 1), tg(ids.begin() + 1, ids.end());
    Batch b;
    b.B = 1;
    b.T = T;
    b.inputs = in.data();
    b.targets = tg.data();
    Rng drop(1);
    std::vector<std::vector<float>> h(2), c(2), g(2);
    // The gates from the forward pass alone: backward writes their gradients over them.
    m.evaluate_batch(b);
    for (int l = 0; l < 2; ++l) {
      const RecurrentCache& cache = m.rnn.level_cache(l);
      g[l].assign(cache.gates.begin(), cache.gates.begin() + (size_t)T * GH);
    }
    m.train_batch(b, drop);
    for (int l = 0; l < 2; ++l) {
      const RecurrentCache& cache = m.rnn.level_cache(l);
      h[l].assign(cache.h.begin() + H, cache.h.begin() + (T + 1) * H);
      if (cell == CellType::Lstm) c[l].assign(cache.c.begin() + H, cache.c.begin() + (T + 1) * H);
    }
    m.params.zero_grad();
    for (int chunk : {1, 5, 37, 512})
      for (int l = 0; l < 2; ++l) {
        InspectOptions o;
        o.layer = l;
        o.chunk = chunk;
        const bool exact = chunk >= T;
        EXPECT_TRUE(same_states(inspect_text(m, in, o).values, h[l], exact)) << cell_name(cell) << " h, level " << l << " chunk " << chunk;
        if (cell == CellType::Lstm) {
          o.kind = ActivationKind::Cell;
          EXPECT_TRUE(same_states(inspect_text(m, in, o).values, c[l], exact)) << "c, level " << l << " chunk " << chunk;
        }
        if (cell != CellType::Rnn) {
          o.kind = ActivationKind::Gates;
          const TextInspection r = inspect_text(m, in, o);
          EXPECT_EQ(r.width, GH);
          EXPECT_TRUE(same_states(r.values, g[l], exact)) << cell_name(cell) << " gates, level " << l << " chunk " << chunk;
        }
      }
  }
}

// Σ surprise = evaluate()'s loss × scored tokens on the same text; the top-k are the softmax's.
TEST(Inspect, SurpriseSumsToTheEvaluationLoss) {
  LanguageModel m(tiny(CellType::Lstm));
  Rng rng(9);
  const int T = 50;
  const auto ids = random_ids(T + 1, 7, rng);
  const std::vector<int32_t> in(ids.begin(), ids.end() - 1), tg(ids.begin() + 1, ids.end());
  ModelState st = m.zero_state(1);
  const double loss = m.evaluate_batch(Batch::carrying(1, T, in.data(), tg.data(), st));
  InspectOptions o;
  o.surprise = true;
  o.top_k = 7;
  o.chunk = 16;
  const TextInspection r = inspect_text(m, ids, o);
  ASSERT_EQ(r.surprise.size(), (size_t)T);
  double sum = 0;
  for (float s : r.surprise) sum += s;
  std::printf("[inspect] sum of surprise %.9f, evaluate loss x tokens %.9f\n", sum, loss * T);
  EXPECT_NEAR(sum, loss * T, 1e-5 * loss * T);
  for (int t = 0; t < T; ++t) {
    double total = 0, p_next = -1;
    for (int k = 0; k < 7; ++k) {
      total += r.top_probs[(size_t)t * 7 + k];
      if (k) {
        EXPECT_GE(r.top_probs[(size_t)t * 7 + k - 1], r.top_probs[(size_t)t * 7 + k]);
      }
      if (r.top_ids[(size_t)t * 7 + k] == ids[t + 1]) p_next = r.top_probs[(size_t)t * 7 + k];
    }
    EXPECT_NEAR(total, 1.0, 1e-5);
    EXPECT_NEAR(-std::log(p_next), r.surprise[t], 1e-4);
  }
}

TEST(Inspect, BadOptionsAreNamed) {
  LanguageModel rnn_model(tiny(CellType::Rnn));
  const std::vector<int32_t> ids = {1, 2, 3};
  InspectOptions o;
  o.layer = 2;
  EXPECT_NE(test::error_of([&] { inspect_text(rnn_model, ids, o); }).find("option 'layer' must be between 0 and 1"), std::string::npos);
  o.layer = 0;
  o.kind = ActivationKind::Gates;
  EXPECT_NE(test::error_of([&] { inspect_text(rnn_model, ids, o); }).find("no gates"), std::string::npos);
  o.kind = ActivationKind::Cell;
  EXPECT_NE(test::error_of([&] { inspect_text(rnn_model, ids, o); }).find("for an LSTM"), std::string::npos);
  EXPECT_NE(test::error_of([&] { inspect_text(rnn_model, {}, InspectOptions{}); }).find("no token"), std::string::npos);
  EXPECT_NE(test::error_of([] { parse_activation_kind("x"); }).find("'h', 'c' or 'gates'"), std::string::npos);
  EXPECT_NE(test::error_of([&] { gradient_flow(rnn_model, std::vector<int32_t>{1}); }).find("too short"), std::string::npos);
}

namespace {

// Quoted and unquoted stretches: lower-case words outside quotes, upper-case inside, so that
// predicting the case of the next letter needs to know whether a quote is open.
std::string quoted_text(size_t chars, uint64_t seed) {
  static const char* words[] = {"the", "cat", "sat", "on", "a", "mat", "and", "said", "go", "now", "we", "ran",
                                "far", "to", "sea", "it", "is", "not", "so", "big"};
  Rng rng(seed);
  std::string s;
  while (s.size() < chars) {
    const int plain = 2 + (int)(rng.next_u32() % 6), quoted = 1 + (int)(rng.next_u32() % 6);
    for (int i = 0; i < plain; ++i) s += std::string(words[rng.next_u32() % 20]) + " ";
    s += "\"";
    for (int i = 0; i < quoted; ++i) {
      std::string w = words[rng.next_u32() % 20];
      for (char& ch : w) ch = (char)std::toupper((unsigned char)ch);
      s += (i ? " " : "") + w;
    }
    s += "\" ";
    if (rng.next_u32() % 4 == 0) s += "\n";
  }
  return s;
}

struct Trained {
  Tokenizer tok;
  std::unique_ptr<LanguageModelTask> task;
  double loss = 0;  // mean training loss of the last 50 steps
};

Trained train_on_quotes(CellType cell, int steps) {
  const std::string text = quoted_text(60000, 1);
  Trained r;
  r.tok = Tokenizer::build(text, TokenizerOptions{});
  test::LmConfig tc;
  tc.model.vocab_size = r.tok.vocab_size();
  tc.model.cell = cell;
  tc.model.layers = 1;
  tc.model.hidden_size = 32;
  tc.model.embedding_size = 16;
  tc.batch_size = 16;
  tc.seq_length = 50;
  tc.optimizer.learning_rate = 0.01f;
  tc.clip.norm = 5.0f;
  r.task = std::make_unique<LanguageModelTask>(tc.model, tc, r.tok.encode(text));
  for (int i = 0; i < steps; ++i) {
    const double l = r.task->step().loss;
    if (i >= steps - 50) r.loss += l / 50;
  }
  return r;
}

// Trained once, shared by the tests below.
Trained& trained(CellType cell) {
  static Trained rnn = train_on_quotes(CellType::Rnn, 400), lstm = train_on_quotes(CellType::Lstm, 400);
  return cell == CellType::Rnn ? rnn : lstm;
}

}  // namespace

// The seed's point, measured: on a 200-step sequence, how much of the last step's error reaches
// each earlier step. A plain RNN's falls by orders of magnitude more than an LSTM's.
TEST(GradientFlow, PlainRnnVanishesWhereLstmDoesNot) {
  const std::string probe = quoted_text(2000, 99).substr(0, 201);
  double ratio[2];
  int i = 0;
  for (CellType cell : {CellType::Rnn, CellType::Lstm}) {
    Trained& t = trained(cell);
    const GradientFlow f = gradient_flow(t.task->model, t.tok.encode(probe));
    const std::vector<float>& n = f.norms[0];
    const int T = f.T;
    // ‖∂L_T/∂h_t‖ 100 steps before the end against the last step's.
    ratio[i] = n[T - 101] / n[T - 1];
    std::printf("[gradient flow] %s, trained 400 steps (loss %.3f): |dL_T/dh_t| at T-1 %.3g, T-10 %.3g, T-50 %.3g, T-100 %.3g, T-200 %.3g; ratio T-100 / T-1 = %.3g\n",
                cell_name(cell), t.loss, n[T - 1], n[T - 11], n[T - 51], n[T - 101], n[0], ratio[i]);
    ++i;
  }
  std::printf("[gradient flow] LSTM ratio / RNN ratio over 100 steps = %.3g\n", ratio[1] / ratio[0]);
  EXPECT_LT(ratio[0], 1e-3 * ratio[1]) << "the plain RNN's gradient should vanish by orders of magnitude more than the LSTM's";
}

// The same text as the Node proof: a trained LSTM has a unit that separates inside from outside quotes.
TEST(Inspect, AnLstmUnitTracksQuotes) {
  Trained& t = trained(CellType::Lstm);
  const std::string text = quoted_text(3000, 7);
  const std::vector<int32_t> ids = t.tok.encode(text);
  InspectOptions o;
  o.layer = 0;
  const TextInspection r = inspect_text(t.task->model, ids, o);
  // inside[t]: a quote is open after reading character t.
  std::vector<int> inside(ids.size());
  bool open = false;
  for (size_t k = 0; k < text.size(); ++k) {
    if (text[k] == '"') open = !open;
    inside[k] = open;
  }
  double best = 0;
  int best_unit = -1;
  const int H = r.width;
  for (int j = 0; j < H; ++j) {
    // AUC = P(value inside > value outside), by ranks (ties counted half).
    std::vector<std::pair<float, int>> v;
    for (size_t k = 0; k < ids.size(); ++k) v.push_back({r.values[k * H + j], inside[k]});
    std::sort(v.begin(), v.end());
    double pos = 0, neg = 0, rank_sum = 0;
    for (size_t k = 0; k < v.size();) {
      size_t e = k;
      while (e < v.size() && v[e].first == v[k].first) ++e;
      const double mid = (k + e + 1) / 2.0;
      for (size_t q = k; q < e; ++q)
        if (v[q].second) rank_sum += mid, ++pos;
        else ++neg;
      k = e;
    }
    double auc = (rank_sum - pos * (pos + 1) / 2) / (pos * neg);
    auc = std::max(auc, 1 - auc);
    if (auc > best) best = auc, best_unit = j;
  }
  std::printf("[inspect] LSTM 1x32 after 400 steps: unit %d separates inside/outside quotes with AUC %.4f\n", best_unit, best);
  EXPECT_GE(best, 0.9);
}
