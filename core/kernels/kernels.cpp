// Elementwise kernels (activations, softmax, loss rows, bias, axpy, dot, the fused cell steps)
// and their scalar references. One source serves both targets: natively xsimd picks AVX-512 or
// AVX2 with FMA; under Emscripten it picks SSE2, which becomes wasm simd128 (4 lanes, no FMA).
// GEMM lives in kernels_gemm.cpp.
//
// Every vector loop runs a row's tail through the same vector code on a padded register, so an
// element's result never depends on its position (row length, thread split): threaded kernels
// are bitwise identical for any thread count.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>
#include <xsimd/xsimd.hpp>
#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

#include "kernels/kernels.h"
#include "kernels/simd_math.h"
#include "kernels/threads.h"

namespace rnn::kernels {
namespace {

using V = xsimd::batch<float>;
constexpr int W = static_cast<int>(V::size);
namespace sm = simd_math;

inline V load(const float* p) { return V::load_unaligned(p); }
inline void store(float* p, V v) { v.store_unaligned(p); }
inline float hsum(V v) { return xsimd::hadd(v); }
inline float hmax(V v) {
  alignas(64) float lanes[W];
  v.store_aligned(lanes);
  return *std::max_element(lanes, lanes + W);
}

// Access to a full register (F) or to the first n < W lanes of one (P; other lanes = `fill`).
// P uses the targets' partial loads and stores (one masked instruction natively, lane loads
// in wasm): a call to memcpy per row tail cost more than the row's arithmetic.
struct F {
  static V ld(const float* p, float = 0.0f) { return load(p); }
  static void st(float* p, V v) { store(p, v); }
};
struct P {
  int n;
#if defined(__AVX512F__)
  static_assert(W == 16, "AVX-512 build expects 16 lanes");
  __mmask16 mask() const { return static_cast<__mmask16>((1u << n) - 1); }
  V ld(const float* p, float fill = 0.0f) const { return _mm512_mask_loadu_ps(_mm512_set1_ps(fill), mask(), p); }
  void st(float* p, V v) const { _mm512_mask_storeu_ps(p, mask(), v); }
#elif defined(__AVX2__)
  static_assert(W == 8, "AVX2 build expects 8 lanes");
  __m256i mask() const { return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7)); }
  V ld(const float* p, float fill = 0.0f) const {
    return _mm256_blendv_ps(_mm256_set1_ps(fill), _mm256_maskload_ps(p, mask()), _mm256_castsi256_ps(mask()));
  }
  void st(float* p, V v) const { _mm256_maskstore_ps(p, mask(), v); }
#elif defined(__wasm_simd128__)
  static_assert(W == 4, "wasm build expects 4 lanes");
  V ld(const float* p, float fill = 0.0f) const {
    v128_t v = wasm_v128_load32_lane(p, wasm_f32x4_splat(fill), 0);
    if (n > 1) v = wasm_v128_load32_lane(p + 1, v, 1);
    if (n > 2) v = wasm_v128_load32_lane(p + 2, v, 2);
    return V((__m128)v);
  }
  void st(float* p, V v) const {
    const v128_t r = (v128_t)(__m128)v;
    wasm_v128_store32_lane(p, r, 0);
    if (n > 1) wasm_v128_store32_lane(p + 1, r, 1);
    if (n > 2) wasm_v128_store32_lane(p + 2, r, 2);
  }
#else
  V ld(const float* p, float fill = 0.0f) const {
    alignas(64) float b[W];
    for (int k = 0; k < W; ++k) b[k] = k < n ? p[k] : fill;
    return V::load_aligned(b);
  }
  void st(float* p, V v) const {
    alignas(64) float b[W];
    v.store_aligned(b);
    for (int k = 0; k < n; ++k) p[k] = b[k];
  }
#endif
};
// f(j, m) for j = 0, W, 2W, … < n, with m = F{} for full registers and P{n − j} for the tail.
template <class Fn>
inline void for_lanes(size_t n, Fn&& f) {
  size_t j = 0;
  for (; j + W <= n; j += W) f(j, F{});
  if (j < n) f(j, P{static_cast<int>(n - j)});
}

// Threads pay only past ~64K floats of elementwise work: below that the pool's wake-up and
// the cache traffic between cores cost more than the arithmetic they share.
constexpr size_t kParallelWork = size_t(1) << 16;
template <class Fn>
inline void parallel_if(int tasks, size_t work, Fn&& f, size_t threshold = kParallelWork) {
  if (work >= threshold && tasks > 1 && threads::count() > 1)
    threads::parallel_for(tasks, f);
  else if (tasks > 0)
    f(0, tasks);
}
// The fused step kernels take the batch's rows as tasks. One step's gates (B·G·H floats, 32 K for
// the reference LSTM) are under kParallelWork, but the step's GEMM around them is threaded, and
// leaving them serial capped the 2-thread speed-up. Rows are independent: results don't change.
constexpr size_t kStepParallelWork = size_t(1) << 14;
template <class Fn>
inline void for_rows(int B, size_t work, Fn&& row) {
  parallel_if(
      B, work,
      [&](int b0, int b1) {
        for (int b = b0; b < b1; ++b) row(b);
      },
      kStepParallelWork);
}
bool g_reference = false;

}  // namespace

void set_reference_mode(bool on) { g_reference = on; }
bool reference_mode() { return g_reference; }

// ---- bias ----

void add_bias(int rows, int cols, const float* bias, float* X) {
  if (g_reference) return ref::add_bias(rows, cols, bias, X);
  parallel_if(rows, (size_t)rows * cols, [&](int r0, int r1) {
    for (int r = r0; r < r1; ++r) {
      float* x = X + (size_t)r * cols;
      for_lanes(cols, [&](size_t j, auto m) { m.st(x + j, m.ld(x + j) + m.ld(bias + j)); });
    }
  });
}

// Column strips as tasks. A strip keeps its partial sums in registers while a block of rows
// streams past (blocks of 64 rows keep the strided reads within a few hundred KB, TLB-friendly),
// adding the rows in order onto db's value: the same operations as the reference, so the
// result is bitwise the reference's and independent of the thread count.
void sum_rows(int rows, int cols, const float* dY, float* db) {
  if (g_reference) return ref::sum_rows(rows, cols, dY, db);
  constexpr int kNV = 8, kStrip = kNV * W, kRowBlock = 64;
  const int strips = (cols + kStrip - 1) / kStrip;
  parallel_if(strips, (size_t)rows * cols, [&](int s0, int s1) {
    for (int r0 = 0; r0 < rows; r0 += kRowBlock) {
      const int r1 = std::min(rows, r0 + kRowBlock);
      for (int s = s0; s < s1; ++s) {
        const int c0 = s * kStrip;
        if (c0 + kStrip <= cols) {
          V acc[kNV];
          for (int v = 0; v < kNV; ++v) acc[v] = load(db + c0 + v * W);
          for (int r = r0; r < r1; ++r) {
            const float* y = dY + (size_t)r * cols + c0;
            for (int v = 0; v < kNV; ++v) acc[v] += load(y + v * W);
          }
          for (int v = 0; v < kNV; ++v) store(db + c0 + v * W, acc[v]);
        } else {  // the last, partial strip: one register at a time
          for_lanes(cols - c0, [&](size_t j, auto m) {
            V acc = m.ld(db + c0 + j);
            for (int r = r0; r < r1; ++r) acc += m.ld(dY + (size_t)r * cols + c0 + j);
            m.st(db + c0 + j, acc);
          });
        }
      }
    }
  });
}

// ---- softmax and the loss rows ----

namespace {
// Max of a row (tail padded with −inf).
inline float row_max(int cols, const float* x) {
  V m(-INFINITY);
  for_lanes(cols, [&](size_t i, auto l) { m = xsimd::max(m, l.ld(x + i, -INFINITY)); });
  return hmax(m);
}
// y = exp(x − mx) (y may alias x); returns Σy. Tail lanes are padded with −inf, giving exp = 0.
inline float row_exp(int cols, const float* x, float mx, float* y) {
  V s(0.0f);
  const V mv(mx);
  for_lanes(cols, [&](size_t i, auto l) {
    const V e = sm::exp(l.ld(x + i, -INFINITY) - mv);
    l.st(y + i, e);
    s += e;
  });
  return hsum(s);
}
// Σ exp(x − mx) without storing.
inline float row_expsum(int cols, const float* x, float mx) {
  V s(0.0f);
  const V mv(mx);
  for_lanes(cols, [&](size_t i, auto l) { s += sm::exp(l.ld(x + i, -INFINITY) - mv); });
  return hsum(s);
}
inline void row_scale(int cols, float* y, float a) {
  const V av(a);
  for_lanes(cols, [&](size_t i, auto l) { l.st(y + i, l.ld(y + i) * av); });
}
}  // namespace

// The loss comes from log-sum-exp, never from a rounded probability, so it stays finite and
// accurate when the target's probability underflows.
void softmax_xent(int rows, int cols, const float* Z, const int32_t* y, const float* scale, double* nll, float* dZ) {
  if (g_reference) return ref::softmax_xent(rows, cols, Z, y, scale, nll, dZ);
  parallel_if(rows, (size_t)rows * cols, [&](int r0, int r1) {
    for (int r = r0; r < r1; ++r) {
      const float* z = Z + (size_t)r * cols;
      const float mx = row_max(cols, z), zy = z[y[r]];  // read before dZ (maybe = Z) is written
      float s;
      if (dZ) {
        float* d = dZ + (size_t)r * cols;
        s = row_exp(cols, z, mx, d);
        row_scale(cols, d, scale[r] / s);
        d[y[r]] -= scale[r];
      } else {
        s = row_expsum(cols, z, mx);
      }
      nll[r] = std::log(static_cast<double>(s)) - (static_cast<double>(zy) - mx);
    }
  });
}

// ---- small helpers ----

void axpy(size_t n, float a, const float* x, float* y) {
  if (g_reference) return ref::axpy(n, a, x, y);
  const V av(a);
  for_lanes(n, [&](size_t i, auto m) { m.st(y + i, xsimd::fma(av, m.ld(x + i), m.ld(y + i))); });
}

// ---- fused cell steps (equations in kernels.h). Too small per step (B×H ≈ 8K) to thread. ----

void lstm_forward_step(int B, int H, float* gates, const float* b_hh, const float* c_prev, float* c, float* tc,
                       float* h) {
  if (g_reference) return ref::lstm_forward_step(B, H, gates, b_hh, c_prev, c, tc, h);
  for_rows(B, (size_t)B * 4 * H, [&](int b) {
    float *gi = gates + (size_t)b * 4 * H, *gf = gi + H, *gg = gi + 2 * H, *go = gi + 3 * H;
    const size_t s = (size_t)b * H;
    for_lanes(H, [&](size_t j, auto m) {
      const V i = sm::sigmoid(m.ld(gi + j) + m.ld(b_hh + j));
      const V f = sm::sigmoid(m.ld(gf + j) + m.ld(b_hh + H + j));
      const V g = sm::tanh(m.ld(gg + j) + m.ld(b_hh + 2 * H + j));
      const V o = sm::sigmoid(m.ld(go + j) + m.ld(b_hh + 3 * H + j));
      const V cv = xsimd::fma(f, m.ld(c_prev + s + j), i * g);
      const V t = sm::tanh(cv);
      m.st(gi + j, i);
      m.st(gf + j, f);
      m.st(gg + j, g);
      m.st(go + j, o);
      m.st(c + s + j, cv);
      m.st(tc + s + j, t);
      m.st(h + s + j, o * t);
    });
  });
}

void lstm_backward_step(int B, int H, const float* gates, const float* c_prev, const float* tc, const float* dy,
                        const float* dh, float* dc, float* dgates) {
  if (g_reference) return ref::lstm_backward_step(B, H, gates, c_prev, tc, dy, dh, dc, dgates);
  const V one(1.0f);
  for_rows(B, (size_t)B * 4 * H, [&](int b) {
    const float *gi = gates + (size_t)b * 4 * H, *gf = gi + H, *gg = gi + 2 * H, *go = gi + 3 * H;
    float* d = dgates + (size_t)b * 4 * H;
    const size_t s = (size_t)b * H;
    for_lanes(H, [&](size_t j, auto m) {
      const V i = m.ld(gi + j), f = m.ld(gf + j), g = m.ld(gg + j), o = m.ld(go + j);
      const V th = m.ld(tc + s + j);
      V dhv = m.ld(dh + s + j);
      if (dy) dhv += m.ld(dy + s + j);
      const V dct = xsimd::fma(dhv * o, one - th * th, m.ld(dc + s + j));
      m.st(d + j, dct * g * i * (one - i));
      m.st(d + H + j, dct * m.ld(c_prev + s + j) * f * (one - f));
      m.st(d + 2 * H + j, dct * i * (one - g * g));
      m.st(d + 3 * H + j, dhv * th * o * (one - o));
      m.st(dc + s + j, dct * f);
    });
  });
}

void gru_forward_step(int B, int H, float* gates, float* hp, const float* b_hh, const float* h_prev, float* h) {
  if (g_reference) return ref::gru_forward_step(B, H, gates, hp, b_hh, h_prev, h);
  const V one(1.0f);
  for_rows(B, (size_t)B * 3 * H, [&](int b) {
    float *gr = gates + (size_t)b * 3 * H, *gz = gr + H, *gn = gr + 2 * H;
    float *hr = hp + (size_t)b * 3 * H, *hz = hr + H, *hn = hr + 2 * H;
    const size_t s = (size_t)b * H;
    for_lanes(H, [&](size_t j, auto m) {
      const V pr = m.ld(hr + j) + m.ld(b_hh + j);
      const V pz = m.ld(hz + j) + m.ld(b_hh + H + j);
      const V pn = m.ld(hn + j) + m.ld(b_hh + 2 * H + j);
      const V r = sm::sigmoid(m.ld(gr + j) + pr);
      const V z = sm::sigmoid(m.ld(gz + j) + pz);
      const V n = sm::tanh(xsimd::fma(r, pn, m.ld(gn + j)));
      m.st(hr + j, pr);
      m.st(hz + j, pz);
      m.st(hn + j, pn);
      m.st(gr + j, r);
      m.st(gz + j, z);
      m.st(gn + j, n);
      m.st(h + s + j, xsimd::fma(one - z, n, z * m.ld(h_prev + s + j)));
    });
  });
}

void gru_backward_step(int B, int H, const float* gates, const float* hp, const float* h_prev, const float* dy,
                       float* dh, float* dgates, float* dhp) {
  if (g_reference) return ref::gru_backward_step(B, H, gates, hp, h_prev, dy, dh, dgates, dhp);
  const V one(1.0f);
  for_rows(B, (size_t)B * 3 * H, [&](int b) {
    const float *gr = gates + (size_t)b * 3 * H, *gz = gr + H, *gn = gr + 2 * H, *hn = hp + (size_t)b * 3 * H + 2 * H;
    float *di = dgates + (size_t)b * 3 * H, *dp = dhp + (size_t)b * 3 * H;
    const size_t s = (size_t)b * H;
    for_lanes(H, [&](size_t j, auto m) {
      const V r = m.ld(gr + j), z = m.ld(gz + j), n = m.ld(gn + j);
      V d = m.ld(dh + s + j);
      if (dy) d += m.ld(dy + s + j);
      const V dn = d * (one - z) * (one - n * n);
      const V dz = d * (m.ld(h_prev + s + j) - n) * z * (one - z);
      const V dr = dn * m.ld(hn + j) * r * (one - r);
      m.st(di + j, dr);
      m.st(di + H + j, dz);
      m.st(di + 2 * H + j, dn);
      m.st(dp + j, dr);
      m.st(dp + H + j, dz);
      m.st(dp + 2 * H + j, dn * r);
      m.st(dh + s + j, d * z);
    });
  });
}

void rnn_forward_step(int B, int H, float* pre, const float* b_hh, float* h) {
  if (g_reference) return ref::rnn_forward_step(B, H, pre, b_hh, h);
  for (int b = 0; b < B; ++b) {
    float* p = pre + (size_t)b * H;
    float* hb = h + (size_t)b * H;
    for_lanes(H, [&](size_t j, auto m) {
      const V v = m.ld(p + j) + m.ld(b_hh + j);
      m.st(p + j, v);
      m.st(hb + j, sm::tanh(v));
    });
  }
}

void rnn_backward_step(int B, int H, const float* h, const float* dy, const float* dh, float* delta) {
  if (g_reference) return ref::rnn_backward_step(B, H, h, dy, dh, delta);
  for_lanes((size_t)B * H, [&](size_t i, auto m) {
    V d = m.ld(dh + i);
    if (dy) d += m.ld(dy + i);
    const V hv = m.ld(h + i);
    m.st(delta + i, d * (V(1.0f) - hv * hv));
  });
}

const char* simd_arch() { return xsimd::default_arch::name(); }
int simd_width() { return W; }


// ---- scalar references: the plainest loops and std::exp/std::tanh, the definition the SIMD
// code must match ----
namespace ref {
namespace {
inline float sigmoid1(float x) { return 1.0f / (1.0f + std::exp(-x)); }
// y = softmax(x) over one row of `cols`, the sum in double.
void softmax_row(int cols, const float* x, float* y) {
  float mx = x[0];
  for (int i = 1; i < cols; ++i) mx = std::max(mx, x[i]);
  double s = 0;
  for (int i = 0; i < cols; ++i) s += (y[i] = std::exp(x[i] - mx));
  for (int i = 0; i < cols; ++i) y[i] = static_cast<float>(y[i] / s);
}
}  // namespace

void add_bias(int rows, int cols, const float* bias, float* X) {
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) X[(size_t)r * cols + c] += bias[c];
}
void sum_rows(int rows, int cols, const float* dY, float* db) {
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) db[c] += dY[(size_t)r * cols + c];
}
// The pre-SIMD loss: −log of the rounded probability, log-sum-exp in double if it underflowed.
void softmax_xent(int rows, int cols, const float* Z, const int32_t* y, const float* scale, double* nll, float* dZ) {
  std::vector<float> p(cols);
  for (int r = 0; r < rows; ++r) {
    const float* z = Z + (size_t)r * cols;
    const int32_t t = y[r];
    softmax_row(cols, z, p.data());
    if (p[t] > 1e-30f) {
      nll[r] = -std::log(static_cast<double>(p[t]));
    } else {
      float mx = z[0];
      for (int k = 1; k < cols; ++k) mx = std::max(mx, z[k]);
      double se = 0;
      for (int k = 0; k < cols; ++k) se += std::exp(static_cast<double>(z[k]) - mx);
      nll[r] = std::log(se) + mx - z[t];
    }
    if (dZ) {
      float* d = dZ + (size_t)r * cols;
      for (int k = 0; k < cols; ++k) d[k] = p[k] * scale[r];
      d[t] -= scale[r];
    }
  }
}
void axpy(size_t n, float a, const float* x, float* y) {
  for (size_t i = 0; i < n; ++i) y[i] += a * x[i];
}

void lstm_forward_step(int B, int H, float* gates, const float* b_hh, const float* c_prev, float* c, float* tc,
                       float* h) {
  for (int b = 0; b < B; ++b) {
    float* row = gates + (size_t)b * 4 * H;
    for (int j = 0; j < 4 * H; ++j) row[j] += b_hh[j];
    for (int j = 0; j < H; ++j) {
      const size_t s = (size_t)b * H + j;
      const float i = row[j] = sigmoid1(row[j]);
      const float f = row[H + j] = sigmoid1(row[H + j]);
      const float g = row[2 * H + j] = std::tanh(row[2 * H + j]);
      const float o = row[3 * H + j] = sigmoid1(row[3 * H + j]);
      c[s] = f * c_prev[s] + i * g;
      tc[s] = std::tanh(c[s]);
      h[s] = o * tc[s];
    }
  }
}
void lstm_backward_step(int B, int H, const float* gates, const float* c_prev, const float* tc, const float* dy,
                        const float* dh, float* dc, float* dgates) {
  for (int b = 0; b < B; ++b) {
    const float* row = gates + (size_t)b * 4 * H;
    const float *i = row, *f = row + H, *g = row + 2 * H, *o = row + 3 * H;
    float* d = dgates + (size_t)b * 4 * H;
    for (int j = 0; j < H; ++j) {
      const size_t s = (size_t)b * H + j;
      const float th = tc[s], dhj = dh[s] + (dy ? dy[s] : 0.0f);
      const float dct = dc[s] + dhj * o[j] * (1.0f - th * th);
      d[j] = dct * g[j] * i[j] * (1.0f - i[j]);
      d[H + j] = dct * c_prev[s] * f[j] * (1.0f - f[j]);
      d[2 * H + j] = dct * i[j] * (1.0f - g[j] * g[j]);
      d[3 * H + j] = dhj * th * o[j] * (1.0f - o[j]);
      dc[s] = dct * f[j];
    }
  }
}
void gru_forward_step(int B, int H, float* gates, float* hp, const float* b_hh, const float* h_prev, float* h) {
  for (int b = 0; b < B; ++b) {
    float* row = gates + (size_t)b * 3 * H;
    float* hrow = hp + (size_t)b * 3 * H;
    for (int j = 0; j < 3 * H; ++j) hrow[j] += b_hh[j];
    for (int j = 0; j < 2 * H; ++j) row[j] = sigmoid1(row[j] + hrow[j]);
    for (int j = 0; j < H; ++j) {
      const size_t s = (size_t)b * H + j;
      const float r = row[j], z = row[H + j];
      const float n = row[2 * H + j] = std::tanh(row[2 * H + j] + r * hrow[2 * H + j]);
      h[s] = (1.0f - z) * n + z * h_prev[s];
    }
  }
}
void gru_backward_step(int B, int H, const float* gates, const float* hp, const float* h_prev, const float* dy,
                       float* dh, float* dgates, float* dhp) {
  for (int b = 0; b < B; ++b) {
    const float *r = gates + (size_t)b * 3 * H, *z = r + H, *n = r + 2 * H, *hn = hp + (size_t)b * 3 * H + 2 * H;
    float *di = dgates + (size_t)b * 3 * H, *dp = dhp + (size_t)b * 3 * H;
    for (int j = 0; j < H; ++j) {
      const size_t s = (size_t)b * H + j;
      const float d = dh[s] + (dy ? dy[s] : 0.0f);
      const float dn = d * (1.0f - z[j]) * (1.0f - n[j] * n[j]);
      const float dz = d * (h_prev[s] - n[j]) * z[j] * (1.0f - z[j]);
      const float dr = dn * hn[j] * r[j] * (1.0f - r[j]);
      di[j] = dp[j] = dr;
      di[H + j] = dp[H + j] = dz;
      di[2 * H + j] = dn;
      dp[2 * H + j] = dn * r[j];
      dh[s] = d * z[j];
    }
  }
}
void rnn_forward_step(int B, int H, float* pre, const float* b_hh, float* h) {
  for (int b = 0; b < B; ++b)
    for (int j = 0; j < H; ++j) {
      const size_t s = (size_t)b * H + j;
      pre[s] += b_hh[j];
      h[s] = std::tanh(pre[s]);
    }
}
void rnn_backward_step(int B, int H, const float* h, const float* dy, const float* dh, float* delta) {
  for (size_t s = 0; s < (size_t)B * H; ++s) delta[s] = (dh[s] + (dy ? dy[s] : 0.0f)) * (1.0f - h[s] * h[s]);
}
}  // namespace ref
}  // namespace rnn::kernels
