#include "nn/dropout.h"

namespace rnn {

void dropout_forward(size_t n, float p, Rng& rng, const float* x, float* y, float* mask) {
  const float keep = 1.0f - p, scale = 1.0f / keep;
  for (size_t i = 0; i < n; ++i) {
    mask[i] = rng.uniform() < keep ? scale : 0.0f;
    y[i] = x[i] * mask[i];
  }
}

void dropout_backward(size_t n, const float* mask, const float* dy, float* dx) {
  for (size_t i = 0; i < n; ++i) dx[i] = dy[i] * mask[i];
}

}  // namespace rnn
