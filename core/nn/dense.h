// Fully connected layer, PyTorch nn.Linear layout:
//   y = x·Wᵀ + b              x: n × in, W: out × in, b: out
//   dx = dy·W,  dW += dyᵀ·x,  db += Σ_rows dy
// Weights truncated normal (stddev 0.1, cut at 2σ), zero bias — the TensorFlow recipe's choice.
// In a vanilla RNN's textbook notation this is V, the hidden → output projection.
#pragma once
#include <string>

#include "nn/params.h"
#include "rng.h"

namespace rnn {

struct Dense {
  int in = 0, out = 0;
  ParamView weight, bias;

  void declare(Params& p, const std::string& prefix);  // prefix.weight [out, in], prefix.bias [out]
  void bind(Params& p) {
    p.bind(weight);
    p.bind(bias);
  }
  void init(Rng& rng);
  void forward(int n, const float* x, float* y) const;
  // dx may be null when the input needs no gradient.
  void backward(int n, const float* x, const float* dy, float* dx);
};

}  // namespace rnn
