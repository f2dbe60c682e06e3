// Vanilla RNN cell (in brackets the textbook notation: U input weights, W recurrent weights, b bias):
//   hₜ = tanh(W_ih·xₜ + b_ih + W_hh·hₜ₋₁ + b_hh)      [hₜ = tanh(U·xₜ + W·hₜ₋₁ + b)]
// U = W_ih maps the input to the hidden layer, W = W_hh carries the memory from step to step,
// and V, the hidden → output map oₜ = V·hₜ, is the Dense layer that follows the stack.
// Backward, with δₜ = (∂L/∂hₜ from above + from step t+1) ⊙ (1 − hₜ²):
//   ∂L/∂hₜ₋₁ = δₜ·W_hh,   dW_ih += δₜᵀ·xₜ,   dW_hh += δₜᵀ·hₜ₋₁,   db += δₜ
#include "kernels/kernels.h"
#include "nn/recurrent.h"

namespace rnn {

void rnn_cell_forward(const RecurrentLayer& L, RecurrentCache& cache) {
  const int B = cache.B, H = L.hidden;
  const size_t BH = (size_t)B * H;
  for (int t = 0; t < cache.T; ++t) {
    float* pre = cache.gates.data() + t * BH;
    hidden_matmul(cache, cache.h.data() + t * BH, pre, true);
    kernels::rnn_forward_step(B, H, pre, L.b_hh.w, cache.h.data() + (t + 1) * BH);
    carry_finished_rows(cache, t, cache.h.data() + t * BH, cache.h.data() + (t + 1) * BH);
  }
}

void rnn_cell_backward(const RecurrentLayer& L, const float* dy, RecurrentCache& cache) {
  const int B = cache.B, H = L.hidden;
  const size_t BH = (size_t)B * H;
  for (int t = cache.T - 1; t >= 0; --t) {
    float* delta = cache.gates.data() + t * BH;
    probe_state_gradient(cache, t, dy);
    hold_finished_gradients(cache, t, false);
    kernels::rnn_backward_step(B, H, cache.h.data() + (t + 1) * BH, dy ? dy + t * BH : nullptr, cache.dh.data(), delta);
    zero_finished_rows(cache, t, H, delta);
    hidden_matmul_backward(cache, delta, cache.dh.data(), false);
    release_finished_gradients(cache, t, false);
  }
}

}  // namespace rnn
