// GEMM in the three layouts the layers need, and transpose: xsimd kernels and their scalar
// references. Part of the kernels module (kernels.h); split from kernels.cpp to keep each file short.
#include <algorithm>
#include <vector>
#include <xsimd/xsimd.hpp>

#include "kernels.h"

namespace rnn::kernels {
namespace {

using V = xsimd::batch<float>;
constexpr int W = static_cast<int>(V::size);

inline V load(const float* p) { return V::load_unaligned(p); }
inline void store(float* p, V v) { v.store_unaligned(p); }

// C[i, j] (+)= Σk a(i, k)·B[k, j] where a(i, k) = A[i·si + k·sk]; B and C have row strides ldb, ldc.
// Register block: R rows of C × NV vectors of columns, accumulated over all k, so C is read and
// written once per block.
template <int R, int NV>
inline void block_axpy(int K, const float* A, int si, int sk, const float* B, int ldb, float* C, int ldc, int i,
                       int j, bool accumulate) {
  V acc[R][NV];
  for (int r = 0; r < R; ++r)
    for (int v = 0; v < NV; ++v) acc[r][v] = accumulate ? load(C + (size_t)(i + r) * ldc + j + v * W) : V(0.0f);
  for (int k = 0; k < K; ++k) {
    const float* b = B + (size_t)k * ldb + j;
    V bv[NV];
    for (int v = 0; v < NV; ++v) bv[v] = load(b + v * W);
    for (int r = 0; r < R; ++r) {
      V a(A[(size_t)(i + r) * si + (size_t)k * sk]);
      for (int v = 0; v < NV; ++v) acc[r][v] = xsimd::fma(a, bv[v], acc[r][v]);
    }
  }
  for (int r = 0; r < R; ++r)
    for (int v = 0; v < NV; ++v) store(C + (size_t)(i + r) * ldc + j + v * W, acc[r][v]);
}

template <int R>
inline void rows_axpy(int N, int K, const float* A, int si, int sk, const float* B, int ldb, float* C, int ldc, int i,
                      bool accumulate) {
  int j = 0;
  for (; j + 2 * W <= N; j += 2 * W) block_axpy<R, 2>(K, A, si, sk, B, ldb, C, ldc, i, j, accumulate);
  for (; j + W <= N; j += W) block_axpy<R, 1>(K, A, si, sk, B, ldb, C, ldc, i, j, accumulate);
  for (; j < N; ++j)  // scalar tail columns
    for (int r = 0; r < R; ++r) {
      float s = accumulate ? C[(size_t)(i + r) * ldc + j] : 0.0f;
      for (int k = 0; k < K; ++k) s += A[(size_t)(i + r) * si + (size_t)k * sk] * B[(size_t)k * ldb + j];
      C[(size_t)(i + r) * ldc + j] = s;
    }
}

// Cache blocking: a KC × NC panel of B (≤ 512 KiB) stays in L2 while every row block of A and C
// passes over it; without it, large B (e.g. the output layer's H × vocab) streams from memory
// once per row block.
constexpr int KC = 256, NC = 512;

void matmul_strided_a(int M, int N, int K, const float* A, int si, int sk, const float* B, float* C,
                      bool accumulate) {
  for (int k0 = 0; k0 < K; k0 += KC) {
    const int kc = std::min(KC, K - k0);
    const bool acc = accumulate || k0 > 0;
    const float* Ak = A + (size_t)k0 * sk;
    for (int j0 = 0; j0 < N; j0 += NC) {
      const int nc = std::min(NC, N - j0);
      const float* Bp = B + (size_t)k0 * N + j0;
      float* Cp = C + j0;
      int i = 0;
      for (; i + 4 <= M; i += 4) rows_axpy<4>(nc, kc, Ak, si, sk, Bp, N, Cp, N, i, acc);
      for (; i < M; ++i) rows_axpy<1>(nc, kc, Ak, si, sk, Bp, N, Cp, N, i, acc);
    }
  }
}

inline float hsum(V v) { return xsimd::hadd(v); }

// R rows of A against Q rows of B, each C entry a dot product over contiguous K.
template <int R, int Q>
inline void block_dot(int N, int K, const float* A, const float* B, float* C, int i, int j, bool accumulate) {
  V acc[R][Q];
  for (int r = 0; r < R; ++r)
    for (int q = 0; q < Q; ++q) acc[r][q] = V(0.0f);
  int k = 0;
  for (; k + W <= K; k += W) {
    V b[Q];
    for (int q = 0; q < Q; ++q) b[q] = load(B + (size_t)(j + q) * K + k);
    for (int r = 0; r < R; ++r) {
      V a = load(A + (size_t)(i + r) * K + k);
      for (int q = 0; q < Q; ++q) acc[r][q] = xsimd::fma(a, b[q], acc[r][q]);
    }
  }
  for (int r = 0; r < R; ++r)
    for (int q = 0; q < Q; ++q) {
      float s = hsum(acc[r][q]);
      for (int kk = k; kk < K; ++kk) s += A[(size_t)(i + r) * K + kk] * B[(size_t)(j + q) * K + kk];
      float& c = C[(size_t)(i + r) * N + j + q];
      c = accumulate ? c + s : s;
    }
}

template <int R>
inline void rows_dot(int N, int K, const float* A, const float* B, float* C, int i, bool accumulate) {
  int j = 0;
  for (; j + 4 <= N; j += 4) block_dot<R, 4>(N, K, A, B, C, i, j, accumulate);
  for (; j < N; ++j) block_dot<R, 1>(N, K, A, B, C, i, j, accumulate);
}

}  // namespace

void matmul_nn(int M, int N, int K, const float* A, const float* B, float* C, bool accumulate) {
  matmul_strided_a(M, N, K, A, K, 1, B, C, accumulate);
}

void matmul_tn(int M, int N, int K, const float* A, const float* B, float* C, bool accumulate) {
  // Reading Aᵀ in place strides across rows of A at every k; transposing it once (K·M copies
  // against M·N·K multiply-adds) makes the A side contiguous.
  if (N >= 16) {
    thread_local std::vector<float> at;
    at.resize((size_t)M * K);
    transpose(K, M, A, at.data());
    matmul_strided_a(M, N, K, at.data(), K, 1, B, C, accumulate);
    return;
  }
  matmul_strided_a(M, N, K, A, 1, M, B, C, accumulate);
}

void matmul_nt(int M, int N, int K, const float* A, const float* B, float* C, bool accumulate) {
  // With enough rows, transposing B once and running the broadcast kernel beats dot products
  // (no horizontal sums); the copy costs N·K against M·N·K multiply-adds.
  if (M >= 64) {
    thread_local std::vector<float> bt;
    bt.resize((size_t)K * N);
    transpose(N, K, B, bt.data());
    matmul_strided_a(M, N, K, A, K, 1, bt.data(), C, accumulate);
    return;
  }
  int i = 0;
  for (; i + 2 <= M; i += 2) rows_dot<2>(N, K, A, B, C, i, accumulate);
  for (; i < M; ++i) rows_dot<1>(N, K, A, B, C, i, accumulate);
}

void transpose(int rows, int cols, const float* src, float* dst) {
  constexpr int TB = 32;  // tiles, so that both sides stay in cache
  for (int r0 = 0; r0 < rows; r0 += TB)
    for (int c0 = 0; c0 < cols; c0 += TB)
      for (int r = r0; r < std::min(rows, r0 + TB); ++r)
        for (int c = c0; c < std::min(cols, c0 + TB); ++c) dst[(size_t)c * rows + r] = src[(size_t)r * cols + c];
}
namespace ref {
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
void transpose(int rows, int cols, const float* src, float* dst) {
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) dst[(size_t)c * rows + r] = src[(size_t)r * cols + c];
}
}  // namespace ref
}  // namespace rnn::kernels
