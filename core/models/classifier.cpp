#include "models/classifier.h"

#include <cmath>

#include "common.h"
#include "nn/loss.h"

namespace rnn {

void SequenceClassifier::declare(const ModelConfig& cfg, Params& p, TokenEncoder& encoder, SequencePooling& pooling,
                                 Dense& out) {
  encoder.declare(p, cfg.vocab_size, cfg.embedding_size, cfg.cell, cfg.hidden_size, cfg.layers, cfg.bidirectional,
                  cfg.dropout);
  pooling.kind = cfg.pooling;
  pooling.width = encoder.output_size();
  pooling.bidirectional = cfg.bidirectional;
  out.in = encoder.output_size();
  out.out = cfg.labels;
  out.declare(p, "fc");
}

std::vector<TensorInfo> SequenceClassifier::layout(const ModelConfig& cfg) {
  Params p;
  TokenEncoder e;
  SequencePooling pool;
  Dense d;
  declare(cfg, p, e, pool, d);
  return p.tensors;
}

SequenceClassifier::SequenceClassifier(const ModelConfig& cfg) : config(cfg) {
  config.validate();
  declare(config, params, encoder, pooling, output);
  params.allocate(cfg.trainable);
  encoder.bind(params);
  output.bind(params);
  Rng rng(cfg.seed, 1);
  encoder.init(rng);
  output.init(rng);
}

double SequenceClassifier::forward(const Batch& b, Rng* dropout_rng, bool gradient) {
  if (!b.labels) fail("a classifier batch needs a label per row");
  const int32_t* lengths = b.lengths;
  if (!lengths) {
    full_lengths_.assign(b.B, b.T);
    lengths = full_lengths_.data();
  }
  const float* y = encoder.forward(b.B, b.T, b.inputs, lengths, dropout_rng);
  const int W = encoder.output_size(), L = config.labels;
  pooled_.resize((size_t)b.B * W);
  pooling.forward(b.T, b.B, lengths, y, pooled_.data());
  logits_.resize((size_t)b.B * L);
  output.forward(b.B, pooled_.data(), logits_.data());
  if (!gradient) return softmax_cross_entropy(b.B, L, logits_.data(), b.labels, nullptr, nullptr);
  dlogits_.resize(logits_.size());
  const double loss = softmax_cross_entropy(b.B, L, logits_.data(), b.labels, nullptr, dlogits_.data());
  if (!std::isfinite(loss)) fail("loss is not finite (" + std::to_string(loss) + "): training diverged");
  dpooled_.resize(pooled_.size());
  output.backward(b.B, pooled_.data(), dlogits_.data(), dpooled_.data());
  dy_.resize((size_t)b.T * b.B * W);
  pooling.backward(dpooled_.data(), dy_.data());
  encoder.backward(dy_.data());
  return loss;
}

double SequenceClassifier::train_batch(const Batch& b, Rng& dropout_rng) {
  params.check_trainable();
  return forward(b, &dropout_rng, true);
}
double SequenceClassifier::evaluate_batch(const Batch& b) { return forward(b, nullptr, false); }

const std::vector<float>& SequenceClassifier::probabilities() {
  const int L = config.labels;
  probabilities_ = logits_;
  for (size_t r = 0; r * L < probabilities_.size(); ++r) {
    float* p = probabilities_.data() + r * L;
    float top = p[0];
    for (int k = 1; k < L; ++k) top = std::max(top, p[k]);
    double sum = 0;
    for (int k = 0; k < L; ++k) sum += (p[k] = std::exp(p[k] - top));
    for (int k = 0; k < L; ++k) p[k] = (float)(p[k] / sum);
  }
  return probabilities_;
}

}  // namespace rnn
