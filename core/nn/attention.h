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
#pragma once
#include <string>
#include <vector>

#include "nn/params.h"
#include "rng.h"

namespace rnn {

enum class AttentionScore { Dot, General };
const char* attention_score_name(AttentionScore s);
AttentionScore parse_attention_score(const std::string& name);  // "dot" | "general"

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
};

}  // namespace rnn
