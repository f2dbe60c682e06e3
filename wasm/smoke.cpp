// Placeholder wasm target proving the core links for WebAssembly until the Embind bindings land.
#include <emscripten/bind.h>
#include "kernels.h"
static float dot3() { float a[3] = {1, 2, 3}, c = 0; rnn::kernels::matmul_nt(1, 1, 3, a, a, &c, false); return c; }
EMSCRIPTEN_BINDINGS(smoke) { emscripten::function("dot3", &dot3); }
