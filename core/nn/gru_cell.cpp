// GRU cell, PyTorch's nn.GRU variant: the reset gate multiplies the *projected* previous state
// (r ⊙ (W_hn·hₜ₋₁ + b_hn)), not hₜ₋₁ before the matmul as in Cho et al. 2014. Gate order r, z, n.
//   r = σ(W_ir·x + b_ir + W_hr·h + b_hr)          reset gate
//   z = σ(W_iz·x + b_iz + W_hz·h + b_hz)          update gate
//   n = tanh(W_in·x + b_in + r ⊙ (W_hn·h + b_hn)) candidate
//   hₜ = (1 − z) ⊙ n + z ⊙ hₜ₋₁
// Backward (dh = gradient arriving at hₜ, output gradient dyₜ included; hn = W_hn·hₜ₋₁ + b_hn):
//   dn = dh ⊙ (1 − z) ⊙ (1 − n²)     dz = dh ⊙ (hₜ₋₁ − n) ⊙ z(1 − z)     dr = dn ⊙ hn ⊙ r(1 − r)
//   input side δ_i = [dr, dz, dn],  hidden side δ_h = [dr, dz, dn ⊙ r]
//   dhₜ₋₁ = dh ⊙ z + δ_h·W_hh
#include "kernels/kernels.h"
#include "nn/recurrent.h"

namespace rnn {

// The elementwise part of each step is one fused kernel (kernels::gru_*_step); only the
// recurrent GEMM stays outside it.
void gru_cell_forward(const RecurrentLayer& L, RecurrentCache& C) {
  const int B = C.B, H = L.hidden, G = 3 * H;
  const size_t BH = (size_t)B * H;
  for (int t = 0; t < C.T; ++t) {
    float* hp = C.hproj.data() + t * B * (size_t)G;
    const float* h_prev = C.h.data() + t * BH;
    hidden_matmul(L, C, h_prev, hp, false);
    kernels::gru_forward_step(B, H, C.gates.data() + t * B * (size_t)G, hp, L.b_hh.w, h_prev, C.h.data() + (t + 1) * BH);
  }
}

void gru_cell_backward(const RecurrentLayer& L, const float* dy, RecurrentCache& C) {
  const int B = C.B, H = L.hidden, G = 3 * H;
  const size_t BH = (size_t)B * H;
  for (int t = C.T - 1; t >= 0; --t) {
    const size_t off = t * B * (size_t)G;
    float* dhp = C.dhproj.data() + off;
    // Leaves the direct part dh ⊙ z in C.dh; the product through W_hh is added to it.
    kernels::gru_backward_step(B, H, C.gates.data() + off, C.hproj.data() + off, C.h.data() + t * BH,
                               dy ? dy + t * BH : nullptr, C.dh.data(), C.dgates.data() + off, dhp);
    hidden_matmul_backward(L, C, dhp, C.dh.data(), true);
  }
}

}  // namespace rnn
