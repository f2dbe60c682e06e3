// The kernels' per-target constants, in one place: the SIMD register, the GEMM's register tile
// and cache blocks, and the work sizes from which kernels split across threads. Internal to
// core/kernels.
//
// One source serves both targets: natively xsimd picks AVX-512 or AVX2 with FMA; under
// Emscripten it picks SSE2, which becomes wasm simd128 (4 lanes, no FMA).
#pragma once
#include <cstddef>
#include <xsimd/xsimd.hpp>

namespace rnn::kernels {

// ---- the SIMD register ----
using Vec = xsimd::batch<float>;
constexpr int kLanes = static_cast<int>(Vec::size);  // floats per register: 16, 8, or 4 in wasm

// ---- GEMM (gemm.cpp) ----
// Register tile: kTileRows rows × kTileVectors registers of C (MR × NR in the BLIS papers'
// names, NR = kTileCols). Natively 16/32 registers with FMA; in wasm V8 has 16 xmm registers and
// each multiply-add needs a temporary (no FMA), so the tile is smaller.
#if defined(RNN_GEMM_MR)  // for tile-size experiments: -DRNN_GEMM_MR=… -DRNN_GEMM_NV=…
constexpr int kTileRows = RNN_GEMM_MR, kTileVectors = RNN_GEMM_NV;
#elif defined(__EMSCRIPTEN__)
// 4×2 (8 accumulators) ran fastest in Node of 4×3, 3×3, 5×2, 3×2 and 2×4: 350 ms for the GEMMs
// of a training step against 401 ms for 4×3, which spills.
constexpr int kTileRows = 4, kTileVectors = 2;
#elif defined(__AVX512F__)
constexpr int kTileRows = 8, kTileVectors = 3;
#else
constexpr int kTileRows = 6, kTileVectors = 2;
#endif
constexpr int kTileCols = kTileVectors * kLanes;
// Cache blocking (KC and MC): a kDepthBlock × kTileCols panel of B stays in L1 while a
// kRowBlock × kDepthBlock block of A (L2) passes.
constexpr int kDepthBlock = 256;
constexpr int kRowBlock = ((64 + kTileRows - 1) / kTileRows) * kTileRows;

// Products of A·Bᵀ with fewer rows than this (generation: one row per step) take dot products
// on B's unpacked rows instead of packing it (pack_nt's default `rows` in kernels.h is this 4).
constexpr int kFewRows = 4;
// The dot-product path reads kDotRowGroups groups of kLanes rows of B side by side: enough
// independent chains where there is no FMA (wasm: a multiply, then an add on the accumulator).
#if defined(__AVX512F__)
constexpr int kDotRowGroups = 1;
#else
constexpr int kDotRowGroups = 2;
#endif

// ---- threads ----
// Elementwise kernels (add_bias, sum_rows, softmax_xent) split work of at least this many floats:
// below it the pool's wake-up and the cache traffic between cores cost more than the arithmetic
// they share.
constexpr size_t kParallelWork = size_t(1) << 16;
// The fused cell steps split the batch's rows from this many gate floats: one step's gates
// (32 K floats for the reference LSTM) are under kParallelWork, but the step's GEMM around them
// is threaded, and leaving them serial capped the 2-thread speed-up.
constexpr size_t kStepParallelWork = size_t(1) << 14;
// The dot-product path splits B's rows across threads from this many multiply-adds (M·N·K).
constexpr size_t kDotParallelWork = size_t(1) << 16;

}  // namespace rnn::kernels
