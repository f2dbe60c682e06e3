// xsimd kernels and their scalar references. One source serves both targets: natively xsimd
// picks AVX2/FMA (8 lanes); under Emscripten it picks SSE2, which becomes wasm simd128 (4 lanes).
#include "kernels.h"

#include <algorithm>
#include <cmath>
#include <vector>
#include <xsimd/xsimd.hpp>

namespace rnn::kernels {
namespace {

using V = xsimd::batch<float>;
constexpr int W = static_cast<int>(V::size);

inline V load(const float* p) { return V::load_unaligned(p); }
inline void store(float* p, V v) { v.store_unaligned(p); }
inline float hsum(V v) { return xsimd::hadd(v); }

bool g_reference = false;

}  // namespace

void set_reference_mode(bool on) { g_reference = on; }
bool reference_mode() { return g_reference; }

void add_bias(int rows, int cols, const float* bias, float* X) {
  for (int r = 0; r < rows; ++r) axpy(cols, 1.0f, bias, X + (size_t)r * cols);
}

void sum_rows(int rows, int cols, const float* dY, float* db) {
  for (int r = 0; r < rows; ++r) axpy(cols, 1.0f, dY + (size_t)r * cols, db);
}

namespace {
inline V sigmoid_v(V x) { return V(1.0f) / (V(1.0f) + xsimd::exp(-x)); }
inline float sigmoid_s(float x) { return 1.0f / (1.0f + std::exp(-x)); }

// Applies a unary op with SIMD over full registers and the scalar twin on the tail.
template <class FV, class FS>
inline void map1(size_t n, const float* x, float* y, FV fv, FS fs) {
  size_t i = 0;
  for (; i + W <= n; i += W) store(y + i, fv(load(x + i)));
  for (; i < n; ++i) y[i] = fs(x[i]);
}
}  // namespace

void sigmoid(size_t n, const float* x, float* y) { map1(n, x, y, sigmoid_v, sigmoid_s); }

void tanh(size_t n, const float* x, float* y) {
  map1(n, x, y, [](V v) { return xsimd::tanh(v); }, [](float v) { return std::tanh(v); });
}

void sigmoid_backward(size_t n, const float* y, const float* dy, float* dx) {
  size_t i = 0;
  for (; i + W <= n; i += W) {
    V yv = load(y + i);
    store(dx + i, load(dy + i) * yv * (V(1.0f) - yv));
  }
  for (; i < n; ++i) dx[i] = dy[i] * y[i] * (1.0f - y[i]);
}

void tanh_backward(size_t n, const float* y, const float* dy, float* dx) {
  size_t i = 0;
  for (; i + W <= n; i += W) {
    V yv = load(y + i);
    store(dx + i, load(dy + i) * (V(1.0f) - yv * yv));
  }
  for (; i < n; ++i) dx[i] = dy[i] * (1.0f - y[i] * y[i]);
}

void softmax(int rows, int cols, const float* X, float* Y) {
  for (int r = 0; r < rows; ++r) {
    const float* x = X + (size_t)r * cols;
    float* y = Y + (size_t)r * cols;
    int i = 0;
    float mx = -INFINITY;
    if (cols >= W) {
      V m = load(x);
      for (i = W; i + W <= cols; i += W) m = xsimd::max(m, load(x + i));
      alignas(64) float lanes[W];
      m.store_aligned(lanes);
      mx = *std::max_element(lanes, lanes + W);
    }
    for (; i < cols; ++i) mx = std::max(mx, x[i]);
    V sum(0.0f), mv(mx);
    for (i = 0; i + W <= cols; i += W) {
      V e = xsimd::exp(load(x + i) - mv);
      store(y + i, e);
      sum += e;
    }
    float s = hsum(sum);
    for (; i < cols; ++i) s += (y[i] = std::exp(x[i] - mx));
    const float inv = 1.0f / s;
    for (i = 0; i + W <= cols; i += W) store(y + i, load(y + i) * V(inv));
    for (; i < cols; ++i) y[i] *= inv;
  }
}

void axpy(size_t n, float a, const float* x, float* y) {
  size_t i = 0;
  V av(a);
  for (; i + W <= n; i += W) store(y + i, xsimd::fma(av, load(x + i), load(y + i)));
  for (; i < n; ++i) y[i] += a * x[i];
}

float dot(size_t n, const float* x, const float* y) {
  size_t i = 0;
  V acc(0.0f);
  for (; i + W <= n; i += W) acc = xsimd::fma(load(x + i), load(y + i), acc);
  float s = hsum(acc);
  for (; i < n; ++i) s += x[i] * y[i];
  return s;
}

const char* simd_arch() { return xsimd::default_arch::name(); }
int simd_width() { return W; }


// ---- scalar references: the plainest loops, the definition the SIMD code must match ----
namespace ref {
void add_bias(int rows, int cols, const float* bias, float* X) {
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) X[(size_t)r * cols + c] += bias[c];
}
void sum_rows(int rows, int cols, const float* dY, float* db) {
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) db[c] += dY[(size_t)r * cols + c];
}
void sigmoid(size_t n, const float* x, float* y) {
  for (size_t i = 0; i < n; ++i) y[i] = 1.0f / (1.0f + std::exp(-x[i]));
}
void tanh(size_t n, const float* x, float* y) {
  for (size_t i = 0; i < n; ++i) y[i] = std::tanh(x[i]);
}
void sigmoid_backward(size_t n, const float* y, const float* dy, float* dx) {
  for (size_t i = 0; i < n; ++i) dx[i] = dy[i] * y[i] * (1.0f - y[i]);
}
void tanh_backward(size_t n, const float* y, const float* dy, float* dx) {
  for (size_t i = 0; i < n; ++i) dx[i] = dy[i] * (1.0f - y[i] * y[i]);
}
void softmax(int rows, int cols, const float* X, float* Y) {
  for (int r = 0; r < rows; ++r) {
    const float* x = X + (size_t)r * cols;
    float* y = Y + (size_t)r * cols;
    float mx = x[0];
    for (int i = 1; i < cols; ++i) mx = std::max(mx, x[i]);
    double s = 0;
    for (int i = 0; i < cols; ++i) s += (y[i] = std::exp(x[i] - mx));
    for (int i = 0; i < cols; ++i) y[i] = static_cast<float>(y[i] / s);
  }
}
void axpy(size_t n, float a, const float* x, float* y) {
  for (size_t i = 0; i < n; ++i) y[i] += a * x[i];
}
float dot(size_t n, const float* x, const float* y) {
  float s = 0;
  for (size_t i = 0; i < n; ++i) s += x[i] * y[i];
  return s;
}
}  // namespace ref
}  // namespace rnn::kernels
