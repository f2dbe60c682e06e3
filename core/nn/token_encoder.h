// Token ids → embedding → recurrent levels (uni- or bidirectional): the encoder of the classifier and
// the tagger. Ids arrive row-major (B × T, a row per sequence, padded after lengths[b]); outputs
// leave time-major (T × B × output_size()), zero at padded steps.
#pragma once
#include <string>
#include <vector>

#include "nn/embedding.h"
#include "nn/recurrent_stack.h"

namespace rnn {

struct TokenEncoder {
  Embedding embedding;
  RecurrentStack rnn;

  // Tensors "{prefix}embedding.weight", then "{prefix}rnn.*" as nn.LSTM/GRU/RNN(bidirectional) names
  // them (prefix "" for the classifier and tagger, "encoder." in an encoder–decoder).
  void declare(Params& p, int vocab, int embedding_size, CellType cell, int hidden, int layers, bool bidirectional,
               float dropout, const std::string& prefix = "");
  void bind(Params& p);
  void init(Rng& rng);
  int output_size() const { return rnn.output_size(); }

  // lengths may be null (full rows); dropout_rng == null: evaluation; state_out (may be null) gets
  // the final states and state_in (may be null: zeros) gives the initial ones (RecurrentStack's layout).
  const float* forward(int B, int T, const int32_t* ids, const int32_t* lengths, Rng* dropout_rng,
                       float* state_out = nullptr, const float* state_in = nullptr);
  // dy: T × B × output_size(); dstate_out: the final states' gradient (may be null); dstate_in gets
  // the initial states' (may be null). Accumulates the weight and embedding gradients.
  void backward(const float* dy, const float* dstate_out = nullptr, float* dstate_in = nullptr);

 private:
  int N_ = 0;
  std::vector<int32_t> ids_;   // time-major
  std::vector<float> x_, dx_;  // embeddings and their gradient
};

}  // namespace rnn
