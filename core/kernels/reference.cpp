// The scalar twins of every kernel, in kernels::ref: the plainest loops, with std::exp and
// std::tanh, the definition the SIMD code must match; and set_reference_mode, which routes
// every kernel to its twin (each kernel checks reference_mode() first).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "kernels/kernels.h"

namespace rnn::kernels {
namespace {
bool g_reference = false;
}  // namespace

void set_reference_mode(bool on) { g_reference = on; }
bool reference_mode() { return g_reference; }

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

// ---- GEMM ----
void matmul_nn(int M, int N, int K, const float* A, const float* B, float* C, bool accumulate) {
  for (int i = 0; i < M; ++i)
    for (int j = 0; j < N; ++j) {
      float s = accumulate ? C[(size_t)i * N + j] : 0.0f;
      for (int k = 0; k < K; ++k) s += A[(size_t)i * K + k] * B[(size_t)k * N + j];
      C[(size_t)i * N + j] = s;
    }
}
void matmul_tn(int M, int N, int K, const float* A, const float* B, float* C, bool accumulate) {
  for (int i = 0; i < M; ++i)
    for (int j = 0; j < N; ++j) {
      float s = accumulate ? C[(size_t)i * N + j] : 0.0f;
      for (int k = 0; k < K; ++k) s += A[(size_t)k * M + i] * B[(size_t)k * N + j];
      C[(size_t)i * N + j] = s;
    }
}
void matmul_nt(int M, int N, int K, const float* A, const float* B, float* C, bool accumulate) {
  for (int i = 0; i < M; ++i)
    for (int j = 0; j < N; ++j) {
      float s = accumulate ? C[(size_t)i * N + j] : 0.0f;
      for (int k = 0; k < K; ++k) s += A[(size_t)i * K + k] * B[(size_t)j * K + k];
      C[(size_t)i * N + j] = s;
    }
}

// ---- elementwise ----

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
float max_of(int n, const float* x) {
  float m = -INFINITY;
  for (int i = 0; i < n; ++i) m = std::max(m, x[i]);
  return m;
}
double log_sum_exp(int n, const float* z) {
  const float mx = *std::max_element(z, z + n);
  if (mx == -INFINITY) return -INFINITY;
  double s = 0;
  for (int i = 0; i < n; ++i) s += std::exp((double)z[i] - mx);
  return mx + std::log(s);
}
void add_scalar(int n, const float* z, float a, float* out) {
  for (int i = 0; i < n; ++i) out[i] = z[i] + a;
}
void value_buckets(int n, const float* v, float top, float scale, float cap, int32_t* out) {
  for (int i = 0; i < n; ++i) out[i] = (int32_t)std::nearbyint(std::min(cap, std::max(0.0f, (top - v[i]) * scale)));
}
int next_equal(int n, const int32_t* x, int32_t value, int from) {
  while (from < n && x[from] != value) ++from;
  return std::min(from, n);
}
double exp_scaled(int n, const float* z, float shift, float scale, float* out) {
  double s = 0;
  for (int i = 0; i < n; ++i) s += (out[i] = std::exp((z[i] - shift) * scale));
  return s;
}

// ---- fused cell steps ----
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
      const float ij = i[j], fj = f[j], gj = g[j], oj = o[j];  // read all before writing: d may be gates
      const float dct = dc[s] + dhj * oj * (1.0f - th * th);
      d[j] = dct * gj * ij * (1.0f - ij);
      d[H + j] = dct * c_prev[s] * fj * (1.0f - fj);
      d[2 * H + j] = dct * ij * (1.0f - gj * gj);
      d[3 * H + j] = dhj * th * oj * (1.0f - oj);
      dc[s] = dct * fj;
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
      const float rj = r[j], zj = z[j], nj = n[j], hnj = hn[j];  // read all before writing: di, dp may alias
      const float dn = d * (1.0f - zj) * (1.0f - nj * nj);
      const float dz = d * (h_prev[s] - nj) * zj * (1.0f - zj);
      const float dr = dn * hnj * rj * (1.0f - rj);
      di[j] = dp[j] = dr;
      di[H + j] = dp[H + j] = dz;
      di[2 * H + j] = dn;
      dp[2 * H + j] = dn * rj;
      dh[s] = d * zj;
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
