// The adaptive softmax (nn/adaptive_softmax.h): its gradients against finite differences, its full
// distribution (sums to 1, the loss is −log p of it), the cut-offs chosen from frequencies, a word
// model that learns with it, its model file (round trip, exact resume), thread-count independence
// and the options it refuses.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "data_path.h"
#include "io/config.h"
#include "nn/adaptive_softmax.h"
#include "tasks/example_task.h"
#include "tasks/session.h"
#include "test_util.h"

using namespace rnn;
using nlohmann::json;

namespace {

// A layer of `in` inputs over `vocab` words, initialised with larger weights so every softmax is
// far from uniform.
struct Layer {
  Params P;
  AdaptiveSoftmax A;
  Layer(int in, int vocab, std::vector<int> cutoffs, double div, bool bias, uint64_t seed = 3) {
    A.in = in;
    A.vocab = vocab;
    A.cutoffs = std::move(cutoffs);
    A.div_value = div;
    A.has_head_bias = bias;
    A.declare(P, "adaptive");
    P.allocate();
    A.bind(P);
    Rng rng(seed);
    A.init(rng);
    for (auto& w : P.value) w *= 4.0f;
    if (bias)
      for (size_t i = 0; i < A.head_bias.size; ++i) A.head_bias.w[i] = (float)rng.uniform(-0.5, 0.5);
  }
};

// Targets covering the shortlist and every cluster.
std::vector<int32_t> spread_targets(int n, int vocab, uint64_t seed) {
  Rng rng(seed);
  std::vector<int32_t> y(n);
  for (int i = 0; i < n; ++i) y[i] = i < vocab ? (int32_t)((i * 7) % vocab) : (int32_t)rng.below(vocab);
  return y;
}

const char* kWords =
    "the cat sat on the mat . the dog sat on the log . a cat and a dog ran to the park . "
    "the bird sang in the tree and the cat watched the bird . a man read a book by the fire . "
    "the woman wrote a letter to her sister in the city . the children played in the garden all day . ";

std::string word_corpus(int repeats) {
  std::string s;
  for (int i = 0; i < repeats; ++i) s += kWords;
  return s;
}

RunConfig word_config(json extra = json::object()) {
  json o = {{"tokenizer", "word"}, {"cell", "lstm"}, {"layers", 1}, {"hidden", 32}, {"embedding", 16},
            {"seqLength", 10}, {"batchSize", 4}, {"learningRate", 0.01}, {"validationFraction", 0.1},
            {"seed", 5}, {"adaptiveSoftmax", {{"cutoffs", {6, 14}}, {"divValue", 2}}}};
  for (auto it = extra.begin(); it != extra.end(); ++it) o[it.key()] = it.value();
  return parse_run_config(o);
}

}  // namespace

TEST(GradCheck, AdaptiveSoftmax) {
  for (bool bias : {false, true}) {
    const int n = 24, in = 8, V = 20;
    Layer L(in, V, {5, 9, 14}, 2.0, bias);  // projections 4, 2, 1 wide
    ASSERT_EQ(L.A.tails.size(), 3u);
    EXPECT_EQ(L.A.tails[2].dim, 1);
    Rng rng(9);
    auto x = test::random_vector((size_t)n * in, rng);
    const std::vector<int32_t> y = spread_targets(n, V, 4);
    std::vector<float> w(n);
    for (int i = 0; i < n; ++i) w[i] = i == 3 ? 0.0f : (float)rng.uniform(0.2, 1.5);  // one padding row
    auto loss = [&] { return L.A.forward_loss(n, x.data(), y.data(), w.data()); };
    loss();
    L.P.zero_grad();
    std::vector<float> dx(x.size());
    L.A.backward(dx.data());
    const std::vector<float> grads = L.P.grad;
    for (const auto& t : L.P.tensors) {
      std::vector<float> g(grads.begin() + t.offset, grads.begin() + t.offset + t.size);
      EXPECT_GRAD_OK(test::grad_check(t.name, L.P.value.data() + t.offset, t.size, g, loss, 400, 1e-2), t.name);
    }
    EXPECT_GRAD_OK(test::grad_check("x", x.data(), x.size(), dx, loss, 400, 1e-2), "input x");
    for (int k = 0; k < in; ++k) EXPECT_EQ(dx[3 * in + k], 0.0f) << "the padding row gets no gradient";
  }
}

TEST(AdaptiveSoftmax, FullDistributionSumsToOneAndGivesTheLoss) {
  const int n = 30, in = 16, V = 50;
  Layer L(in, V, {10, 25}, 4.0, false);
  Rng rng(2);
  auto x = test::random_vector((size_t)n * in, rng);
  std::vector<float> lp((size_t)n * V);
  L.A.log_probs(n, x.data(), lp.data());
  const std::vector<int32_t> y = spread_targets(n, V, 8);
  double nll = 0;
  for (int r = 0; r < n; ++r) {
    double s = 0;
    for (int v = 0; v < V; ++v) s += std::exp((double)lp[(size_t)r * V + v]);
    EXPECT_NEAR(s, 1.0, 1e-5) << "row " << r;
    nll -= lp[(size_t)r * V + y[r]];
  }
  EXPECT_NEAR(L.A.forward_loss(n, x.data(), y.data(), nullptr), nll / n, 1e-5);
}

TEST(AdaptiveSoftmax, CutoffsFromFrequencies) {
  for (int V : {10000, 33000}) {
    std::vector<int64_t> counts(V);
    for (int i = 0; i < V; ++i) counts[i] = (int64_t)(1e7 / (i + 1));  // Zipf
    const std::vector<int> c = choose_adaptive_cutoffs(counts, 256, 4.0);
    ASSERT_FALSE(c.empty());
    AdaptiveSoftmax::check(256, V, c, 4.0);  // PyTorch-valid: increasing, in [1, V)
    double total = 0, head = 0;
    for (int i = 0; i < V; ++i) total += (double)counts[i], head += i < c[0] ? (double)counts[i] : 0.0;
    EXPECT_GE(head / total, 0.8);
    EXPECT_LT(head / total, 0.9);
    std::vector<int> edges = c;
    edges.push_back(V);
    EXPECT_GE(c.size(), 2u) << V << ": the tail is split";
    for (size_t i = 2; i + 1 < edges.size(); ++i) EXPECT_GE(edges[i] - edges[i - 1], edges[i - 1] - edges[i - 2]) << V;
    const size_t L = edges.size() - 1;  // the last cluster: at least half the one before
    EXPECT_GE(2 * (edges[L] - edges[L - 1]), edges[L - 1] - edges[L - 2]) << V;
  }
  // A tiny vocabulary still gets a valid single cut.
  const std::vector<int> tiny = choose_adaptive_cutoffs({5, 3, 1}, 8, 4.0);
  AdaptiveSoftmax::check(8, 3, tiny, 4.0);
  EXPECT_NE(test::error_of([] { choose_adaptive_cutoffs({5, 3, 1}, 3, 4.0); }).find("divValue"), std::string::npos);
}

// A word model with the adaptive softmax learns a small text, writes from it, and its distribution
// at each generation step is the full one (the step's logits are log-probabilities).
TEST(AdaptiveSoftmax, WordModelLearnsAndGenerates) {
  Session s(word_corpus(40), word_config());
  ASSERT_TRUE(s.config.model.adaptive_softmax);
  EXPECT_EQ(s.config.model.adaptive_cutoffs, (std::vector<int>{6, 14}));
  EXPECT_NE(s.model().params.find("adaptive.tail.1.1.weight"), nullptr);
  EXPECT_EQ(s.model().params.find("fc.weight"), nullptr);
  EXPECT_EQ((double)s.model().params.total, parameter_count(s.config.model));
  const double first = s.evaluate().loss;
  for (int i = 0; i < 300; ++i) s.step();
  const double last = s.evaluate().loss;
  std::cout << "[adaptive] validation loss " << first << " -> " << last << "\n";
  EXPECT_LT(last, 0.5 * first);
  EXPECT_LT(last, 1.2);

  auto& lm = static_cast<LanguageModel&>(s.model());
  ModelState st = lm.start_state(1);
  std::vector<float> z(lm.vocab_size());
  const int32_t id = 1;
  lm.step(1, &id, st, z.data());
  double sum = 0;
  for (float v : z) sum += std::exp((double)v);
  EXPECT_NEAR(sum, 1.0, 1e-5);
  GenerateOptions g;
  g.prime = "the cat";
  g.length = 20;
  const std::string text = s.generate(g);
  EXPECT_GT(text.size(), 10u) << text;
}

// Chosen from the text when not given, saved in the file, loaded back to the same predictions,
// and a checkpoint resumes bit for bit.
TEST(AdaptiveSoftmax, ModelFileRoundTripAndExactResume) {
  const std::string text = word_corpus(30);
  const RunConfig cfg = parse_run_config(json{{"tokenizer", "word"}, {"layers", 2}, {"hidden", 16}, {"embedding", 8},
                                              {"seqLength", 8}, {"batchSize", 3}, {"dropout", 0.1},
                                              {"validationFraction", 0.1}, {"seed", 3}, {"adaptiveSoftmax", "auto"}});
  Session straight(text, cfg);
  ASSERT_FALSE(straight.config.model.adaptive_cutoffs.empty());
  for (int i = 0; i < 20; ++i) straight.step();

  std::string ckpt;
  {
    Session first(text, cfg);
    for (int i = 0; i < 10; ++i) first.step();
    ckpt = first.save_checkpoint();
  }
  Session resumed(text, reinterpret_cast<const uint8_t*>(ckpt.data()), ckpt.size());
  EXPECT_EQ(resumed.config.model.adaptive_cutoffs, straight.config.model.adaptive_cutoffs);
  for (int i = 0; i < 10; ++i) resumed.step();
  EXPECT_TRUE(test::same_bits(straight.model().params.value, resumed.model().params.value));

  const std::string bytes = straight.save_model();
  ModelFile f = load_model_file(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  EXPECT_TRUE(f.config.model.adaptive_softmax);
  EXPECT_EQ(f.config.model.adaptive_cutoffs, straight.config.model.adaptive_cutoffs);
  EXPECT_TRUE(test::same_bits(f.model->params.value, straight.model().params.value));
  const json back = run_config_to_json(f.config);
  EXPECT_EQ(back.at("adaptiveSoftmax").at("cutoffs"), json(straight.config.model.adaptive_cutoffs));
  EXPECT_EQ(back.at("adaptiveSoftmax").at("divValue"), 4.0);
  std::vector<int32_t> ids = f.tokenizer.encode("the cat sat on the mat .");
  auto predict = [&](LanguageModel& m) {
    ModelState st = m.zero_state(1);
    std::vector<float> z(m.vocab_size());
    m.feed((int)ids.size(), ids.data(), st, z.data());
    return z;
  };
  EXPECT_TRUE(test::same_bits(predict(f.language_model()), predict(static_cast<LanguageModel&>(straight.model()))));
}

TEST(AdaptiveSoftmax, TrainingIsBitwiseIdenticalForOneAndTwoThreads) {
  if (threads::max_threads() < 2) GTEST_SKIP() << "one core: nothing to compare";
  test::LmConfig tc;
  tc.model = test::model_config(300, 24, 72, 2, CellType::Lstm, 4);
  tc.model.adaptive_softmax = true;
  tc.model.adaptive_cutoffs = {40, 120};
  tc.model.dropout = 0.1f;
  tc.batch_size = 16;
  tc.seq_length = 20;
  tc.optimizer.learning_rate = 0.005f;
  Rng rng(1);
  std::vector<int32_t> ids(6000);
  for (auto& v : ids) v = (int32_t)std::min(299.0, std::floor(std::exp(rng.uniform(0, std::log(300.0))) - 1));
  auto run = [&](int n) {
    test::ThreadCount t(n);
    LanguageModelTask tr(tc.model, tc, std::vector<int32_t>(ids.begin(), ids.begin() + 5000),
                         std::vector<int32_t>(ids.begin() + 5000, ids.end()));
    std::vector<double> losses;
    for (int i = 0; i < 6; ++i) losses.push_back(tr.step().loss);
    losses.push_back(tr.evaluate().loss);
    return std::make_pair(losses, tr.model.params.value);
  };
  const auto one = run(1), two = run(2);
  EXPECT_EQ(one.first, two.first);
  EXPECT_TRUE(test::same_bits(one.second, two.second));
}

TEST(AdaptiveSoftmax, RefusesBadOptions) {
  auto err = [](json extra) { return test::error_of([&] { word_config(std::move(extra)); }); };
  EXPECT_NE(err({{"tokenizer", "char"}}).find("word-level"), std::string::npos);
  EXPECT_NE(err({{"tieWeights", true}, {"hidden", 16}}).find("tieWeights"), std::string::npos);
  EXPECT_NE(err({{"adaptiveSoftmax", {{"cutoffs", {14, 6}}}}}).find("increase"), std::string::npos);
  EXPECT_NE(err({{"adaptiveSoftmax", {{"cutoffs", {0, 6}}}}}).find("cutoffs"), std::string::npos);
  EXPECT_NE(err({{"adaptiveSoftmax", {{"cutoffs", json::array()}}}}).find("cutoffs"), std::string::npos);
  EXPECT_NE(err({{"adaptiveSoftmax", {{"divValue", 0}}}}).find("divValue"), std::string::npos);
  EXPECT_NE(err({{"adaptiveSoftmax", {{"divValue", 1e-300}}}}).find("divValue"), std::string::npos);
  EXPECT_NE(err({{"adaptiveSoftmax", {{"cutoffs", {6.5}}}}}).find("integers"), std::string::npos);
  EXPECT_NE(err({{"adaptiveSoftmax", {{"headBias", 1}}}}).find("headBias"), std::string::npos);
  EXPECT_NE(test::error_of([] { AdaptiveSoftmax::check(8, 20, {5}, 0.5); }).find("divValue"), std::string::npos);
  EXPECT_EQ(AdaptiveSoftmax::tail_dim(8, 1e300, 3), 0);
  EXPECT_NE(err({{"adaptiveSoftmax", {{"bins", 3}}}}).find("adaptiveSoftmax.bins"), std::string::npos);
  EXPECT_NE(err({{"adaptiveSoftmax", "yes"}}).find("adaptiveSoftmax"), std::string::npos);
  EXPECT_NE(test::error_of([] {
              parse_run_config(json{{"task", "classify"}, {"tokenizer", "word"}, {"adaptiveSoftmax", true}});
            }).find("task 'lm'"),
            std::string::npos);
  // Cut-offs beyond the vocabulary, or a projection of width 0, once the text's vocabulary is known.
  const std::string text = word_corpus(10);
  EXPECT_NE(test::error_of([&] { Session s(text, word_config({{"adaptiveSoftmax", {{"cutoffs", {6, 5000}}}}})); })
                .find("vocabulary size"),
            std::string::npos);
  EXPECT_NE(test::error_of([&] {
              Session s(text, word_config({{"adaptiveSoftmax", {{"cutoffs", {2, 4, 6, 8}}, {"divValue", 4}}}}));
            }).find("width 0"),
            std::string::npos);
  // Off is off: false leaves the output layer as it was.
  EXPECT_FALSE(word_config({{"adaptiveSoftmax", false}}).model.adaptive_softmax);
  EXPECT_FALSE(run_config_to_json(word_config({{"adaptiveSoftmax", false}})).contains("adaptiveSoftmax"));
}

// A language model by category (examples) chooses its cut-offs from the training texts too.
TEST(AdaptiveSoftmax, ByCategoryChoosesCutoffsFromTheExamples) {
  ExampleData d;
  const char* kinds[] = {"animals", "city"};
  const char* texts[] = {"the cat sat on the mat and the dog ran to the log", "the man read a book in the city by the fire"};
  for (int i = 0; i < 200; ++i) d.category.push_back({kinds[i % 2], texts[i % 2], i + 1});
  ExampleTask task(parse_run_config(json{{"task", "lm"}, {"tokenizer", "word"}, {"layers", 1}, {"hidden", 32},
                                         {"embedding", 16}, {"batchSize", 8}, {"learningRate", 0.01}, {"seed", 2},
                                         {"adaptiveSoftmax", true}}),
                   d);
  ASSERT_FALSE(task.config.model.adaptive_cutoffs.empty());
  AdaptiveSoftmax::check(32, task.config.model.vocab_size, task.config.model.adaptive_cutoffs, 4.0);
  const double first = task.step().loss;
  double last = first;
  for (int i = 0; i < 100; ++i) last = task.step().loss;
  EXPECT_LT(last, 0.5 * first);
}
