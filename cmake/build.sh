#!/usr/bin/env bash
# Configure and build: native (library, tests, tools, benchmarks) and WebAssembly.
# usage: cmake/build.sh [native] [wasm] [wasm-single]   (default: native wasm)
set -euo pipefail
cd "$(dirname "$0")/.."
targets=("$@"); ((${#targets[@]})) || targets=(native wasm)
jobs=$(nproc)

# One configure, three targets (CMakeLists.txt): st (no threads), mt (pthreads, browsers) and node
# (pthreads, CommonJS). The output folder gets one folder per build; index.js picks one at load.
# usage: build_wasm BUILD_DIR OUT_DIR [cmake options]
build_wasm() {
  local dir=$1 out=$2; shift 2
  export NODE_PATH=/usr/share/nodejs   # emscripten's JS optimizer needs acorn from here
  local single=OFF before=
  [[ " $* " == *" -DRNN_WASM_SINGLE_FILE=ON "* ]] && single=ON
  [[ -f $dir/CMakeCache.txt ]] && before=$(sed -n 's/^RNN_WASM_SINGLE_FILE:BOOL=//p' "$dir/CMakeCache.txt")
  # Switching between inlined and separate wasm changes link options only: link again.
  [[ $before && $before != "$single" ]] && rm -f "$dir"/{,mt/,node/}rnn_core.{mjs,js,wasm}
  emcmake cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release \
    "-DCMAKE_CROSSCOMPILING_EMULATOR=node;--no-experimental-fetch" "$@" >/dev/null
  cmake --build "$dir" -j"$jobs"
  rm -rf "$out.tmp" && mkdir -p "$out.tmp/st" "$out.tmp/mt" "$out.tmp/node"
  # Each build's .wasm when it is a file of its own (not with -DRNN_WASM_SINGLE_FILE=ON).
  local wasm=()
  [[ $single == OFF ]] && wasm=(rnn_core.wasm)
  cp "$dir/rnn_core.mjs" "${wasm[@]/#/$dir/}" "$out.tmp/st/"
  cp "$dir/mt/rnn_core.mjs" "$dir/mt/rnn_core.worker.js" "${wasm[@]/#/$dir/mt/}" "$out.tmp/mt/"
  cp "$dir/node/rnn_core.js" "$dir/node/rnn_core.worker.js" "${wasm[@]/#/$dir/node/}" "$out.tmp/node/"
  # The pthread worker imports the module whose URL it is sent (wasm/mt-pre.js always sends one).
  # Its fallback, a literal import("./rnn_core.mjs"), would make a bundler put a second copy of the
  # module into the worker's bundle: drop it, and keep bundlers off the computed import.
  node -e '
    const fs = require("fs"), f = process.argv[1];
    const from = "(e.data.urlOrBlob?import(e.data.urlOrBlob):import(\"./rnn_core.mjs\"))";
    const s = fs.readFileSync(f, "utf8");
    if (s.split(from).length !== 2) { console.error(`build.sh: ${f} no longer has the expected import of the module: update this patch`); process.exit(1); }
    fs.writeFileSync(f, s.replace(from, "import(/* webpackIgnore: true */ /* @vite-ignore */ e.data.urlOrBlob)"));
  ' "$out.tmp/mt/rnn_core.worker.js"
  # The package is "type": "module"; the node build and its pthread worker are CommonJS.
  echo '{ "type": "commonjs" }' > "$out.tmp/node/package.json"
  rm -rf "$out" && mv "$out.tmp" "$out"
}
for t in "${targets[@]}"; do
  case $t in
    native)
      cmake -S . -B build/native -DCMAKE_BUILD_TYPE=Release >/dev/null
      cmake --build build/native -j"$jobs" ;;
    wasm) build_wasm build/wasm wasm/dist -DRNN_WASM_SINGLE_FILE=OFF ;;
    # The same builds with each wasm inlined as base64, for tests/bench/load-variants.mjs only (same
    # build folder: switching between the two only links again).
    wasm-single) build_wasm build/wasm wasm/dist-single -DRNN_WASM_SINGLE_FILE=ON ;;
    *) echo "unknown target $t" >&2; exit 2 ;;
  esac
done
