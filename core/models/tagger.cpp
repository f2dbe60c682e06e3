#include "models/tagger.h"

#include <cmath>

#include "common.h"
#include "nn/loss.h"

namespace rnn {

void SequenceTagger::declare(const ModelConfig& cfg, Params& p, TokenEncoder& encoder, Dense& out) {
  encoder.declare(p, cfg.vocab_size, cfg.embedding_size, cfg.cell, cfg.hidden_size, cfg.layers, cfg.bidirectional,
                  cfg.dropout);
  out.in = encoder.output_size();
  out.out = cfg.labels;
  out.declare(p, "fc");
}

std::vector<TensorInfo> SequenceTagger::layout(const ModelConfig& cfg) {
  Params p;
  TokenEncoder e;
  Dense d;
  declare(cfg, p, e, d);
  return p.tensors;
}

SequenceTagger::SequenceTagger(const ModelConfig& cfg) : config(cfg) {
  config.validate();
  declare(config, params, encoder, output);
  params.allocate(cfg.trainable);
  encoder.bind(params);
  output.bind(params);
  Rng rng(cfg.seed, 1);
  encoder.init(rng);
  output.init(rng);
}

double SequenceTagger::forward(const Batch& b, Rng* dropout_rng, bool gradient) {
  if (!b.targets) fail("a tagger batch needs a tag per token");
  const int T = b.T, B = b.B, K = config.labels, W = encoder.output_size();
  const size_t N = (size_t)T * B;
  const float* y = encoder.forward(B, T, b.inputs, b.lengths, dropout_rng);
  logits_.resize(N * K);
  output.forward((int)N, y, logits_.data());
  // Time-major targets, and weights that count each real token once and padding not at all.
  to_time_major(B, T, b.targets, targets_);
  weights_.assign(N, 0.0f);
  for (int bi = 0; bi < B; ++bi) {
    const int len = b.lengths ? b.lengths[bi] : T;
    for (int t = 0; t < len; ++t) weights_[(size_t)t * B + bi] = b.weights ? b.weights[(size_t)bi * T + t] : 1.0f;
  }
  if (!gradient) return softmax_cross_entropy((int)N, K, logits_.data(), targets_.data(), weights_.data(), nullptr);
  dlogits_.resize(N * K);
  const double loss = softmax_cross_entropy((int)N, K, logits_.data(), targets_.data(), weights_.data(), dlogits_.data());
  if (!std::isfinite(loss)) fail("loss is not finite (" + std::to_string(loss) + "): training diverged");
  dy_.resize(N * W);
  output.backward((int)N, y, dlogits_.data(), dy_.data());
  encoder.backward(dy_.data());
  return loss;
}

double SequenceTagger::train_batch(const Batch& b, Rng& dropout_rng) {
  params.check_trainable();
  return forward(b, &dropout_rng, true);
}
double SequenceTagger::evaluate_batch(const Batch& b) { return forward(b, nullptr, false); }

}  // namespace rnn
