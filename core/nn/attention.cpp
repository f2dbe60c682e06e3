#include "nn/attention.h"

#include <cmath>
#include <cstring>

#include "common.h"
#include "kernels/kernels.h"

namespace rnn {

const char* attention_score_name(AttentionScore s) { return s == AttentionScore::Dot ? "dot" : "general"; }

AttentionScore parse_attention_score(const std::string& name) {
  if (name == "dot") return AttentionScore::Dot;
  if (name == "general") return AttentionScore::General;
  fail("option 'attention' must be 'general', 'dot' or none (got '" + name + "')");
}

void Attention::declare(Params& p, const std::string& prefix) {
  if (score == AttentionScore::Dot && encoder_size != decoder_size)
    fail("'dot' attention needs the encoder's outputs (" + std::to_string(encoder_size) +
         ") and the decoder's states (" + std::to_string(decoder_size) + ") to have the same size; use 'general'");
  if (score == AttentionScore::General) w_a = p.add(prefix + ".weight_a", {decoder_size, encoder_size});
  w_c = p.add(prefix + ".weight_c", {output_size, encoder_size + decoder_size});
}

void Attention::bind(Params& p) {
  if (score == AttentionScore::General) p.bind(w_a);
  p.bind(w_c);
}

void Attention::init(Rng& rng) {
  auto fill = [&](ParamView& v, int fan_in) {
    const double k = 1.0 / std::sqrt((double)fan_in);
    for (size_t i = 0; i < v.size; ++i) v.w[i] = (float)rng.uniform(-k, k);
  };
  if (score == AttentionScore::General) fill(w_a, encoder_size);
  fill(w_c, encoder_size + decoder_size);
}

namespace {
// Row b of a time-major steps × B × width tensor, gathered into a contiguous steps × width block.
void gather_row(int steps, int B, int width, int b, const float* src, float* dst) {
  for (int t = 0; t < steps; ++t)
    std::memcpy(dst + (size_t)t * width, src + ((size_t)t * B + b) * width, sizeof(float) * width);
}
void scatter_row(int steps, int B, int width, int b, const float* src, float* dst) {
  for (int t = 0; t < steps; ++t)
    std::memcpy(dst + ((size_t)t * B + b) * width, src + (size_t)t * width, sizeof(float) * width);
}
}  // namespace

void Attention::forward(int S, int T, int B, const float* e, const int32_t* lengths, const float* h, float* out) {
  const int D = encoder_size, H = decoder_size, A = output_size, W = D + H;
  S_ = S, T_ = T, B_ = B, e_ = e, h_ = h, lengths_ = lengths;
  const size_t SB = (size_t)S * B, TB = (size_t)T * B;
  if (score == AttentionScore::General) {
    keys_.resize(SB * H);
    kernels::matmul_nt((int)SB, H, D, e, w_a.w, keys_.data(), false);
  }
  const float* keys = score == AttentionScore::General ? keys_.data() : e;
  a_.resize((size_t)B * T * S);
  concat_.resize(TB * W);
  eb_.resize((size_t)S * D), kb_.resize((size_t)S * H), hb_.resize((size_t)T * H), cb_.resize((size_t)T * D);
  for (int b = 0; b < B; ++b) {
    const int len = lengths[b];
    if (len < 1 || len > S) fail("source row " + std::to_string(b) + " has length " + std::to_string(len));
    gather_row(S, B, D, b, e, eb_.data());
    gather_row(S, B, H, b, keys, kb_.data());
    gather_row(T, B, H, b, h, hb_.data());
    float* a = a_.data() + (size_t)b * T * S;
    kernels::matmul_nt(T, S, H, hb_.data(), kb_.data(), a, false);  // scores
    for (int t = 0; t < T; ++t) {                                    // softmax over the real steps
      float* row = a + (size_t)t * S;
      float top = row[0];
      for (int s = 1; s < len; ++s) top = std::max(top, row[s]);
      double sum = 0;
      for (int s = 0; s < len; ++s) sum += (row[s] = std::exp(row[s] - top));
      for (int s = 0; s < len; ++s) row[s] = (float)(row[s] / sum);
      for (int s = len; s < S; ++s) row[s] = 0.0f;
    }
    kernels::matmul_nn(T, D, S, a, eb_.data(), cb_.data(), false);  // contexts
    for (int t = 0; t < T; ++t) {
      float* dst = concat_.data() + ((size_t)t * B + b) * W;
      std::memcpy(dst, cb_.data() + (size_t)t * D, sizeof(float) * D);
      std::memcpy(dst + D, hb_.data() + (size_t)t * H, sizeof(float) * H);
    }
  }
  kernels::matmul_nt((int)TB, A, W, concat_.data(), w_c.w, out, false);
  for (size_t i = 0; i < TB * A; ++i) out[i] = std::tanh(out[i]);
  out_.assign(out, out + TB * A);
}

void Attention::backward(const float* dout, float* de, float* dh) {
  const int S = S_, T = T_, B = B_, D = encoder_size, H = decoder_size, A = output_size, W = D + H;
  const size_t SB = (size_t)S * B, TB = (size_t)T * B;
  dpre_.resize(TB * A);
  for (size_t i = 0; i < TB * A; ++i) dpre_[i] = dout[i] * (1.0f - out_[i] * out_[i]);
  kernels::matmul_tn(A, W, (int)TB, dpre_.data(), concat_.data(), w_c.g, true);
  dconcat_.resize(TB * W);
  kernels::matmul_nn((int)TB, W, A, dpre_.data(), w_c.w, dconcat_.data(), false);
  const float* keys = score == AttentionScore::General ? keys_.data() : e_;
  std::memset(de, 0, sizeof(float) * SB * D);
  dkeys_.assign(SB * H, 0.0f);
  dcb_.resize((size_t)T * D), dab_.resize((size_t)T * S), deb_.resize((size_t)S * D), dkb_.resize((size_t)S * H),
      dhb_.resize((size_t)T * H);
  for (int b = 0; b < B; ++b) {
    gather_row(S, B, D, b, e_, eb_.data());
    gather_row(S, B, H, b, keys, kb_.data());
    gather_row(T, B, H, b, h_, hb_.data());
    for (int t = 0; t < T; ++t) {
      const float* src = dconcat_.data() + ((size_t)t * B + b) * W;
      std::memcpy(dcb_.data() + (size_t)t * D, src, sizeof(float) * D);
      std::memcpy(dhb_.data() + (size_t)t * H, src + D, sizeof(float) * H);
    }
    const float* a = a_.data() + (size_t)b * T * S;
    kernels::matmul_nt(T, S, D, dcb_.data(), eb_.data(), dab_.data(), false);  // da = dc·eᵀ
    kernels::matmul_tn(S, D, T, a, dcb_.data(), deb_.data(), false);           // de = aᵀ·dc
    for (int t = 0; t < T; ++t) {                                               // through the softmax
      float* da = dab_.data() + (size_t)t * S;
      const float* at = a + (size_t)t * S;
      double dot = 0;
      for (int s = 0; s < S; ++s) dot += (double)at[s] * da[s];
      for (int s = 0; s < S; ++s) da[s] = at[s] * (float)(da[s] - dot);
    }
    kernels::matmul_nn(T, H, S, dab_.data(), kb_.data(), dhb_.data(), true);  // dh += dscore·K
    kernels::matmul_tn(S, H, T, dab_.data(), hb_.data(), dkb_.data(), false); // dK = dscoreᵀ·h
    scatter_row(S, B, D, b, deb_.data(), de);
    scatter_row(S, B, H, b, dkb_.data(), dkeys_.data());
    scatter_row(T, B, H, b, dhb_.data(), dh);
  }
  if (score == AttentionScore::General) {
    kernels::matmul_tn(H, D, (int)SB, dkeys_.data(), e_, w_a.g, true);
    kernels::matmul_nn((int)SB, D, H, dkeys_.data(), w_a.w, de, true);
  } else {
    kernels::axpy(SB * D, 1.0f, dkeys_.data(), de);
  }
}

}  // namespace rnn
