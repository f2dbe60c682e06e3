// Inverted dropout between stacked layers (as nn.LSTM's `dropout`): at training time
//   mask = Bernoulli(1 − p) / (1 − p),  y = x ⊙ mask,  dx = dy ⊙ mask
// so the expected activation is unchanged and evaluation is the identity.
#pragma once
#include <cstddef>

#include "rng.h"

namespace rnn {

void dropout_forward(size_t n, float p, Rng& rng, const float* x, float* y, float* mask);
void dropout_backward(size_t n, const float* mask, const float* dy, float* dx);

}  // namespace rnn
