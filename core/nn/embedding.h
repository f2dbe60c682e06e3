// Embedding lookup: x[i,:] = W[id(i), :]              W: vocab × dim (nn.Embedding.weight)
// Backward scatters: dW[id(i), :] += dx[i,:]          (ids get no gradient)
// Initialised U(−1, 1) as in the classic TensorFlow recipe.
#pragma once
#include <cstdint>
#include <string>

#include "nn/params.h"
#include "rng.h"

namespace rnn {

struct Embedding {
  int vocab = 0, dim = 0;
  ParamView weight;

  void declare(Params& p, const std::string& prefix);  // prefix.weight [vocab, dim]
  void bind(Params& p) { p.bind(weight); }
  void init(Rng& rng);
  void forward(int n, const int32_t* ids, float* x) const;   // x: n × dim
  void backward(int n, const int32_t* ids, const float* dx);  // accumulates into weight.g
};

}  // namespace rnn
