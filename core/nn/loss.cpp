#include "nn/loss.h"

#include <string>
#include <vector>

#include "common.h"
#include "kernels/kernels.h"

namespace rnn {

double softmax_cross_entropy(int n, int V, const float* logits, const int32_t* targets, const float* weights,
                             float* dlogits) {
  double wsum = 0;
  for (int i = 0; i < n; ++i) {
    const int32_t y = targets[i];
    if (y < 0 || y >= V) fail("target id " + std::to_string(y) + " out of range for vocabulary of " + std::to_string(V));
    wsum += weights ? weights[i] : 1.0;
  }
  // Rows run in parallel inside the kernel; each writes its own nll, summed here in row order
  // so the loss does not depend on the thread count. Grow-only scratch: a training step
  // must not allocate.
  thread_local std::vector<double> nll;
  thread_local std::vector<float> scale;
  if (nll.size() < (size_t)n) nll.resize(n);
  if (dlogits && scale.size() < (size_t)n) scale.resize(n);
  if (dlogits)
    for (int i = 0; i < n; ++i) scale[i] = wsum > 0 ? static_cast<float>((weights ? weights[i] : 1.0) / wsum) : 0.0f;
  kernels::softmax_xent(n, V, logits, targets, dlogits ? scale.data() : nullptr, nll.data(), dlogits);
  double total = 0;
  for (int i = 0; i < n; ++i) total += (weights ? weights[i] : 1.0) * nll[i];
  return wsum > 0 ? total / wsum : 0.0;
}

}  // namespace rnn
