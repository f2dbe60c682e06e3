// Synchronous many-to-many: a tag for every token (part of speech, named entities). Encoder
// (embedding → uni- or bidirectional recurrent levels) → Dense at every real step → softmax over
// the tags, trained with cross-entropy averaged over the real tokens of the batch:
//   p_t = softmax(W_fc · y_t + b_fc)        L = −(1/Σ len) Σ_b Σ_{t<len_b} log p_t[tag_t]
// A bidirectional encoder lets each tag depend on the words after it as well as before.
// Tensors: embedding.weight, rnn.*, fc.weight [tags, W], fc.bias [tags].
#pragma once
#include <vector>

#include "models/model.h"
#include "nn/dense.h"
#include "nn/token_encoder.h"

namespace rnn {

class SequenceTagger : public Model {
 public:
  ModelConfig config;
  TokenEncoder encoder;
  Dense output;

  explicit SequenceTagger(const ModelConfig& cfg);
  static std::vector<TensorInfo> layout(const ModelConfig& cfg);

  // Batch: inputs and targets (the tags) B × T, padded after lengths (null = T).
  double train_batch(const Batch& batch, Rng& dropout_rng) override;
  double evaluate_batch(const Batch& batch) override;
  size_t state_size(int) const override { return 0; }
  // Logits of the last forward pass, time-major: T × B × tags.
  const std::vector<float>& last_logits() const { return logits_; }

 private:
  static void declare(const ModelConfig& cfg, Params& p, TokenEncoder& encoder, Dense& out);
  double forward(const Batch& b, Rng* dropout_rng, bool gradient);
  std::vector<int32_t> targets_;
  std::vector<float> weights_, logits_, dlogits_, dy_;
};

}  // namespace rnn
