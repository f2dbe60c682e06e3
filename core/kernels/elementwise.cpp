// The elementwise kernels outside the cells: bias, its gradient (column sums), softmax
// cross-entropy rows, axpy. Equations and contracts in kernels.h; scalar twins in reference.cpp.
#include <algorithm>
#include <cmath>
#include <cstdint>

#include "kernels/arch.h"
#include "kernels/kernels.h"
#include "kernels/parallel.h"
#include "kernels/registers.h"
#include "kernels/simd_math.h"

namespace rnn::kernels {

// ---- bias ----

void add_bias(int rows, int cols, const float* bias, float* X) {
  if (reference_mode()) return ref::add_bias(rows, cols, bias, X);
  parallel_if(rows, (size_t)rows * cols, kParallelWork, [&](int r0, int r1) {
    for (int r = r0; r < r1; ++r) {
      float* x = X + (size_t)r * cols;
      for_lanes(cols, [&](size_t j, auto reg) { reg.store(x + j, reg.load(x + j) + reg.load(bias + j)); });
    }
  });
}

// Column strips as tasks. A strip keeps its partial sums in registers while a block of rows
// streams past (blocks of 64 rows keep the strided reads within a few hundred KB, TLB-friendly),
// adding the rows in order onto db's value: the same operations as the reference, so the
// result is bitwise the reference's and independent of the thread count.
void sum_rows(int rows, int cols, const float* dY, float* db) {
  if (reference_mode()) return ref::sum_rows(rows, cols, dY, db);
  constexpr int kStripVectors = 8, kStripCols = kStripVectors * kLanes, kRowsPerPass = 64;
  const int strips = (cols + kStripCols - 1) / kStripCols;
  parallel_if(strips, (size_t)rows * cols, kParallelWork, [&](int s0, int s1) {
    for (int r0 = 0; r0 < rows; r0 += kRowsPerPass) {
      const int r1 = std::min(rows, r0 + kRowsPerPass);
      for (int s = s0; s < s1; ++s) {
        const int c0 = s * kStripCols;
        if (c0 + kStripCols <= cols) {
          Vec acc[kStripVectors];
          for (int v = 0; v < kStripVectors; ++v) acc[v] = load(db + c0 + v * kLanes);
          for (int r = r0; r < r1; ++r) {
            const float* y = dY + (size_t)r * cols + c0;
            for (int v = 0; v < kStripVectors; ++v) acc[v] += load(y + v * kLanes);
          }
          for (int v = 0; v < kStripVectors; ++v) store(db + c0 + v * kLanes, acc[v]);
        } else {  // the last, partial strip: one register at a time
          for_lanes(cols - c0, [&](size_t j, auto reg) {
            Vec acc = reg.load(db + c0 + j);
            for (int r = r0; r < r1; ++r) acc += reg.load(dY + (size_t)r * cols + c0 + j);
            reg.store(db + c0 + j, acc);
          });
        }
      }
    }
  });
}

// ---- softmax cross-entropy rows ----

namespace {
// Max of a row (tail padded with −inf).
inline float row_max(int cols, const float* x) {
  Vec mx(-INFINITY);
  for_lanes(cols, [&](size_t i, auto reg) { mx = xsimd::max(mx, reg.load(x + i, -INFINITY)); });
  return hmax(mx);
}
// y = exp(x − mx) (y may alias x); returns Σy. Tail lanes are padded with −inf, giving exp = 0.
inline float row_exp(int cols, const float* x, float mx, float* y) {
  Vec sum(0.0f);
  const Vec mxv(mx);
  for_lanes(cols, [&](size_t i, auto reg) {
    const Vec e = simd_math::exp(reg.load(x + i, -INFINITY) - mxv);
    reg.store(y + i, e);
    sum += e;
  });
  return hsum(sum);
}
// Σ exp(x − mx) without storing.
inline float row_expsum(int cols, const float* x, float mx) {
  Vec sum(0.0f);
  const Vec mxv(mx);
  for_lanes(cols, [&](size_t i, auto reg) { sum += simd_math::exp(reg.load(x + i, -INFINITY) - mxv); });
  return hsum(sum);
}
// y *= a
inline void row_scale(int cols, float a, float* y) {
  const Vec av(a);
  for_lanes(cols, [&](size_t i, auto reg) { reg.store(y + i, reg.load(y + i) * av); });
}
}  // namespace

// The loss comes from log-sum-exp, never from a rounded probability, so it stays finite and
// accurate when the target's probability underflows.
void softmax_xent(int rows, int cols, const float* Z, const int32_t* y, const float* scale, double* nll, float* dZ) {
  if (reference_mode()) return ref::softmax_xent(rows, cols, Z, y, scale, nll, dZ);
  parallel_if(rows, (size_t)rows * cols, kParallelWork, [&](int r0, int r1) {
    for (int r = r0; r < r1; ++r) {
      const float* z = Z + (size_t)r * cols;
      const float mx = row_max(cols, z), zy = z[y[r]];  // read before dZ (maybe = Z) is written
      float s;
      if (dZ) {
        float* d = dZ + (size_t)r * cols;
        s = row_exp(cols, z, mx, d);
        row_scale(cols, scale[r] / s, d);
        d[y[r]] -= scale[r];
      } else {
        s = row_expsum(cols, z, mx);
      }
      nll[r] = std::log(static_cast<double>(s)) - (static_cast<double>(zy) - mx);
    }
  });
}

// ---- log-sum-exp and scaled exponentials ----

constexpr int kSumBlock = 1024;  // float sums of ≤ 256 terms a lane: rounding stays ~1e-7

float max_of(int n, const float* x) {
  if (reference_mode()) return ref::max_of(n, x);
  return row_max(n, x);
}

double log_sum_exp(int n, const float* z) {
  if (reference_mode()) return ref::log_sum_exp(n, z);
  const float mx = row_max(n, z);
  if (mx == -INFINITY) return -INFINITY;
  double s = 0;
  for (int b = 0; b < n; b += kSumBlock) s += row_expsum(std::min(kSumBlock, n - b), z + b, mx);
  return mx + std::log(s);
}

double exp_scaled(int n, const float* z, float shift, float scale, float* out) {
  if (reference_mode()) return ref::exp_scaled(n, z, shift, scale, out);
  const Vec sv(shift), av(scale);
  double s = 0;
  for (int b = 0; b < n; b += kSumBlock) {
    Vec sum(0.0f);
    for_lanes(std::min(kSumBlock, n - b), [&](size_t i, auto reg) {
      // Padded lanes load −inf (exp = 0) so that they add nothing to the sum.
      const Vec e = simd_math::exp((reg.load(z + b + i, -INFINITY) - sv) * av);
      reg.store(out + b + i, e);
      sum += e;
    });
    s += hsum(sum);
  }
  return s;
}

void add_scalar(int n, const float* z, float a, float* out) {
  if (reference_mode()) return ref::add_scalar(n, z, a, out);
  const Vec av(a);
  for_lanes(n, [&](size_t i, auto reg) { reg.store(out + i, reg.load(z + i) + av); });
}

void value_buckets(int n, const float* v, float top, float scale, float cap, int32_t* out) {
  if (reference_mode()) return ref::value_buckets(n, v, top, scale, cap, out);
  using Vi = xsimd::batch<int32_t>;
  constexpr float kShift = 12582912.0f;  // 1.5·2²³: x + kShift holds round(x) in its low bits
  const auto bucket = [&](Vec x) {
    x = xsimd::min(Vec(cap), xsimd::max(Vec(0.0f), (Vec(top) - x) * Vec(scale))) + Vec(kShift);
    return xsimd::bitwise_cast<Vi>(x) - Vi(0x4B400000);
  };
  int i = 0;
  for (; i + kLanes <= n; i += kLanes) bucket(load(v + i)).store_unaligned(out + i);
  if (i < n) {  // the tail through a padded register, so that every element is computed alike
    alignas(64) float in[kLanes] = {0};
    alignas(64) int32_t res[kLanes];
    std::copy(v + i, v + n, in);
    bucket(Vec::load_aligned(in)).store_aligned(res);
    std::copy(res, res + (n - i), out + i);
  }
}

int next_equal(int n, const int32_t* x, int32_t value, int from) {
  if (reference_mode()) return ref::next_equal(n, x, value, from);
  using Vi = xsimd::batch<int32_t>;
  const Vi want(value);
  int i = from;
  for (; i + kLanes <= n; i += kLanes)
    if (xsimd::any(Vi::load_unaligned(x + i) == want)) break;
  for (; i < n; ++i)
    if (x[i] == value) return i;
  return n;
}

// ---- axpy ----

void axpy(size_t n, float a, const float* x, float* y) {
  if (reference_mode()) return ref::axpy(n, a, x, y);
  const Vec av(a);
  for_lanes(n, [&](size_t i, auto reg) { reg.store(y + i, madd(av, reg.load(x + i), reg.load(y + i))); });
}

}  // namespace rnn::kernels
