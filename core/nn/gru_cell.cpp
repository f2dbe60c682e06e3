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

void gru_cell_forward(const RecurrentLayer& L, RecurrentCache& cache) {
  const int B = cache.B, H = L.hidden, GH = 3 * H;
  const size_t BH = (size_t)B * H;
  for (int t = 0; t < cache.T; ++t) {
    float* hp = cache.hproj.data() + t * B * (size_t)GH;
    const float* h_prev = cache.h.data() + t * BH;
    hidden_matmul(cache, h_prev, hp, false);
    kernels::gru_forward_step(B, H, cache.gates.data() + t * B * (size_t)GH, hp, L.b_hh.w, h_prev, cache.h.data() + (t + 1) * BH);
    carry_finished_rows(cache, t, h_prev, cache.h.data() + (t + 1) * BH);
  }
}

void gru_cell_backward(const RecurrentLayer& L, const float* dy, RecurrentCache& cache) {
  const int B = cache.B, H = L.hidden, GH = 3 * H;
  const size_t BH = (size_t)B * H;
  for (int t = cache.T - 1; t >= 0; --t) {
    const size_t off = t * B * (size_t)GH;
    float* dhp = cache.hproj.data() + off;
    // Leaves the direct part dh ⊙ z in cache.dh; the product through W_hh is added to it.
    probe_state_gradient(cache, t, dy);
    hold_finished_gradients(cache, t, false);
    kernels::gru_backward_step(B, H, cache.gates.data() + off, cache.hproj.data() + off, cache.h.data() + t * BH,
                               dy ? dy + t * BH : nullptr, cache.dh.data(), cache.gates.data() + off, dhp);
    zero_finished_rows(cache, t, GH, cache.gates.data() + off);
    zero_finished_rows(cache, t, GH, dhp);
    hidden_matmul_backward(cache, dhp, cache.dh.data(), true);
    release_finished_gradients(cache, t, false);
  }
}

}  // namespace rnn
