// The fused per-time-step cell kernels: bias, activations and state update of a whole step
// in one pass over the batch, forward and backward, for LSTM, GRU and vanilla RNN. Equations in
// kernels.h; scalar twins in reference.cpp. The LSTM and GRU steps split the batch's rows
// across threads from kStepParallelWork gate floats (arch.h); the RNN steps run on the calling
// thread.
#include <cstddef>

#include "kernels/arch.h"
#include "kernels/kernels.h"
#include "kernels/parallel.h"
#include "kernels/registers.h"
#include "kernels/simd_math.h"

namespace rnn::kernels {

void lstm_forward_step(int B, int H, float* gates, const float* b_hh, const float* c_prev, float* c, float* tc,
                       float* h) {
  if (reference_mode()) return ref::lstm_forward_step(B, H, gates, b_hh, c_prev, c, tc, h);
  for_rows(B, (size_t)B * 4 * H, [&](int b) {
    float *gi = gates + (size_t)b * 4 * H, *gf = gi + H, *gg = gi + 2 * H, *go = gi + 3 * H;
    const size_t s = (size_t)b * H;
    for_lanes(H, [&](size_t j, auto reg) {
      const Vec i = simd_math::sigmoid(reg.load(gi + j) + reg.load(b_hh + j));
      const Vec f = simd_math::sigmoid(reg.load(gf + j) + reg.load(b_hh + H + j));
      const Vec g = simd_math::tanh(reg.load(gg + j) + reg.load(b_hh + 2 * H + j));
      const Vec o = simd_math::sigmoid(reg.load(go + j) + reg.load(b_hh + 3 * H + j));
      const Vec cv = madd(f, reg.load(c_prev + s + j), i * g);
      const Vec t = simd_math::tanh(cv);
      reg.store(gi + j, i);
      reg.store(gf + j, f);
      reg.store(gg + j, g);
      reg.store(go + j, o);
      reg.store(c + s + j, cv);
      reg.store(tc + s + j, t);
      reg.store(h + s + j, o * t);
    });
  });
}

void lstm_backward_step(int B, int H, const float* gates, const float* c_prev, const float* tc, const float* dy,
                        const float* dh, float* dc, float* dgates) {
  if (reference_mode()) return ref::lstm_backward_step(B, H, gates, c_prev, tc, dy, dh, dc, dgates);
  const Vec one(1.0f);
  for_rows(B, (size_t)B * 4 * H, [&](int b) {
    const float *gi = gates + (size_t)b * 4 * H, *gf = gi + H, *gg = gi + 2 * H, *go = gi + 3 * H;
    float* d = dgates + (size_t)b * 4 * H;
    const size_t s = (size_t)b * H;
    for_lanes(H, [&](size_t j, auto reg) {
      const Vec i = reg.load(gi + j), f = reg.load(gf + j), g = reg.load(gg + j), o = reg.load(go + j);
      const Vec th = reg.load(tc + s + j);
      Vec dhv = reg.load(dh + s + j);
      if (dy) dhv += reg.load(dy + s + j);
      const Vec dct = madd(dhv * o, one - th * th, reg.load(dc + s + j));
      reg.store(d + j, dct * g * i * (one - i));
      reg.store(d + H + j, dct * reg.load(c_prev + s + j) * f * (one - f));
      reg.store(d + 2 * H + j, dct * i * (one - g * g));
      reg.store(d + 3 * H + j, dhv * th * o * (one - o));
      reg.store(dc + s + j, dct * f);
    });
  });
}

void gru_forward_step(int B, int H, float* gates, float* hp, const float* b_hh, const float* h_prev, float* h) {
  if (reference_mode()) return ref::gru_forward_step(B, H, gates, hp, b_hh, h_prev, h);
  const Vec one(1.0f);
  for_rows(B, (size_t)B * 3 * H, [&](int b) {
    float *gr = gates + (size_t)b * 3 * H, *gz = gr + H, *gn = gr + 2 * H;
    float *hr = hp + (size_t)b * 3 * H, *hz = hr + H, *hn = hr + 2 * H;
    const size_t s = (size_t)b * H;
    for_lanes(H, [&](size_t j, auto reg) {
      const Vec pr = reg.load(hr + j) + reg.load(b_hh + j);
      const Vec pz = reg.load(hz + j) + reg.load(b_hh + H + j);
      const Vec pn = reg.load(hn + j) + reg.load(b_hh + 2 * H + j);
      const Vec r = simd_math::sigmoid(reg.load(gr + j) + pr);
      const Vec z = simd_math::sigmoid(reg.load(gz + j) + pz);
      const Vec n = simd_math::tanh(madd(r, pn, reg.load(gn + j)));
      reg.store(hr + j, pr);
      reg.store(hz + j, pz);
      reg.store(hn + j, pn);
      reg.store(gr + j, r);
      reg.store(gz + j, z);
      reg.store(gn + j, n);
      reg.store(h + s + j, madd(one - z, n, z * reg.load(h_prev + s + j)));
    });
  });
}

void gru_backward_step(int B, int H, const float* gates, const float* hp, const float* h_prev, const float* dy,
                       float* dh, float* dgates, float* dhp) {
  if (reference_mode()) return ref::gru_backward_step(B, H, gates, hp, h_prev, dy, dh, dgates, dhp);
  const Vec one(1.0f);
  for_rows(B, (size_t)B * 3 * H, [&](int b) {
    const float *gr = gates + (size_t)b * 3 * H, *gz = gr + H, *gn = gr + 2 * H, *hn = hp + (size_t)b * 3 * H + 2 * H;
    float *di = dgates + (size_t)b * 3 * H, *dp = dhp + (size_t)b * 3 * H;
    const size_t s = (size_t)b * H;
    for_lanes(H, [&](size_t j, auto reg) {
      const Vec r = reg.load(gr + j), z = reg.load(gz + j), n = reg.load(gn + j);
      Vec d = reg.load(dh + s + j);
      if (dy) d += reg.load(dy + s + j);
      const Vec dn = d * (one - z) * (one - n * n);
      const Vec dz = d * (reg.load(h_prev + s + j) - n) * z * (one - z);
      const Vec dr = dn * reg.load(hn + j) * r * (one - r);
      reg.store(di + j, dr);
      reg.store(di + H + j, dz);
      reg.store(di + 2 * H + j, dn);
      reg.store(dp + j, dr);
      reg.store(dp + H + j, dz);
      reg.store(dp + 2 * H + j, dn * r);
      reg.store(dh + s + j, d * z);
    });
  });
}

void rnn_forward_step(int B, int H, float* pre, const float* b_hh, float* h) {
  if (reference_mode()) return ref::rnn_forward_step(B, H, pre, b_hh, h);
  for (int b = 0; b < B; ++b) {
    float* p = pre + (size_t)b * H;
    float* hb = h + (size_t)b * H;
    for_lanes(H, [&](size_t j, auto reg) {
      const Vec v = reg.load(p + j) + reg.load(b_hh + j);
      reg.store(p + j, v);
      reg.store(hb + j, simd_math::tanh(v));
    });
  }
}

void rnn_backward_step(int B, int H, const float* h, const float* dy, const float* dh, float* delta) {
  if (reference_mode()) return ref::rnn_backward_step(B, H, h, dy, dh, delta);
  for_lanes((size_t)B * H, [&](size_t i, auto reg) {
    Vec d = reg.load(dh + i);
    if (dy) d += reg.load(dy + i);
    const Vec hv = reg.load(h + i);
    reg.store(delta + i, d * (Vec(1.0f) - hv * hv));
  });
}

}  // namespace rnn::kernels
