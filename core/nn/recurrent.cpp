#include "nn/recurrent.h"

#include <cmath>
#include <cstring>

#include "common.h"
#include "kernels/kernels.h"

namespace rnn {

void RecurrentLayer::declare(Params& p, const std::string& prefix, const std::string& suffix) {
  const int64_t rows = (int64_t)gates() * hidden;
  w_ih = p.add(prefix + ".weight_ih" + suffix, {rows, input});
  w_hh = p.add(prefix + ".weight_hh" + suffix, {rows, hidden});
  b_ih = p.add(prefix + ".bias_ih" + suffix, {rows});
  b_hh = p.add(prefix + ".bias_hh" + suffix, {rows});
}

void RecurrentLayer::init(Rng& rng) {
  const double k = 1.0 / std::sqrt(static_cast<double>(hidden));
  for (ParamView p : {w_ih, w_hh, b_ih, b_hh})
    for (size_t i = 0; i < p.size; ++i) p.w[i] = static_cast<float>(rng.uniform(-k, k));
  if (cell == CellType::Lstm) {
    // Forget gate rows are [H, 2H). Split the +1 across the two biases' sum: b_ih gets it.
    for (int i = hidden; i < 2 * hidden; ++i) {
      b_ih.w[i] = 1.0f;
      b_hh.w[i] = 0.0f;
    }
  }
}

void hidden_matmul(const RecurrentCache& cache, const float* h, float* out, bool accumulate) {
  kernels::matmul_packed(cache.B, h, cache.w_hh_fwd, out, accumulate);
}

void hidden_matmul_backward(const RecurrentCache& cache, const float* delta, float* dh, bool accumulate) {
  kernels::matmul_packed(cache.B, delta, cache.w_hh_bwd, dh, accumulate);
}

namespace {
bool finished(const RecurrentCache& cache, int t, int b) { return cache.lengths && t >= cache.lengths[b]; }
}  // namespace

void carry_finished_rows(const RecurrentCache& cache, int t, const float* prev, float* next) {
  if (!cache.lengths) return;
  for (int b = 0; b < cache.B; ++b)
    if (finished(cache, t, b)) std::memcpy(next + (size_t)b * cache.H, prev + (size_t)b * cache.H, sizeof(float) * cache.H);
}

void hold_finished_gradients(RecurrentCache& cache, int t, bool with_cell) {
  if (!cache.lengths) return;
  const int H = cache.H;
  cache.held.resize((size_t)cache.B * 2 * H);
  for (int b = 0; b < cache.B; ++b) {
    if (!finished(cache, t, b)) continue;
    std::memcpy(cache.held.data() + (size_t)b * 2 * H, cache.dh.data() + (size_t)b * H, sizeof(float) * H);
    if (with_cell) std::memcpy(cache.held.data() + (size_t)b * 2 * H + H, cache.dc.data() + (size_t)b * H, sizeof(float) * H);
  }
}

void zero_finished_rows(const RecurrentCache& cache, int t, int width, float* rows) {
  if (!cache.lengths) return;
  for (int b = 0; b < cache.B; ++b)
    if (finished(cache, t, b)) std::memset(rows + (size_t)b * width, 0, sizeof(float) * width);
}

void release_finished_gradients(RecurrentCache& cache, int t, bool with_cell) {
  if (!cache.lengths) return;
  const int H = cache.H;
  for (int b = 0; b < cache.B; ++b) {
    if (!finished(cache, t, b)) continue;
    std::memcpy(cache.dh.data() + (size_t)b * H, cache.held.data() + (size_t)b * 2 * H, sizeof(float) * H);
    if (with_cell) std::memcpy(cache.dc.data() + (size_t)b * H, cache.held.data() + (size_t)b * 2 * H + H, sizeof(float) * H);
  }
}

void record_state_gradient(const RecurrentCache& cache, int t, const float* dy) {
  const size_t BH = (size_t)cache.B * cache.H;
  float* out = cache.probe_dh + t * BH;
  const float* dh = cache.dh.data();
  for (size_t i = 0; i < BH; ++i) out[i] = dh[i] + (dy ? dy[t * BH + i] : 0.0f);
}

namespace {
// W_hh, or W̃ = W_hh ⊙ mask under DropConnect (made once per forward pass, kept for backward).
const float* hidden_weights(const RecurrentLayer& L, RecurrentCache& cache) {
  if (cache.w_hh_mask.empty()) return L.w_hh.w;
  return cache.w_hh_dropped.data();
}
}  // namespace

void recurrent_forward(const RecurrentLayer& L, int T, int B, const float* x, const int32_t* lengths,
                       const float* state0, float* stateT, RecurrentCache& cache) {
  const int H = L.hidden, GH = L.gates() * H;
  const size_t BH = (size_t)B * H;
  cache.T = T;
  cache.B = B;
  cache.H = H;
  cache.x = x;
  cache.lengths = lengths;
  cache.gates.resize((size_t)T * B * GH);
  cache.h.resize((T + 1) * BH);
  if (L.cell == CellType::Lstm) {
    cache.c.resize((T + 1) * BH);
    cache.tc.resize(T * BH);
  }
  if (L.cell == CellType::Gru) cache.hproj.resize((size_t)T * B * GH);
  if (state0) {
    std::memcpy(cache.h.data(), state0, sizeof(float) * BH);
    if (L.cell == CellType::Lstm) std::memcpy(cache.c.data(), state0 + BH, sizeof(float) * BH);
  } else {
    std::fill(cache.h.begin(), cache.h.begin() + BH, 0.0f);
    if (L.cell == CellType::Lstm) std::fill(cache.c.begin(), cache.c.begin() + BH, 0.0f);
  }
  if (!cache.w_hh_mask.empty()) {
    const size_t n = (size_t)GH * H;
    if (cache.w_hh_mask.size() != n) fail("DropConnect mask of the wrong size");
    cache.w_hh_dropped.resize(n);
    for (size_t i = 0; i < n; ++i) cache.w_hh_dropped[i] = L.w_hh.w[i] * cache.w_hh_mask[i];
  }
  // Input projections of all T steps at once: one large GEMM instead of T small ones.
  kernels::matmul_nt(T * B, GH, L.input, x, L.w_ih.w, cache.gates.data(), false);
  kernels::add_bias(T * B, GH, L.b_ih.w, cache.gates.data());

  // Every step multiplies by the same W_hh (or its DropConnect W̃): pack it once for the whole sequence.
  kernels::pack_nt(GH, H, hidden_weights(L, cache), cache.w_hh_fwd, B);
  switch (L.cell) {
    case CellType::Rnn: rnn_cell_forward(L, cache); break;
    case CellType::Lstm: lstm_cell_forward(L, cache); break;
    case CellType::Gru: gru_cell_forward(L, cache); break;
  }
  if (stateT) {
    std::memcpy(stateT, cache.h.data() + T * BH, sizeof(float) * BH);
    if (L.cell == CellType::Lstm) std::memcpy(stateT + BH, cache.c.data() + T * BH, sizeof(float) * BH);
  }
}

void recurrent_backward(RecurrentLayer& L, const float* dy, const float* dstateT, float* dx,
                        float* dstate0, RecurrentCache& cache) {
  const int T = cache.T, B = cache.B, H = L.hidden, GH = L.gates() * H;
  const size_t BH = (size_t)B * H;
  cache.dh.assign(BH, 0.0f);
  cache.dc.assign(BH, 0.0f);
  kernels::pack_nn(GH, H, hidden_weights(L, cache), cache.w_hh_bwd);
  if (dstateT) {
    std::memcpy(cache.dh.data(), dstateT, sizeof(float) * BH);
    if (L.cell == CellType::Lstm) std::memcpy(cache.dc.data(), dstateT + BH, sizeof(float) * BH);
  }
  switch (L.cell) {
    case CellType::Rnn: rnn_cell_backward(L, dy, cache); break;
    case CellType::Lstm: lstm_cell_backward(L, dy, cache); break;
    case CellType::Gru: gru_cell_backward(L, dy, cache); break;
  }
  // On return cache.dh (and cache.dc) hold the gradient w.r.t. the initial state.
  if (dstate0) {
    std::memcpy(dstate0, cache.dh.data(), sizeof(float) * BH);
    if (L.cell == CellType::Lstm) std::memcpy(dstate0 + BH, cache.dc.data(), sizeof(float) * BH);
  }
  // Weight gradients for all steps at once. Hidden side uses h_{t−1}, i.e. h[0..T).
  kernels::matmul_tn(GH, L.input, T * B, cache.gates.data(), cache.x, L.w_ih.g, true);
  const float* dhp = L.cell == CellType::Gru ? cache.hproj.data() : cache.gates.data();
  if (cache.w_hh_mask.empty()) {
    kernels::matmul_tn(GH, H, T * B, dhp, cache.h.data(), L.w_hh.g, true);
  } else {  // ∂L/∂W_hh += mask ⊙ ∂L/∂W̃
    const size_t n = (size_t)GH * H;
    cache.dw_hh.resize(n);
    kernels::matmul_tn(GH, H, T * B, dhp, cache.h.data(), cache.dw_hh.data(), false);
    const float* m = cache.w_hh_mask.data();
    for (size_t i = 0; i < n; ++i) L.w_hh.g[i] += m[i] * cache.dw_hh[i];
  }
  if (dhp == cache.gates.data()) {  // RNN, LSTM: both biases get the same column sums; take them once
    cache.db.assign(GH, 0.0f);
    kernels::sum_rows(T * B, GH, dhp, cache.db.data());
    kernels::axpy(GH, 1.0f, cache.db.data(), L.b_ih.g);
    kernels::axpy(GH, 1.0f, cache.db.data(), L.b_hh.g);
  } else {
    kernels::sum_rows(T * B, GH, cache.gates.data(), L.b_ih.g);
    kernels::sum_rows(T * B, GH, dhp, L.b_hh.g);
  }
  if (dx) kernels::matmul_nn(T * B, L.input, GH, cache.gates.data(), L.w_ih.w, dx, false);
}

}  // namespace rnn
