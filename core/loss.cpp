#include "loss.h"

#include <cmath>
#include <string>
#include <vector>

#include "common.h"
#include "kernels.h"

namespace rnn {

double softmax_cross_entropy(int n, int V, const float* logits, const int32_t* targets, const float* weights,
                             float* dlogits) {
  double wsum = 0;
  for (int i = 0; i < n; ++i) wsum += weights ? weights[i] : 1.0;
  double total = 0;
  std::vector<float> row(V);
  for (int i = 0; i < n; ++i) {
    const int32_t y = targets[i];
    if (y < 0 || y >= V) fail("target id " + std::to_string(y) + " out of range for vocabulary of " + std::to_string(V));
    const float* z = logits + (size_t)i * V;
    kernels::softmax(1, V, z, row.data());
    const double w = weights ? weights[i] : 1.0;
    double nll;
    if (row[y] > 1e-30f) {
      nll = -std::log(static_cast<double>(row[y]));
    } else {  // p underflowed: fall back to log-sum-exp in double so the loss stays finite
      float mx = z[0];
      for (int k = 1; k < V; ++k) mx = z[k] > mx ? z[k] : mx;
      double se = 0;
      for (int k = 0; k < V; ++k) se += std::exp(static_cast<double>(z[k]) - mx);
      nll = std::log(se) + mx - z[y];
    }
    total += w * nll;
    if (dlogits) {
      float* d = dlogits + (size_t)i * V;
      const float scale = wsum > 0 ? static_cast<float>(w / wsum) : 0.0f;
      for (int k = 0; k < V; ++k) d[k] = row[k] * scale;
      d[y] -= scale;
    }
  }
  return wsum > 0 ? total / wsum : 0.0;
}

}  // namespace rnn
