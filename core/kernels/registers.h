// Access to SIMD registers for the elementwise and cell kernels: whole registers, the first
// n < kLanes lanes of one, and for_lanes, the loop over a row in registers. Internal to
// core/kernels.
//
// for_lanes runs a row's tail through the same vector code on a padded register, so an element's
// result never depends on its position (row length, thread split): threaded kernels are bitwise
// identical for any thread count.
#pragma once
#include <algorithm>
#include <cstddef>
#include <xsimd/xsimd.hpp>
#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

#include "kernels/arch.h"
#include "kernels/simd_math.h"

namespace rnn::kernels {

inline Vec load(const float* p) { return Vec::load_unaligned(p); }
inline void store(float* p, Vec v) { v.store_unaligned(p); }
// a·b + c: one FMA natively, f32x4.relaxed_madd in the relaxed-SIMD wasm build, a multiply and an
// add in the simd128 one (simd_math::madd).
inline Vec madd(Vec a, Vec b, Vec c) { return simd_math::madd(a, b, c); }
inline float hsum(Vec v) { return xsimd::hadd(v); }
inline float hmax(Vec v) {
  alignas(64) float lanes[kLanes];
  v.store_aligned(lanes);
  return *std::max_element(lanes, lanes + kLanes);
}

// A whole register at p.
struct FullRegister {
  static Vec load(const float* p, float = 0.0f) { return Vec::load_unaligned(p); }
  static void store(float* p, Vec v) { v.store_unaligned(p); }
};
// The first n < kLanes lanes at p; loads set the other lanes to `fill`. Uses the targets'
// partial loads and stores (one masked instruction natively, lane loads in wasm): a call to
// memcpy per row tail cost more than the row's arithmetic.
struct PartialRegister {
  int n;
#if defined(__AVX512F__)
  static_assert(kLanes == 16, "AVX-512 build expects 16 lanes");
  __mmask16 mask() const { return static_cast<__mmask16>((1u << n) - 1); }
  Vec load(const float* p, float fill = 0.0f) const { return _mm512_mask_loadu_ps(_mm512_set1_ps(fill), mask(), p); }
  void store(float* p, Vec v) const { _mm512_mask_storeu_ps(p, mask(), v); }
#elif defined(__AVX2__)
  static_assert(kLanes == 8, "AVX2 build expects 8 lanes");
  __m256i mask() const { return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7)); }
  Vec load(const float* p, float fill = 0.0f) const {
    return _mm256_blendv_ps(_mm256_set1_ps(fill), _mm256_maskload_ps(p, mask()), _mm256_castsi256_ps(mask()));
  }
  void store(float* p, Vec v) const { _mm256_maskstore_ps(p, mask(), v); }
#elif defined(__wasm_simd128__)
  static_assert(kLanes == 4, "wasm build expects 4 lanes");
  Vec load(const float* p, float fill = 0.0f) const {
    v128_t v = wasm_v128_load32_lane(p, wasm_f32x4_splat(fill), 0);
    if (n > 1) v = wasm_v128_load32_lane(p + 1, v, 1);
    if (n > 2) v = wasm_v128_load32_lane(p + 2, v, 2);
    return Vec((__m128)v);
  }
  void store(float* p, Vec v) const {
    const v128_t r = (v128_t)(__m128)v;
    wasm_v128_store32_lane(p, r, 0);
    if (n > 1) wasm_v128_store32_lane(p + 1, r, 1);
    if (n > 2) wasm_v128_store32_lane(p + 2, r, 2);
  }
#else
  Vec load(const float* p, float fill = 0.0f) const {
    alignas(64) float b[kLanes];
    for (int k = 0; k < kLanes; ++k) b[k] = k < n ? p[k] : fill;
    return Vec::load_aligned(b);
  }
  void store(float* p, Vec v) const {
    alignas(64) float b[kLanes];
    v.store_aligned(b);
    for (int k = 0; k < n; ++k) p[k] = b[k];
  }
#endif
};

// f(j, reg) for j = 0, kLanes, 2·kLanes, … < n, with reg = FullRegister{} for whole registers
// and PartialRegister{n − j} for the tail.
template <class Fn>
inline void for_lanes(size_t n, Fn&& f) {
  size_t j = 0;
  for (; j + kLanes <= n; j += kLanes) f(j, FullRegister{});
  if (j < n) f(j, PartialRegister{static_cast<int>(n - j)});
}

}  // namespace rnn::kernels
