// Fast float32 exp, sigmoid and tanh on xsimd batches, for the loss rows (elementwise.cpp) and
// the fused cell steps (cell_steps.cpp). Internal to core/kernels.
//
// Why not xsimd::exp / xsimd::tanh: they are accurate, but their range reduction converts
// float→int (cvttps), which Emscripten's SSE2 layer emulates lane by lane in scalar code. These
// versions use only operations that map to one wasm simd128 instruction each (f32x4 add, mul,
// div, compare, pmin/pmax; v128 and/or/andnot; i32x4 add and shift; bit casts), and the same
// source serves AVX-512/AVX2 natively (with FMA there).
//
// Method: e^x = 2ⁿ·(1 + q(r)), n = round(x·log2 e), r = x − n·ln2 in two steps (Cody–Waite,
// ln2_hi has 9 significant bits so n·ln2_hi is exact), |r| ≤ ln2/2, and
// q(r) = r + r²·P(r) ≈ eʳ − 1 with P of degree 4 (coefficients fitted to (eʳ−1−r)/r² on
// |r| ≤ ln2/2, weighted by |r|; fit error ≤ 1.6e-8 relative). n is rounded by adding 1.5·2²³,
// which leaves n in the low mantissa bits: an integer add and a shift then build 2ⁿ directly.
//   tanh(x) = sign(x)·|m/(m + 2)|, m = eᵘ − 1 = 2ⁿ·q + (2ⁿ − 1), u = −2|x|  (no cancellation
//             near 0, no overflow anywhere: m ∈ (−1, 0])
//   σ(x)    = 1/(1 + e⁻ˣ)
//
// Maximum errors, stated bounds against double precision. "measured" = the worst case over every
// float in the range (exp [−87.33, 88.37], σ [−88, 88], tanh [−20, 20]; beyond, the clamps give
// the limits), natively (AVX-512, FMA) and in wasm (node 20); kernels_fused_test.cpp asserts the
// bounds on a dense grid:
//   exp:     relative 1.0e-7 for x in [−87.33, 88.37] (normal results)   measured 8.6e-8
//   sigmoid: absolute 1.0e-7, relative 2.0e-7 where σ(x) ≥ 1e-30          measured 8.9e-8, 1.5e-7
//   tanh:    absolute 1.6e-7, relative 2.0e-7                              measured 1.5e-7, 1.9e-7
// Large |x|: exp saturates at e^88.37 ≈ 2.4e38 above and flushes to 0 below −87.33; sigmoid
// and tanh saturate (σ(x ≤ −87) = 1.6e-38, tanh(±∞) = ±1). Finite or infinite inputs give
// finite outputs, NaN gives NaN, and for normal inputs no result or intermediate is denormal.
#pragma once
#include <cstdint>
#include <type_traits>
#include <xsimd/xsimd.hpp>
#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

namespace rnn::simd_math {

template <class A>
using Vf = xsimd::batch<float, A>;

namespace detail {
constexpr float kLog2e = 1.44269504088896341f;
constexpr float kLn2Hi = 0.693359375f, kLn2Lo = -2.12194440e-4f;
constexpr float kShift = 12582912.0f;  // 1.5·2²³: t = y + kShift has round(y) in its low bits
constexpr int32_t kShiftBits = 0x4B400000;
// P(r) ≈ (eʳ − 1 − r)/r²
constexpr float kP0 = 5.000000000e-01f, kP1 = 1.666654348e-01f, kP2 = 4.166628048e-02f,
                kP3 = 8.366577327e-03f, kP4 = 1.394643681e-03f;

#ifdef __wasm_simd128__
// Emscripten's SSE2 layer builds min/max/select from compare + bitselect (4 x86 instructions
// each in V8); wasm's pmin/pmax/andnot are one. The builds where A is sse2 are the wasm ones.
template <class A>
constexpr bool kWasm = std::is_same<A, xsimd::sse2>::value;
inline v128_t raw(xsimd::batch<float, xsimd::sse2> v) { return (v128_t)(__m128)v; }
inline xsimd::batch<float, xsimd::sse2> cooked(v128_t v) { return xsimd::batch<float, xsimd::sse2>((__m128)v); }
#else
template <class A>
constexpr bool kWasm = false;
#endif

// c − a·b: one fused instruction where the target has FMA (natively; in the relaxed-SIMD wasm
// build f32x4.relaxed_nmadd); plain wasm simd128 has none, and xsimd's generic fnma would spend
// an extra negation on it.
template <class A>
inline Vf<A> nmadd(Vf<A> a, Vf<A> b, Vf<A> c) {
#ifdef __wasm_relaxed_simd__
  if constexpr (kWasm<A>) return cooked(wasm_f32x4_relaxed_nmadd(raw(a), raw(b), raw(c)));
#endif
#ifdef __FMA__
  return xsimd::fnma(a, b, c);
#else
  return c - a * b;
#endif
}
}  // namespace detail

// a·b + c, the kernels' one multiply-add. Natively xsimd::fma (one FMA instruction); in the
// simd128 wasm build xsimd's SSE2 arch makes it a multiply and an add; in the relaxed-SIMD wasm
// build (-mrelaxed-simd, README "Relaxed SIMD build") it is f32x4.relaxed_madd, which engines
// compile to a hardware FMA where the CPU has one (rounding once) and to mul + add elsewhere:
// results differ from the simd128 build's in the last bits, but not between runs, thread counts
// or resumes of one build on one machine.
template <class A>
inline Vf<A> madd(Vf<A> a, Vf<A> b, Vf<A> c) {
#ifdef __wasm_relaxed_simd__
  if constexpr (detail::kWasm<A>) return detail::cooked(wasm_f32x4_relaxed_madd(detail::raw(a), detail::raw(b), detail::raw(c)));
#endif
  return xsimd::fma(a, b, c);
}

namespace detail {

// min(c, x) and max(c, x) for a constant c: a NaN in x comes out as NaN (x86 minps/maxps and
// wasm pmin/pmax return the second operand when the comparison fails).
template <class A>
inline Vf<A> min_c(float c, Vf<A> x) {
#ifdef __wasm_simd128__
  if constexpr (kWasm<A>) return cooked(wasm_f32x4_pmin(raw(x), wasm_f32x4_splat(c)));  // c < x ? c : x
#endif
  return xsimd::min(Vf<A>(c), x);
}
template <class A>
inline Vf<A> max_c(float c, Vf<A> x) {
#ifdef __wasm_simd128__
  if constexpr (kWasm<A>) return cooked(wasm_f32x4_pmax(raw(x), wasm_f32x4_splat(c)));  // x < c ? c : x
#endif
  return xsimd::max(Vf<A>(c), x);
}
// v where x ≥ c or x is NaN, 0 where x < c.
template <class A>
inline Vf<A> zero_below(float c, Vf<A> x, Vf<A> v) {
#ifdef __wasm_simd128__
  if constexpr (kWasm<A>) return cooked(wasm_v128_andnot(raw(v), wasm_f32x4_lt(raw(x), wasm_f32x4_splat(c))));
#endif
  return xsimd::select(x < Vf<A>(c), Vf<A>(0.0f), v);
}

// For x already clamped so that n ∈ [−126, 127]: returns q = e^r − 1 and sets scale = 2ⁿ,
// so eˣ = scale·(1 + q) and eˣ − 1 = scale·q + (scale − 1).
template <class A>
inline Vf<A> exp_reduce(Vf<A> x, Vf<A>& scale) {
  using V = Vf<A>;
  using Vi = xsimd::batch<int32_t, A>;
  const V t = madd(x, V(kLog2e), V(kShift));
  const V n = t - V(kShift);
  V r = nmadd(n, V(kLn2Hi), x);  // x − n·ln2_hi, exact
  r = nmadd(n, V(kLn2Lo), r);
  V p = madd(V(kP4), r, V(kP3));
  p = madd(p, r, V(kP2));
  p = madd(p, r, V(kP1));
  p = madd(p, r, V(kP0));
  const Vi bits = xsimd::bitwise_cast<Vi>(t) + Vi(127 - kShiftBits);  // n + 127
  scale = xsimd::bitwise_cast<V>(bits << 23);
  return madd(p, r * r, r);
}
}  // namespace detail

// eˣ: see the header comment for range and error.
template <class A>
inline Vf<A> exp(Vf<A> x) {
  using V = Vf<A>;
  // n = 127 at kHi; at kLo n = −126 and r > 0, so eˣ ≥ 2⁻¹²⁶ stays normal: a denormal result
  // (or a padded −inf lane) would cost a ~100-cycle microcode assist on x86, natively and in wasm.
  constexpr float kHi = 88.37f, kLo = -87.33f;
  V scale;
  const V q = detail::exp_reduce(detail::max_c(kLo, detail::min_c(kHi, x)), scale);
  // (1 + q)·2ⁿ: scaling by 2ⁿ is exact, so this rounds once, like an FMA, with no denormal
  // intermediate (scale·q could be one).
  return detail::zero_below(kLo, x, (q + V(1.0f)) * scale);
}

// σ(x) = 1/(1 + e⁻ˣ), with −x clamped to [−30, 87]: σ(30) already rounds to 1, and neither
// e⁻ˣ nor σ ever becomes denormal (slow on x86): σ(x ≤ −87) = σ(−87) ≈ 1.6e-38.
template <class A>
inline Vf<A> sigmoid(Vf<A> x) {
  using V = Vf<A>;
  const V u = detail::max_c(-30.0f, detail::min_c(87.0f, -x));
  V scale;
  const V q = detail::exp_reduce(u, scale);
  return V(1.0f) / (madd(scale, q, scale) + V(1.0f));
}

// tanh via eᵘ − 1 with u = −2|x| ≤ 0. |x| is capped at 9.1, beyond which tanh rounds to 1.
template <class A>
inline Vf<A> tanh(Vf<A> x) {
  using V = Vf<A>;
  const V sign = xsimd::bitofsign(x);
  const V u = V(-2.0f) * detail::min_c(9.1f, xsimd::abs(x));
  V scale;
  const V q = detail::exp_reduce(u, scale);
  const V m = madd(scale, q, scale - V(1.0f));  // eᵘ − 1 ∈ (−1, 0]
  return xsimd::abs(m / (m + V(2.0f))) | sign;
}

}  // namespace rnn::simd_math
