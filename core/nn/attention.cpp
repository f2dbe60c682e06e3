#include "nn/attention.h"

#include <algorithm>
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

// ---- step by step ----

void Attention::prepare(int S, int B, const float* e, const int32_t* lengths, AttentionMemory& m) const {
  const int D = encoder_size, H = decoder_size;
  m.S = S, m.B = B, m.D = D, m.H = H;
  m.lengths.assign(lengths, lengths + B);
  for (int b = 0; b < B; ++b)
    if (lengths[b] < 1 || lengths[b] > S) fail("source row " + std::to_string(b) + " has length " + std::to_string(lengths[b]));
  m.e.resize((size_t)B * S * D);
  for (int b = 0; b < B; ++b) gather_row(S, B, D, b, e, m.e.data() + (size_t)b * S * D);
  if (score == AttentionScore::General) {
    m.keys.resize((size_t)B * S * H);
    kernels::matmul_nt(B * S, H, D, m.e.data(), w_a.w, m.keys.data(), false);
  } else {
    m.keys.clear();
  }
}

void Attention::pack(int rows, bool backward) {
  const int W = encoder_size + decoder_size;
  kernels::pack_nt(output_size, W, w_c.w, w_c_nt_, rows);
  if (backward) kernels::pack_nn(output_size, W, w_c.w, w_c_nn_);
}

void Attention::begin(const AttentionMemory& m, int T, int B, const int32_t* rows) {
  const int D = encoder_size, H = decoder_size, A = output_size, S = m.S;
  if (m.D != D || m.H != H) fail("attention memory prepared for other sizes");
  mem_ = &m;
  S_ = S, T_ = T, B_ = B;
  rows_.resize(B);
  for (int b = 0; b < B; ++b) {
    rows_[b] = rows ? rows[b] : b;
    if (rows_[b] < 0 || rows_[b] >= m.B) fail("decoder row " + std::to_string(b) + " has no source row");
  }
  a_.resize((size_t)B * T * S);
  concat_.resize((size_t)T * B * (D + H));
  out_.resize((size_t)T * B * A);
  hrows_.resize((size_t)B * T * H);
}

void Attention::forward_step(int t, const float* h, float* out) {
  const AttentionMemory& m = *mem_;
  const int S = S_, T = T_, B = B_, D = encoder_size, H = decoder_size, A = output_size, W = D + H;
  float* concat = concat_.data() + (size_t)t * B * W;
  for (int b = 0; b < B; ++b) {
    const int r = rows_[b], len = m.lengths[r];
    const float* hb = h + (size_t)b * H;
    float* a = a_.data() + ((size_t)b * T + t) * S;
    kernels::matmul_nt(1, len, H, hb, m.row_keys(r), a, false);  // scores over the real steps
    float top = a[0];
    for (int s = 1; s < len; ++s) top = std::max(top, a[s]);
    double sum = 0;
    for (int s = 0; s < len; ++s) sum += (a[s] = std::exp(a[s] - top));
    for (int s = 0; s < len; ++s) a[s] = (float)(a[s] / sum);
    std::fill(a + len, a + S, 0.0f);
    float* c = concat + (size_t)b * W;  // context Σ_s a_s·e_s, then h
    std::fill(c, c + D, 0.0f);
    const float* e = m.row_e(r);
    for (int s = 0; s < len; ++s) kernels::axpy(D, a[s], e + (size_t)s * D, c);
    std::memcpy(c + D, hb, sizeof(float) * H);
    std::memcpy(hrows_.data() + ((size_t)b * T + t) * H, hb, sizeof(float) * H);
  }
  kernels::matmul_packed(B, concat, w_c_nt_, out, false);
  for (size_t i = 0; i < (size_t)B * A; ++i) out[i] = std::tanh(out[i]);
  std::memcpy(out_.data() + (size_t)t * B * A, out, sizeof(float) * B * A);
}

void Attention::backward_step(int t, const float* dout, float* dh) {
  const AttentionMemory& m = *mem_;
  const int S = S_, T = T_, B = B_, D = encoder_size, H = decoder_size, A = output_size, W = D + H;
  dpre_.resize((size_t)T * B * A);
  dcrows_.resize((size_t)B * T * D);
  dscores_.resize((size_t)B * T * S);
  float* dpre = dpre_.data() + (size_t)t * B * A;
  const float* o = out_.data() + (size_t)t * B * A;
  for (size_t i = 0; i < (size_t)B * A; ++i) dpre[i] = dout[i] * (1.0f - o[i] * o[i]);
  dconcat_.resize((size_t)B * W);
  kernels::matmul_packed(B, dpre, w_c_nn_, dconcat_.data(), false);  // [dc ; dh] = ∂pre·W_c
  dab_.resize(S);
  for (int b = 0; b < B; ++b) {
    const int r = rows_[b], len = m.lengths[r];
    const float* dc = dconcat_.data() + (size_t)b * W;
    float* dhb = dh + (size_t)b * H;
    std::memcpy(dhb, dc + D, sizeof(float) * H);
    std::memcpy(dcrows_.data() + ((size_t)b * T + t) * D, dc, sizeof(float) * D);
    kernels::matmul_nt(1, len, D, dc, m.row_e(r), dab_.data(), false);  // da_s = dc·e_s
    const float* a = a_.data() + ((size_t)b * T + t) * S;
    float* ds = dscores_.data() + ((size_t)b * T + t) * S;
    double dot = 0;
    for (int s = 0; s < len; ++s) dot += (double)a[s] * dab_[s];
    for (int s = 0; s < len; ++s) ds[s] = a[s] * (float)(dab_[s] - dot);
    std::fill(ds + len, ds + S, 0.0f);
    const float* keys = m.row_keys(r);
    for (int s = 0; s < len; ++s) kernels::axpy(H, ds[s], keys + (size_t)s * H, dhb);  // dh += dscore·K
  }
}

void Attention::finish_backward(float* de) {
  const AttentionMemory& m = *mem_;
  const int S = S_, T = T_, B = B_, D = encoder_size, H = decoder_size, A = output_size, W = D + H;
  if (m.B != B) fail("attention backward needs one decoder row per source row");
  for (int b = 0; b < B; ++b)
    if (rows_[b] != b) fail("attention backward needs one decoder row per source row");
  kernels::matmul_tn(A, W, T * B, dpre_.data(), concat_.data(), w_c.g, true);
  deb_.resize((size_t)B * S * D);  // batch-major: de_b = a_bᵀ·dc_b, dK_b = dscore_bᵀ·h_b
  dkeys_.resize((size_t)B * S * H);
  for (int b = 0; b < B; ++b) {
    kernels::matmul_tn(S, D, T, a_.data() + (size_t)b * T * S, dcrows_.data() + (size_t)b * T * D,
                       deb_.data() + (size_t)b * S * D, false);
    kernels::matmul_tn(S, H, T, dscores_.data() + (size_t)b * T * S, hrows_.data() + (size_t)b * T * H,
                       dkeys_.data() + (size_t)b * S * H, false);
  }
  if (score == AttentionScore::General) {
    kernels::matmul_tn(H, D, B * S, dkeys_.data(), m.e.data(), w_a.g, true);
    kernels::matmul_nn(B * S, D, H, dkeys_.data(), w_a.w, deb_.data(), true);
  } else {
    kernels::axpy((size_t)B * S * D, 1.0f, dkeys_.data(), deb_.data());
  }
  for (int b = 0; b < B; ++b) scatter_row(S, B, D, b, deb_.data() + (size_t)b * S * D, de);
}

}  // namespace rnn
