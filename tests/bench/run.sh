#!/usr/bin/env bash
# Benchmarks: native kernels and training steps, the same training steps in WebAssembly (Node),
# and the check that the wasm hot loops are SIMD. Prints medians.  usage: npm run bench
set -euo pipefail
cd "$(dirname "$0")/../.."
bash cmake/build.sh native wasm >/dev/null
echo "== native (build/native/kernels_bench)"
./build/native/kernels_bench
echo
echo "== WebAssembly in Node $(node --version) (tests/bench/wasm_bench.mjs)"
node tests/bench/wasm_bench.mjs
echo
echo "== SIMD in the wasm hot loops (tests/bench/check-simd.mjs)"
export NODE_PATH=/usr/share/nodejs
emcmake cmake -S . -B build/wasm-names -DCMAKE_BUILD_TYPE=Release -DRNN_WASM_NAMES=ON \
  "-DCMAKE_CROSSCOMPILING_EMULATOR=node;--no-experimental-fetch" >/dev/null
cmake --build build/wasm-names -j"$(nproc)" >/dev/null
node tests/bench/check-simd.mjs build/wasm-names/rnn_core.mjs
