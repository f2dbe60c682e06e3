// Many-to-one: a text → a label (sentiment, spam, a name's gender). Encoder (embedding → uni- or
// bidirectional recurrent levels) → pooling over each row's real steps → Dense → softmax over the
// labels, trained with cross-entropy against one label per row:
//   p = softmax(W_fc · pool(encoder(x)) + b_fc)        L = −(1/B) Σ_b log p_b[label_b]
// Tensors: embedding.weight, rnn.* (nn.LSTM/GRU/RNN names, _reverse for the reverse direction),
// fc.weight [labels, W], fc.bias [labels] (W = H, or 2H bidirectional).
#pragma once
#include <vector>

#include "models/model.h"
#include "nn/dense.h"
#include "nn/pooling.h"
#include "nn/token_encoder.h"

namespace rnn {

class SequenceClassifier : public Model {
 public:
  ModelConfig config;
  TokenEncoder encoder;
  SequencePooling pooling;
  Dense output;

  explicit SequenceClassifier(const ModelConfig& cfg);
  static std::vector<TensorInfo> layout(const ModelConfig& cfg);

  // Batch: inputs B × T (padded), lengths (null = T), labels (B).
  double train_batch(const Batch& batch, Rng& dropout_rng) override;
  double evaluate_batch(const Batch& batch) override;
  size_t state_size(int) const override { return 0; }
  // Label probabilities of the last forward pass: B × labels.
  const std::vector<float>& probabilities();

 private:
  static void declare(const ModelConfig& cfg, Params& p, TokenEncoder& encoder, SequencePooling& pooling, Dense& out);
  double forward(const Batch& b, Rng* dropout_rng, bool gradient);
  std::vector<int32_t> full_lengths_;
  std::vector<float> pooled_, logits_, dlogits_, dpooled_, dy_, probabilities_;
};

}  // namespace rnn
