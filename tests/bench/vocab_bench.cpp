// The adaptive softmax against the full one on word-level vocabularies (issue 18).
//
//   vocab_bench [--quick]            speed: a 2-layer LSTM 256 with embedding 256 on synthetic
//                                    Zipf-distributed ids, vocabularies 10 K and 33 K: training
//                                    tokens/s full vs adaptive (interleaved rounds, medians), and
//                                    where a step's time goes (the output layer: GEMMs + softmax,
//                                    timed alone on the same rows; the rest: embedding + recurrent)
//   vocab_bench --quality [tokens]   quality: the same model trained on the Seinfeld scripts
//                                    (../shared/data, word tokenizer) full and adaptive for the same
//                                    number of tokens (default 600 000), same seed and options;
//                                    validation perplexity of each
// Run from the repository root. Threads: RNN_THREADS or 2 (the kernels' pool); with RNN_THREADS=1 the
// speed is timed in process CPU time (steadier on a shared machine), else in wall time.
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "io/config.h"
#include "kernels/kernels.h"
#include "kernels/threads.h"
#include "nn/adaptive_softmax.h"
#include "nn/dense.h"
#include "nn/loss.h"
#include "tasks/lm_task.h"
#include "tasks/session.h"

using Clock = std::chrono::steady_clock;
using nlohmann::json;
using namespace rnn;

static double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// Process CPU seconds: on one thread the cost of a step however busy the machine is (wall time
// counts the waits for a core another job holds).
static double cpu_now() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// n ids below V, Zipf (s = 1) by inverse transform on the harmonic numbers' continuous version.
static std::vector<int32_t> zipf_ids(int n, int V, uint64_t seed) {
  Rng rng(seed);
  std::vector<double> cum(V);
  double s = 0;
  for (int i = 0; i < V; ++i) cum[i] = s += 1.0 / (i + 1);
  std::vector<int32_t> ids(n);
  for (auto& id : ids) id = (int32_t)(std::lower_bound(cum.begin(), cum.end(), rng.uniform(0, s)) - cum.begin());
  return ids;
}

static ModelConfig lm_config(int V) {
  ModelConfig m;
  m.vocab_size = V;
  m.embedding_size = 256;
  m.hidden_size = 256;
  m.layers = 2;
  m.cell = CellType::Lstm;
  m.seed = 1;
  return m;
}

static TrainingConfig training_config() {
  TrainingConfig t = default_run_config().training;
  t.batch_size = 32;
  t.seq_length = 35;
  return t;
}

static void speed(bool quick) {
  const TrainingConfig t = training_config();
  const int N = t.batch_size * t.seq_length, H = 256;
  const int rounds = quick ? 3 : 7, steps = quick ? 3 : 5;
  std::printf("speed: 2-layer LSTM 256, embedding 256, batch %d x %d = %d tokens/step, %d thread(s) (%s), %s\n",
              t.batch_size, t.seq_length, N, threads::count(), threads::count() == 1 ? "CPU time" : "wall time",
              kernels::simd_arch());
  json out = json::array();
  for (int V : {10000, 33000}) {
    const std::vector<int32_t> ids = zipf_ids(400000, V, 7);
    std::vector<int64_t> counts(V, 0);
    for (int32_t id : ids) ++counts[id];
    ModelConfig full = lm_config(V), adaptive = lm_config(V);
    adaptive.adaptive_softmax = true;
    adaptive.adaptive_cutoffs = choose_adaptive_cutoffs(counts, H, 4.0);
    LanguageModelTask a(full, t, ids), b(adaptive, t, ids);
    for (int i = 0; i < 2; ++i) a.step(), b.step();

    // The output layer alone on the same rows: Dense + softmax_xent + backward vs the adaptive softmax.
    Rng rng(3);
    std::vector<float> x((size_t)N * H), dx((size_t)N * H), logits((size_t)N * V);
    for (auto& v : x) v = (float)rng.uniform(-0.5, 0.5);
    std::vector<int32_t> y(ids.begin(), ids.begin() + N);
    Dense& dense = a.model.output;
    AdaptiveSoftmax& as = b.model.adaptive;
    auto out_full = [&] {
      dense.forward(N, x.data(), logits.data());
      softmax_cross_entropy(N, V, logits.data(), y.data(), nullptr, logits.data());
      dense.backward(N, x.data(), logits.data(), dx.data());
    };
    auto out_adaptive = [&] {
      as.forward_loss(N, x.data(), y.data(), nullptr);
      as.backward(dx.data());
    };
    out_full(), out_adaptive();
    // One thread: CPU time per step (unaffected by waiting for a core); more: wall time.
    const bool cpu = threads::count() == 1;
    auto ms_of = [&](auto&& f) {
      const auto t0 = Clock::now();
      const double c0 = cpu_now();
      f();
      return (cpu ? cpu_now() - c0 : seconds_since(t0)) * 1e3;
    };
    std::vector<double> step_full, step_adaptive, o_full, o_adaptive;
    for (int r = 0; r < rounds; ++r) {  // interleaved: the machine's other load hits both alike
      for (int i = 0; i < steps; ++i) {
        step_full.push_back(ms_of([&] { a.step(); }));
        step_adaptive.push_back(ms_of([&] { b.step(); }));
        o_full.push_back(ms_of(out_full));
        o_adaptive.push_back(ms_of(out_adaptive));
      }
    }
    a.model.params.zero_grad();
    b.model.params.zero_grad();
    const double sf = median(step_full), sa = median(step_adaptive), of = median(o_full), oa = median(o_adaptive);
    std::string cuts;
    for (int c : adaptive.adaptive_cutoffs) cuts += (cuts.empty() ? "" : ", ") + std::to_string(c);
    double head = 0, total = 0;
    for (int i = 0; i < V; ++i) total += (double)counts[i], head += i < adaptive.adaptive_cutoffs[0] ? (double)counts[i] : 0;
    std::printf("V %5d  full:     %7.1f ms/step  %7.0f tokens/s  (output layer %6.1f ms = %4.1f %%, the rest %6.1f ms)\n", V,
                sf, N / sf * 1e3, of, 100 * of / sf, sf - of);
    std::printf("         adaptive: %7.1f ms/step  %7.0f tokens/s  (output layer %6.1f ms = %4.1f %%, the rest %6.1f ms)"
                "  cutoffs [%s], head covers %.1f %% of tokens\n",
                sa, N / sa * 1e3, oa, 100 * oa / sa, sa - oa, cuts.c_str(), 100 * head / total);
    std::printf("         speed-up %.2fx (output layer alone %.1fx); parameters %.2f M vs %.2f M\n", sf / sa, of / oa,
                parameter_count(full) / 1e6, parameter_count(adaptive) / 1e6);
    out.push_back({{"vocab", V}, {"fullTokensPerSecond", N / sf * 1e3}, {"adaptiveTokensPerSecond", N / sa * 1e3},
                   {"speedup", sf / sa}, {"fullOutputMs", of}, {"adaptiveOutputMs", oa}, {"fullStepMs", sf},
                   {"adaptiveStepMs", sa}, {"cutoffs", adaptive.adaptive_cutoffs}});
  }
  std::printf("%s\n", json{{"speed", out}}.dump().c_str());
}

static void quality(int64_t tokens) {
  std::string text;
  for (const char* path : {"../shared/data/seinfeld_scripts.txt", "../../shared/data/seinfeld_scripts.txt"}) {
    std::ifstream f(path, std::ios::binary);
    if (!f) continue;
    std::stringstream ss;
    ss << f.rdbuf();
    text = ss.str();
    std::printf("quality: %s (%zu bytes)\n", path, text.size());
    break;
  }
  if (text.empty()) {
    std::printf("quality: skipped: ../shared/data/seinfeld_scripts.txt not found (see ../shared/data/README.md)\n");
    return;
  }
  json o = {{"tokenizer", "word"}, {"cell", "lstm"}, {"layers", 2}, {"hidden", 256}, {"embedding", 256},
            {"seqLength", 35}, {"batchSize", 32}, {"learningRate", 0.002}, {"dropout", 0.2},
            {"validationFraction", 0.05}, {"seed", 1}};
  json results = json::array();
  for (bool adaptive : {false, true}) {
    json oo = o;
    if (adaptive) oo["adaptiveSoftmax"] = true;
    Session s(text, parse_run_config(oo));
    const int64_t per_step = (int64_t)s.config.training.batch_size * s.config.training.seq_length;
    const int64_t steps = (tokens + per_step - 1) / per_step;
    const auto t0 = Clock::now();
    for (int64_t i = 0; i < steps; ++i) s.step();
    const double secs = seconds_since(t0);
    const EvalResult e = s.evaluate();
    std::string cuts;
    for (int c : s.config.model.adaptive_cutoffs) cuts += (cuts.empty() ? "" : ", ") + std::to_string(c);
    std::printf("%-8s vocabulary %d, %lld steps (%lld tokens) in %.0f s (%.0f tokens/s): validation loss %.4f, "
                "perplexity %.2f%s%s%s\n",
                adaptive ? "adaptive" : "full", s.config.model.vocab_size, (long long)steps, (long long)(steps * per_step),
                secs, steps * per_step / secs, e.loss, e.perplexity, adaptive ? ", cutoffs [" : "", cuts.c_str(),
                adaptive ? "]" : "");
    std::fflush(stdout);
    results.push_back({{"adaptive", adaptive}, {"vocab", s.config.model.vocab_size}, {"tokens", steps * per_step},
                       {"seconds", secs}, {"loss", e.loss}, {"perplexity", e.perplexity}});
  }
  std::printf("perplexity adaptive / full: %.4f\n",
              results[1]["perplexity"].get<double>() / results[0]["perplexity"].get<double>());
  std::printf("%s\n", json{{"quality", results}, {"options", o}}.dump().c_str());
}

int main(int argc, char** argv) {
  const char* env = std::getenv("RNN_THREADS");
  threads::set_count(env ? std::atoi(env) : std::min(2, threads::max_threads()));
  bool quick = false, q = false;
  int64_t tokens = 600000;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--quick")) quick = true;
    else if (!std::strcmp(argv[i], "--quality")) {
      q = true;
      if (i + 1 < argc) tokens = std::atoll(argv[++i]);
    }
  }
  try {
    if (q) quality(tokens);
    else speed(quick);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "vocab_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
