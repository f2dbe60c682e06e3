#include "nn/dense.h"

#include "kernels/kernels.h"

namespace rnn {

void Dense::declare(Params& p, const std::string& prefix) {
  weight = p.add(prefix + ".weight", {out, in});
  bias = p.add(prefix + ".bias", {out});
}

void Dense::init(Rng& rng) {
  for (size_t i = 0; i < weight.size; ++i) weight.w[i] = static_cast<float>(rng.truncated_normal(0.1));
  std::fill(bias.w, bias.w + bias.size, 0.0f);
}

void Dense::forward(int n, const float* x, float* y) const {
  kernels::matmul_nt(n, out, in, x, weight.w, y, false);
  kernels::add_bias(n, out, bias.w, y);
}

void Dense::backward(int n, const float* x, const float* dy, float* dx) {
  if (dx) kernels::matmul_nn(n, in, out, dy, weight.w, dx, false);
  kernels::matmul_tn(out, in, n, dy, x, weight.g, true);
  kernels::sum_rows(n, out, dy, bias.g);
}

}  // namespace rnn
