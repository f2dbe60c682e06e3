// Fully connected layer, PyTorch nn.Linear layout:
//   y = x·Wᵀ + b              x: n × in, W: out × in, b: out
//   dx = dy·W,  dW += dyᵀ·x,  db += Σ_rows dy
// Weights truncated normal (stddev 0.1, cut at 2σ), zero bias — the TensorFlow recipe's choice.
// In the seed's vanilla-RNN notation this is V, the hidden → output projection.
#pragma once
#include "common.h"
#include "rng.h"

namespace rnn {

struct Dense {
  int in = 0, out = 0;
  ParamView weight, bias;
  void init(Rng& rng);
  void forward(const float* x, int n, float* y) const;
  // dx may be null when the input needs no gradient.
  void backward(const float* x, const float* dy, int n, float* dx);
};

}  // namespace rnn
