// Proves the WebAssembly build uses SIMD in its hot loops: extracts the wasm embedded in
// wasm/dist/rnn_core.mjs, disassembles it with wabt's wasm-objdump and counts v128 instructions
// in each kernel function. Exits non-zero if a kernel has none.
//   node tests/bench/check-simd.mjs [path/to/rnn_core.mjs]   (tests/bench/run.sh builds the named variant)
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// A build that keeps function names (--profiling-funcs), otherwise identical to the shipped one.
const src = readFileSync(process.argv[2] ?? new URL('../../build/wasm-names/rnn_core.mjs', import.meta.url), 'utf8');
const m = src.match(/data:application\/octet-stream;base64,([A-Za-z0-9+/=]+)/);
if (!m) throw new Error('no embedded wasm found in rnn_core.mjs');
const wasmPath = join(mkdtempSync(join(tmpdir(), 'rnn-simd-')), 'rnn_core.wasm');
writeFileSync(wasmPath, Buffer.from(m[1], 'base64'));
const dis = execFileSync('wasm-objdump', ['-d', wasmPath], { maxBuffer: 1 << 28 }).toString();

// Split the disassembly into functions: lines like "0012ab func[123] <name>:".
const funcs = new Map();
let current = null;
for (const line of dis.split('\n')) {
  const head = line.match(/func\[\d+\] <(.+)>:$/);
  if (head) {
    current = { name: head[1], v128: 0, f32x4: 0, total: 0 };
    funcs.set(current.name, current);
  } else if (current && line.includes('|')) {
    current.total++;
    const op = line.split('|')[1] ?? '';
    if (/\b(v128|f32x4|i32x4|i8x16|i16x8|i64x2|f64x2)\./.test(op)) current.v128++;
    if (/f32x4\.(mul|add|sub|div)/.test(op)) current.f32x4++;
  }
}
// The hot loops: the GEMM register blocks and the elementwise kernels (wrappers that only call
// them are listed but not required to contain SIMD themselves).
const hot = ['matmul_strided_a', 'rows_axpy', 'block_axpy', 'rows_dot', 'block_dot', 'softmax', 'sigmoid', 'tanh', 'axpy', 'dot'];
let bad = 0;
console.log('function (kernels::*)'.padEnd(70), 'v128 ops', 'f32x4 arith', 'instructions');
for (const [name, f] of funcs) {
  if (!name.includes('kernels::') || name.includes('ref::')) continue; // references are scalar by design
  const required = hot.some((k) => name.includes(k)) && f.total > 20;
  console.log(name.slice(0, 69).padEnd(70), String(f.v128).padStart(8), String(f.f32x4).padStart(11), String(f.total).padStart(12), required && !f.v128 ? '  <- NO SIMD' : '');
  if (required && f.v128 === 0) bad++;
}
const total = [...funcs.values()].reduce((s, f) => s + f.v128, 0);
console.log(`v128 instructions in the whole module: ${total}`);
if (bad) {
  console.error(`${bad} kernel function(s) without SIMD instructions`);
  process.exit(1);
}
