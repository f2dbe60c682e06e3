#include "nn/embedding.h"

#include <cstring>

#include "common.h"

namespace rnn {

void Embedding::declare(Params& p, const std::string& prefix) { weight = p.add(prefix + ".weight", {vocab, dim}); }

void Embedding::init(Rng& rng) {
  for (size_t i = 0; i < weight.size; ++i) weight.w[i] = static_cast<float>(rng.uniform(-1.0, 1.0));
}

void Embedding::forward(int n, const int32_t* ids, float* x) const {
  for (int i = 0; i < n; ++i) {
    if (ids[i] < 0 || ids[i] >= vocab)
      fail("token id " + std::to_string(ids[i]) + " out of range for vocabulary of " + std::to_string(vocab));
    std::memcpy(x + (size_t)i * dim, weight.w + (size_t)ids[i] * dim, sizeof(float) * dim);
  }
}

void Embedding::backward(int n, const int32_t* ids, const float* dx) {
  for (int i = 0; i < n; ++i) {
    float* g = weight.g + (size_t)ids[i] * dim;
    const float* d = dx + (size_t)i * dim;
    for (int k = 0; k < dim; ++k) g[k] += d[k];
  }
}

}  // namespace rnn
