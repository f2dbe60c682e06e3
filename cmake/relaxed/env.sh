# Environment for the relaxed-SIMD WebAssembly builds (sourced by the wrappers in this folder).
# Emscripten 3.1.6 (Debian) drives Debian's clang-19/wasm-ld-19, which know the final relaxed-SIMD
# opcodes, instead of its clang 14; and npm's binaryen (package.json devDependency) instead of
# Debian's binaryen 108, which can't parse those opcodes. See README "Relaxed SIMD build".
_relaxed_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export EM_LLVM_ROOT=/usr/bin EM_LLVM_ADD_VERSION=19 EM_CLANG_ADD_VERSION=19
# Emscripten runs binaryen's tools by bare name (Debian's emcc): PATH decides. bin/ holds shims
# for wasm-opt and wasm-metadce that run npm's binaryen.
export EM_BINARYEN_ROOT=$_relaxed_dir PATH=$_relaxed_dir/bin:$PATH
# Read the link's metadata in Python instead of with wasm-emscripten-finalize, which npm's binaryen
# doesn't ship; with -sWASM_BIGINT the wasm needs no other change after wasm-ld.
export EMCC_READ_METADATA=python
export NODE_PATH=${NODE_PATH:-/usr/share/nodejs}
