// GEMM in the three layouts the layers need (A·B, Aᵀ·B, A·Bᵀ). Part of the
// kernels module (kernels.h). One packed, register-blocked, cache-blocked design serves all
// three layouts and both targets:
//   - B is packed once per call into panels of NR columns (KC × NR floats each, contiguous,
//     zero-padded), so the micro-kernel streams it from L1 whatever B's layout was;
//   - A is packed per MC-row block and KC slice into MR-row slivers (KC × MR, contiguous), so
//     each broadcast is one load from a cache line the kernel just used;
//   - the micro-kernel keeps an MR × NR tile of C in registers for a whole KC slice.
// Edge tiles run the same micro-kernel on a zero-padded copy, so every C element is computed by
// the same sequence of operations whatever the shape, the tiling or the thread count: 1 and N
// threads give bitwise identical results. Threads split C into row blocks (or column groups
// when C has few rows); K is never split.
#include <algorithm>
#include <cstring>
#include <vector>
#include <xsimd/xsimd.hpp>

#include "kernels/kernels.h"
#include "kernels/threads.h"

namespace rnn::kernels {
namespace {

using V = xsimd::batch<float>;
constexpr int W = static_cast<int>(V::size);

inline V load(const float* p) { return V::load_unaligned(p); }
inline void store(float* p, V v) { v.store_unaligned(p); }

// Register tile MR × (NV·W). Natively 16/32 registers with FMA; in wasm V8 has 16 xmm
// registers and each multiply-add needs a temporary (no FMA), so the tile is smaller.
#if defined(RNN_GEMM_MR)  // for tile-size experiments (tests/bench)
constexpr int MR = RNN_GEMM_MR, NV = RNN_GEMM_NV;
#elif defined(__EMSCRIPTEN__)
// 4×2 (8 accumulators) ran fastest in Node of 4×3, 3×3, 5×2, 3×2 and 2×4: 350 ms for the GEMMs
// of a training step against 401 ms for 4×3, which spills.
constexpr int MR = 4, NV = 2;
#elif defined(__AVX512F__)
constexpr int MR = 8, NV = 3;
#else
constexpr int MR = 6, NV = 2;
#endif
constexpr int NR = NV * W;
// Cache blocking: a KC × NR panel of B stays in L1 while an MC × KC block of A (L2) passes.
constexpr int KC = 256;
constexpr int MC = ((64 + MR - 1) / MR) * MR;

// Element (r, c) of a matrix given by its base and strides: A(i, k) = p[i·rs + k·cs].
struct Mat {
  const float* p;
  size_t rs, cs;
  float at(int r, int c) const { return p[r * rs + c * cs]; }
};

// Packs B(k, j) for all k and j into panels: panel q holds columns [q·NR, q·NR + NR) as
// ceil(K/KC) slices of kc × NR floats. Zero-pads the last panel.
void pack_b(int K, int N, Mat B, float* out) {
  const int panels = (N + NR - 1) / NR;
  threads::parallel_for(panels, [&](int q0, int q1) {
    for (int q = q0; q < q1; ++q) {
      const int j0 = q * NR, nr = std::min(NR, N - j0);
      float* dst = out + (size_t)q * K * NR;
      if (B.cs == 1 && nr == NR) {  // row-major B: copy NR contiguous floats per k
        for (int k = 0; k < K; ++k) std::memcpy(dst + (size_t)k * NR, B.p + k * B.rs + j0, sizeof(float) * NR);
      } else if (B.rs == 1) {  // B given transposed (N × K): read each column's K run once
        for (int jj = 0; jj < NR; ++jj)
          for (int k = 0; k < K; ++k) dst[(size_t)k * NR + jj] = jj < nr ? B.p[(j0 + jj) * B.cs + k] : 0.0f;
      } else {
        for (int k = 0; k < K; ++k)
          for (int jj = 0; jj < NR; ++jj) dst[(size_t)k * NR + jj] = jj < nr ? B.at(k, j0 + jj) : 0.0f;
      }
    }
  });
}

// Packs rows [i0, i0 + mc) and k in [k0, k0 + kc) of A into MR-row slivers (kc × MR each).
void pack_a(Mat A, int i0, int mc, int k0, int kc, float* out) {
  if (A.rs == 1) {  // A given transposed (K × M): k outermost, so each of A's rows is read once,
    // front to back (k innermost would touch a new page, M floats apart, on every read)
    for (int k = 0; k < kc; ++k) {
      const float* src = A.p + i0 + (size_t)(k0 + k) * A.cs;
      for (int s = 0; s < mc; s += MR) {
        const int mr = std::min(MR, mc - s);
        float* dst = out + (size_t)s * kc + (size_t)k * MR;
        for (int r = 0; r < MR; ++r) dst[r] = r < mr ? src[s + r] : 0.0f;
      }
    }
    return;
  }
  for (int s = 0; s < mc; s += MR) {
    const int mr = std::min(MR, mc - s);
    float* dst = out + (size_t)s * kc;
    {
      for (int r = 0; r < MR; ++r) {
        const float* src = A.p + (i0 + s + r) * A.rs + (size_t)k0 * A.cs;
        if (r < mr)
          for (int k = 0; k < kc; ++k) dst[(size_t)k * MR + r] = src[(size_t)k * A.cs];
        else
          for (int k = 0; k < kc; ++k) dst[(size_t)k * MR + r] = 0.0f;
      }
    }
  }
}

// C tile (MR × NR, row stride ldc) (+)= packed A sliver · packed B panel over kc.
inline void micro(int kc, const float* a, const float* b, float* C, size_t ldc, bool accumulate) {
  V acc[MR][NV];
  for (int r = 0; r < MR; ++r)
    for (int v = 0; v < NV; ++v) acc[r][v] = accumulate ? load(C + r * ldc + v * W) : V(0.0f);
  for (int k = 0; k < kc; ++k) {
    V bv[NV];
    for (int v = 0; v < NV; ++v) bv[v] = load(b + v * W);
    for (int r = 0; r < MR; ++r) {
      const V av(a[r]);
      for (int v = 0; v < NV; ++v) acc[r][v] = xsimd::fma(av, bv[v], acc[r][v]);
    }
    a += MR;
    b += NR;
  }
  for (int r = 0; r < MR; ++r)
    for (int v = 0; v < NV; ++v) store(C + r * ldc + v * W, acc[r][v]);
}

// One tile of C at (i, j) with mr ≤ MR rows and nr ≤ NR valid columns.
inline void tile(int kc, const float* a, const float* b, float* C, int ldc, int mr, int nr, bool accumulate) {
  if (mr == MR && nr == NR) return micro(kc, a, b, C, ldc, accumulate);
  alignas(64) float t[MR * NR];
  for (int r = 0; r < MR; ++r)
    for (int c = 0; c < NR; ++c) t[r * NR + c] = accumulate && r < mr && c < nr ? C[(size_t)r * ldc + c] : 0.0f;
  micro(kc, a, b, t, NR, accumulate);
  for (int r = 0; r < mr; ++r) std::memcpy(C + (size_t)r * ldc, t + r * NR, sizeof(float) * nr);
}

thread_local std::vector<float> tl_packed_a;

// C[M×N] (+)= A(M×K)·B where B is already packed (pack_b layout).
void gemm_packed(int M, int N, int K, Mat A, const float* pb, float* C, bool accumulate) {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {
    if (!accumulate)
      for (int i = 0; i < M; ++i) std::fill(C + (size_t)i * N, C + (size_t)i * N + N, 0.0f);
    return;
  }
  const int panels = (N + NR - 1) / NR;
  // Tasks: row blocks of MC rows; when C has few row blocks, also split the column panels so
  // that every thread gets work (the per-step recurrent product has B = 32 rows). One group per
  // thread: each group packs the same rows of A again.
  const int mblocks = (M + MC - 1) / MC;
  const int groups = mblocks >= 2 * threads::count() ? 1 : std::min(panels, threads::count());
  threads::parallel_for(mblocks * groups, [&](int t0, int t1) {
    tl_packed_a.resize((size_t)MC * KC);
    float* pa = tl_packed_a.data();
    for (int t = t0; t < t1; ++t) {
      const int g = t / mblocks, ib = t % mblocks;  // a thread's tasks span all row blocks (M = 65: 64 + 1 rows)
      const int i0 = ib * MC, mc = std::min(MC, M - i0);
      const int q0 = (int)((long long)panels * g / groups), q1 = (int)((long long)panels * (g + 1) / groups);
      for (int k0 = 0; k0 < K; k0 += KC) {
        const int kc = std::min(KC, K - k0);
        const bool acc = accumulate || k0 > 0;
        pack_a(A, i0, mc, k0, kc, pa);
        for (int q = q0; q < q1; ++q) {
          const int j0 = q * NR, nr = std::min(NR, N - j0);
          const float* bp = pb + (size_t)q * K * NR + (size_t)k0 * NR;
          for (int s = 0; s < mc; s += MR)
            tile(kc, pa + (size_t)s * kc, bp, C + (size_t)(i0 + s) * N + j0, N, std::min(MR, mc - s), nr, acc);
        }
      }
    }
  });
}

size_t packed_size(int K, int N) { return (size_t)((N + NR - 1) / NR) * NR * std::max(K, 0); }

// C[M×N] (+)= A(M×K)·B(K×N) with A and B given by strides. The packed copy of B is per calling
// thread, so two trainers on two threads don't share it.
void gemm(int M, int N, int K, Mat A, Mat B, float* C, bool accumulate) {
  thread_local std::vector<float> packed_b, ct;
  if (M <= 0 || N <= 0) return;
  // Few columns that fill the NR-wide tiles badly (AVX-512: N = 64 pads to 96) and many rows:
  // compute Cᵀ = Bᵀ·Aᵀ instead, whose columns are C's rows, and add it back transposed. Only when
  // A is given transposed (the weight gradients, Aᵀ·B): then Aᵀ packs by contiguous copies; the
  // other layouts would pack the big operand by a strided scatter, which costs more than it saves.
  const auto pad = [](int n, int r) { return (double)((n + r - 1) / r * r) / n; };
  if (A.rs == 1 && pad(N, NR) > 1.2 && pad(M, NR) < pad(N, NR) && pad(N, MR) <= pad(M, MR) + 0.2) {
    ct.resize((size_t)N * M);
    packed_b.resize(packed_size(K, M));
    pack_b(K, M, {A.p, A.cs, A.rs}, packed_b.data());
    gemm_packed(N, M, K, {B.p, B.cs, B.rs}, packed_b.data(), ct.data(), false);
    const float* t = ct.data();
    for (int i = 0; i < M; ++i)
      for (int j = 0; j < N; ++j) C[(size_t)i * N + j] = (accumulate ? C[(size_t)i * N + j] : 0.0f) + t[(size_t)j * M + i];
    return;
  }
  packed_b.resize(packed_size(K, N));
  pack_b(K, N, B, packed_b.data());
  gemm_packed(M, N, K, A, packed_b.data(), C, accumulate);
}

inline float hsum(V v) { return xsimd::hadd(v); }

// c[q] (+)= dot(a, B row q) for Q ≤ 4 rows of B: the rows matmul_nt_dots has left over.
inline void dot_tail(int K, const float* a, const float* B, float* c, int Q, bool accumulate) {
  V acc[4] = {V(0.0f), V(0.0f), V(0.0f), V(0.0f)};
  int k = 0;
  for (; k + W <= K; k += W) {
    const V av = load(a + k);
    for (int q = 0; q < Q; ++q) acc[q] = xsimd::fma(av, load(B + (size_t)q * K + k), acc[q]);
  }
  for (int q = 0; q < Q; ++q) {
    float s = hsum(acc[q]);
    for (int kk = k; kk < K; ++kk) s += a[kk] * B[(size_t)q * K + kk];
    c[q] = accumulate ? c[q] + s : s;
  }
}

// W consecutive rows of B against one row of A: one accumulator per B row, and haddp reduces
// all W of them into the W results at once (a horizontal sum per output costs as much as the
// short K loop). G groups side by side give enough independent chains where there is no
// FMA (wasm: a multiply, then an add on the accumulator).
#if defined(__AVX512F__)
constexpr int G = 1;
#else
constexpr int G = 2;
#endif
// GCC 12's AVX-512 shuffle/extract intrinsics start from _mm512_undefined_ps and warn about it
// wherever they are inlined (GCC bug 105593, fixed in 13).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif
// [Σ lanes of r[0], …, Σ lanes of r[W−1]]. xsimd 8.1's AVX-512 haddp is wrong (lane 2 picks
// up another row's sum), so there each register folds to 8 lanes and the AVX one does the rest.
inline V reduce_rows(const V* r) {
#if defined(__AVX512F__)
  using V8 = xsimd::batch<float, xsimd::avx2>;
  auto fold = [](__m512 v) {
    return _mm512_castps512_ps256(_mm512_add_ps(v, _mm512_shuffle_f32x4(v, v, 0x4E)));  // low half + high half
  };
  V8 lo[8], hi[8];
  for (int q = 0; q < 8; ++q) {
    lo[q] = fold(r[q]);
    hi[q] = fold(r[q + 8]);
  }
  const __m256 a = xsimd::haddp(lo), b = xsimd::haddp(hi);
  const __m512d lo8 = _mm512_insertf64x4(_mm512_setzero_pd(), _mm256_castps_pd(a), 0);
  return _mm512_castpd_ps(_mm512_insertf64x4(lo8, _mm256_castps_pd(b), 1));
#else
  return xsimd::haddp(r);
#endif
}

inline void dot_rows(int K, const float* a, const float* B, float* c, bool accumulate) {
  V acc[G][W];
  for (int g = 0; g < G; ++g)
    for (int q = 0; q < W; ++q) acc[g][q] = V(0.0f);
  int k = 0;
  for (; k + W <= K; k += W) {
    const V av = load(a + k);
    for (int g = 0; g < G; ++g)
      for (int q = 0; q < W; ++q) acc[g][q] = xsimd::fma(av, load(B + (size_t)(g * W + q) * K + k), acc[g][q]);
  }
  for (int g = 0; g < G; ++g) {
    V s = reduce_rows(acc[g]);
    if (k < K) {
      alignas(64) float t[W];
      s.store_aligned(t);
      for (int q = 0; q < W; ++q)
        for (int kk = k; kk < K; ++kk) t[q] += a[kk] * B[(size_t)(g * W + q) * K + kk];
      s = V::load_aligned(t);
    }
    if (accumulate) s += load(c + g * W);
    store(c + g * W, s);
  }
}

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

// C (+)= A·Bᵀ for the few-row case (generation: one row per step), where packing B would cost
// as much as the product: blocks of G·W rows of B, the last few rows by dot_tail.
void matmul_nt_dots(int M, int N, int K, const float* A, const float* B, float* C, bool accumulate) {
  constexpr int R = G * W;
  const int blocks = (N + R - 1) / R;
  // One task per thread: the pool hands task k to the same thread every call, so each core keeps
  // its share of B in its own L2 across generation steps (a 2×256 LSTM's 3.3 MB of weights
  // overflow one core's 2 MB L2 and would stream from L3 each token). Tiny products stay inline.
  const int tasks = (size_t)N * K * M >= (1u << 16) ? std::min(blocks, threads::count()) : 1;
  threads::parallel_for(tasks, [&](int t0, int t1) {
    const int jb = (int)((long long)blocks * t0 / tasks) * R, je = std::min(N, (int)((long long)blocks * t1 / tasks) * R);
    for (int i = 0; i < M; ++i) {
      const float* a = A + (size_t)i * K;
      float* c = C + (size_t)i * N;
      int j = jb;
      for (; j + R <= je; j += R) dot_rows(K, a, B + (size_t)j * K, c + j, accumulate);
      for (; j < je; j += 4) dot_tail(K, a, B + (size_t)j * K, c + j, std::min(4, je - j), accumulate);
    }
  });
}

}  // namespace

void matmul_nn(int M, int N, int K, const float* A, const float* B, float* C, bool accumulate) {
  if (reference_mode()) return ref::matmul_nn(M, N, K, A, B, C, accumulate);
  gemm(M, N, K, {A, (size_t)K, 1}, {B, (size_t)N, 1}, C, accumulate);
}

void matmul_tn(int M, int N, int K, const float* A, const float* B, float* C, bool accumulate) {
  if (reference_mode()) return ref::matmul_tn(M, N, K, A, B, C, accumulate);
  gemm(M, N, K, {A, 1, (size_t)M}, {B, (size_t)N, 1}, C, accumulate);
}

void matmul_nt(int M, int N, int K, const float* A, const float* B, float* C, bool accumulate) {
  if (reference_mode()) return ref::matmul_nt(M, N, K, A, B, C, accumulate);
  if (M < 4) return matmul_nt_dots(M, N, K, A, B, C, accumulate);
  gemm(M, N, K, {A, (size_t)K, 1}, {B, 1, (size_t)K}, C, accumulate);
}

void pack_nt(int N, int K, const float* B, PackedMatrix& out, int rows) {
  out = {K, N, B, true, false, std::move(out.data)};
  // Few rows (generation): matmul_packed takes dot products on the unpacked rows, which read
  // less memory than packing would.
  if (reference_mode() || rows < 4) return;
  out.data.resize(packed_size(K, N));
  pack_b(K, N, {B, 1, (size_t)K}, out.data.data());
  out.packed = true;
}

void pack_nn(int K, int N, const float* B, PackedMatrix& out) {
  out = {K, N, B, false, false, std::move(out.data)};
  if (reference_mode()) return;
  out.data.resize(packed_size(K, N));
  pack_b(K, N, {B, (size_t)N, 1}, out.data.data());
  out.packed = true;
}

void matmul_packed(int M, const float* A, const PackedMatrix& B, float* C, bool accumulate) {
  if (!B.packed || reference_mode() || (B.nt && M < 4))
    return B.nt ? matmul_nt(M, B.N, B.K, A, B.src, C, accumulate) : matmul_nn(M, B.N, B.K, A, B.src, C, accumulate);
  gemm_packed(M, B.N, B.K, {A, (size_t)B.K, 1}, B.data.data(), C, accumulate);
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
}  // namespace ref
}  // namespace rnn::kernels
