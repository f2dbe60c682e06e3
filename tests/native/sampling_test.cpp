// Tests for core/sampling: greedy, temperature, top-k, top-p, repetition penalty, validation.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>

#include "common.h"
#include "decode/sampling.h"
#include "test_util.h"

using namespace rnn;
using rnn::test::error_of;

namespace {


int32_t sample(const std::vector<float>& logits, const SamplingOptions& o, Rng& rng,
               const std::vector<int32_t>& recent = {}) {
  return sample_token(logits.data(), static_cast<int32_t>(logits.size()), o, rng, recent.data(), recent.size());
}

int32_t argmax(const std::vector<float>& v) {
  return static_cast<int32_t>(std::max_element(v.begin(), v.end()) - v.begin());
}

std::vector<double> softmax(const std::vector<float>& logits, double temperature) {
  double mx = -INFINITY, sum = 0;
  for (float l : logits) mx = std::max(mx, static_cast<double>(l));
  std::vector<double> p;
  for (float l : logits) p.push_back(std::exp((l - mx) / temperature));
  for (double x : p) sum += x;
  for (double& x : p) x /= sum;
  return p;
}

// Draws n samples and checks each token's frequency against `expected` within 4.5 standard
// errors (for 5-10 tokens a false alarm has probability ~1e-4).
void expect_frequencies(const std::vector<float>& logits, const SamplingOptions& o, const std::vector<double>& expected,
                        uint64_t seed, int n = 20000, const std::vector<int32_t>& recent = {}) {
  Rng rng(seed);
  std::vector<int> counts(logits.size(), 0);
  for (int i = 0; i < n; ++i) ++counts[static_cast<size_t>(sample(logits, o, rng, recent))];
  for (size_t i = 0; i < logits.size(); ++i) {
    const double f = static_cast<double>(counts[i]) / n, p = expected[i];
    const double se = std::sqrt(p * (1 - p) / n);
    if (p == 0) EXPECT_EQ(counts[i], 0) << "token " << i;
    else EXPECT_NEAR(f, p, 4.5 * se + 1e-12) << "token " << i;
  }
}

std::vector<float> random_logits(Rng& rng, int n) {
  std::vector<float> v(static_cast<size_t>(n));
  for (auto& x : v) x = static_cast<float>(rng.normal() * 3.0);
  return v;
}

}  // namespace

TEST(Sampling, GreedyPicksArgmaxLowestIdOnTies) {
  Rng rng(1);
  const std::vector<float> logits = {0.1f, 2.0f, -1.0f, 2.0f};
  SamplingOptions o;
  o.greedy = true;
  EXPECT_EQ(sample(logits, o, rng), 1);
  SamplingOptions t0;
  t0.temperature = 0.0f;
  EXPECT_EQ(sample(logits, t0, rng), 1);
  const uint64_t before = rng.state;
  sample(logits, o, rng);
  EXPECT_EQ(rng.state, before);  // greedy consumes no randomness
}

TEST(Sampling, TopK1AndTinyTopPEqualGreedy) {
  Rng gen(3), rng(4);
  SamplingOptions k1, p0, greedy;
  k1.top_k = 1;
  p0.top_p = 1e-6f;
  greedy.greedy = true;
  for (int trial = 0; trial < 300; ++trial) {
    std::vector<float> logits = random_logits(gen, 50);
    if (trial % 3 == 0) logits[7] = logits[31] = *std::max_element(logits.begin(), logits.end()) + 1;  // a tie
    const int32_t best = argmax(logits);
    EXPECT_EQ(sample(logits, greedy, rng), best);
    EXPECT_EQ(sample(logits, k1, rng), best);
    EXPECT_EQ(sample(logits, p0, rng), best);
    k1.temperature = p0.temperature = 0.3f + static_cast<float>(trial % 5);
  }
}

TEST(Sampling, SameSeedSameSequence) {
  Rng gen(9);
  const std::vector<float> logits = random_logits(gen, 40);
  SamplingOptions o;
  o.temperature = 1.3f;
  o.top_k = 20;
  o.top_p = 0.9f;
  Rng a(123), b(123), c(124);
  std::vector<int32_t> sa, sb, sc;
  for (int i = 0; i < 500; ++i) {
    sa.push_back(sample(logits, o, a));
    sb.push_back(sample(logits, o, b));
    sc.push_back(sample(logits, o, c));
  }
  EXPECT_EQ(sa, sb);
  EXPECT_NE(sa, sc);
}

TEST(Sampling, FrequenciesMatchSoftmaxOverTemperature) {
  const std::vector<float> logits = {1.0f, 2.0f, 0.5f, -1.0f, 3.0f, 0.0f};
  for (float temperature : {1.0f, 0.7f, 2.5f}) {
    SCOPED_TRACE(temperature);
    SamplingOptions o;
    o.temperature = temperature;
    expect_frequencies(logits, o, softmax(logits, temperature), 1000 + static_cast<uint64_t>(temperature * 10));
  }
}

TEST(Sampling, TopKKeepsOnlyTheKBest) {
  const std::vector<float> logits = {0.5f, 2.0f, 1.0f, 1.5f, -0.3f, 1.0f, 0.9f};
  SamplingOptions o;
  o.top_k = 3;  // keeps ids 1, 3 and 2 (1.0 tie with id 5: lower id wins)
  const std::vector<float> kept = {2.0f, 1.5f, 1.0f};
  const auto pk = softmax(kept, 1.0);
  expect_frequencies(logits, o, {0, pk[0], pk[2], pk[1], 0, 0, 0}, 77);
  // Random logits: never an id outside the k best.
  Rng gen(5), rng(6);
  o.top_k = 5;
  for (int trial = 0; trial < 2000; ++trial) {
    const auto l = random_logits(gen, 30);
    std::vector<float> sorted = l;
    std::sort(sorted.rbegin(), sorted.rend());
    EXPECT_GE(l[static_cast<size_t>(sample(l, o, rng))], sorted[4]);
  }
  o.top_k = 100;  // more than the vocabulary: no truncation
  expect_frequencies(logits, o, softmax(logits, 1.0), 78);
}

TEST(Sampling, TopPKeepsTheSmallestNucleus) {
  const std::vector<float> logits = {std::log(0.15f), std::log(0.5f), std::log(0.05f), std::log(0.3f)};
  SamplingOptions o;
  o.top_p = 0.75f;  // 0.5 + 0.3 >= 0.75: ids 1 and 3
  expect_frequencies(logits, o, {0, 0.5 / 0.8, 0, 0.3 / 0.8}, 11);
  o.top_p = 0.85f;  // needs 0.15 too
  expect_frequencies(logits, o, {0.15 / 0.95, 0.5 / 0.95, 0, 0.3 / 0.95}, 12);
  o.top_p = 0.4f;  // the top token alone
  expect_frequencies(logits, o, {0, 1, 0, 0}, 13, 2000);
  // top-p applies to the renormalised top-k distribution: top-2 = {0.5, 0.3} -> {0.625,
  // 0.375}; p = 0.6 keeps only id 1.
  o.top_k = 2;
  o.top_p = 0.6f;
  expect_frequencies(logits, o, {0, 1, 0, 0}, 14, 2000);
}

TEST(Sampling, RepetitionPenaltyChangesTheArgmax) {
  Rng rng(2);
  SamplingOptions o;
  o.greedy = true;
  EXPECT_EQ(sample({2.0f, 1.5f, -0.5f}, o, rng, {0}), 0);  // penalty off
  o.repetition_penalty = 1.5f;
  EXPECT_EQ(sample({2.0f, 1.5f, -0.5f}, o, rng, {0}), 1);  // 2.0 / 1.5 = 1.33 < 1.5
  EXPECT_EQ(sample({-1.0f, -1.2f}, o, rng, {0}), 1);       // -1.0 * 1.5 = -1.5 < -1.2
  EXPECT_EQ(sample({2.0f, 1.2f}, o, rng, {0, 0, 0}), 0);  // once per distinct token: 1.33 > 1.2
  o.repetition_penalty = 0.5f;                             // < 1 favours repeats
  EXPECT_EQ(sample({1.0f, 1.5f}, o, rng, {0}), 0);
  // Sampling path: the penalised distribution.
  SamplingOptions s;
  s.repetition_penalty = 2.0f;
  const std::vector<float> logits = {2.0f, 1.0f, -1.0f};
  expect_frequencies(logits, s, softmax({1.0f, 1.0f, -2.0f}, 1.0), 21, 20000, {0, 2});
  std::vector<float> l = logits;
  Rng r(21);
  std::vector<int32_t> recent = {0, 2};
  for (int i = 0; i < 10; ++i) sample_token(l.data(), 3, s, r, recent.data(), recent.size());
  EXPECT_EQ(l, logits);  // the caller's logits are untouched
}

TEST(Sampling, MaskedLogitsAreNeverDrawn) {
  const float ninf = -std::numeric_limits<float>::infinity();
  expect_frequencies({ninf, 0.0f, ninf, 1.0f}, {}, {0, softmax({0, 1}, 1)[0], 0, softmax({0, 1}, 1)[1]}, 31, 5000);
}

TEST(Sampling, InvalidOptionsThrow) {
  Rng rng(1);
  const std::vector<float> logits = {0.0f, 1.0f};
  const auto err = [&](SamplingOptions o) { return error_of([&] { sample(logits, o, rng); }); };
  SamplingOptions o;
  o.temperature = -1;
  EXPECT_EQ(err(o), "option 'temperature' must be >= 0 and finite (got -1)");
  o.temperature = std::nanf("");
  EXPECT_EQ(err(o).rfind("option 'temperature' must be", 0), 0u);
  o = {};
  o.top_k = -2;
  EXPECT_EQ(err(o), "option 'topK' must be >= 0 (got -2)");
  o = {};
  o.top_p = 0;
  EXPECT_EQ(err(o), "option 'topP' must be in (0, 1] (got 0)");
  o.top_p = 1.5f;
  EXPECT_EQ(err(o), "option 'topP' must be in (0, 1] (got 1.5)");
  o.top_p = std::nanf("");
  EXPECT_EQ(err(o).rfind("option 'topP' must be", 0), 0u);
  o = {};
  o.repetition_penalty = 0;
  EXPECT_EQ(err(o), "option 'repetitionPenalty' must be > 0 and finite (got 0)");
  o.repetition_penalty = -1;
  EXPECT_EQ(err(o), "option 'repetitionPenalty' must be > 0 and finite (got -1)");
  // Bad inputs, not options.
  EXPECT_EQ(error_of([&] { sample({}, {}, rng); }), "sample_token needs at least one logit (got 0)");
  EXPECT_EQ(error_of([&] { sample({0.0f, std::nanf("")}, {}, rng); }), "logit 1 is NaN or +inf");
  SamplingOptions p;
  p.repetition_penalty = 1.2f;
  EXPECT_EQ(error_of([&] { sample(logits, p, rng, {5}); }), "recent token id 5 out of range (vocab size 2)");
  const float ninf = -std::numeric_limits<float>::infinity();
  EXPECT_EQ(error_of([&] { sample({ninf, ninf}, {}, rng); }), "all logits are -inf");
}

// The truncations select (top-k: nth_element, top-p: a heap) instead of sorting the vocabulary:
// every draw equals that of the plain definition — softmax weights, all ids sorted most likely
// first (when anything is cut; else in id order), the k best, the smallest prefix holding top-p
// of their weight, one uniform over it —
// on 33 K-id vocabularies (with many tied logits) and small ones.
TEST(Sampling, TruncationsDrawWhatSortingEverythingDraws) {
  auto by_sorting = [](const std::vector<float>& logits, const SamplingOptions& o, Rng& rng) {
    // The nucleus' edge is compared in floating point on sums taken in different orders: a
    // relative slack of 1e-12 there.
    const test::Truncation t = test::truncate_by_sorting(logits, o, 1e-12);
    double total = 0;
    for (int32_t id : t.kept) total += t.weight[id];
    const double u = rng.uniform() * total;
    double cum = 0;
    for (int32_t id : t.kept)
      if (u < (cum += t.weight[id])) return id;
    return t.kept.back();
  };
  Rng gen(5);
  int differ = 0, draws = 0;
  for (int n : {7, 1000, 33000}) {
    for (int trial = 0; trial < 6; ++trial) {
      std::vector<float> logits = random_logits(gen, n);
      for (int i = 0; i < n; i += 5) logits[i] = std::round(logits[i]);  // ties
      for (auto [k, top_p] : {std::pair{0, 0.9f}, {40, 1.0f}, {40, 0.5f}, {n, 0.3f}, {0, 0.05f}}) {
        SamplingOptions o;
        o.temperature = trial % 2 ? 0.7f : 1.3f;
        o.top_k = k;
        o.top_p = top_p;
        Rng a(trial * 100 + k), b(trial * 100 + k);
        for (int d = 0; d < 20; ++d, ++draws) differ += sample(logits, o, a) != by_sorting(logits, o, b);
      }
    }
  }
  // The nucleus' edge is compared in floating point on sums taken in different orders: allow a
  // rare draw at the edge to differ, never more.
  EXPECT_LE(differ, draws / 1000) << differ << " of " << draws;
}

// select_nucleus (the two-level sampler's top-p) against sorting everything: for candidate sets
// from a few to 40 K (flat runs, ties in value broken by id, spread and clustered values) and
// needs from nothing to more than they hold, the same nucleus — the same set, its last-ranked
// candidate last, and the weight before it.
TEST(Sampling, SelectNucleusIsTheSortedPrefix) {
  Rng rng(77);
  int cases = 0;
  for (size_t n : {1u, 5u, 48u, 49u, 300u, 5000u, 40000u})
    for (int shape = 0; shape < 4; ++shape) {
      std::vector<Candidate> c(n);
      for (size_t i = 0; i < n; ++i) {
        float v;
        switch (shape) {
          case 0: v = (float)(rng.uniform() * -20.0); break;                   // spread
          case 1: v = (float)(std::floor(rng.uniform() * 8) * -0.5); break;    // few values, many ties
          case 2: v = (float)(-10.0 - rng.uniform() * 1e-4); break;           // one narrow run
          default: v = (float)(i % 7 == 0 ? -1.0 - rng.uniform() : -12.0 - rng.uniform() * 3); break;
        }
        c[i] = {v, (int32_t)((i * 7919) % n), std::exp((double)v)};
      }
      std::vector<Candidate> sorted = c;
      std::sort(sorted.begin(), sorted.end(), [](const Candidate& a, const Candidate& b) {
        return a.v != b.v ? a.v > b.v : a.id < b.id;
      });
      double total = 0;
      for (const Candidate& x : c) total += x.w;
      for (double frac : {0.0, 1e-9, 0.3, 0.5, 0.9, 0.999, 1.0, 1.5}) {
        const double need = frac * total;
        size_t want = 0;
        double cum = 0, want_before = 0;
        while (want < n) {
          want_before = cum;
          cum += sorted[want++].w;
          if (cum >= need) break;
        }
        std::vector<Candidate> got = c;
        double before = -1;
        const size_t m = select_nucleus(got.data(), n, need, before);
        const std::string what = "n " + std::to_string(n) + " shape " + std::to_string(shape) + " need " +
                                 std::to_string(frac);
        ASSERT_EQ(m, want) << what;
        EXPECT_EQ(got[m - 1].id, sorted[want - 1].id) << what;
        EXPECT_NEAR(before, want_before, 1e-9 * total) << what;
        std::vector<int32_t> a, b;
        for (size_t i = 0; i < m; ++i) a.push_back(got[i].id), b.push_back(sorted[i].id);
        std::sort(a.begin(), a.end());
        std::sort(b.begin(), b.end());
        EXPECT_EQ(a, b) << what;
        ++cases;
      }
    }
  EXPECT_EQ(cases, 7 * 4 * 8);
}
