// A recurrent layer run over a whole sequence, for any cell type. Weights use PyTorch's
// nn.RNN / nn.LSTM / nn.GRU layout, gates stacked along rows:
//   W_ih: G·H × I,  W_hh: G·H × H,  b_ih, b_hh: G·H       (G = 1 RNN, 4 LSTM [i,f,g,o], 3 GRU [r,z,n])
// The shared part lives here: the input projection for all steps in one GEMM before the time
// loop, and the weight gradients in one GEMM after it. The per-step maths of each cell (the
// time loop, forward and backward) lives in rnn_cell.cpp, lstm_cell.cpp and gru_cell.cpp.
//
// Rows of different lengths: with lengths given, a row whose sequence has ended (t ≥ lengths[b])
// keeps its state through the remaining steps, so the final state is each row's own last real
// state (PyTorch's packed sequences) and a gradient at the final state reaches that step unchanged.
//
// Tensors are time-major: x is T × B × I, outputs T × B × H. A layer's state is B × S floats
// (S = H, or 2H for LSTM: h then c). Passing the state in and getting it out is what lets a
// caller carry state between batches (stateful TBPTT), seed a decoder from an encoder, or run
// a layer backwards in time for a bidirectional wrapper.
#pragma once
#include <vector>

#include <string>

#include "kernels/kernels.h"
#include "nn/cell.h"
#include "nn/params.h"
#include "rng.h"

namespace rnn {

struct RecurrentLayer {
  CellType cell = CellType::Lstm;
  int input = 0, hidden = 0;
  ParamView w_ih, w_hh, b_ih, b_hh;

  // prefix.weight_ih{suffix} [G·H, input], weight_hh [G·H, H], bias_ih, bias_hh [G·H]
  // (PyTorch: prefix "rnn", suffix "_l0", "_l0_reverse", …).
  void declare(Params& p, const std::string& prefix, const std::string& suffix);
  void bind(Params& p) {
    for (ParamView* v : {&w_ih, &w_hh, &b_ih, &b_hh}) p.bind(*v);
  }
  int gates() const { return cell_gates(cell); }
  int state_size() const { return cell == CellType::Lstm ? 2 * hidden : hidden; }
  // U(−1/√H, 1/√H) like PyTorch; LSTM forget-gate bias starts at 1 so memory flows early on.
  void init(Rng& rng);
};

// Everything the backward pass needs from the forward pass, plus backward scratch.
struct RecurrentCache {
  int T = 0, B = 0, H = 0;
  const float* x = nullptr;   // the caller's input, kept alive by the caller until backward
  const int32_t* lengths = nullptr;  // the caller's B row lengths (null: all T), kept alive likewise
  // gates and hproj are overwritten by their gradients in backward: step t's backward is the last
  // reader of step t's activations, and reads all of them before it writes (the cell kernels are
  // alias-safe). So the pass keeps no second T × B × G·H buffer.
  std::vector<float> gates;   // T × B × G·H: pre-activations, then activations (in place), then
                              // after backward ∂L/∂ the input pre-activations ("dgates")
  std::vector<float> hproj;   // GRU only: T × B × 3H hidden projections W_hh·h + b_hh, then
                              // ∂L/∂ them (for RNN and LSTM that equals dgates: gates serves both)
  std::vector<float> h;       // (T+1) × B × H, h[0] = initial state
  std::vector<float> c;       // LSTM only: (T+1) × B × H cell states
  std::vector<float> tc;      // LSTM only: T × B × H, tanh(c_t)
  std::vector<float> dh, dc;  // B × H step scratch
  std::vector<float> db;      // G·H: Σ over rows of dgates, for both biases when they share it
  std::vector<float> held;    // B × 2H: state gradients of finished rows, held across a step
  // DropConnect on the recurrent weights (Wan et al. 2013, as AWD-LSTM's weight drop): when
  // w_hh_mask holds G·H × H values (0 or 1/(1−p), drawn by the caller for this batch), every step
  // multiplies by W̃ = W_hh ⊙ mask instead of W_hh, and ∂L/∂W_hh = mask ⊙ ∂L/∂W̃. Empty: off.
  std::vector<float> w_hh_mask, w_hh_dropped, dw_hh;
  kernels::PackedMatrix w_hh_fwd;  // W_hh packed for h·W_hhᵀ, once per forward pass
  kernels::PackedMatrix w_hh_bwd;  // W_hh packed for δ·W_hh, once per backward pass
  // Diagnostics (gradient flow through time): when set, backward writes ∂L/∂hₜ — everything that
  // reaches step t's output, from above (dyₜ) and from step t+1 — to probe_dh[t] (T × B × H, the
  // caller's). Null, the default, costs one branch per step and changes nothing.
  float* probe_dh = nullptr;

  const float* outputs() const { return h.data() + (size_t)B * H; }
};

// Runs T steps from state0 (B × S, may be null for zeros), writes the final state to stateT
// (may be null). The outputs are cache.outputs(): T × B × H.
// lengths: B values in [1, T], or null (every row has T steps).
void recurrent_forward(const RecurrentLayer& L, int T, int B, const float* x, const int32_t* lengths,
                       const float* state0, float* stateT, RecurrentCache& cache);
// dy: T × B × H (null = no output gradient, e.g. an encoder), dstateT: B × S (null = zeros).
// Accumulates weight gradients; writes dx (T × B × I, may be null) and dstate0 (B × S, may be null).
void recurrent_backward(RecurrentLayer& L, const float* dy, const float* dstateT, float* dx,
                        float* dstate0, RecurrentCache& cache);

// out (B × G·H) (+)= h · W_hhᵀ: the recurrent matmul every cell does at every step, on the
// weight packed once per forward pass.
void hidden_matmul(const RecurrentCache& cache, const float* h, float* out, bool accumulate);
// dh (B × H) (+)= δ (B × G·H) · W_hh: the same product backwards, once per step of the backward pass.
void hidden_matmul_backward(const RecurrentCache& cache, const float* delta, float* dh, bool accumulate);

void record_state_gradient(const RecurrentCache& cache, int t, const float* dy);
// Rows finished by step t: the forward step copies their previous state over what the cell
// computed; the backward step holds their state gradients (hold), zeroes their gate gradients
// (zero, before the recurrent product) and puts the state gradients back after it (release).
void carry_finished_rows(const RecurrentCache& cache, int t, const float* prev, float* next);
void hold_finished_gradients(RecurrentCache& cache, int t, bool with_cell);
void zero_finished_rows(const RecurrentCache& cache, int t, int width, float* rows);
void release_finished_gradients(RecurrentCache& cache, int t, bool with_cell);
// The backward step at t starts: cache.dh holds ∂L/∂hₜ from step t+1; with probe_dh set, store it
// plus dyₜ (the whole gradient at hₜ). Each cell's backward calls it first thing in its step.
inline void probe_state_gradient(RecurrentCache& cache, int t, const float* dy) {
  if (cache.probe_dh) record_state_gradient(cache, t, dy);
}

// The per-cell time loops (one file each). Forward: cache.gates holds x·W_ihᵀ + b_ih for every
// step on entry. Backward: overwrite cache.gates with dgates (input side) and, for the GRU,
// cache.hproj with its gradient (hidden side).
void rnn_cell_forward(const RecurrentLayer& L, RecurrentCache& cache);
void rnn_cell_backward(const RecurrentLayer& L, const float* dy, RecurrentCache& cache);
void lstm_cell_forward(const RecurrentLayer& L, RecurrentCache& cache);
void lstm_cell_backward(const RecurrentLayer& L, const float* dy, RecurrentCache& cache);
void gru_cell_forward(const RecurrentLayer& L, RecurrentCache& cache);
void gru_cell_backward(const RecurrentLayer& L, const float* dy, RecurrentCache& cache);

}  // namespace rnn
