#include "nn/recurrent.h"

#include <cmath>
#include <cstring>

#include "kernels/kernels.h"

namespace rnn {

const char* cell_name(CellType c) {
  switch (c) {
    case CellType::Rnn: return "rnn";
    case CellType::Lstm: return "lstm";
    case CellType::Gru: return "gru";
  }
  return "?";
}

CellType parse_cell(const std::string& name) {
  if (name == "rnn") return CellType::Rnn;
  if (name == "lstm") return CellType::Lstm;
  if (name == "gru") return CellType::Gru;
  fail("option 'cell' must be 'lstm', 'gru' or 'rnn' (got '" + name + "')");
}

int cell_gates(CellType c) { return c == CellType::Lstm ? 4 : c == CellType::Gru ? 3 : 1; }

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

void hidden_matmul(const RecurrentLayer& L, const RecurrentCache& C, const float* h, float* out, bool accumulate) {
  (void)L;
  kernels::matmul_packed(C.B, h, C.w_hh_fwd, out, accumulate);
}

void hidden_matmul_backward(const RecurrentLayer& L, const RecurrentCache& C, const float* delta, float* dh,
                            bool accumulate) {
  (void)L;
  kernels::matmul_packed(C.B, delta, C.w_hh_bwd, dh, accumulate);
}

void recurrent_forward(const RecurrentLayer& L, const float* x, int T, int B, const float* state0,
                       float* stateT, RecurrentCache& C) {
  const int H = L.hidden, GH = L.gates() * H;
  const size_t BH = (size_t)B * H;
  C.T = T;
  C.B = B;
  C.H = H;
  C.x = x;
  C.gates.resize((size_t)T * B * GH);
  C.h.resize((T + 1) * BH);
  if (L.cell == CellType::Lstm) {
    C.c.resize((T + 1) * BH);
    C.tc.resize(T * BH);
  }
  if (L.cell == CellType::Gru) C.hproj.resize((size_t)T * B * GH);
  if (state0) {
    std::memcpy(C.h.data(), state0, sizeof(float) * BH);
    if (L.cell == CellType::Lstm) std::memcpy(C.c.data(), state0 + BH, sizeof(float) * BH);
  } else {
    std::fill(C.h.begin(), C.h.begin() + BH, 0.0f);
    if (L.cell == CellType::Lstm) std::fill(C.c.begin(), C.c.begin() + BH, 0.0f);
  }
  // Input projections of all T steps at once: one large GEMM instead of T small ones.
  kernels::matmul_nt(T * B, GH, L.input, x, L.w_ih.w, C.gates.data(), false);
  kernels::add_bias(T * B, GH, L.b_ih.w, C.gates.data());

  // Every step multiplies by the same W_hh: pack it once for the whole sequence.
  kernels::pack_nt(GH, H, L.w_hh.w, C.w_hh_fwd, B);
  switch (L.cell) {
    case CellType::Rnn: rnn_cell_forward(L, C); break;
    case CellType::Lstm: lstm_cell_forward(L, C); break;
    case CellType::Gru: gru_cell_forward(L, C); break;
  }
  if (stateT) {
    std::memcpy(stateT, C.h.data() + T * BH, sizeof(float) * BH);
    if (L.cell == CellType::Lstm) std::memcpy(stateT + BH, C.c.data() + T * BH, sizeof(float) * BH);
  }
}

void recurrent_backward(RecurrentLayer& L, const float* dy, const float* dstateT, float* dx,
                        float* dstate0, RecurrentCache& C) {
  const int T = C.T, B = C.B, H = L.hidden, GH = L.gates() * H;
  const size_t BH = (size_t)B * H;
  C.dgates.resize((size_t)T * B * GH);
  if (L.cell == CellType::Gru) C.dhproj.resize((size_t)T * B * GH);
  C.dh.assign(BH, 0.0f);
  C.dc.assign(BH, 0.0f);
  kernels::pack_nn(GH, H, L.w_hh.w, C.w_hh_bwd);
  if (dstateT) {
    std::memcpy(C.dh.data(), dstateT, sizeof(float) * BH);
    if (L.cell == CellType::Lstm) std::memcpy(C.dc.data(), dstateT + BH, sizeof(float) * BH);
  }
  switch (L.cell) {
    case CellType::Rnn: rnn_cell_backward(L, dy, C); break;
    case CellType::Lstm: lstm_cell_backward(L, dy, C); break;
    case CellType::Gru: gru_cell_backward(L, dy, C); break;
  }
  // On return C.dh (and C.dc) hold the gradient w.r.t. the initial state.
  if (dstate0) {
    std::memcpy(dstate0, C.dh.data(), sizeof(float) * BH);
    if (L.cell == CellType::Lstm) std::memcpy(dstate0 + BH, C.dc.data(), sizeof(float) * BH);
  }
  // Weight gradients for all steps at once. Hidden side uses h_{t−1}, i.e. h[0..T).
  kernels::matmul_tn(GH, L.input, T * B, C.dgates.data(), C.x, L.w_ih.g, true);
  const float* dhp = L.cell == CellType::Gru ? C.dhproj.data() : C.dgates.data();
  kernels::matmul_tn(GH, H, T * B, dhp, C.h.data(), L.w_hh.g, true);
  if (dhp == C.dgates.data()) {  // RNN, LSTM: both biases get the same column sums; take them once
    C.db.assign(GH, 0.0f);
    kernels::sum_rows(T * B, GH, dhp, C.db.data());
    kernels::axpy(GH, 1.0f, C.db.data(), L.b_ih.g);
    kernels::axpy(GH, 1.0f, C.db.data(), L.b_hh.g);
  } else {
    kernels::sum_rows(T * B, GH, C.dgates.data(), L.b_ih.g);
    kernels::sum_rows(T * B, GH, dhp, L.b_hh.g);
  }
  if (dx) kernels::matmul_nn(T * B, L.input, GH, C.dgates.data(), L.w_ih.w, dx, false);
}

}  // namespace rnn
