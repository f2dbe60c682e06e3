// Inverted dropout (as nn.LSTM's `dropout`): at training time
//   mask = Bernoulli(1 − p) / (1 − p),  y = x ⊙ mask,  dx = dy ⊙ mask
// so the expected activation is unchanged and evaluation is the identity.
// Locked (variational) dropout, Gal & Ghahramani 2016: over a time-major T × row sequence (row =
// batch × width) one mask of `row` floats is drawn per call and used at every step,
//   y[t] = x[t] ⊙ mask,  dx[t] = dy[t] ⊙ mask
// so a unit dropped for one sequence stays dropped for all of its steps.
#pragma once
#include <cstddef>
#include <vector>

#include "rng.h"

namespace rnn {

void dropout_forward(size_t n, float p, Rng& rng, const float* x, float* y, float* mask);
// The mask alone (n values, 0 or 1/(1 − p)), drawn as dropout_forward draws it.
void dropout_mask(size_t n, float p, Rng& rng, float* mask);
void dropout_backward(size_t n, const float* mask, const float* dy, float* dx);
// mask: row floats, drawn here; x, y: T × row.
void locked_dropout_forward(int T, size_t row, float p, Rng& rng, const float* x, float* y, float* mask);
void locked_dropout_backward(int T, size_t row, const float* mask, const float* dy, float* dx);

// One dropout site with its buffers: plain (a fresh mask per element) or locked (one per row).
struct Dropout {
  float p = 0.0f;
  bool locked = false;
  bool active = false;  // the last forward() dropped (training and p > 0)
  std::vector<float> mask, y;

  // x: T × row, time-major. rng == null (evaluation) or p == 0: returns x itself and draws nothing.
  const float* forward(int T, size_t row, const float* x, Rng* rng);
  // d ⊙= mask in place (d: T × row), if the last forward() dropped.
  void backward(int T, size_t row, float* d) const;
};

}  // namespace rnn
