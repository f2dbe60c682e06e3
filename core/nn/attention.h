// Global attention (Luong, Pham & Manning 2015) of a decoder over an encoder's outputs, for all
// decoder steps at once (teacher forcing):
//   K_s = W_a·e_s ("general") or e_s ("dot", needs D = H)       keys, one GEMM over all S·B rows
//   score(t, s) = h_t · K_s,   a_t = softmax over the real source steps s < len (padding: 0)
//   c_t = Σ_s a_ts·e_s                                          context
//   h̃_t = tanh(W_c·[c_t ; h_t])                                 attentional state, one GEMM over T·B
// e: encoder outputs S × B × D, h: decoder states T × B × H, h̃: T × B × A, all time-major.
// Tensors: prefix.weight_a [H, D] (general only), prefix.weight_c [A, D + H]; no biases, as Luong.
// Backward, with g = ∂L/∂h̃:  ∂pre = g ⊙ (1 − h̃²),  dW_c += ∂preᵀ·[c; h],  [dc; dh] = ∂pre·W_c,
//   da_t = dc_t·eᵀ,  de += aᵀ·dc,  dscore = a ⊙ (da − Σ_s a·da),  dh += dscore·K,  dK = dscoreᵀ·h,
//   general: dW_a += dKᵀ·e, de += dK·W_a;  dot: de += dK.
//
// Step by step (decoding; training with input feeding or scheduled sampling, where step t's input
// needs step t−1's output): prepare() lays each source row's outputs and keys out contiguously
// (B × S × D, B × S × H; the keys in one GEMM over all S·B rows, once, not once per step), then
// each step takes two GEMVs per row over its real source steps (scores = K_b·h, c = Σ a_s·e_s)
// and one GEMM over the B rows for h̃. Decoder rows may share a source row (beams): `rows` maps
// each decoder row to its memory row, so reordering beams never copies the memory. Backward runs
// the per-step part (what the previous step's gradient needs: dh) step by step and leaves the
// products over all steps (dW_c, dK, de, dW_a) to finish_backward(), as GEMMs over all steps.
#pragma once
#include <string>
#include <vector>

#include "kernels/kernels.h"
#include "nn/params.h"
#include "rng.h"

namespace rnn {

enum class AttentionScore { Dot, General };
const char* attention_score_name(AttentionScore s);
AttentionScore parse_attention_score(const std::string& name);  // "dot" | "general"

// The encoder side, prepared once for step-by-step use.
struct AttentionMemory {
  int S = 0, B = 0, D = 0, H = 0;
  std::vector<float> e;          // B × S × D: row b's outputs, contiguous
  std::vector<float> keys;       // B × S × H ("general"; "dot": empty, the keys are e)
  std::vector<int32_t> lengths;  // B real source lengths
  const float* row_e(int b) const { return e.data() + (size_t)b * S * D; }
  const float* row_keys(int b) const { return keys.empty() ? row_e(b) : keys.data() + (size_t)b * S * H; }
};

struct Attention {
  AttentionScore score = AttentionScore::General;
  int encoder_size = 0;  // D
  int decoder_size = 0;  // H
  int output_size = 0;   // A
  ParamView w_a, w_c;

  void declare(Params& p, const std::string& prefix);
  void bind(Params& p);
  void init(Rng& rng);  // U(−1/√fan_in, 1/√fan_in), as nn.Linear

  // source_lengths: B values in [1, S]. out: T × B × A.
  void forward(int S, int T, int B, const float* e, const int32_t* source_lengths, const float* h, float* out);
  // dout: T × B × A. Accumulates weight gradients; writes de (S × B × D) and dh (T × B × H).
  void backward(const float* dout, float* de, float* dh);
  // The attention weights of the last forward pass: B × T × S (row b, target step t, source step s).
  const std::vector<float>& weights() const { return a_; }

  // ---- step by step ----
  // e: S × B × D time-major (encoder outputs), lengths: B values in [1, S].
  void prepare(int S, int B, const float* e, const int32_t* lengths, AttentionMemory& m) const;
  // Packs W_c for per-step products of `rows` rows (below 4: not packed), and for backward_step if
  // `backward`; again whenever the weights change.
  void pack(int rows, bool backward);
  // Starts T steps of B decoder rows over m (kept by pointer until finish_backward); decoder row b
  // attends to memory row rows[b] (null: row b).
  void begin(const AttentionMemory& m, int T, int B, const int32_t* rows = nullptr);
  // Step t: h (B × H) → out (B × A); fills weights() at (b, t, ·).
  void forward_step(int t, const float* h, float* out);
  // Step t's backward (after its forward; steps in any order): dout (B × A) → dh (B × H, written).
  void backward_step(int t, const float* dout, float* dh);
  // After every step's backward_step: accumulates dW_c, dW_a and writes de (S × B × D, time-major).
  // Needs rows = null and m.B = B.
  void finish_backward(float* de);

 private:
  int S_ = 0, T_ = 0, B_ = 0;
  const float* e_ = nullptr;
  const float* h_ = nullptr;
  const int32_t* lengths_ = nullptr;
  std::vector<float> keys_;     // S × B × H
  std::vector<float> a_;        // B × T × S
  std::vector<float> concat_;   // T × B × (D + H): [c ; h]
  std::vector<float> out_;      // T × B × A: h̃
  // Per-row scratch: the row's e, K, h, and gradients.
  std::vector<float> eb_, kb_, hb_, cb_, dcb_, dab_, deb_, dkb_, dhb_, dpre_, dconcat_, dkeys_;
  // Step by step: the memory, the row map, per row its states and gradients over the T steps
  // (B × T × H, B × T × D, B × T × S) and W_c packed both ways.
  const AttentionMemory* mem_ = nullptr;
  std::vector<int32_t> rows_;
  std::vector<float> hrows_, dcrows_, dscores_;
  kernels::PackedMatrix w_c_nt_, w_c_nn_;
};

}  // namespace rnn
