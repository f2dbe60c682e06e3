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
      # One configure, three targets (CMakeLists.txt): st (no threads), mt (pthreads, browsers) and
      # node (pthreads, CommonJS). wasm/dist/ gets one folder per build; index.js picks one at load.
      export NODE_PATH=/usr/share/nodejs   # emscripten's JS optimizer needs acorn from here
      emcmake cmake -S . -B build/wasm -DCMAKE_BUILD_TYPE=Release \
        "-DCMAKE_CROSSCOMPILING_EMULATOR=node;--no-experimental-fetch" >/dev/null
      cmake --build build/wasm -j"$jobs"
      rm -rf wasm/dist.tmp && mkdir -p wasm/dist.tmp/st wasm/dist.tmp/mt wasm/dist.tmp/node
      cp build/wasm/rnn_core.mjs wasm/dist.tmp/st/
      cp build/wasm/mt/rnn_core.mjs build/wasm/mt/rnn_core.worker.js wasm/dist.tmp/mt/
      cp build/wasm/node/rnn_core.js build/wasm/node/rnn_core.worker.js wasm/dist.tmp/node/
      # The package is "type": "module"; the node build and its pthread worker are CommonJS.
      echo '{ "type": "commonjs" }' > wasm/dist.tmp/node/package.json
      rm -rf wasm/dist && mv wasm/dist.tmp wasm/dist ;;
    *) echo "unknown target $t" >&2; exit 2 ;;
  esac
done
