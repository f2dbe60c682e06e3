#!/usr/bin/env bash
# Configure and build: native (library, tests, tools, benchmarks) and WebAssembly.
# usage: cmake/build.sh [native] [wasm] [wasm-single]   (default: native wasm)
set -euo pipefail
cd "$(dirname "$0")/.."
# `npm run`/`npm test` put node_modules/.bin first on PATH, and with it npm's binaryen 132 (a
# devDependency, for the relaxed builds only, which reach it through cmake/relaxed/). Debian's emcc
# runs wasm-opt by bare name, and 132's import-name mapping is not the format emcc 3.1.6 reads: the
# simd128 builds linked under npm failed to instantiate ("memory import must be a
# WebAssembly.Memory object"). So those builds never see node_modules/.bin.
PATH=$(printf '%s' "$PATH" | tr ':' '\n' | grep -v '/node_modules/\.bin$' | paste -sd: -)
export PATH
targets=("$@"); ((${#targets[@]})) || targets=(native wasm)
jobs=$(nproc)

# One configure, three targets (CMakeLists.txt): st (no threads), mt (pthreads, browsers) and node
# (pthreads, CommonJS). The output folder gets one folder per build; index.js picks one at load.
# usage: build_wasm BUILD_DIR STAGE_DIR NAME [cmake options]: builds, then copies the three into
# STAGE_DIR: NAME rnn_core into st/, mt/ and node/; NAME rnn_core_relaxed (the relaxed-SIMD builds,
# files named so) into st-relaxed/, mt-relaxed/ and node/ (beside the other Node build: a browser
# bundler or site never takes in dist/node).
build_wasm() {
  local dir=$1 out=$2 name=$3; shift 3
  local sfx=
  [[ $name == rnn_core_relaxed ]] && sfx=-relaxed
  export NODE_PATH=/usr/share/nodejs   # emscripten's JS optimizer needs acorn from here
  local single=OFF before=
  [[ " $* " == *" -DRNN_WASM_SINGLE_FILE=ON "* ]] && single=ON
  [[ -f $dir/CMakeCache.txt ]] && before=$(sed -n 's/^RNN_WASM_SINGLE_FILE:BOOL=//p' "$dir/CMakeCache.txt")
  # Switching between inlined and separate wasm changes link options only: link again.
  [[ $before && $before != "$single" ]] && rm -f "$dir"/{,mt/,node/}"$name".{mjs,js,wasm}
  emcmake cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release \
    "-DCMAKE_CROSSCOMPILING_EMULATOR=node;--no-experimental-fetch" "$@" >/dev/null
  cmake --build "$dir" -j"$jobs"
  mkdir -p "$out/st$sfx" "$out/mt$sfx" "$out/node"
  # Each build's .wasm when it is a file of its own (not with -DRNN_WASM_SINGLE_FILE=ON).
  local wasm=()
  [[ $single == OFF ]] && wasm=("$name.wasm")
  cp "$dir/$name.mjs" "${wasm[@]/#/$dir/}" "$out/st$sfx/"
  cp "$dir/mt/$name.mjs" "$dir/mt/$name.worker.js" "${wasm[@]/#/$dir/mt/}" "$out/mt$sfx/"
  cp "$dir/node/$name.js" "$dir/node/$name.worker.js" "${wasm[@]/#/$dir/node/}" "$out/node/"
  # The pthread worker imports the module whose URL it is sent (wasm/mt-pre.js always sends one).
  # Its fallback, a literal import("./rnn_core.mjs"), would make a bundler put a second copy of the
  # module into the worker's bundle: drop it, and keep bundlers off the computed import.
  node -e '
    const fs = require("fs"), f = process.argv[1], name = process.argv[2];
    const from = `(e.data.urlOrBlob?import(e.data.urlOrBlob):import("./${name}.mjs"))`;
    const s = fs.readFileSync(f, "utf8");
    if (s.split(from).length !== 2) { console.error(`build.sh: ${f} no longer has the expected import of the module: update this patch`); process.exit(1); }
    fs.writeFileSync(f, s.replace(from, "import(/* webpackIgnore: true */ /* @vite-ignore */ e.data.urlOrBlob)"));
  ' "$out/mt$sfx/$name.worker.js" "$name"
  # The package is "type": "module"; the node builds and their pthread workers are CommonJS.
  echo '{ "type": "commonjs" }' > "$out/node/package.json"
}
# The relaxed-SIMD builds (README "Relaxed SIMD build"): em++ through cmake/relaxed/, which runs
# Debian's clang-19 (apt: clang-19 lld-19) and npm's binaryen (devDependency) in place of
# Emscripten's clang 14 and binaryen 108.
relaxed_check() {
  if [[ ! -x /usr/bin/clang-19 || ! -x /usr/bin/wasm-ld-19 ]]; then
    echo "build.sh: the relaxed-SIMD builds need clang-19 and lld-19 (bash .ci/deps.sh)" >&2; exit 1
  fi
  if [[ ! -f node_modules/binaryen/bin/wasm-opt ]]; then
    echo "build.sh: the relaxed-SIMD builds need npm's binaryen (npm ci)" >&2; exit 1
  fi
}
# usage: wasm_dist OUT_DIR SINGLE_FILE(ON|OFF) [relaxed]
wasm_dist() {
  local out=$1 single=$2 relaxed=${3:-}
  # A staging folder of this run's own: two builds at once must not empty each other's.
  local tmp=$out.tmp.$$
  rm -rf "$tmp" && mkdir -p "$tmp"
  build_wasm build/wasm "$tmp" rnn_core -DRNN_WASM_SINGLE_FILE="$single"
  if [[ $relaxed ]]; then
    relaxed_check
    local w=$PWD/cmake/relaxed
    build_wasm build/relaxed "$tmp" rnn_core_relaxed -DRNN_WASM_SINGLE_FILE="$single" -DRNN_WASM_RELAXED=ON \
      "-DCMAKE_C_COMPILER=$w/emcc" "-DCMAKE_CXX_COMPILER=$w/em++" "-DCMAKE_AR=$w/emar" "-DCMAKE_RANLIB=$w/emranlib"
  fi
  rm -rf "$out" && mv "$tmp" "$out"
}
for t in "${targets[@]}"; do
  case $t in
    native)
      cmake -S . -B build/native -DCMAKE_BUILD_TYPE=Release >/dev/null
      cmake --build build/native -j"$jobs" ;;
    # Today's builds (dist/st, mt, node: rnn_core.*) and the relaxed-SIMD ones
    # (dist/st-relaxed, mt-relaxed: rnn_core_relaxed.*; Node: dist/node/rnn_core_relaxed.js).
    wasm) wasm_dist wasm/dist OFF relaxed ;;
    # The same builds with each wasm inlined as base64, for tests/bench/load-variants.mjs only (same
    # build folder: switching between the two only links again).
    wasm-single) wasm_dist wasm/dist-single ON ;;
    *) echo "unknown target $t" >&2; exit 2 ;;
  esac
done
