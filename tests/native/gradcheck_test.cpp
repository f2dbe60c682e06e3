// Finite-difference checks of every layer's backward pass and of the whole model: all parameter
// groups and the inputs (including the carried state), T ≥ 3 steps, batch > 1.
#include <gtest/gtest.h>

#include <functional>

#include "models/classifier.h"
#include "models/language_model.h"
#include "models/seq2seq.h"
#include "models/tagger.h"
#include "nn/attention.h"
#include "nn/dense.h"
#include "nn/dropout.h"
#include "nn/embedding.h"
#include "nn/loss.h"
#include "nn/recurrent.h"
#include "nn/recurrent_stack.h"
#include "test_util.h"

using namespace rnn;
using test::grad_check;

namespace {

// Loss = Σ y·R over a random projection R, so every output element gets its own gradient.
double project(const float* y, const std::vector<float>& R) {
  double s = 0;
  for (size_t i = 0; i < R.size(); ++i) s += (double)y[i] * R[i];
  return s;
}

void check_recurrent(CellType cell) {
  const int T = 4, B = 3, I = 5, H = 6;
  Params P;
  RecurrentLayer L;
  L.cell = cell;
  L.input = I;
  L.hidden = H;
  L.declare(P, "rnn", "_l0");
  P.allocate();
  L.bind(P);
  Rng rng(11);
  L.init(rng);
  for (auto& w : P.value) w *= 3.0f;  // larger weights: saturating gates get exercised too
  auto x = test::random_vector((size_t)T * B * I, rng);
  auto s0 = test::random_vector((size_t)B * L.state_size(), rng);
  auto R = test::random_vector((size_t)T * B * H, rng), Rs = test::random_vector(s0.size(), rng);
  RecurrentCache cache;
  std::vector<float> sT(s0.size());
  auto loss = [&] {
    recurrent_forward(L, T, B, x.data(), nullptr, s0.data(), sT.data(), cache);
    return project(cache.outputs(), R) + project(sT.data(), Rs);
  };
  loss();
  P.zero_grad();
  std::vector<float> dx(x.size()), ds0(s0.size());
  recurrent_backward(L, R.data(), Rs.data(), dx.data(), ds0.data(), cache);
  const std::vector<float> grads = P.grad;
  for (const auto& t : P.tensors) {
    std::vector<float> g(grads.begin() + t.offset, grads.begin() + t.offset + t.size);
    EXPECT_GRAD_OK(grad_check(t.name, P.value.data() + t.offset, t.size, g, loss), t.name);
  }
  EXPECT_GRAD_OK(grad_check("x", x.data(), x.size(), dx, loss), "input x");
  EXPECT_GRAD_OK(grad_check("state0", s0.data(), s0.size(), ds0, loss), "initial state");
}

}  // namespace

TEST(GradCheck, Rnn) { check_recurrent(CellType::Rnn); }
TEST(GradCheck, Lstm) { check_recurrent(CellType::Lstm); }
TEST(GradCheck, Gru) { check_recurrent(CellType::Gru); }

TEST(GradCheck, Dense) {
  const int N = 4 * 3, In = 7, Out = 5;  // 4 steps × batch 3
  Params P;
  Dense D{In, Out, {}, {}};
  D.declare(P, "fc");
  P.allocate();
  D.bind(P);
  Rng rng(2);
  D.init(rng);
  for (size_t i = 0; i < D.bias.size; ++i) D.bias.w[i] = (float)rng.uniform(-1, 1);
  auto x = test::random_vector((size_t)N * In, rng), R = test::random_vector((size_t)N * Out, rng);
  std::vector<float> y((size_t)N * Out), dx(x.size());
  auto loss = [&] {
    D.forward(N, x.data(), y.data());
    return project(y.data(), R);
  };
  loss();
  D.backward(N, x.data(), R.data(), dx.data());
  const auto grads = P.grad;
  for (const auto& t : P.tensors)
    EXPECT_GRAD_OK(grad_check(t.name, P.value.data() + t.offset, t.size,
                              std::vector<float>(grads.begin() + t.offset, grads.begin() + t.offset + t.size), loss),
                   t.name);
  EXPECT_GRAD_OK(grad_check("x", x.data(), x.size(), dx, loss), "input x");
}

TEST(GradCheck, Embedding) {
  const int V = 6, E = 4, N = 4 * 3;
  Params P;
  Embedding emb{V, E, {}};
  emb.declare(P, "embedding");
  P.allocate();
  emb.bind(P);
  Rng rng(4);
  emb.init(rng);
  std::vector<int32_t> ids = {0, 1, 2, 3, 1, 1, 5, 0, 2, 2, 4, 1};  // repeats: gradients must add up
  auto R = test::random_vector((size_t)N * E, rng);
  std::vector<float> x((size_t)N * E);
  auto loss = [&] {
    emb.forward(N, ids.data(), x.data());
    return project(x.data(), R);
  };
  loss();
  emb.backward(N, ids.data(), R.data());
  EXPECT_GRAD_OK(grad_check("embedding", P.value.data(), P.total, P.grad, loss), "embedding.weight");
  EXPECT_THROW(emb.forward(1, std::vector<int32_t>{6}.data(), x.data()), Error);
}

TEST(GradCheck, SoftmaxCrossEntropy) {
  const int N = 4 * 3, V = 7;
  Rng rng(6);
  auto z = test::random_vector((size_t)N * V, rng, 3.0), w = test::random_vector(N, rng);
  for (auto& v : w) v = std::fabs(v);
  std::vector<int32_t> y(N);
  for (auto& t : y) t = (int32_t)rng.below(V);
  std::vector<float> dz(z.size());
  softmax_cross_entropy(N, V, z.data(), y.data(), w.data(), dz.data());
  auto loss = [&] { return softmax_cross_entropy(N, V, z.data(), y.data(), w.data(), nullptr); };
  EXPECT_GRAD_OK(grad_check("logits", z.data(), z.size(), dz, loss), "logits");
}

TEST(GradCheck, Dropout) {
  Rng rng(8), mask_rng(1);
  const size_t n = 4 * 3 * 5;
  auto x = test::random_vector(n, rng), R = test::random_vector(n, rng);
  std::vector<float> y(n), mask(n), dx(n);
  dropout_forward(n, 0.4f, mask_rng, x.data(), y.data(), mask.data());
  auto loss = [&] {
    for (size_t i = 0; i < n; ++i) y[i] = x[i] * mask[i];  // same mask: dropout is linear given it
    return project(y.data(), R);
  };
  dropout_backward(n, mask.data(), R.data(), dx.data());
  EXPECT_GRAD_OK(grad_check("x", x.data(), n, dx, loss), "dropout input");
  size_t dropped = 0;
  for (float m : mask) {
    EXPECT_TRUE(m == 0.0f || std::fabs(m - 1.0f / 0.6f) < 1e-6);
    dropped += m == 0.0f;
  }
  EXPECT_GT(dropped, 5u);
  EXPECT_LT(dropped, n - 5);
}

namespace {
void check_model(CellType cell, float dropout, const std::function<void(ModelConfig&)>& more = {}) {
  ModelConfig cfg;
  cfg.vocab_size = 7;
  cfg.embedding_size = 4;
  cfg.hidden_size = 5;
  cfg.layers = 2;
  cfg.cell = cell;
  cfg.dropout = dropout;
  cfg.seed = 3;
  if (more) more(cfg);
  LanguageModel m(cfg);
  // The default init (fc stddev 0.1) makes deep gradients tiny; scale up so every group matters.
  for (auto& v : m.params.value) v *= 4.0f;
  const int B = 2, T = 3;
  Rng rng(12);
  std::vector<int32_t> in(B * T), tg(B * T);
  for (auto& v : in) v = (int32_t)rng.below(7);
  for (auto& v : tg) v = (int32_t)rng.below(7);
  std::vector<float> w = {1, 0.5f, 0, 2, 1, 1};  // per-step weights (sequence_loss mask)
  ModelState s0 = m.zero_state(B);
  for (auto& v : s0.data) v = (float)rng.uniform(-0.8, 0.8);
  // Dropout masks must be identical on every evaluation: re-seed the dropout RNG each time.
  Batch batch;
  batch.B = B;
  batch.T = T;
  batch.inputs = in.data();
  batch.targets = tg.data();
  batch.weights = w.data();
  batch.state_in = s0.data.data();
  auto loss = [&] {
    Rng drop(99);
    std::vector<float> scratch = m.params.grad;  // train_batch accumulates grads; keep them intact
    double l = m.train_batch(batch, drop);
    m.params.grad = scratch;
    return l;
  };
  m.params.zero_grad();
  Rng drop(99);
  std::vector<float> ds0(s0.data.size());
  batch.dstate_in = ds0.data();
  m.train_batch(batch, drop);
  batch.dstate_in = nullptr;
  const auto grads = m.params.grad;
  for (const auto& t : m.params.tensors)
    EXPECT_GRAD_OK(grad_check(t.name, m.params.value.data() + t.offset, t.size,
                              std::vector<float>(grads.begin() + t.offset, grads.begin() + t.offset + t.size), loss),
                   std::string(cell_name(cell)) + " " + t.name);
  EXPECT_GRAD_OK(grad_check("state0", s0.data.data(), s0.data.size(), ds0, loss), "initial state");
}
}  // namespace

TEST(GradCheck, Model) { check_model(CellType::Lstm, 0.0f); }
TEST(GradCheck, ModelGru) { check_model(CellType::Gru, 0.0f); }
TEST(GradCheck, ModelRnn) { check_model(CellType::Rnn, 0.0f); }
TEST(GradCheck, ModelWithDropout) { check_model(CellType::Lstm, 0.3f); }
// Weight tying: one tensor, embedding.weight, read by the lookup and by the output layer; its
// gradient must be the sum of both uses.
TEST(GradCheck, ModelTied) {
  check_model(CellType::Lstm, 0.0f, [](ModelConfig& c) {
    c.embedding_size = c.hidden_size = 5;
    c.tie_weights = true;
  });
}
// Dropout at every site (embedding output, between levels, last output), plain and locked (the
// same mask at every step), with the masks fixed by re-seeding: the model is linear in each mask.
TEST(GradCheck, ModelLockedDropout) {
  for (bool locked : {false, true})
    check_model(CellType::Gru, 0.3f, [&](ModelConfig& c) {
      c.embedding_dropout = 0.25f;
      c.output_dropout = 0.4f;
      c.locked_dropout = locked;
    });
  check_model(CellType::Lstm, 0.3f, [](ModelConfig& c) {
    c.embedding_size = c.hidden_size = 5;
    c.tie_weights = true;
    c.embedding_dropout = 0.25f;
    c.output_dropout = 0.4f;
    c.locked_dropout = true;
  });
}

// DropConnect on every layer's W_hh, with and without dropout elsewhere: the masked weights in the
// steps, the masked gradient back to W_hh (the mask fixed by re-seeding, as above).
TEST(GradCheck, ModelWeightDrop) {
  for (CellType cell : {CellType::Lstm, CellType::Gru, CellType::Rnn})
    check_model(cell, 0.0f, [](ModelConfig& c) { c.weight_drop = 0.4f; });
  check_model(CellType::Lstm, 0.3f, [](ModelConfig& c) {
    c.weight_drop = 0.25f;
    c.output_dropout = 0.2f;
    c.locked_dropout = true;
  });
}

namespace {
// A 2-level stack over rows of different lengths (T = 4; lengths 4, 2, 3), uni- or bidirectional.
void check_stack(CellType cell, bool bidirectional, float dropout) {
  const int T = 4, B = 3, I = 5, H = 4;
  const std::vector<int32_t> lengths = {4, 2, 3};
  Params P;
  RecurrentStack S;
  S.declare(P, "rnn", cell, I, H, 2, bidirectional);
  S.dropout = dropout;
  P.allocate();
  S.bind(P);
  Rng rng(21);
  S.init(rng);
  for (auto& w : P.value) w *= 2.0f;
  auto x = test::random_vector((size_t)T * B * I, rng);
  const int W = S.output_size();
  auto R = test::random_vector((size_t)T * B * W, rng);
  // The final states count too: their gradient must reach each row's last real step.
  std::vector<float> final_states(S.state_size(B));
  auto Rs = test::random_vector(final_states.size(), rng);
  auto run = [&] {
    Rng drop(5);  // the same dropout masks on every evaluation
    return S.forward(T, B, x.data(), lengths.data(), nullptr, final_states.data(), dropout > 0 ? &drop : nullptr);
  };
  auto loss = [&] {
    const float* y = run();
    return project(y, R) + project(final_states.data(), Rs);
  };
  const std::string what = std::string(cell_name(cell)) + (bidirectional ? " bidirectional" : "") +
                           (dropout > 0 ? " with dropout" : "");
  const float* y = run();
  for (int t = 0; t < T; ++t)
    for (int b = 0; b < B; ++b)
      for (int k = 0; k < W; ++k) {
        if (t < lengths[b]) continue;
        ASSERT_EQ(y[((size_t)t * B + b) * W + k], 0.0f) << what << ": padding output";
      }
  P.zero_grad();
  std::vector<float> dx(x.size());
  S.backward(R.data(), Rs.data(), dx.data(), nullptr);
  for (int t = 0; t < T; ++t)
    for (int b = 0; b < B; ++b)
      for (int i = 0; i < I; ++i) {
        if (t < lengths[b]) continue;
        ASSERT_EQ(dx[((size_t)t * B + b) * I + i], 0.0f) << what << ": padding gradient";
      }
  const std::vector<float> grads = P.grad;
  for (const auto& t : P.tensors) {
    std::vector<float> g(grads.begin() + t.offset, grads.begin() + t.offset + t.size);
    EXPECT_GRAD_OK(grad_check(t.name, P.value.data() + t.offset, t.size, g, loss), what + " " + t.name);
  }
  EXPECT_GRAD_OK(grad_check("x", x.data(), x.size(), dx, loss), what + " input x");
}
}  // namespace

TEST(GradCheck, StackWithLengths) {
  for (CellType cell : {CellType::Lstm, CellType::Gru, CellType::Rnn}) check_stack(cell, false, 0.0f);
}
TEST(GradCheck, BidirectionalStack) {
  for (CellType cell : {CellType::Lstm, CellType::Gru, CellType::Rnn}) check_stack(cell, true, 0.0f);
  check_stack(CellType::Lstm, true, 0.3f);
}

// Padding changes nothing: each row of a padded batch gives exactly the outputs it gives alone.
TEST(RecurrentStack, PaddedRowsEqualRowsAlone) {
  const int T = 5, B = 3, I = 3, H = 4;
  const std::vector<int32_t> lengths = {5, 2, 4};
  for (CellType cell : {CellType::Lstm, CellType::Gru, CellType::Rnn}) {
    Params P;
    RecurrentStack S;
    S.declare(P, "rnn", cell, I, H, 2, true);
    P.allocate();
    S.bind(P);
    Rng rng(3);
    S.init(rng);
    auto x = test::random_vector((size_t)T * B * I, rng);
    for (int t = 0; t < T; ++t)  // garbage in the padding must not matter
      for (int b = 0; b < B; ++b)
        if (t >= lengths[b])
          for (int i = 0; i < I; ++i) x[((size_t)t * B + b) * I + i] = 1e3f;
    const int W = S.output_size();
    std::vector<float> finals(S.state_size(B));
    const float* y = S.forward(T, B, x.data(), lengths.data(), nullptr, finals.data(), nullptr);
    const std::vector<float> batched(y, y + (size_t)T * B * W);
    for (int b = 0; b < B; ++b) {
      const int len = lengths[b];
      std::vector<float> row((size_t)len * I);
      for (int t = 0; t < len; ++t)
        for (int i = 0; i < I; ++i) row[(size_t)t * I + i] = x[((size_t)t * B + b) * I + i];
      std::vector<float> final_alone(S.state_size(1));
      const float* alone = S.forward(len, 1, row.data(), nullptr, nullptr, final_alone.data(), nullptr);
      for (int t = 0; t < len; ++t)
        for (int k = 0; k < W; ++k)
          EXPECT_NEAR(batched[((size_t)t * B + b) * W + k], alone[(size_t)t * W + k], 1e-6)
              << cell_name(cell) << " row " << b << " step " << t;
      // Final states: a layer's block is h (rows × H), then c for LSTM (rows × H).
      const size_t parts = final_alone.size() / H;  // (h or c) × layers × directions
      for (size_t part = 0; part < parts; ++part)
        for (int k = 0; k < H; ++k)
          EXPECT_NEAR(finals[(part * B + b) * H + k], final_alone[part * H + k], 1e-6)
              << cell_name(cell) << " row " << b << " final state part " << part;
    }
  }
}

namespace {
// Finite differences over every tensor of a whole model on one batch of rows of different lengths
// (T = 4; lengths 4, 2, 3), dropout masks fixed by re-seeding.
// loss_scale multiplies the loss (and so every gradient) where a mean over few tokens leaves some
// gradients too small to tell from zero; the finite-difference noise stays far below the tolerance.
void check_whole_model(Model& m, const Batch& batch, const std::string& what, float scale = 3.0f,
                       double loss_scale = 1.0) {
  for (auto& v : m.params.value) v *= scale;  // larger weights: every group matters
  auto loss = [&] {
    Rng drop(99);
    std::vector<float> scratch = m.params.grad;
    const double l = m.train_batch(batch, drop);
    m.params.grad = scratch;
    return l * loss_scale;
  };
  m.params.zero_grad();
  Rng drop(99);
  m.train_batch(batch, drop);
  std::vector<float> grads = m.params.grad;
  for (auto& g : grads) g = (float)(g * loss_scale);
  for (const auto& t : m.params.tensors)
    EXPECT_GRAD_OK(grad_check(t.name, m.params.value.data() + t.offset, t.size,
                              std::vector<float>(grads.begin() + t.offset, grads.begin() + t.offset + t.size), loss),
                   what + " " + t.name);
}

ModelConfig small_model(ModelKind kind, CellType cell, bool bidirectional, int labels) {
  ModelConfig cfg = test::model_config(7, 4, 5, 2, cell, 4);
  cfg.kind = kind;
  cfg.bidirectional = bidirectional;
  cfg.labels = labels;
  return cfg;
}

struct RaggedBatch {
  static constexpr int B = 3, T = 4;
  std::vector<int32_t> inputs, targets, lengths = {4, 2, 3}, labels = {2, 0, 1};
  explicit RaggedBatch(int target_range) {
    Rng rng(17);
    for (int i = 0; i < B * T; ++i) inputs.push_back((int32_t)rng.below(7));
    for (int i = 0; i < B * T; ++i) targets.push_back((int32_t)rng.below(target_range));
  }
  Batch batch() const {
    Batch b;
    b.B = B;
    b.T = T;
    b.inputs = inputs.data();
    b.targets = targets.data();
    b.lengths = lengths.data();
    b.labels = labels.data();
    return b;
  }
};
}  // namespace

TEST(GradCheck, Classifier) {
  for (bool bi : {false, true})
    for (Pooling pool : {Pooling::Final, Pooling::Mean, Pooling::Max}) {
      ModelConfig cfg = small_model(ModelKind::Classifier, CellType::Lstm, bi, 3);
      cfg.pooling = pool;
      SequenceClassifier m(cfg);
      check_whole_model(m, RaggedBatch(3).batch(), std::string("classifier ") + pooling_name(pool) + (bi ? " bi" : ""));
    }
  ModelConfig gru = small_model(ModelKind::Classifier, CellType::Gru, true, 3);
  gru.dropout = 0.3f;
  SequenceClassifier m(gru);
  check_whole_model(m, RaggedBatch(3).batch(), "classifier gru bi dropout");
}

TEST(GradCheck, Tagger) {
  for (CellType cell : {CellType::Lstm, CellType::Gru, CellType::Rnn})
    for (bool bi : {false, true}) {
      SequenceTagger m(small_model(ModelKind::Tagger, cell, bi, 5));
      check_whole_model(m, RaggedBatch(5).batch(), std::string("tagger ") + cell_name(cell) + (bi ? " bi" : ""));
    }
}

TEST(GradCheck, ConditionalLanguageModel) {
  for (CellType cell : {CellType::Lstm, CellType::Gru}) {
    LanguageModel m(small_model(ModelKind::LanguageModel, cell, false, 3));
    check_whole_model(m, RaggedBatch(7).batch(), std::string("conditional lm ") + cell_name(cell));
  }
  LanguageModel plain(small_model(ModelKind::LanguageModel, CellType::Lstm, false, 0));
  check_whole_model(plain, RaggedBatch(7).batch(), "lm with lengths");
}

// Padding is invisible to the loss: the padded batch's loss equals the per-row losses weighted by length.
TEST(Tagger, PaddedBatchLossEqualsRowsAlone) {
  SequenceTagger m(small_model(ModelKind::Tagger, CellType::Lstm, true, 5));
  RaggedBatch rb(5);
  const double padded = m.evaluate_batch(rb.batch());
  double sum = 0;
  int tokens = 0;
  for (int r = 0; r < RaggedBatch::B; ++r) {
    const int len = rb.lengths[r];
    std::vector<int32_t> in(rb.inputs.begin() + r * RaggedBatch::T, rb.inputs.begin() + r * RaggedBatch::T + len);
    std::vector<int32_t> tg(rb.targets.begin() + r * RaggedBatch::T, rb.targets.begin() + r * RaggedBatch::T + len);
    Batch one;
    one.B = 1;
    one.T = len;
    one.inputs = in.data();
    one.targets = tg.data();
    sum += m.evaluate_batch(one) * len;
    tokens += len;
  }
  EXPECT_NEAR(padded, sum / tokens, 1e-6);
}

TEST(GradCheck, Attention) {
  for (AttentionScore kind : {AttentionScore::General, AttentionScore::Dot}) {
    const int S = 5, T = 3, B = 3, D = 4, A = 3;
    const int H = kind == AttentionScore::Dot ? D : 6;
    const std::vector<int32_t> lengths = {5, 2, 4};
    Params P;
    Attention att;
    att.score = kind;
    att.encoder_size = D;
    att.decoder_size = H;
    att.output_size = A;
    att.declare(P, "attention");
    P.allocate();
    att.bind(P);
    Rng rng(31);
    att.init(rng);
    for (auto& w : P.value) w *= 2.0f;
    auto e = test::random_vector((size_t)S * B * D, rng), h = test::random_vector((size_t)T * B * H, rng);
    auto R = test::random_vector((size_t)T * B * A, rng);
    std::vector<float> out((size_t)T * B * A);
    auto loss = [&] {
      att.forward(S, T, B, e.data(), lengths.data(), h.data(), out.data());
      return project(out.data(), R);
    };
    loss();
    for (int b = 0; b < B; ++b)  // weights over the real steps only, summing to 1
      for (int t = 0; t < T; ++t) {
        double sum = 0;
        for (int s = 0; s < S; ++s) {
          const float w = att.weights()[((size_t)b * T + t) * S + s];
          if (s >= lengths[b]) {
            EXPECT_EQ(w, 0.0f);
          }
          sum += w;
        }
        EXPECT_NEAR(sum, 1.0, 1e-6);
      }
    P.zero_grad();
    std::vector<float> de(e.size()), dh(h.size());
    att.backward(R.data(), de.data(), dh.data());
    const std::string what = attention_score_name(kind);
    const auto grads = P.grad;
    for (const auto& t : P.tensors)
      EXPECT_GRAD_OK(grad_check(t.name, P.value.data() + t.offset, t.size,
                                std::vector<float>(grads.begin() + t.offset, grads.begin() + t.offset + t.size), loss),
                     what + " " + t.name);
    EXPECT_GRAD_OK(grad_check("e", e.data(), e.size(), de, loss), what + " encoder outputs");
    EXPECT_GRAD_OK(grad_check("h", h.data(), h.size(), dh, loss), what + " decoder states");
  }
}

namespace {
// The encoder–decoder checks' batch: sources of lengths 4, 2, 3 and targets of 3, 2, 3.
test::PairBatch pair_batch() {
  test::PairBatch p;
  p.B = 3;
  p.S = 4;
  p.T = 3;
  p.src = {1, 2, 3, 4, 5, 6, 0, 0, 2, 2, 1, 0};
  p.src_len = {4, 2, 3};
  p.dec_in = {0, 1, 2, 0, 3, 0, 0, 2, 2};
  p.tgt = {1, 2, 3, 3, 4, 0, 2, 2, 4};
  p.tgt_len = {3, 2, 3};
  return p;
}

ModelConfig pair_model(CellType cell, bool bi, bool attention) {
  return test::seq2seq_config(7, 5, 3, 4, 2, cell, bi, attention, false, 6);
}

}  // namespace

TEST(GradCheck, EncoderDecoder) {
  // Sources and targets of different lengths in one batch; with and without attention, uni and bi.
  test::ThreadCount one(1);  // thousands of tiny passes: handing them to a second thread costs more than it saves
  const test::PairBatch pairs = pair_batch();
  const Batch batch = pairs.batch();
  for (CellType cell : {CellType::Lstm, CellType::Gru})
    for (bool bi : {false, true})
      for (bool attention : {false, true}) {
        if (cell == CellType::Gru && !(bi && attention)) continue;  // GRU once: the cells are checked above
        const ModelConfig cfg = pair_model(cell, bi, attention);
        Seq2Seq m(cfg);
        EXPECT_EQ((double)m.params.total, parameter_count(cfg));
        // Weights ×2, not ×3 (sharper attention leaves gradients near zero), the loss ×20 (a mean over
        // 8 target tokens through two recurrent stacks gives gradients of ~5e-4).
        check_whole_model(m, batch, std::string("seq2seq ") + cell_name(cell) + (bi ? " bi" : "") +
                                        (attention ? " attention" : ""), 2.0f, 20.0);
      }
}

namespace {
// check_whole_model for an encoder–decoder run step by step. With scheduled sampling the choices
// are held fixed: the analytic gradient is the sampled run's, the finite differences are taken on
// the loss of the same model teacher-forced with the tokens that run fed its decoder (one of them
// is enough to know the loss as a function of the weights; re-sampling under a perturbation could
// flip an argmax and make the loss jump).
void check_steps(const ModelConfig& cfg, const std::string& what) {
  test::ThreadCount one(1);  // thousands of tiny passes: handing them to a second thread costs more than it saves
  Seq2Seq m(cfg);
  EXPECT_EQ((double)m.params.total, parameter_count(cfg)) << what;
  const test::PairBatch pb = pair_batch();
  for (auto& v : m.params.value) v *= 2.0f;
  m.params.zero_grad();
  Rng drop(99);
  const double sampled_loss = m.train_batch(pb.batch(), drop);
  std::vector<float> grads = m.params.grad;
  for (auto& g : grads) g = (float)(g * 20.0);
  test::PairBatch fixed = pb;  // the fed tokens, row-major
  const std::vector<int32_t>& fed = m.decoder_tokens();
  for (int r = 0; r < 3; ++r)
    for (int t = 0; t < 3; ++t) fixed.dec_in[r * 3 + t] = fed[t * 3 + r];
  if (cfg.scheduled_sampling > 0) {
    EXPECT_NE(fixed.dec_in, pb.dec_in) << what << ": no input was sampled, the check would mean nothing";
    m.config.scheduled_sampling = 0;
    EXPECT_NEAR(m.evaluate_batch(fixed.batch()), sampled_loss, 1e-6) << what;
  }
  auto loss = [&] {
    Rng r(99);
    std::vector<float> scratch = m.params.grad;
    const double l = m.train_batch(fixed.batch(), r);
    m.params.grad = scratch;
    return l * 20.0;
  };
  for (const auto& t : m.params.tensors)
    EXPECT_GRAD_OK(grad_check(t.name, m.params.value.data() + t.offset, t.size,
                              std::vector<float>(grads.begin() + t.offset, grads.begin() + t.offset + t.size), loss),
                   what + " " + t.name);
}
}  // namespace

// Input feeding: the decoder runs step by step, h̃_{t−1} entering step t's first level.
TEST(GradCheck, EncoderDecoderInputFeeding) {
  for (bool bi : {false, true}) {
    ModelConfig cfg = pair_model(CellType::Lstm, bi, true);
    cfg.input_feeding = true;
    check_steps(cfg, std::string("seq2seq input feeding lstm") + (bi ? " bi" : ""));
  }
  ModelConfig gru = pair_model(CellType::Gru, true, true);
  gru.input_feeding = true;
  gru.dropout = 0.3f;  // between the decoder's levels too, per step
  check_steps(gru, "seq2seq input feeding gru bi dropout");
  ModelConfig rnn = pair_model(CellType::Rnn, false, true);
  rnn.input_feeding = true;
  rnn.attention_score = AttentionScore::Dot;
  check_steps(rnn, "seq2seq input feeding rnn dot");
}

// Scheduled sampling: step by step, most inputs the model's own argmax, held fixed.
TEST(GradCheck, EncoderDecoderScheduledSampling) {
  ModelConfig att = pair_model(CellType::Lstm, true, true);
  att.scheduled_sampling = 0.75f;
  check_steps(att, "seq2seq sampled lstm bi attention");
  ModelConfig fed = pair_model(CellType::Lstm, false, true);
  fed.scheduled_sampling = 0.75f;
  fed.input_feeding = true;
  check_steps(fed, "seq2seq sampled lstm input feeding");
  ModelConfig plain = pair_model(CellType::Gru, false, false);
  plain.scheduled_sampling = 0.75f;
  check_steps(plain, "seq2seq sampled gru no attention");
}
