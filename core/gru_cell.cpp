// GRU cell, PyTorch's nn.GRU variant: the reset gate multiplies the *projected* previous state
// (r ⊙ (W_hn·hₜ₋₁ + b_hn)), not hₜ₋₁ before the matmul as in Cho et al. 2014. Gate order r, z, n.
//   r = σ(W_ir·x + b_ir + W_hr·h + b_hr)          reset gate
//   z = σ(W_iz·x + b_iz + W_hz·h + b_hz)          update gate
//   n = tanh(W_in·x + b_in + r ⊙ (W_hn·h + b_hn)) candidate
//   hₜ = (1 − z) ⊙ n + z ⊙ hₜ₋₁
// Backward (dh = gradient arriving at hₜ, hn = W_hn·hₜ₋₁ + b_hn):
//   dn = dh ⊙ (1 − z) ⊙ (1 − n²)     dz = dh ⊙ (hₜ₋₁ − n) ⊙ z(1 − z)     dr = dn ⊙ hn ⊙ r(1 − r)
//   input side δ_i = [dr, dz, dn],  hidden side δ_h = [dr, dz, dn ⊙ r]
//   dhₜ₋₁ = dh ⊙ z + δ_h·W_hh
#include <cstring>

#include "kernels.h"
#include "recurrent.h"

namespace rnn {

void gru_cell_forward(const RecurrentLayer& L, RecurrentCache& C) {
  const int B = C.B, H = L.hidden, G = 3 * H;
  const size_t BH = (size_t)B * H;
  for (int t = 0; t < C.T; ++t) {
    float* gates = C.gates.data() + t * B * (size_t)G;
    float* hp = C.hproj.data() + t * B * (size_t)G;
    const float* h_prev = C.h.data() + t * BH;
    float* h = C.h.data() + (t + 1) * BH;
    hidden_matmul(L, C, h_prev, hp, false);
    kernels::add_bias(B, G, L.b_hh.w, hp);
    for (int b = 0; b < B; ++b) {
      float* row = gates + (size_t)b * G;
      const float* hrow = hp + (size_t)b * G;
      for (int j = 0; j < 2 * H; ++j) row[j] += hrow[j];
      kernels::sigmoid(2 * H, row, row);  // r, z
      const float *r = row, *z = row + H, *hn = hrow + 2 * H;
      float* n = row + 2 * H;
      for (int j = 0; j < H; ++j) n[j] += r[j] * hn[j];
      kernels::tanh(H, n, n);
      const size_t s = (size_t)b * H;
      for (int j = 0; j < H; ++j) h[s + j] = (1.0f - z[j]) * n[j] + z[j] * h_prev[s + j];
    }
  }
}

void gru_cell_backward(const RecurrentLayer& L, const float* dy, RecurrentCache& C) {
  const int B = C.B, H = L.hidden, G = 3 * H;
  const size_t BH = (size_t)B * H;
  float* dh = C.dh.data();
  float* direct = C.tmp.data();
  for (int t = C.T - 1; t >= 0; --t) {
    if (dy) kernels::axpy(BH, 1.0f, dy + t * BH, dh);
    const float* gates = C.gates.data() + t * B * (size_t)G;
    const float* hp = C.hproj.data() + t * B * (size_t)G;
    const float* h_prev = C.h.data() + t * BH;
    float* di_all = C.dgates.data() + t * B * (size_t)G;
    float* dh_all = C.dhproj.data() + t * B * (size_t)G;
    for (int b = 0; b < B; ++b) {
      const float *r = gates + (size_t)b * G, *z = r + H, *n = r + 2 * H, *hn = hp + (size_t)b * G + 2 * H;
      float *di = di_all + (size_t)b * G, *dhp = dh_all + (size_t)b * G;
      const size_t s = (size_t)b * H;
      for (int j = 0; j < H; ++j) {
        const float d = dh[s + j];
        const float dn = d * (1.0f - z[j]) * (1.0f - n[j] * n[j]);
        const float dz = d * (h_prev[s + j] - n[j]) * z[j] * (1.0f - z[j]);
        const float dr = dn * hn[j] * r[j] * (1.0f - r[j]);
        di[j] = dhp[j] = dr;
        di[H + j] = dhp[H + j] = dz;
        di[2 * H + j] = dn;
        dhp[2 * H + j] = dn * r[j];
        direct[s + j] = d * z[j];
      }
    }
    std::memcpy(dh, direct, sizeof(float) * BH);
    kernels::matmul_nn(B, H, G, dh_all, L.w_hh.w, dh, true);
  }
}

}  // namespace rnn
