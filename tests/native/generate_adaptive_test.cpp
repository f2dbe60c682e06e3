// Sampling in two levels (decode/sampling.h, sample_two_level; LanguageModel::sample_next): the
// draws of greedy, temperature, top-k and top-p follow the distribution sample_token gives over the
// full log-probabilities, while the clusters are expanded only when they can matter; generation
// with the adaptive softmax is deterministic per seed and the same for 1 and 2 threads.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "decode/generate.h"
#include "decode/sampling.h"
#include "io/config.h"
#include "models/language_model.h"
#include "tasks/session.h"
#include "test_util.h"

using namespace rnn;
using nlohmann::json;

namespace {

// The probability of each id under sample_token's definition, from the full log-probabilities:
// weights exp((z − max)/T), the k best (ties -> lower id), the smallest prefix holding top-p of
// their weight, normalised.
std::vector<double> expected(const std::vector<float>& z, const SamplingOptions& o) {
  std::vector<double> out(z.size(), 0.0);
  if (o.greedy || o.temperature == 0) {
    out[std::max_element(z.begin(), z.end()) - z.begin()] = 1;  // the first maximum: the lowest id
    return out;
  }
  const test::Truncation t = test::truncate_by_sorting(z, o);
  double total = 0;
  for (int32_t id : t.kept) total += t.weight[id];
  for (int32_t id : t.kept) out[id] = t.weight[id] / total;
  return out;
}

// Each id's frequency in n draws within 4.5 standard errors of its probability (0: never drawn).
void expect_frequencies(const std::function<int32_t(Rng&)>& draw, const std::vector<double>& want, uint64_t seed,
                        const std::string& what, int n = 20000) {
  Rng rng(seed);
  std::vector<int> counts(want.size(), 0);
  for (int i = 0; i < n; ++i) {
    const int32_t id = draw(rng);
    ASSERT_GE(id, 0) << what;
    ASSERT_LT(id, (int32_t)want.size()) << what;
    ++counts[id];
  }
  for (size_t i = 0; i < want.size(); ++i) {
    const double f = (double)counts[i] / n, p = want[i];
    if (p == 0) EXPECT_EQ(counts[i], 0) << what << ", id " << i;
    else EXPECT_NEAR(f, p, 4.5 * std::sqrt(p * (1 - p) / n) + 1e-12) << what << ", id " << i;
  }
}

// A two-level distribution as an adaptive softmax makes one: head logits over S words and the
// clusters, each cluster's logits; `full` holds every word's log-probability as the layer computes
// it (float(log p(c) + log p_c(w)) in double), and expand hands out its slices, counting calls.
struct TwoLevel {
  int32_t S;
  std::vector<int32_t> start, size;
  std::vector<float> head, full;
  int expansions = 0;

  TwoLevel(const std::vector<double>& head_logits, const std::vector<std::vector<double>>& cluster_logits) {
    S = (int32_t)(head_logits.size() - cluster_logits.size());
    const auto log_softmax = [](const std::vector<double>& z) {
      const double mx = *std::max_element(z.begin(), z.end());
      double s = 0;
      for (double v : z) s += std::exp(v - mx);
      std::vector<double> out;
      for (double v : z) out.push_back(v - mx - std::log(s));
      return out;
    };
    for (double v : log_softmax(head_logits)) head.push_back((float)v);
    full.assign(head.begin(), head.begin() + S);
    for (size_t c = 0; c < cluster_logits.size(); ++c) {
      start.push_back((int32_t)full.size());
      size.push_back((int32_t)cluster_logits[c].size());
      for (double v : log_softmax(cluster_logits[c])) full.push_back((float)(v + head[S + c]));
    }
  }
  // With word bounds: each cluster's exact max log p_c(w) (the tightest there is) plus `slack`.
  TwoLevelLogProbs view(bool bounded, double slack = 0) {
    TwoLevelLogProbs d = view();
    if (bounded)
      d.word_bound = [this, slack](int32_t c) {
        const float* v = full.data() + start[c];
        return std::min(0.0, (double)*std::max_element(v, v + size[c]) - head[S + c] + slack);
      };
    return d;
  }
  TwoLevelLogProbs view() {
    TwoLevelLogProbs d;
    d.head = head.data();
    d.shortlist = S;
    d.clusters = (int32_t)start.size();
    d.start = start.data();
    d.size = size.data();
    d.expand = [this](int32_t c) {
      ++expansions;
      return (const float*)full.data() + start[c];
    };
    return d;
  }
};

SamplingOptions opts(float t, int k = 0, float p = 1.0f, bool greedy = false) {
  SamplingOptions o;
  o.temperature = t;
  o.top_k = k;
  o.top_p = p;
  o.greedy = greedy;
  return o;
}

const std::vector<std::pair<std::string, SamplingOptions>>& option_cases() {
  static const std::vector<std::pair<std::string, SamplingOptions>> cases = {
      {"T=1", opts(1.0f)},
      {"T=0.7", opts(0.7f)},
      {"T=1.6", opts(1.6f)},
      {"top-k 3, T=0.8", opts(0.8f, 3)},
      {"top-k 7 (past the shortlist)", opts(1.0f, 7)},
      {"top-p 0.8", opts(1.0f, 0, 0.8f)},
      {"top-p 0.6, T=0.7", opts(0.7f, 0, 0.6f)},
      {"top-p 0.9, T=1.4", opts(1.4f, 0, 0.9f)},
      {"top-k 5, top-p 0.7", opts(0.9f, 5, 0.7f)},
      {"greedy", opts(1.0f, 0, 1.0f, true)},
  };
  return cases;
}

}  // namespace

// Two clusters holding most of the mass (every truncation has to look into them), and a head that
// dominates (they rarely matter): the draws' frequencies are sample_token's over the full
// log-probabilities, for every option.
TEST(TwoLevelSampling, FrequenciesMatchTheFullDistribution) {
  const std::vector<TwoLevel> shapes = {
      TwoLevel({0.5, 0.1, -0.3, 2.0, 1.6}, {{1.0, 0.2, -0.5, 0.9}, {0.3, 0.0, -1.0, 0.4, 0.1}}),
      TwoLevel({3.0, 1.0, 0.5, -1.0, -0.5}, {{2.5, -1.0, -1.5, 0.0}, {1.0, 0.2, 0.0, -3.0, 0.5}}),
  };
  uint64_t seed = 1;
  for (size_t s = 0; s < shapes.size(); ++s)
    for (int bounded = 0; bounded < 3; ++bounded)  // no word bounds, tight ones, loose ones
      for (const auto& [name, o] : option_cases()) {
        TwoLevel t = shapes[s];
        const TwoLevelLogProbs d = t.view(bounded > 0, bounded == 2 ? 0.3 : 1e-6);
        expect_frequencies([&](Rng& rng) { return sample_two_level(d, o, rng); }, expected(t.full, o), ++seed,
                           "shape " + std::to_string(s) + ", bounds " + std::to_string(bounded) + ", " + name);
      }
}

// Top-p at a vocabulary's size (3,000 head words, clusters of 2,000 and 1,000), where the nucleus is
// chosen by buckets of value and thousands of words long: no draw falls outside sample_token's
// nucleus, and the draws' frequencies over groups of ids — ranked as sample_token ranks them, each
// group ~1/12 of the nucleus's probability — and over its 20 likeliest words are its probabilities.
TEST(TwoLevelSampling, TopPOverThousandsOfWordsIsTheFullNucleus) {
  Rng gen(31);
  const auto logits = [&](int n, double spread, double shift) {
    std::vector<double> z(n);
    for (double& v : z) v = gen.normal() * spread + shift;
    return z;
  };
  std::vector<double> head = logits(3000, 1.5, 0.0);
  head.push_back(8.6), head.push_back(7.8);  // the clusters' logits: ≈ 30 % and 15 % of the mass
  TwoLevel t(head, {logits(2000, 1.2, 0.0), logits(1000, 0.8, 0.0)});
  uint64_t seed = 40;
  for (const SamplingOptions& o : {opts(1.0f, 0, 0.5f), opts(0.7f, 0, 0.9f), opts(1.5f, 0, 0.97f)})
    for (bool bounded : {false, true}) {
      const std::string what = "T " + std::to_string(o.temperature) + " top-p " + std::to_string(o.top_p) +
                               (bounded ? ", word bounds" : "");
      const std::vector<double> want = expected(t.full, o);
      std::vector<int32_t> ranked;  // the nucleus, likeliest first (ties -> lower id)
      for (int32_t id = 0; id < (int32_t)want.size(); ++id)
        if (want[id] > 0) ranked.push_back(id);
      std::sort(ranked.begin(), ranked.end(), [&](int32_t a, int32_t b) {
        return t.full[a] != t.full[b] ? t.full[a] > t.full[b] : a < b;
      });
      ASSERT_GT(ranked.size(), 200u) << what;
      std::vector<int> group(want.size(), -1);
      std::vector<double> group_p;
      double acc = 0;
      for (size_t r = 0; r < ranked.size(); ++r) {
        if (r < 20) group_p.push_back(0);  // the 20 likeliest alone
        else if (r == 20 || acc >= 1.0 / 12) group_p.push_back(0), acc = 0;
        group[ranked[r]] = (int)group_p.size() - 1;
        group_p.back() += want[ranked[r]];
        if (r >= 20) acc += want[ranked[r]];
      }
      const TwoLevelLogProbs d = t.view(bounded, 1e-6);
      Rng rng(++seed);
      const int n = 12000;
      std::vector<int> counts(group_p.size(), 0);
      for (int i = 0; i < n; ++i) {
        const int32_t id = sample_two_level(d, o, rng);
        ASSERT_GE(group[id], 0) << what << ": drew " << id << ", outside the nucleus";
        ++counts[group[id]];
      }
      for (size_t g = 0; g < group_p.size(); ++g) {
        const double f = (double)counts[g] / n, p = group_p[g];
        EXPECT_NEAR(f, p, 4.5 * std::sqrt(p * (1 - p) / n) + 1e-12) << what << ", group " << g;
      }
    }
}

// Top-k picks the same k words with the same weights as sample_token, so its draws are the same.
TEST(TwoLevelSampling, TopKDrawsWhatSampleTokenDraws) {
  TwoLevel t({0.5, 0.1, -0.3, 2.0, 1.6}, {{1.0, 0.2, -0.5, 0.9}, {0.3, 0.0, -1.0, 0.4, 0.1}});
  const TwoLevelLogProbs d = t.view();
  for (const SamplingOptions& o : {opts(0.8f, 3), opts(1.0f, 7), opts(0.9f, 5, 0.7f), opts(1.0f, 1)}) {
    Rng a(11), b(11);
    for (int i = 0; i < 500; ++i)
      ASSERT_EQ(sample_two_level(d, o, a), sample_token(t.full.data(), (int32_t)t.full.size(), o, b)) << i;
  }
}

// When the head dominates, the clusters are left alone: top-k, top-p and greedy never expand one
// whose p(cluster) is below what they keep, and plain sampling expands a cluster only for the draws
// that land in it.
TEST(TwoLevelSampling, ExpandsOnlyTheClustersThatCanMatter) {
  // Words 0-3, p(word 0) ≈ 0.88; the clusters (ids 4-6, 7-10) ≈ 0.01 each, below the third word.
  TwoLevel t({6.0, 3.0, 2.5, 2.2, 1.5, 1.4}, {{0.0, 1.0, 2.0}, {0.5, 0.5, 0.5, 0.5}});
  const TwoLevelLogProbs d = t.view();
  Rng rng(3);
  for (const SamplingOptions& o : {opts(1.0f, 1), opts(1.0f, 3), opts(0.8f, 0, 0.8f), opts(1.0f, 0, 1.0f, true)}) {
    t.expansions = 0;
    for (int i = 0; i < 1000; ++i) sample_two_level(d, o, rng);
    EXPECT_EQ(t.expansions, 0) << "top-k " << o.top_k << " top-p " << o.top_p;
  }
  const double cluster_mass = std::exp((double)t.head[4]) + std::exp((double)t.head[5]);
  for (float temperature : {1.0f, 0.7f}) {
    t.expansions = 0;
    const int n = 20000;
    int in_clusters = 0;
    for (int i = 0; i < n; ++i) in_clusters += sample_two_level(d, opts(temperature), rng) >= 4;
    EXPECT_LE(t.expansions, in_clusters + n / 1000) << temperature;  // a rare rejection at most
    if (temperature == 1.0f) {
      EXPECT_LE(t.expansions, 2 * cluster_mass * n);
    }
  }
}

// A cluster of large mass spread over many words: p(cluster) alone cannot rule it out of top-k,
// its word bound can.
TEST(TwoLevelSampling, WordBoundsRuleOutFlatClusters) {
  TwoLevel t({3.0, 2.0, 1.0, 3.5}, {std::vector<double>(200, 0.0)});  // cluster: p ≈ 0.5, 200 words alike
  Rng rng(2);
  for (bool bounded : {false, true}) {
    const TwoLevelLogProbs d = t.view(bounded, 1e-6);
    t.expansions = 0;
    for (int i = 0; i < 100; ++i) sample_two_level(d, opts(1.0f, 2), rng);
    if (bounded) EXPECT_EQ(t.expansions, 0);
    else EXPECT_EQ(t.expansions, 100);
  }
  expect_frequencies([&](Rng& r) { return sample_two_level(t.view(true, 1e-6), opts(0.7f, 0, 0.9f), r); },
                     expected(t.full, opts(0.7f, 0, 0.9f)), 9, "flat cluster, top-p");
}

TEST(TwoLevelSampling, GreedyIsTheArgmaxWithTiesToTheLowerId) {
  // Cluster 0 holds the largest log-probability; ties across the levels go to the lower id.
  TwoLevel t({0.0, 0.1, 3.0}, {{0.0, 4.0, 4.0}});
  const TwoLevelLogProbs d = t.view();
  Rng rng(1);
  const std::vector<float>& z = t.full;
  EXPECT_EQ(sample_two_level(d, opts(1.0f, 0, 1.0f, true), rng),
            (int32_t)(std::max_element(z.begin(), z.end()) - z.begin()));
  EXPECT_EQ(sample_two_level(d, opts(0.0f), rng), 3);
}

namespace {

// A small adaptive word model with distributions far from uniform.
struct SmallModel {
  LanguageModel lm;
  explicit SmallModel(int hidden = 16, int vocab = 30, std::vector<int> cutoffs = {6, 14}, uint64_t seed = 7)
      : lm(config(hidden, vocab, std::move(cutoffs), seed)) {
    for (const auto& name : {"adaptive.head.weight", "adaptive.tail.0.1.weight", "adaptive.tail.1.1.weight"})
      for (auto& t : lm.params.tensors)
        if (t.name == name)
          for (size_t i = 0; i < t.size; ++i) lm.params.value[t.offset + i] *= 6.0f;
  }
  static ModelConfig config(int hidden, int vocab, std::vector<int> cutoffs, uint64_t seed) {
    ModelConfig c = test::model_config(vocab, 8, hidden, 1, CellType::Lstm, seed);
    c.adaptive_softmax = true;
    c.adaptive_cutoffs = std::move(cutoffs);
    c.adaptive_div_value = 2;
    return c;
  }
};

}  // namespace

// LanguageModel::sample_next against the full log-probabilities of the same state: the same
// distribution for every option, greedy its argmax, and step_top leaves the state step leaves.
TEST(TwoLevelSampling, LanguageModelSamplesItsFullDistribution) {
  SmallModel m;
  LanguageModel& lm = m.lm;
  ModelState a = lm.start_state(1), b = lm.start_state(1);
  std::vector<float> top(16), full(30), logits(30);
  uint64_t seed = 100;
  for (int32_t token : {1, 4, 20, 9}) {
    lm.step_top(token, a, top.data());
    lm.step(1, &token, b, logits.data());
    ASSERT_TRUE(test::same_bits(a.data, b.data));
    lm.log_probs_of_top(top.data(), full.data());
    ASSERT_TRUE(test::same_bits(full, logits));
    double sum = 0;
    for (float v : full) sum += std::exp((double)v);
    ASSERT_NEAR(sum, 1.0, 1e-5);
    for (const auto& [name, o] : option_cases())
      expect_frequencies([&](Rng& rng) { return lm.sample_next(top.data(), o, rng); }, expected(full, o), ++seed,
                         "after token " + std::to_string(token) + ", " + name, 10000);
  }
}

// cluster_log_prob_bound is above every word's log p_c(w), and follows the weights when they change.
TEST(TwoLevelSampling, ClusterBoundsHoldAndFollowTheWeights) {
  SmallModel m(24, 700, {40, 300}, 3);  // clusters of 260 and 400 words: two blocks each
  LanguageModel& lm = m.lm;
  AdaptiveSoftmax& a = lm.adaptive;
  ModelState st = lm.start_state(1);
  std::vector<float> top(24), head(a.head_size()), v(400);
  Rng rng(4);
  double slack_sum = 0;
  int n = 0;
  for (int round = 0; round < 2; ++round) {
    for (int step = 0; step < 20; ++step) {
      const int32_t token = (int32_t)rng.below(700);
      lm.step_top(token, st, top.data());
      a.head_log_probs(top.data(), head.data());
      for (int c = 0; c < 2; ++c) {
        const float lp = head[a.shortlist() + c];
        a.cluster_log_probs(c, top.data(), lp, v.data());
        const double most = *std::max_element(v.begin(), v.begin() + a.tails[c].size) - (double)lp;
        const double b = a.cluster_log_prob_bound(c, top.data());
        EXPECT_GE(b, most) << "round " << round << " step " << step << " cluster " << c;
        EXPECT_LE(b, 0.0);
        slack_sum += b - most;
        ++n;
      }
    }
    // New output weights (as a training step would leave them): the statistics must follow.
    for (auto& t : a.tails)
      for (size_t i = 0; i < t.out.size; ++i) t.out.w[i] = t.out.w[i] * 1.5f + (float)rng.normal() * 0.3f;
  }
  std::cout << "[two-level] mean log gap between bound and best word " << slack_sum / n << "\n";
}

namespace {

RunConfig word_config() {
  return parse_run_config(json{{"tokenizer", "word"}, {"cell", "lstm"}, {"layers", 2}, {"hidden", 48},
                               {"embedding", 16}, {"seqLength", 10}, {"batchSize", 4}, {"learningRate", 0.01},
                               {"validationFraction", 0.1}, {"seed", 5},
                               {"adaptiveSoftmax", {{"cutoffs", {6, 14}}, {"divValue", 2}}}});
}

std::string corpus() {
  std::string s;
  for (int i = 0; i < 30; ++i)
    s += "the cat sat on the mat . the dog sat on the log . a cat and a dog ran to the park . "
         "the bird sang in the tree and the cat watched the bird . a man read a book by the fire . ";
  return s;
}

}  // namespace

// Generation samples in two levels: the same text for the same seed, for 1 and 2 threads; its
// next_logits are still the full distribution; a repetition penalty takes the full path.
TEST(TwoLevelSampling, GenerationIsDeterministicAndThreadIndependent) {
  Session s(corpus(), word_config());
  for (int i = 0; i < 40; ++i) s.step();
  GenerateOptions g;
  g.prime = "the cat";
  g.length = 60;
  g.sampling.temperature = 0.8f;
  for (auto [k, p] : {std::pair{0, 1.0f}, {4, 1.0f}, {0, 0.8f}}) {
    g.sampling.top_k = k;
    g.sampling.top_p = p;
    std::string one, two;
    {
      test::ThreadCount t(1);
      one = s.generate(g);
      EXPECT_EQ(one, s.generate(g));
    }
    {
      test::ThreadCount t(2);
      two = s.generate(g);
    }
    EXPECT_EQ(one, two) << "top-k " << k << " top-p " << p;
    g.seed += 1;
    EXPECT_NE(one, s.generate(g));
  }

  auto& lm = static_cast<LanguageModel&>(s.model());
  Generator gen(lm, s.input_tokenizer(), g);
  const std::vector<int32_t> ids = s.input_tokenizer().encode(g.prime);
  ModelState st = lm.start_state(1);
  std::vector<float> want(lm.vocab_size());
  lm.feed((int)ids.size(), ids.data(), st, want.data());
  const std::vector<float>& got = gen.next_logits();
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-5) << i;

  GenerateOptions penalised = g;
  penalised.sampling.repetition_penalty = 1.3f;
  EXPECT_EQ(s.generate(penalised), s.generate(penalised));
}
