#!/usr/bin/env bash
# npm run bench: the performance picture of rnn-wasm on this machine, side by side.
#   1 peak      register-only multiply-add loops: native AVX2 FMA, AVX-512 FMA, wasm simd128 (Node); 1 and 2 threads
#   2 gemm      GEMM GFLOP/s for every product of one training step of the reference workload, native and wasm
#   3 train     training tokens/s on the reference workload (tests/bench/workload.json): native, wasm in Node,
#               wasm in headless Chromium (module worker, threads when cross-origin isolated); 1 and 2 threads
#   4 competitors  TensorFlow.js and brain.js on the same workload (tests/bench/competitors.mjs)
#   5 generation tokens/s of one stream, native and wasm;  6 memory: native peak RSS, wasm memory, and
#               every buffer of a run against the unavoidable minimum (memory_bench.mjs: the reference
#               workload and a word LSTM at 33 K words)
#   7 vocab     word models at 10 K and 33 K words: the output layer's GEMMs and softmax (in gemm),
#               training tokens/s with the full and the adaptive softmax (vocab_bench), generation
#               tokens/s at 33 K words with each (generate_bench.mjs, wasm in Node)
#   + the check that the wasm hot loops are SIMD (check-simd.mjs)
# Each program prints human lines and, last, one JSON line; report.mjs merges them into
# build/bench/results.json and prints the tables (also build/bench/results.md).
#
# usage: npm run bench [-- --quick] [--no-build] [--skip GROUP,...]
#   --quick     fewer steps and samples everywhere (competitors too): about half the time
#   --no-build  use the existing build/native and wasm/dist (default: bash cmake/build.sh native wasm)
#   --skip      any of: peak gemm train node browser vocab memory competitors simd
# env: RNN_DATA_DIR (corpus folder, default ../shared/data), BENCH_NATIVE_DIR (native build dir,
#      default build/native; another dir builds only the bench targets there), RNN_WASM_DIR (API
#      folder for Node and the site, default wasm/), CHROMIUM (default /usr/bin/chromium)
set -uo pipefail
cd "$(dirname "$0")/../.."
# npm run puts node_modules/.bin (npm's binaryen 132) first on PATH; Debian's em++ must run its own
# wasm-opt (see cmake/build.sh).
PATH=$(printf '%s' "$PATH" | tr ':' '\n' | grep -v '/node_modules/\.bin$' | paste -sd: -)
export PATH

quick=() build=1 skip=","
while (($#)); do
  case $1 in
    --quick) quick=(--quick) ;;
    --no-build) build=0 ;;
    --skip) skip+="${2:-},"; shift ;;
    --skip=*) skip+="${1#--skip=}," ;;
    -h | --help) sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

out=build/bench
native=${BENCH_NATIVE_DIR:-build/native}
wasm_tools=build/bench-wasm
export NODE_PATH=/usr/share/nodejs # emscripten's JS optimizer needs acorn from here
mkdir -p "$out" "$wasm_tools"
rm -rf "$out/status" "$out"/*.json "$out"/*.log "$out/results.md"
mkdir -p "$out/status"
started=$SECONDS
failed=0

note() { printf '%s\n' "$*" >&2; }

# section NAME GROUP TIMEOUT CMD...: runs CMD, shows its output (minus the JSON line), keeps it all in
# $out/NAME.log and the last JSON line in $out/NAME.json, and records ok/fail in $out/status/NAME.
section() {
  local name=$1 group=$2 limit=$3
  shift 3
  if [[ $skip == *",$group,"* ]]; then
    echo "skipped --skip $group" >"$out/status/$name"
    return
  fi
  echo
  echo "== $name"
  local t0=$SECONDS rc
  timeout --kill-after=10 "$limit" "$@" 2>&1 | tee "$out/$name.log" | grep --line-buffered -v '^{.*}$'
  rc=${PIPESTATUS[0]}
  grep '^{.*}$' "$out/$name.log" | tail -n 1 >"$out/$name.json"
  if ((rc == 0)); then
    echo "ok $((SECONDS - t0))" >"$out/status/$name"
  else
    ((rc == 124)) && note "$name: timed out after $limit s"
    echo "fail $rc $((SECONDS - t0))" >"$out/status/$name"
    failed=1
  fi
}

node tests/bench/machine.mjs >"$out/machine.json"

# ---- builds ------------------------------------------------------------------------------------
if ((build)); then
  echo "== build ($native, wasm/dist, $wasm_tools)"
  if [[ $native == build/native ]]; then
    cmd=(bash cmake/build.sh native wasm)
  else
    cmd=(bash -c "cmake -S . -B '$native' -DCMAKE_BUILD_TYPE=Release >/dev/null && cmake --build '$native' -j$(nproc) --target peak gemm_bench train_bench kernels_bench vocab_bench")
  fi
  if ! "${cmd[@]}" >"$out/build.log" 2>&1; then
    tail -n 40 "$out/build.log"
    note "build failed (full log: $out/build.log)"
    exit 1
  fi
fi
for exe in peak gemm_bench train_bench kernels_bench vocab_bench rnn_tool; do
  [[ -x $native/$exe ]] || { note "$native/$exe is missing: build first (drop --no-build)"; exit 1; }
done

# The wasm twins of peak.cpp and gemm_bench.cpp: plain em++ programs for Node with pthreads (2 threads),
# against the core's kernel sources only. Rebuilt when a source is newer than the output.
mkdir -p "$wasm_tools/include"
ln -sfn /usr/include/xsimd "$wasm_tools/include/xsimd" # a folder holding only xsimd: never -I/usr/include
echo '{ "type": "commonjs" }' >"$wasm_tools/package.json"
em_flags=(-std=c++17 -O3 -msimd128 -msse2 -Icore -isystem "$wasm_tools/include"
  -pthread -sPTHREAD_POOL_SIZE=2 -DRNN_WASM_POOL_SIZE=2 -sENVIRONMENT=node -sEXIT_RUNTIME=1
  -sSINGLE_FILE=1 -sINITIAL_MEMORY=512MB) # gemm_bench: the 33 K-word output products hold ~200 MB
build_wasm_tool() { # NAME SOURCES...
  local name=$1 target=$wasm_tools/$1.js
  shift
  if [[ -f $target ]] && [[ -z $(find "$@" core/kernels -newer "$target" 2>/dev/null) ]]; then return 0; fi
  em++ "${em_flags[@]}" "$@" -o "$target" >"$out/em-$name.log" 2>&1 || {
    tail -n 30 "$out/em-$name.log"
    note "em++ $name failed (log: $out/em-$name.log)"
    return 1
  }
}
kernel_sources=(core/kernels/*.cpp)
build_wasm_tool peak tests/bench/peak.cpp || exit 1
build_wasm_tool gemm_bench tests/bench/gemm_bench.cpp "${kernel_sources[@]}" || exit 1

# ---- 1. peak, 2. GEMM --------------------------------------------------------------------------
section peak-native peak 300 "$native/peak" "${quick[@]}"
section peak-wasm peak 300 node "$wasm_tools/peak.js" "${quick[@]}"
# Relaxed SIMD: f32x4.relaxed_madd against mul + add, 12 register chains, one core (clang-19 + wasm-ld-19).
section peak-relaxed peak 300 node tests/bench/peak_relaxed.mjs "${quick[@]}"
section gemm-native gemm 600 "$native/gemm_bench" "${quick[@]}"
section gemm-wasm gemm 900 node "$wasm_tools/gemm_bench.js" "${quick[@]}"

# ---- 3. training (+ 5. generation, 6. memory) ---------------------------------------------------
section train-native train 600 "$native/train_bench" "${quick[@]}"
section kernels-native train 300 "$native/kernels_bench" # other shapes and cells, activations, tokenizer (not in the table)
section wasm-node node 900 node tests/bench/wasm_bench.mjs "${quick[@]}"
section wasm-chromium browser 900 node tests/bench/browser_bench.mjs "${quick[@]}"

# ---- large vocabularies (full vs adaptive softmax, one thread in CPU time), memory by buffer --------
section vocab-native vocab 900 env RNN_THREADS=1 "$native/vocab_bench" "${quick[@]}"
# Generation at 33 K words, wasm in Node: full softmax against the adaptive one sampled in two levels
# (the two models are trained natively once, ~1 minute, and kept in build/bench-models).
gen_rounds=3
((${#quick[@]})) && gen_rounds=1
section generate-33k vocab 900 node tests/bench/generate_bench.mjs --setup build/bench-models \
  --tool "$native/rnn_tool" --length 1000 --rounds "$gen_rounds"
section memory memory 600 node tests/bench/memory_bench.mjs

# ---- 4. competitors ----------------------------------------------------------------------------
if [[ -f tests/bench/competitors.mjs ]]; then
  section competitors competitors 1500 node tests/bench/competitors.mjs "${quick[@]}"
else
  echo "skipped tests/bench/competitors.mjs not found" >"$out/status/competitors"
fi

# ---- SIMD in the wasm hot loops ----------------------------------------------------------------
section simd-check simd 900 bash -c '
  emcmake cmake -S . -B build/wasm-names -DCMAKE_BUILD_TYPE=Release -DRNN_WASM_NAMES=ON \
    "-DCMAKE_CROSSCOMPILING_EMULATOR=node;--no-experimental-fetch" >/dev/null &&
  cmake --build build/wasm-names -j"$(nproc)" >/dev/null &&
  node tests/bench/check-simd.mjs build/wasm-names/rnn_core.mjs'

node tests/bench/machine.mjs >"$out/machine-end.json"
echo
echo "== results ($((SECONDS - started)) s)"
node tests/bench/report.mjs "$out" || failed=1
exit $failed
