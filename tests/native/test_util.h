// Helpers shared by the native tests: random tensors and a finite-difference gradient check.
#pragma once
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <numeric>
#include <string>
#include <vector>

#include "common.h"
#include "decode/sampling.h"
#include "kernels/threads.h"
#include "models/language_model.h"
#include "rng.h"
#include "train/trainer.h"

namespace rnn::test {

// Sets the kernels' thread count for a scope and restores it after.
struct ThreadCount {
  int saved = threads::count();
  explicit ThreadCount(int n) { threads::set_count(n); }
  ~ThreadCount() { threads::set_count(saved); }
  ThreadCount(const ThreadCount&) = delete;
  ThreadCount& operator=(const ThreadCount&) = delete;
};

// A language model's settings in one place, as the tests write them: tc.model.…, tc.batch_size, …
// (construct LanguageModelTask(tc.model, tc, ids)).
struct LmConfig : TrainingConfig {
  ModelConfig model;
};

// A model's sizes as the tests set them; everything else at its default.
inline ModelConfig model_config(int vocab, int embedding, int hidden, int layers, CellType cell, uint64_t seed) {
  ModelConfig c;
  c.vocab_size = vocab;
  c.embedding_size = embedding;
  c.hidden_size = hidden;
  c.layers = layers;
  c.cell = cell;
  c.seed = seed;
  return c;
}

// An encoder–decoder's (source vocab, target vocab counting start and end, sizes, switches).
inline ModelConfig seq2seq_config(int vocab, int target_vocab, int embedding, int hidden, int layers, CellType cell,
                                  bool bidirectional, bool attention, bool input_feeding, uint64_t seed) {
  ModelConfig c = model_config(vocab, embedding, hidden, layers, cell, seed);
  c.kind = ModelKind::Seq2Seq;
  c.target_vocab_size = target_vocab;
  c.bidirectional = bidirectional;
  c.attention = attention;
  c.input_feeding = input_feeding;
  return c;
}

// Source–target pairs as a padded batch: B sources of up to S tokens (row-major, B × S), decoder
// inputs and targets of up to T steps (B × T), and each row's lengths; batch() views them.
struct PairBatch {
  int B = 0, S = 0, T = 0;
  std::vector<int32_t> src, src_len, dec_in, tgt, tgt_len;
  // Random ids below `vocab` (sources) and `target_vocab` (decoder inputs and targets).
  static PairBatch random(std::vector<int32_t> src_len, std::vector<int32_t> tgt_len, int vocab, int target_vocab,
                          uint64_t seed) {
    PairBatch p;
    p.B = (int)src_len.size();
    for (int32_t n : src_len) p.S = std::max(p.S, (int)n);
    for (int32_t n : tgt_len) p.T = std::max(p.T, (int)n);
    p.src_len = std::move(src_len);
    p.tgt_len = std::move(tgt_len);
    Rng rng(seed);
    for (int i = 0; i < p.B * p.S; ++i) p.src.push_back((int32_t)rng.below(vocab));
    for (int i = 0; i < p.B * p.T; ++i) p.dec_in.push_back((int32_t)rng.below(target_vocab));
    for (int i = 0; i < p.B * p.T; ++i) p.tgt.push_back((int32_t)rng.below(target_vocab));
    return p;
  }
  Batch batch() const {
    Batch b;
    b.B = B;
    b.T = S;
    b.inputs = src.data();
    b.lengths = src_len.data();
    b.target_steps = T;
    b.decoder_inputs = dec_in.data();
    b.targets = tgt.data();
    b.target_lengths = tgt_len.data();
    return b;
  }
};

// The message of the rnn::Error that f throws, or a marker that none was thrown.
// sample_token's truncation by its plain definition, sorting everything: weights exp((z − max)/T);
// ids most likely first (ties -> lower id) when anything is cut, else in id order; the k best; the
// smallest prefix holding top-p of their weight (`slack`: relative tolerance at the prefix's end).
// Returns the kept ids in that order and the weights by id.
struct Truncation {
  std::vector<int32_t> kept;
  std::vector<double> weight;
};
inline Truncation truncate_by_sorting(const std::vector<float>& z, const SamplingOptions& o, double slack = 0) {
  const int n = (int)z.size();
  Truncation t;
  t.kept.resize(n);
  std::iota(t.kept.begin(), t.kept.end(), 0);
  const double zmax = *std::max_element(z.begin(), z.end());
  t.weight.resize(n);
  for (int i = 0; i < n; ++i) t.weight[i] = std::exp(((double)z[i] - zmax) / o.temperature);
  size_t kept = o.top_k > 0 ? std::min<size_t>(o.top_k, n) : n;
  if (kept < (size_t)n || o.top_p < 1.0f)
    std::sort(t.kept.begin(), t.kept.end(), [&](int32_t a, int32_t b) { return z[a] != z[b] ? z[a] > z[b] : a < b; });
  if (o.top_p < 1.0f) {
    double total = 0, cum = 0;
    for (size_t i = 0; i < kept; ++i) total += t.weight[t.kept[i]];
    size_t i = 0;
    while (i < kept) {
      cum += t.weight[t.kept[i++]];
      if (cum >= o.top_p * total * (1 - slack)) break;
    }
    kept = i;
  }
  t.kept.resize(kept);
  return t;
}

inline std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no rnn::Error thrown)";
}

inline std::vector<float> random_vector(size_t n, Rng& rng, double scale = 1.0) {
  std::vector<float> v(n);
  for (auto& x : v) x = static_cast<float>(rng.uniform(-scale, scale));
  return v;
}

// Central differences on a float32 network. Why these tolerances: the forward pass runs in float32
// (relative round-off ~1e-7 per operation); the scalar loss is accumulated in double. With step
// h = 1e-2 the round-off in (L(x+h) − L(x−h)) / 2h is about |L|·1e-7 / h ≈ 1e-4 for |L| ≲ 10, and
// the truncation error h²·L'''/6 is of the same order for these smooth (tanh/σ/softmax) functions.
// So an element passes if |analytic − numeric| ≤ 3e-3 + 2e-2·|numeric|; a wrong gradient (a missing
// factor, a wrong gate, a transposed matrix) is off by O(|g|), far outside this band.
struct GradCheckResult {
  double max_abs_err = 0, max_grad = 0;
  size_t checked = 0, failures = 0;
  std::string first_failure;
};

// `loss` recomputes the loss from the current contents of `x`; `analytic` is ∂loss/∂x computed once.
// Checks every element when n ≤ max_checks, otherwise an evenly spread subset.
inline GradCheckResult grad_check(const std::string& what, float* x, size_t n, const std::vector<float>& analytic,
                                  const std::function<double()>& loss, size_t max_checks = 400,
                                  double h = 1e-2) {
  GradCheckResult r;
  size_t stride = n > max_checks ? n / max_checks : 1;
  for (size_t i = 0; i < n; i += stride) {
    const float saved = x[i];
    x[i] = saved + static_cast<float>(h);
    const double lp = loss();
    x[i] = saved - static_cast<float>(h);
    const double lm = loss();
    x[i] = saved;
    const double numeric = (lp - lm) / (2 * h);
    const double err = std::fabs(analytic[i] - numeric);
    r.max_abs_err = std::max(r.max_abs_err, err);
    r.max_grad = std::max(r.max_grad, std::fabs((double)analytic[i]));
    ++r.checked;
    if (err > 3e-3 + 2e-2 * std::fabs(numeric)) {
      if (!r.failures++)
        r.first_failure = what + "[" + std::to_string(i) + "]: analytic " + std::to_string(analytic[i]) +
                          " numeric " + std::to_string(numeric);
    }
  }
  return r;
}

#define EXPECT_GRAD_OK(res, what)                                                             \
  do {                                                                                        \
    const auto& _r = (res);                                                                   \
    EXPECT_EQ(_r.failures, 0u) << (what) << ": " << _r.failures << "/" << _r.checked          \
                               << " elements off; first: " << _r.first_failure;              \
    EXPECT_GT(_r.max_grad, 1e-3) << (what) << ": gradient is (nearly) all zero";              \
  } while (0)

// Equal to the last bit (NaNs included): what "bit-exact" claims.
inline bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

}  // namespace rnn::test
