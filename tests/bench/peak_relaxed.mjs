// Runs peak_relaxed.c (built here with clang-19 + wasm-ld-19 into build/bench/peak_relaxed.wasm):
// GFLOP/s of 12 register-only f32x4 multiply-add chains, relaxed_madd vs mul + add, one core, in
// Node. Node 20 needs --experimental-wasm-relaxed-simd: without relaxed SIMD this script runs
// itself again with it. Prints human lines, then one JSON object on its last line.
// usage: node tests/bench/peak_relaxed.mjs [--quick]
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const quick = process.argv.includes('--quick');
const FLAG = '--experimental-wasm-relaxed-simd';
// The same probe as wasm/index.js: f32x4.relaxed_madd.
const probe = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 19, 1, 17, 0,
  65, 0, 253, 15, 65, 0, 253, 15, 65, 0, 253, 15, 253, 133, 2, 11]);
if (!WebAssembly.validate(probe)) {
  if (process.execArgv.includes(FLAG)) {
    console.log('relaxed SIMD is not supported by this node');
    console.log(JSON.stringify({ error: 'relaxed SIMD not supported' }));
    process.exit(1);
  }
  const r = spawnSync(process.execPath, [FLAG, fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

const out = join(root, 'build', 'bench');
mkdirSync(out, { recursive: true });
const obj = join(out, 'peak_relaxed.o'), wasm = join(out, 'peak_relaxed.wasm');
execFileSync('clang-19', ['--target=wasm32', '-O3', '-msimd128', '-mrelaxed-simd', '-c', join(here, 'peak_relaxed.c'), '-o', obj]);
execFileSync('wasm-ld-19', ['--no-entry', '--export=madd_chains', '--export=muladd_chains', obj, '-o', wasm]);
const { instance } = await WebAssembly.instantiate(readFileSync(wasm));
const { madd_chains: madd, muladd_chains: muladd } = instance.exports;

const median = (v) => { const s = [...v].sort((a, b) => a - b); const n = s.length; return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2; };
const FLOPS = 12 * 4 * 2; // per iteration: 12 chains × 4 lanes × (multiply + add)
const n = quick ? 2e6 : 1e7;
const samples = quick ? 5 : 9;
// a·acc + b with a = 0.999999 and b = 1e-6 stays finite and normal for any n.
const gflops = (f) => FLOPS * n / f / 1e9;
const time = (fn) => { const t = performance.now(); fn(n, 1, 0.999999, 1e-6); return (performance.now() - t) / 1e3; };
for (let i = 0; i < 2; i++) { time(madd); time(muladd); } // warm up (tier-up)
const tm = [], ta = [];
for (let i = 0; i < samples; i++) { tm.push(time(madd)); ta.push(time(muladd)); } // interleaved
const r = {
  node: process.version, chains: 12, lanes: 4, iterations: n, samples,
  relaxed_madd: { gflops: gflops(median(tm)), best: gflops(Math.min(...tm)) },
  mul_add: { gflops: gflops(median(ta)), best: gflops(Math.min(...ta)) },
};
r.ratio = r.relaxed_madd.gflops / r.mul_add.gflops;
console.log(`peak, one core, 12 chains f32x4 (Node ${process.version}): relaxed_madd ${r.relaxed_madd.gflops.toFixed(1)} GFLOP/s, ` +
  `mul+add ${r.mul_add.gflops.toFixed(1)} GFLOP/s (medians of ${samples}; best ${r.relaxed_madd.best.toFixed(1)} / ${r.mul_add.best.toFixed(1)}): ${r.ratio.toFixed(2)}x`);
console.log(JSON.stringify(r));
