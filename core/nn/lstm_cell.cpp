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

// The elementwise part of each step is one fused kernel (kernels::lstm_*_step); only the
// recurrent GEMM stays outside it.
void lstm_cell_forward(const RecurrentLayer& L, RecurrentCache& C) {
  const int B = C.B, H = L.hidden, G = 4 * H;
  const size_t BH = (size_t)B * H;
  for (int t = 0; t < C.T; ++t) {
    float* gates = C.gates.data() + t * B * (size_t)G;
    hidden_matmul(L, C, C.h.data() + t * BH, gates, true);
    kernels::lstm_forward_step(B, H, gates, L.b_hh.w, C.c.data() + t * BH, C.c.data() + (t + 1) * BH,
                               C.tc.data() + t * BH, C.h.data() + (t + 1) * BH);
  }
}

void lstm_cell_backward(const RecurrentLayer& L, const float* dy, RecurrentCache& C) {
  const int B = C.B, H = L.hidden, G = 4 * H;
  const size_t BH = (size_t)B * H;
  for (int t = C.T - 1; t >= 0; --t) {
    float* dg = C.dgates.data() + t * B * (size_t)G;
    kernels::lstm_backward_step(B, H, C.gates.data() + t * B * (size_t)G, C.c.data() + t * BH, C.tc.data() + t * BH,
                                dy ? dy + t * BH : nullptr, C.dh.data(), C.dc.data(), dg);
    hidden_matmul_backward(L, C, dg, C.dh.data(), false);
  }
}

}  // namespace rnn
