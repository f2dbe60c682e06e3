// LSTM cell, PyTorch's nn.LSTM (gate order i, f, g, o in the stacked weights):
//   [i f g o] = W_ih·xₜ + b_ih + W_hh·hₜ₋₁ + b_hh
//   i = σ(i)  input gate      f = σ(f)  forget gate     g = tanh(g)  candidate     o = σ(o)  output gate
//   cₜ = f ⊙ cₜ₋₁ + i ⊙ g          hₜ = o ⊙ tanh(cₜ)
// Backward (dh, dc = gradients arriving at hₜ, cₜ; dh includes the output gradient dyₜ):
//   do = dh ⊙ tanh(cₜ)       dc += dh ⊙ o ⊙ (1 − tanh²(cₜ))
//   di = dc ⊙ g   df = dc ⊙ cₜ₋₁   dg = dc ⊙ i        dcₜ₋₁ = dc ⊙ f
//   pre-activation grads: di·i(1−i), df·f(1−f), dg·(1−g²), do·o(1−o);   dhₜ₋₁ = δ·W_hh
#include "kernels/kernels.h"
#include "nn/recurrent.h"

namespace rnn {

void lstm_cell_forward(const RecurrentLayer& L, RecurrentCache& cache) {
  const int B = cache.B, H = L.hidden, GH = 4 * H;
  const size_t BH = (size_t)B * H;
  for (int t = 0; t < cache.T; ++t) {
    float* gates = cache.gates.data() + t * B * (size_t)GH;
    hidden_matmul(cache, cache.h.data() + t * BH, gates, true);
    kernels::lstm_forward_step(B, H, gates, L.b_hh.w, cache.c.data() + t * BH, cache.c.data() + (t + 1) * BH,
                               cache.tc.data() + t * BH, cache.h.data() + (t + 1) * BH);
    carry_finished_rows(cache, t, cache.h.data() + t * BH, cache.h.data() + (t + 1) * BH);
    carry_finished_rows(cache, t, cache.c.data() + t * BH, cache.c.data() + (t + 1) * BH);
  }
}

void lstm_cell_backward(const RecurrentLayer& L, const float* dy, RecurrentCache& cache) {
  const int B = cache.B, H = L.hidden, GH = 4 * H;
  const size_t BH = (size_t)B * H;
  for (int t = cache.T - 1; t >= 0; --t) {
    float* dg = cache.gates.data() + t * B * (size_t)GH;
    probe_state_gradient(cache, t, dy);
    hold_finished_gradients(cache, t, true);
    kernels::lstm_backward_step(B, H, cache.gates.data() + t * B * (size_t)GH, cache.c.data() + t * BH, cache.tc.data() + t * BH,
                                dy ? dy + t * BH : nullptr, cache.dh.data(), cache.dc.data(), dg);
    zero_finished_rows(cache, t, GH, dg);
    hidden_matmul_backward(cache, dg, cache.dh.data(), false);
    release_finished_gradients(cache, t, true);
  }
}

}  // namespace rnn
