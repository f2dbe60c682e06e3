// GEMM in the three layouts the layers need (A·B, Aᵀ·B, A·Bᵀ), and the pre-packed right-hand
// side. One packed, register-blocked, cache-blocked design serves all three layouts and both
// targets (tile and block sizes per target in arch.h):
//   - B is packed once per call into panels of kTileCols columns (kDepthBlock × kTileCols floats
//     each, contiguous, zero-padded), so the micro-kernel streams it from L1 whatever B's layout;
//   - A is packed per kRowBlock-row block and kDepthBlock slice into kTileRows-row slivers
//     (kDepthBlock × kTileRows, contiguous), so each broadcast is one load from a cache line the
//     kernel just used;
//   - the micro-kernel keeps a kTileRows × kTileCols tile of C in registers for a whole slice.
// Edge tiles run the same micro-kernel on a zero-padded copy, so every C element is computed by
// the same sequence of operations whatever the shape, the tiling or the thread count: 1 and N
// threads give bitwise identical results. Threads split C into row blocks (or column groups
// when C has few rows); K is never split.
// Products A·Bᵀ with fewer than kFewRows rows (generation) take dot products on B's rows instead.
#include <algorithm>
#include <cstring>
#include <vector>
#include <xsimd/xsimd.hpp>

#include "kernels/arch.h"
#include "kernels/kernels.h"
#include "kernels/registers.h"
#include "kernels/threads.h"

namespace rnn::kernels {
namespace {

// A matrix given by its base and strides: element (r, c) is data[r·row_stride + c·col_stride],
// so one type serves a matrix and its transpose.
struct Strided {
  const float* data;
  size_t row_stride, col_stride;
  float at(int r, int c) const { return data[r * row_stride + c * col_stride]; }
};

// Packs B(k, j) for all k and j into panels: panel q holds columns [q·kTileCols, (q + 1)·kTileCols)
// as ceil(K/kDepthBlock) slices of kc × kTileCols floats. Zero-pads the last panel.
void pack_b(int K, int N, Strided B, float* out) {
  const int panels = (N + kTileCols - 1) / kTileCols;
  threads::parallel_for(panels, [&](int q0, int q1) {
    for (int q = q0; q < q1; ++q) {
      const int j0 = q * kTileCols, nr = std::min(kTileCols, N - j0);
      float* dst = out + (size_t)q * K * kTileCols;
      if (B.col_stride == 1 && nr == kTileCols) {  // row-major B: copy kTileCols contiguous floats per k
        for (int k = 0; k < K; ++k)
          std::memcpy(dst + (size_t)k * kTileCols, B.data + k * B.row_stride + j0, sizeof(float) * kTileCols);
      } else if (B.row_stride == 1) {  // B given transposed (N × K): read each column's K run once
        for (int jj = 0; jj < kTileCols; ++jj)
          for (int k = 0; k < K; ++k)
            dst[(size_t)k * kTileCols + jj] = jj < nr ? B.data[(j0 + jj) * B.col_stride + k] : 0.0f;
      } else {
        for (int k = 0; k < K; ++k)
          for (int jj = 0; jj < kTileCols; ++jj) dst[(size_t)k * kTileCols + jj] = jj < nr ? B.at(k, j0 + jj) : 0.0f;
      }
    }
  });
}

// Packs rows [i0, i0 + mc) and k in [k0, k0 + kc) of A into kTileRows-row slivers (kc × kTileRows
// each).
void pack_a(int i0, int mc, int k0, int kc, Strided A, float* out) {
  if (A.row_stride == 1) {  // A given transposed (K × M): k outermost, so each of A's rows is read once,
    // front to back (k innermost would touch a new page, M floats apart, on every read)
    for (int k = 0; k < kc; ++k) {
      const float* src = A.data + i0 + (size_t)(k0 + k) * A.col_stride;
      for (int s = 0; s < mc; s += kTileRows) {
        const int mr = std::min(kTileRows, mc - s);
        float* dst = out + (size_t)s * kc + (size_t)k * kTileRows;
        for (int r = 0; r < kTileRows; ++r) dst[r] = r < mr ? src[s + r] : 0.0f;
      }
    }
    return;
  }
  for (int s = 0; s < mc; s += kTileRows) {
    const int mr = std::min(kTileRows, mc - s);
    float* dst = out + (size_t)s * kc;
    for (int r = 0; r < kTileRows; ++r) {
      const float* src = A.data + (i0 + s + r) * A.row_stride + (size_t)k0 * A.col_stride;
      if (r < mr)
        for (int k = 0; k < kc; ++k) dst[(size_t)k * kTileRows + r] = src[(size_t)k * A.col_stride];
      else
        for (int k = 0; k < kc; ++k) dst[(size_t)k * kTileRows + r] = 0.0f;
    }
  }
}

// C tile (kTileRows × kTileCols, row stride ldc) (+)= packed A sliver · packed B panel over kc.
inline void micro_kernel(int kc, size_t ldc, const float* a, const float* b, float* C, bool accumulate) {
  Vec acc[kTileRows][kTileVectors];
  for (int r = 0; r < kTileRows; ++r)
    for (int v = 0; v < kTileVectors; ++v) acc[r][v] = accumulate ? load(C + r * ldc + v * kLanes) : Vec(0.0f);
  for (int k = 0; k < kc; ++k) {
    Vec bv[kTileVectors];
    for (int v = 0; v < kTileVectors; ++v) bv[v] = load(b + v * kLanes);
    for (int r = 0; r < kTileRows; ++r) {
      const Vec av(a[r]);
      for (int v = 0; v < kTileVectors; ++v) acc[r][v] = madd(av, bv[v], acc[r][v]);
    }
    a += kTileRows;
    b += kTileCols;
  }
  for (int r = 0; r < kTileRows; ++r)
    for (int v = 0; v < kTileVectors; ++v) store(C + r * ldc + v * kLanes, acc[r][v]);
}

// One tile of C with mr ≤ kTileRows rows and nr ≤ kTileCols valid columns: an edge tile goes
// through the micro-kernel on a zero-padded copy.
inline void tile(int kc, int mr, int nr, int ldc, const float* a, const float* b, float* C, bool accumulate) {
  if (mr == kTileRows && nr == kTileCols) return micro_kernel(kc, ldc, a, b, C, accumulate);
  alignas(64) float t[kTileRows * kTileCols];
  for (int r = 0; r < kTileRows; ++r)
    for (int c = 0; c < kTileCols; ++c)
      t[r * kTileCols + c] = accumulate && r < mr && c < nr ? C[(size_t)r * ldc + c] : 0.0f;
  micro_kernel(kc, kTileCols, a, b, t, accumulate);
  for (int r = 0; r < mr; ++r) std::memcpy(C + (size_t)r * ldc, t + r * kTileCols, sizeof(float) * nr);
}

thread_local std::vector<float> tl_packed_a;

// C[M×N] (+)= A(M×K)·B where B is already packed (pack_b layout); C's rows are ldc floats apart.
void gemm_packed(int M, int N, int K, Strided A, const float* packed_b, float* C, size_t ldc, bool accumulate) {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {
    if (!accumulate)
      for (int i = 0; i < M; ++i) std::fill(C + i * ldc, C + i * ldc + N, 0.0f);
    return;
  }
  const int panels = (N + kTileCols - 1) / kTileCols;
  // Tasks: row blocks of kRowBlock rows; when C has few row blocks, also split the column panels
  // so that every thread gets work (the per-step recurrent product has B = 32 rows). One group per
  // thread: each group packs the same rows of A again.
  const int row_blocks = (M + kRowBlock - 1) / kRowBlock;
  const int groups = row_blocks >= 2 * threads::count() ? 1 : std::min(panels, threads::count());
  threads::parallel_for(row_blocks * groups, [&](int t0, int t1) {
    tl_packed_a.resize((size_t)kRowBlock * kDepthBlock);
    float* packed_a = tl_packed_a.data();
    for (int t = t0; t < t1; ++t) {
      // a thread's tasks span all row blocks (M = 65: 64 + 1 rows)
      const int group = t / row_blocks, row_block = t % row_blocks;
      const int i0 = row_block * kRowBlock, mc = std::min(kRowBlock, M - i0);
      const int q0 = (int)((long long)panels * group / groups), q1 = (int)((long long)panels * (group + 1) / groups);
      for (int k0 = 0; k0 < K; k0 += kDepthBlock) {
        const int kc = std::min(kDepthBlock, K - k0);
        const bool acc = accumulate || k0 > 0;
        pack_a(i0, mc, k0, kc, A, packed_a);
        for (int q = q0; q < q1; ++q) {
          const int j0 = q * kTileCols, nr = std::min(kTileCols, N - j0);
          const float* panel = packed_b + (size_t)q * K * kTileCols + (size_t)k0 * kTileCols;
          for (int s = 0; s < mc; s += kTileRows)
            tile(kc, std::min(kTileRows, mc - s), nr, (int)ldc, packed_a + (size_t)s * kc, panel,
                 C + (i0 + s) * ldc + j0, acc);
        }
      }
    }
  });
}

size_t packed_size(int K, int N) { return (size_t)((N + kTileCols - 1) / kTileCols) * kTileCols * std::max(K, 0); }

// A product packs B in blocks of at most kPackedFloats floats — depth chunks of kc ≤ kMaxDepth
// (a multiple of kDepthBlock, so the micro-kernel sees the same depth slices as with B whole, and
// C the same sums) by column blocks of nc columns — rather than whole: a 33 K-word output layer's
// B is 33 K × 256 floats (32 MB) and would be copied whole into a per-thread buffer that never
// shrinks. Re-packing A once per column block costs M·K copies against M·K·nc multiply-adds.
constexpr size_t kPackedFloats = size_t(1) << 20;  // 4 MB
constexpr int kMaxDepth = 16 * kDepthBlock;
struct PackBlocks {
  int kc, nc;
};
PackBlocks pack_blocks(int K, int N) {
  const int kc = std::min(K, kMaxDepth);
  int nc = (int)std::min<size_t>((size_t)N, kPackedFloats / std::max(kc, 1) / kTileCols * kTileCols);
  return {kc, std::max(nc, std::min(N, kTileCols))};
}

// Few columns that fill the kTileCols-wide tiles badly (AVX-512: N = 64 pads to 96) and many
// rows: gemm computes Cᵀ = Bᵀ·Aᵀ instead, whose columns are C's rows, and adds it back transposed.
// Only when A is given transposed (the weight gradients, Aᵀ·B): then Aᵀ packs by contiguous
// copies; the other layouts would pack the big operand by a strided scatter, which costs more than
// it saves. pad(n, r): how much n grows when rounded up to a multiple of r.
bool transpose_pays(int M, int N, bool a_transposed) {
  const auto pad = [](int n, int r) { return (double)((n + r - 1) / r * r) / n; };
  return a_transposed && pad(N, kTileCols) > 1.2 && pad(M, kTileCols) < pad(N, kTileCols) &&
         pad(N, kTileRows) <= pad(M, kTileRows) + 0.2;
}

// C[M×N] (+)= A(M×K)·B(K×N) with A and B given by strides. The packed copy of B is per calling
// thread, so two trainers on two threads don't share it.
void gemm(int M, int N, int K, Strided A, Strided B, float* C, bool accumulate) {
  thread_local std::vector<float> packed_b, c_transposed;
  if (M <= 0 || N <= 0) return;
  if (transpose_pays(M, N, A.row_stride == 1)) {
    c_transposed.resize((size_t)N * M);
    packed_b.resize(packed_size(K, M));
    pack_b(K, M, {A.data, A.col_stride, A.row_stride}, packed_b.data());
    gemm_packed(N, M, K, {B.data, B.col_stride, B.row_stride}, packed_b.data(), c_transposed.data(), M, false);
    const float* t = c_transposed.data();
    for (int i = 0; i < M; ++i)
      for (int j = 0; j < N; ++j)
        C[(size_t)i * N + j] = (accumulate ? C[(size_t)i * N + j] : 0.0f) + t[(size_t)j * M + i];
    return;
  }
  if (K <= 0) return gemm_packed(M, N, K, A, nullptr, C, N, accumulate);
  const PackBlocks blk = pack_blocks(K, N);
  packed_b.resize(packed_size(blk.kc, blk.nc));
  for (int j0 = 0; j0 < N; j0 += blk.nc) {
    const int nc = std::min(blk.nc, N - j0);
    for (int k0 = 0; k0 < K; k0 += blk.kc) {
      const int kc = std::min(blk.kc, K - k0);
      pack_b(kc, nc, {B.data + k0 * B.row_stride + j0 * B.col_stride, B.row_stride, B.col_stride}, packed_b.data());
      gemm_packed(M, nc, kc, {A.data + k0 * A.col_stride, A.row_stride, A.col_stride}, packed_b.data(), C + j0, N,
                  accumulate || k0 > 0);
    }
  }
}

// c[q] (+)= dot(a, B row q) for rows ≤ kDotTailRows rows of B: the rows matmul_nt_dots has
// left over.
constexpr int kDotTailRows = 4;
inline void dot_tail(int K, int rows, const float* a, const float* B, float* c, bool accumulate) {
  Vec acc[kDotTailRows];
  for (int q = 0; q < kDotTailRows; ++q) acc[q] = Vec(0.0f);
  int k = 0;
  for (; k + kLanes <= K; k += kLanes) {
    const Vec av = load(a + k);
    for (int q = 0; q < rows; ++q) acc[q] = madd(av, load(B + (size_t)q * K + k), acc[q]);
  }
  for (int q = 0; q < rows; ++q) {
    float s = hsum(acc[q]);
    for (int kk = k; kk < K; ++kk) s += a[kk] * B[(size_t)q * K + kk];
    c[q] = accumulate ? c[q] + s : s;
  }
}

// kDotRowGroups·kLanes consecutive rows of B against one row of A: one accumulator per B row,
// and haddp reduces each group's kLanes of them into kLanes results at once (a horizontal sum
// per output costs as much as the short K loop).
// GCC 12's AVX-512 shuffle/extract intrinsics start from _mm512_undefined_ps and warn about it
// wherever they are inlined (GCC bug 105593, fixed in 13).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif
// [Σ lanes of acc[0], …, Σ lanes of acc[kLanes−1]]. xsimd 8.1's AVX-512 haddp is wrong (lane 2
// picks up another row's sum), so there each register folds to 8 lanes and the AVX one does the
// rest.
inline Vec reduce_rows(const Vec* acc) {
#if defined(__AVX512F__)
  using V8 = xsimd::batch<float, xsimd::avx2>;
  auto fold = [](__m512 v) {
    return _mm512_castps512_ps256(_mm512_add_ps(v, _mm512_shuffle_f32x4(v, v, 0x4E)));  // low half + high half
  };
  V8 lo[8], hi[8];
  for (int q = 0; q < 8; ++q) {
    lo[q] = fold(acc[q]);
    hi[q] = fold(acc[q + 8]);
  }
  const __m256 a = xsimd::haddp(lo), b = xsimd::haddp(hi);
  const __m512d lo8 = _mm512_insertf64x4(_mm512_setzero_pd(), _mm256_castps_pd(a), 0);
  return _mm512_castpd_ps(_mm512_insertf64x4(lo8, _mm256_castps_pd(b), 1));
#else
  return xsimd::haddp(acc);
#endif
}

inline void dot_rows(int K, const float* a, const float* B, float* c, bool accumulate) {
  Vec acc[kDotRowGroups][kLanes];
  for (int group = 0; group < kDotRowGroups; ++group)
    for (int q = 0; q < kLanes; ++q) acc[group][q] = Vec(0.0f);
  int k = 0;
  for (; k + kLanes <= K; k += kLanes) {
    const Vec av = load(a + k);
    for (int group = 0; group < kDotRowGroups; ++group)
      for (int q = 0; q < kLanes; ++q)
        acc[group][q] = madd(av, load(B + (size_t)(group * kLanes + q) * K + k), acc[group][q]);
  }
  for (int group = 0; group < kDotRowGroups; ++group) {
    Vec s = reduce_rows(acc[group]);
    if (k < K) {  // the last K % kLanes columns, in scalar
      alignas(64) float lanes[kLanes];
      s.store_aligned(lanes);
      for (int q = 0; q < kLanes; ++q)
        for (int kk = k; kk < K; ++kk) lanes[q] += a[kk] * B[(size_t)(group * kLanes + q) * K + kk];
      s = Vec::load_aligned(lanes);
    }
    if (accumulate) s += load(c + group * kLanes);
    store(c + group * kLanes, s);
  }
}

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

// C (+)= A·Bᵀ for the few-row case (generation: one row per step), where packing B would cost
// as much as the product: blocks of kBlockRows rows of B by dot_rows, the last few by dot_tail.
void matmul_nt_dots(int M, int N, int K, const float* A, const float* B, float* C, bool accumulate) {
  constexpr int kBlockRows = kDotRowGroups * kLanes;
  const int blocks = (N + kBlockRows - 1) / kBlockRows;
  // One task per thread: the pool hands task k to the same thread every call, so each core keeps
  // its share of B in its own L2 across generation steps (a 2×256 LSTM's 3.3 MB of weights
  // overflow one core's 2 MB L2 and would stream from L3 each token). Tiny products stay inline.
  const int tasks = (size_t)N * K * M >= kDotParallelWork ? std::min(blocks, threads::count()) : 1;
  threads::parallel_for(tasks, [&](int t0, int t1) {
    const int jb = (int)((long long)blocks * t0 / tasks) * kBlockRows;
    const int je = std::min(N, (int)((long long)blocks * t1 / tasks) * kBlockRows);
    for (int i = 0; i < M; ++i) {
      const float* a = A + (size_t)i * K;
      float* c = C + (size_t)i * N;
      int j = jb;
      for (; j + kBlockRows <= je; j += kBlockRows) dot_rows(K, a, B + (size_t)j * K, c + j, accumulate);
      for (; j < je; j += kDotTailRows)
        dot_tail(K, std::min(kDotTailRows, je - j), a, B + (size_t)j * K, c + j, accumulate);
    }
  });
}

}  // namespace

static GemmScratch gemm_scratch(char layout, int M, int N, int K) {
  if (M <= 0 || N <= 0 || K <= 0 || (layout == 't' && M < kFewRows)) return {};
  if (layout == 'T' && transpose_pays(M, N, true)) return {packed_size(K, M), (size_t)N * M};
  const PackBlocks blk = pack_blocks(K, N);
  return {packed_size(blk.kc, blk.nc), 0};
}

void GemmScratch::add(char layout, int M, int N, int K) {
  const GemmScratch s = gemm_scratch(layout, M, N, K);
  packed = std::max(packed, s.packed);
  transposed = std::max(transposed, s.transposed);
}

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
  if (M < kFewRows) return matmul_nt_dots(M, N, K, A, B, C, accumulate);
  gemm(M, N, K, {A, (size_t)K, 1}, {B, 1, (size_t)K}, C, accumulate);
}

void pack_nt(int N, int K, const float* B, PackedMatrix& out, int rows) {
  out = {K, N, B, true, false, std::move(out.data)};
  // Few rows (generation): matmul_packed takes dot products on the unpacked rows, which read
  // less memory than packing would.
  if (reference_mode() || rows < kFewRows) return;
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
  if (!B.packed || reference_mode() || (B.nt && M < kFewRows))
    return B.nt ? matmul_nt(M, B.N, B.K, A, B.src, C, accumulate) : matmul_nn(M, B.N, B.K, A, B.src, C, accumulate);
  gemm_packed(M, B.N, B.K, {A, (size_t)B.K, 1}, B.data.data(), C, B.N, accumulate);
}

}  // namespace rnn::kernels
