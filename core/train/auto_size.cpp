#include "train/auto_size.h"

#include <algorithm>
#include <cmath>

namespace rnn {

namespace {

// Widths tried, SIMD- and cache-friendly multiples of 32 above 64.
constexpr int kWidths[] = {32, 48, 64, 96, 128, 160, 192, 256, 320, 384, 512, 640, 768, 1024};

struct Shape {
  double recurrent = 0;  // weights of the recurrent levels (what kTokensPerWeight counts)
  double compute = 0;    // weights a token's step multiplies by: the recurrent levels and the output layer
};

Shape shape_of(const AutoSizeInput& in, int layers, int H) {
  const double E = in.words ? H : 64, G = in.gates * (double)H;
  Shape s;
  for (int l = 0; l < layers; ++l) s.recurrent += G * ((l ? H : E) + H + 2);
  s.compute = s.recurrent + (double)in.vocab * (H + 1);
  return s;
}

}  // namespace

AutoSizeChoice choose_auto_size(const AutoSizeInput& in) {
  AutoSizeChoice c;
  const double N = std::max<int64_t>(in.train_tokens, 1);
  const double rate = kFlopsPerThread * std::max(1, in.threads);
  auto tokens = [&](const Shape& s) { return in.seconds * rate / (6 * s.compute); };
  // Two levels, unless even the narrowest two-level model is past the balance: then one.
  c.layers = tokens(shape_of(in, 2, 64)) >= kTokensPerWeight * shape_of(in, 2, 64).recurrent ? 2 : 1;
  c.hidden = kWidths[0];
  for (int H : kWidths) {
    const Shape s = shape_of(in, c.layers, H);
    if (H > kWidths[0] && (tokens(s) < kTokensPerWeight * s.recurrent || s.recurrent > kWeightsPerToken * N)) break;
    c.hidden = H;
  }
  const Shape s = shape_of(in, c.layers, c.hidden);
  c.embedding = in.words ? c.hidden : 64;
  c.tie = in.words;
  c.weights = s.recurrent;
  c.tokens_per_second = rate / (6 * s.compute);
  c.tokens = tokens(s);
  c.epochs = c.tokens / N;
  // Sequences: 64 characters or 32 words; a short text gets at least ~16 batches per epoch.
  c.seq_length = in.words ? 32 : 64;
  while (c.seq_length > 8 && N < 16.0 * 4 * c.seq_length) c.seq_length /= 2;
  c.batch_size = (int)std::clamp(N / (16.0 * c.seq_length), 1.0, 32.0);
  c.steps = std::max<int64_t>(1, (int64_t)(c.tokens / ((double)c.batch_size * c.seq_length)));
  if (c.epochs > 1) {
    // In steps of 0.05: a setting a person would write.
    c.dropout = (float)(std::round(std::min(0.5, 0.05 * (1 + std::log2(c.epochs))) * 20) / 20);
    c.embedding_dropout = c.dropout / 4;
    // Many passes over a small text: DropConnect pays on top (60 passes: −0.032 nats); at 6.5 it costs.
    if (c.epochs >= 30) c.weight_drop = 0.3f;
  }
  // Adam's step is the same size for every weight: wider layers sum more of them per unit.
  // Two significant digits: 0.0027, not 0.0026832817.
  const double lr = 3e-3 * std::min(1.0, std::sqrt(256.0 / c.hidden));
  const double unit = std::pow(10.0, std::floor(std::log10(lr)) - 1);
  c.learning_rate = std::round(lr / unit) * unit;
  return c;
}

void apply_auto_size(const AutoSizeChoice& c, const std::vector<std::string>& given, ModelConfig& m, TrainingConfig& t) {
  auto free = [&](const char* k) { return std::find(given.begin(), given.end(), k) == given.end(); };
  if (free("layers")) m.layers = c.layers;
  if (free("hidden")) m.hidden_size = c.hidden;
  // Tied weights (chosen for words, or asked for) need the embedding as wide as the last layer.
  const bool tie = free("tieWeights") ? c.tie : m.tie_weights;
  if (free("embedding")) m.embedding_size = tie ? m.hidden_size : c.embedding;
  if (free("tieWeights")) m.tie_weights = c.tie && m.embedding_size == m.hidden_size;
  if (free("dropout")) m.dropout = c.dropout;
  if (free("outputDropout")) m.output_dropout = c.dropout;
  if (free("embeddingDropout")) m.embedding_dropout = c.embedding_dropout;
  if (free("lockedDropout")) m.locked_dropout = true;
  if (free("weightDrop")) m.weight_drop = c.weight_drop;
  if (free("seqLength")) t.seq_length = c.seq_length;
  if (free("batchSize")) t.batch_size = c.batch_size;
  if (free("learningRate")) t.optimizer.learning_rate = (float)c.learning_rate;
  if (free("optimizer")) {
    t.optimizer.type = OptimizerType::AdamW;
    if (free("weightDecay")) t.optimizer.weight_decay = 0.01f;
  }
  if (free("schedule")) {
    t.schedule.type = ScheduleType::Cosine;
    t.schedule.fit_time = true;
    t.schedule.warmup = 100;
    t.schedule.total_steps = c.steps;
  }
}

nlohmann::json auto_size_json(const AutoSizeInput& in, const AutoSizeChoice& c) {
  return {{"budgetSeconds", in.seconds},
          {"threads", in.threads},
          {"trainTokens", in.train_tokens},
          {"vocabSize", in.vocab},
          {"layers", c.layers},
          {"hidden", c.hidden},
          {"embedding", c.embedding},
          {"dropout", std::round(c.dropout * 100) / 100.0},  // as a person writes it: 0.2, not 0.200000003
          {"weightDrop", std::round(c.weight_drop * 100) / 100.0},
          {"seqLength", c.seq_length},
          {"batchSize", c.batch_size},
          {"learningRate", c.learning_rate},
          {"recurrentWeights", (int64_t)c.weights},
          {"predictedTokensPerSecond", std::round(c.tokens_per_second)},
          {"predictedTokens", std::round(c.tokens)},
          {"predictedEpochs", c.epochs},
          {"predictedSteps", c.steps}};
}

}  // namespace rnn
