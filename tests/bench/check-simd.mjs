// Proves the WebAssembly build uses SIMD in its hot loops: takes the wasm of a build
// that keeps function names (--profiling-funcs), disassembles it with wabt's wasm-objdump and
// counts v128 instructions per function. Exits non-zero if a hot-loop family has no SIMD.
//   node tests/bench/check-simd.mjs [path/to/rnn_core.mjs]   (tests/bench/run.sh builds the named variant)
//
// The optimiser inlines freely (activations into the LSTM cell, micro-kernels into the lambdas that
// parallel_for runs), so the check works on *families*: every function whose name mentions the
// family's keyword (a kernel, its lambdas, template instances). A family passes if one of its
// functions with a loop body (> 20 instructions) has f32x4 arithmetic; a family with no such
// function at all was inlined into its callers and is reported, not failed.
import { existsSync, readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The wasm is rnn_core.wasm next to the .mjs, or (a -DRNN_WASM_SINGLE_FILE=ON build) inlined in it.
const mjs = process.argv[2] ?? fileURLToPath(new URL('../../build/wasm-names/rnn_core.mjs', import.meta.url));
let wasmPath = join(dirname(mjs), 'rnn_core.wasm');
if (!existsSync(wasmPath)) {
  const m = readFileSync(mjs, 'utf8').match(/data:application\/octet-stream;base64,([A-Za-z0-9+/=]+)/);
  if (!m) throw new Error(`no rnn_core.wasm next to ${mjs} and no wasm inlined in it`);
  wasmPath = join(mkdtempSync(join(tmpdir(), 'rnn-simd-')), 'rnn_core.wasm');
  writeFileSync(wasmPath, Buffer.from(m[1], 'base64'));
}
const dis = execFileSync('wasm-objdump', ['-d', wasmPath], { maxBuffer: 1 << 28 }).toString();

// Split the disassembly into functions: lines like "0012ab func[123] <name>:".
const funcs = [];
let current = null;
for (const line of dis.split('\n')) {
  const head = line.match(/func\[\d+\] <(.+)>:$/);
  if (head) {
    current = { name: head[1], v128: 0, f32x4: 0, f32: 0, total: 0 };
    funcs.push(current);
  } else if (current && line.includes('|')) {
    current.total++;
    const op = line.split('|')[1] ?? '';
    if (/\b(v128|f32x4|i32x4|i8x16|i16x8|i64x2|f64x2)\./.test(op)) current.v128++;
    if (/f32x4\.(mul|add|sub|div)/.test(op)) current.f32x4++;
    else if (/\bf32\.(mul|add|sub|div)\b/.test(op)) current.f32++;
  }
}
if (!funcs.some((f) => f.name.includes('rnn::'))) throw new Error('no rnn:: function names: build with -DRNN_WASM_NAMES=ON (--profiling-funcs)');

// Hot-loop families: keyword in the (demangled) name, scalar reference functions excluded.
// The activations (simd_math.h) are always inlined: the fused cell steps that apply them are
// checked instead (forward_step, backward_step).
const families = ['gemm', 'matmul', 'softmax', 'forward_step', 'backward_step', 'add_bias', 'sum_rows', 'axpy', 'dot', 'lstm_cell', 'gru_cell'];
const short = (s, n = 96) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
let bad = 0;
console.log(`${'family'.padEnd(13)} ${'functions'.padStart(9)} ${'with SIMD'.padStart(9)} ${'f32x4 ops'.padStart(9)}  best function`);
for (const fam of families) {
  const members = funcs.filter((f) => f.name.includes('rnn::') && f.name.includes(fam) && !f.name.includes('ref::') && f.total > 20);
  if (!members.length) {
    console.log(`${fam.padEnd(13)} ${'0'.padStart(9)} ${'–'.padStart(9)} ${'–'.padStart(9)}  (inlined into its callers: not checked here)`);
    continue;
  }
  const simd = members.filter((f) => f.f32x4 > 0 || f.v128 > 0);
  const best = members.reduce((a, b) => (b.f32x4 > a.f32x4 ? b : a));
  console.log(`${fam.padEnd(13)} ${String(members.length).padStart(9)} ${String(simd.length).padStart(9)} ${String(best.f32x4).padStart(9)}  ${short(best.name)}${simd.length ? '' : '  <- NO SIMD'}`);
  if (!simd.length) bad++;
}

// For inspection: rnn:: functions that do float arithmetic, by f32x4 ops; scalar-heavy ones flagged.
console.log('\nrnn:: functions with float arithmetic (f32x4 = SIMD mul/add/sub/div, f32 = scalar):');
const arith = funcs.filter((f) => f.name.includes('rnn::') && !f.name.includes('ref::') && f.f32x4 + f.f32 >= 8)
  .sort((a, b) => b.f32x4 - a.f32x4 || b.f32 - a.f32);
for (const f of arith) {
  console.log(`${String(f.f32x4).padStart(6)} f32x4 ${String(f.f32).padStart(5)} f32  ${short(f.name, 110)}${f.f32x4 === 0 && f.f32 >= 32 ? '  <- scalar' : ''}`);
}
const total = funcs.reduce((s, f) => s + f.v128, 0);
console.log(`v128 instructions in the whole module: ${total}`);
if (bad) {
  console.error(`${bad} hot-loop famil${bad > 1 ? 'ies' : 'y'} without SIMD instructions`);
  process.exit(1);
}
