// Embedding lookup: x[t,b,:] = W[id(t,b), :]            W: vocab × dim (nn.Embedding.weight)
// Backward scatters: dW[id(t,b), :] += dx[t,b,:]         (ids get no gradient)
// Initialised U(−1, 1) as in the classic TensorFlow recipe.
#pragma once
#include "common.h"
#include "rng.h"

namespace rnn {

struct Embedding {
  int vocab = 0, dim = 0;
  ParamView weight;
  void init(Rng& rng);
  void forward(const int32_t* ids, int n, float* x) const;           // x: n × dim
  void backward(const int32_t* ids, int n, const float* dx);          // accumulates into weight.g
};

}  // namespace rnn
