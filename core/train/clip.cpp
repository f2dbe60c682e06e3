#include "train/clip.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "train/update_helpers.h"

namespace rnn {

void ClipConfig::validate() const {
  check_finite_range("clip.value", value, 0.0f, 1e6f);
  check_finite_range("clip.norm", norm, 0.0f, 1e6f);
}

double global_norm(const float* g, size_t n) {
  // Partial sums per fixed chunk, added in chunk order: the same sum for any thread count.
  // (thread_local: a buffer per calling trainer; the lambda gets a pointer, since on a worker
  // thread the name would mean that thread's own copy.)
  thread_local std::vector<double> buffer;
  buffer.assign((n + kChunk - 1) / kChunk, 0.0);
  double* partial = buffer.data();
  for_chunks(n, [&](size_t b, size_t e) {
    double s = 0;
    for (size_t i = b; i < e; ++i) s += static_cast<double>(g[i]) * g[i];
    partial[b / kChunk] = s;
  });
  double s = 0;
  for (double x : buffer) s += x;
  return std::sqrt(s);
}

void clip_by_value(float* g, size_t n, float c) {
  for (size_t i = 0; i < n; ++i) g[i] = std::min(c, std::max(-c, g[i]));
}

double clip_by_global_norm(float* g, size_t n, float max_norm) {
  const double norm = global_norm(g, n);
  if (norm > max_norm) {
    const float scale = static_cast<float>(max_norm / (norm + 1e-6));
    for_chunks(n, [&](size_t b, size_t e) {
      for (size_t i = b; i < e; ++i) g[i] *= scale;
    });
  }
  return norm;
}

}  // namespace rnn
