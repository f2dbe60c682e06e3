// The seed document's use case end to end: a word-level 2-layer LSTM on the Simpsons
// "Moe's Tavern" script learns well below the unigram entropy and writes a scene from moe_szyslak.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <map>

#include "data_path.h"
#include "decode/generate.h"
#include "tasks/loaded_model.h"
#include "tasks/session.h"

using namespace rnn;
using nlohmann::json;

TEST(TvScript, WordLstmLearnsTheSimpsonsAndWritesAScene) {
  RNN_REQUIRE_DATA(text, "simpsons_moes_tavern.txt");
  ASSERT_FALSE(text.empty());
  RunConfig cfg = parse_run_config(json{{"tokenizer", "word"}, {"cell", "lstm"}, {"layers", 2}, {"hidden", 128},
                                        {"embedding", 64}, {"seqLength", 16}, {"batchSize", 32},
                                        {"learningRate", 0.01}, {"validationFraction", 0.05}, {"seed", 1}});
  Session s(text, cfg);
  // Unigram entropy of the training tokens: the loss of a model that ignores context.
  std::map<int32_t, double> counts;
  const StreamBatchSource& tb = s.task->train_data;
  double n = 0;
  for (int32_t id : tb.tokens()) counts[id] += 1, ++n;
  double unigram = 0;
  for (auto& [id, c] : counts) unigram -= c / n * std::log(c / n);

  const auto t0 = std::chrono::steady_clock::now();
  const int steps = 4 * (int)tb.batches_per_epoch();  // four epochs
  double avg = 0;
  int counted = 0;
  for (int i = 0; i < steps; ++i) {
    double l = s.step().loss;
    if (i >= steps - tb.batches_per_epoch()) avg += l, ++counted;  // mean over the last epoch
  }
  avg /= counted;
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const EvalResult val = s.evaluate();
  std::printf("[tv-script] vocab %d, %lld tokens, unigram entropy %.3f nats; after %d steps (%.1f s, %.0f tokens/s): "
              "train loss %.3f, validation loss %.3f (perplexity %.1f)\n",
              s.tokenizer.vocab_size(), (long long)s.corpus_tokens, unigram, steps, secs,
              steps * 512.0 / secs, avg, val.loss, val.perplexity);
  EXPECT_LT(avg, unigram - 1.0) << "training loss should be well below the unigram entropy";

  GenerateOptions g;
  g.prime = "moe_szyslak:";
  g.length = 200;
  g.sampling.temperature = 0.8f;
  g.seed = 3;
  const std::string scene = generate(s.task->model, s.tokenizer, g);
  std::printf("[tv-script] sample:\n%s\n", scene.c_str());
  EXPECT_EQ(scene.rfind("moe_szyslak:", 0), 0u);
  // The script's line format: several lines, most starting with "name_surname:".
  int lines = 0, named = 0;
  size_t pos = 0;
  while (pos < scene.size()) {
    size_t end = scene.find('\n', pos);
    if (end == std::string::npos) end = scene.size();
    std::string line = scene.substr(pos, end - pos);
    if (!line.empty()) {
      ++lines;
      size_t colon = line.find(':');
      if (colon != std::string::npos && colon > 0 && line.find(' ') > colon) ++named;
    }
    pos = end + 1;
  }
  EXPECT_GE(lines, 3) << scene;
  EXPECT_GE(named * 2, lines) << "most lines should be 'name: text'\n" << scene;
}
