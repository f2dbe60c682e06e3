#include "nn/dropout.h"

namespace rnn {

void dropout_mask(size_t n, float p, Rng& rng, float* mask) {
  const float keep = 1.0f - p, scale = 1.0f / keep;
  for (size_t i = 0; i < n; ++i) mask[i] = rng.uniform() < keep ? scale : 0.0f;
}

void dropout_forward(size_t n, float p, Rng& rng, const float* x, float* y, float* mask) {
  dropout_mask(n, p, rng, mask);
  for (size_t i = 0; i < n; ++i) y[i] = x[i] * mask[i];
}

void dropout_backward(size_t n, const float* mask, const float* dy, float* dx) {
  for (size_t i = 0; i < n; ++i) dx[i] = dy[i] * mask[i];
}

void locked_dropout_forward(int T, size_t row, float p, Rng& rng, const float* x, float* y, float* mask) {
  const float keep = 1.0f - p, scale = 1.0f / keep;
  for (size_t i = 0; i < row; ++i) mask[i] = rng.uniform() < keep ? scale : 0.0f;
  for (int t = 0; t < T; ++t)
    for (size_t i = 0; i < row; ++i) y[(size_t)t * row + i] = x[(size_t)t * row + i] * mask[i];
}

void locked_dropout_backward(int T, size_t row, const float* mask, const float* dy, float* dx) {
  for (int t = 0; t < T; ++t)
    for (size_t i = 0; i < row; ++i) dx[(size_t)t * row + i] = dy[(size_t)t * row + i] * mask[i];
}

const float* Dropout::forward(int T, size_t row, const float* x, Rng* rng) {
  active = rng && p > 0.0f;
  if (!active) return x;
  const size_t n = (size_t)T * row;
  y.resize(n);
  if (locked) {
    mask.resize(row);
    locked_dropout_forward(T, row, p, *rng, x, y.data(), mask.data());
  } else {
    mask.resize(n);
    dropout_forward(n, p, *rng, x, y.data(), mask.data());
  }
  return y.data();
}

void Dropout::backward(int T, size_t row, float* d) const {
  if (!active) return;
  if (locked) locked_dropout_backward(T, row, mask.data(), d, d);
  else dropout_backward((size_t)T * row, mask.data(), d, d);
}

}  // namespace rnn
