#!/usr/bin/env bash
# Configure and build: native (library, tests, tools, benchmarks) and WebAssembly.
# usage: cmake/build.sh [native] [wasm]   (default: both)
set -euo pipefail
cd "$(dirname "$0")/.."
targets=("$@"); ((${#targets[@]})) || targets=(native wasm)
jobs=$(nproc)
for t in "${targets[@]}"; do
  case $t in
    native)
      cmake -S . -B build/native -DCMAKE_BUILD_TYPE=Release >/dev/null
      cmake --build build/native -j"$jobs" ;;
    wasm)
      export NODE_PATH=/usr/share/nodejs   # emscripten's JS optimizer needs acorn from here
      emcmake cmake -S . -B build/wasm -DCMAKE_BUILD_TYPE=Release \
        "-DCMAKE_CROSSCOMPILING_EMULATOR=node;--no-experimental-fetch" >/dev/null
      cmake --build build/wasm -j"$jobs"
      mkdir -p wasm/dist
      cp build/wasm/rnn_core.mjs wasm/dist/ ;;
    *) echo "unknown target $t" >&2; exit 2 ;;
  esac
done
