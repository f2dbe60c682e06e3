// Register-only multiply-add peak of WebAssembly relaxed SIMD against plain simd128: 12 independent
// chains acc = acc·a + b on f32x4 (enough to cover the FMA latency; V8 has 16 xmm registers), as
// f32x4.relaxed_madd (one FMA where the CPU has one) and as f32x4.mul + f32x4.add. Freestanding
// (no libc); built by tests/bench/peak_relaxed.mjs with clang-19 and wasm-ld-19:
//   clang-19 --target=wasm32 -O3 -msimd128 -mrelaxed-simd -c peak_relaxed.c -o peak_relaxed.o
//   wasm-ld-19 --no-entry --export=madd_chains --export=muladd_chains peak_relaxed.o -o peak_relaxed.wasm
// Each function runs n iterations of the 12 chains (96 flops per iteration) and returns a lane sum
// so the work can't be dropped.
#include <wasm_simd128.h>

#define CHAINS(OP)                                                                                   \
  v128_t c0 = wasm_f32x4_splat(x), c1 = wasm_f32x4_splat(x + 1), c2 = wasm_f32x4_splat(x + 2),      \
         c3 = wasm_f32x4_splat(x + 3), c4 = wasm_f32x4_splat(x + 4), c5 = wasm_f32x4_splat(x + 5),  \
         c6 = wasm_f32x4_splat(x + 6), c7 = wasm_f32x4_splat(x + 7), c8 = wasm_f32x4_splat(x + 8),  \
         c9 = wasm_f32x4_splat(x + 9), c10 = wasm_f32x4_splat(x + 10), c11 = wasm_f32x4_splat(x + 11); \
  const v128_t va = wasm_f32x4_splat(a), vb = wasm_f32x4_splat(b);                                  \
  for (int i = 0; i < n; ++i) {                                                                     \
    c0 = OP(c0); c1 = OP(c1); c2 = OP(c2); c3 = OP(c3); c4 = OP(c4); c5 = OP(c5);                   \
    c6 = OP(c6); c7 = OP(c7); c8 = OP(c8); c9 = OP(c9); c10 = OP(c10); c11 = OP(c11);               \
  }                                                                                                 \
  v128_t s = wasm_f32x4_add(wasm_f32x4_add(wasm_f32x4_add(c0, c1), wasm_f32x4_add(c2, c3)),         \
                            wasm_f32x4_add(wasm_f32x4_add(c4, c5), wasm_f32x4_add(c6, c7)));        \
  s = wasm_f32x4_add(s, wasm_f32x4_add(wasm_f32x4_add(c8, c9), wasm_f32x4_add(c10, c11)));          \
  return wasm_f32x4_extract_lane(s, 0) + wasm_f32x4_extract_lane(s, 3);

#define MADD(c) wasm_f32x4_relaxed_madd(c, va, vb)
#define MULADD(c) wasm_f32x4_add(wasm_f32x4_mul(c, va), vb)

__attribute__((export_name("madd_chains"))) float madd_chains(int n, float x, float a, float b) { CHAINS(MADD) }
__attribute__((export_name("muladd_chains"))) float muladd_chains(int n, float x, float a, float b) { CHAINS(MULADD) }
