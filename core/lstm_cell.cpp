// LSTM cell, PyTorch's nn.LSTM (gate order i, f, g, o in the stacked weights):
//   [i f g o] = W_ih·xₜ + b_ih + W_hh·hₜ₋₁ + b_hh
//   i = σ(i)  input gate      f = σ(f)  forget gate     g = tanh(g)  candidate     o = σ(o)  output gate
//   cₜ = f ⊙ cₜ₋₁ + i ⊙ g          hₜ = o ⊙ tanh(cₜ)
// Backward (dh, dc = gradients arriving at hₜ, cₜ):
//   do = dh ⊙ tanh(cₜ)       dc += dh ⊙ o ⊙ (1 − tanh²(cₜ))
//   di = dc ⊙ g   df = dc ⊙ cₜ₋₁   dg = dc ⊙ i        dcₜ₋₁ = dc ⊙ f
//   pre-activation grads: di·i(1−i), df·f(1−f), dg·(1−g²), do·o(1−o);   dhₜ₋₁ = δ·W_hh
#include "kernels.h"
#include "recurrent.h"

namespace rnn {

void lstm_cell_forward(const RecurrentLayer& L, RecurrentCache& C) {
  const int B = C.B, H = L.hidden, G = 4 * H;
  const size_t BH = (size_t)B * H;
  for (int t = 0; t < C.T; ++t) {
    float* gates = C.gates.data() + t * B * (size_t)G;
    hidden_matmul(L, C, C.h.data() + t * BH, gates, true);
    kernels::add_bias(B, G, L.b_hh.w, gates);
    const float* c_prev = C.c.data() + t * BH;
    float* c = C.c.data() + (t + 1) * BH;
    float* tc = C.tc.data() + t * BH;
    float* h = C.h.data() + (t + 1) * BH;
    for (int b = 0; b < B; ++b) {
      float* row = gates + (size_t)b * G;
      kernels::sigmoid(2 * H, row, row);           // i, f
      kernels::tanh(H, row + 2 * H, row + 2 * H);  // g
      kernels::sigmoid(H, row + 3 * H, row + 3 * H);  // o
      const float *i = row, *f = row + H, *g = row + 2 * H;
      const size_t o = (size_t)b * H;
      for (int j = 0; j < H; ++j) c[o + j] = f[j] * c_prev[o + j] + i[j] * g[j];
    }
    kernels::tanh(BH, c, tc);
    for (int b = 0; b < B; ++b) {
      const float* og = gates + (size_t)b * G + 3 * H;
      const size_t o = (size_t)b * H;
      for (int j = 0; j < H; ++j) h[o + j] = og[j] * tc[o + j];
    }
  }
}

void lstm_cell_backward(const RecurrentLayer& L, const float* dy, RecurrentCache& C) {
  const int B = C.B, H = L.hidden, G = 4 * H;
  const size_t BH = (size_t)B * H;
  float* dh = C.dh.data();
  float* dc = C.dc.data();
  for (int t = C.T - 1; t >= 0; --t) {
    if (dy) kernels::axpy(BH, 1.0f, dy + t * BH, dh);
    const float* gates = C.gates.data() + t * B * (size_t)G;
    float* dg_all = C.dgates.data() + t * B * (size_t)G;
    const float* c_prev = C.c.data() + t * BH;
    const float* tc = C.tc.data() + t * BH;
    for (int b = 0; b < B; ++b) {
      const float* row = gates + (size_t)b * G;
      const float *i = row, *f = row + H, *g = row + 2 * H, *o = row + 3 * H;
      float* d = dg_all + (size_t)b * G;
      const size_t s = (size_t)b * H;
      for (int j = 0; j < H; ++j) {
        const float th = tc[s + j], dhj = dh[s + j];
        const float dct = dc[s + j] + dhj * o[j] * (1.0f - th * th);
        d[j] = dct * g[j] * i[j] * (1.0f - i[j]);
        d[H + j] = dct * c_prev[s + j] * f[j] * (1.0f - f[j]);
        d[2 * H + j] = dct * i[j] * (1.0f - g[j] * g[j]);
        d[3 * H + j] = dhj * th * o[j] * (1.0f - o[j]);
        dc[s + j] = dct * f[j];
      }
    }
    kernels::matmul_nn(B, H, G, dg_all, L.w_hh.w, dh, false);
  }
}

}  // namespace rnn
