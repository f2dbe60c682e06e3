// WebAssembly in Node: the reference workload (workload.json) through the public API
// (browser/run-workload.js, the same code the Chromium bench runs), on 1 and 2 threads when the
// module has setThreads(). Prints human lines, then one JSON object on its last line.
// Also the tasks' cost (tasks-workload.json, as train_bench.cpp): tokens/s of a 2-layer 256 LSTM
// tagger, uni- and bidirectional, beside the language model of the same size, when the API has tasks.
// Relaxed SIMD: the workload runs on the simd128 builds (RNN_WASM_SIMD=simd128), then once more
// in a child node with --experimental-wasm-relaxed-simd on the relaxed-SIMD builds (its result in
// `relaxed`); --no-relaxed skips that pass.
// usage: node tests/bench/wasm_bench.mjs [--quick] [--tasks-only] [--no-relaxed]
// env: RNN_DATA_DIR (corpus folder, default ../shared/data), RNN_WASM_DIR (a folder with index.js
// and dist/ to benchmark instead of wasm/)
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { runWorkload } from './browser/run-workload.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const quick = process.argv.includes('--quick');
const apiDir = process.env.RNN_WASM_DIR ? resolve(process.env.RNN_WASM_DIR) : join(root, 'wasm');
const relaxedPass = process.env.RNN_WASM_BENCH_PASS === 'relaxed'; // the child of relaxedBench()
if (!relaxedPass) process.env.RNN_WASM_SIMD ||= 'simd128';
const api = await import(pathToFileURL(join(apiDir, 'index.js')).href);
const workload = JSON.parse(readFileSync(join(here, 'workload.json'), 'utf8'));
const dataDir = process.env.RNN_DATA_DIR || resolve(root, '..', 'shared', 'data');
const text = readFileSync(join(dataDir, workload.data), 'utf8');

console.log(`Node ${process.version}, API ${join(apiDir, 'index.js')}, corpus ${join(dataDir, workload.data)}`);
const r = process.argv.includes('--tasks-only') ? {} : await runWorkload(api, { text, workload, quick, log: (s) => console.log(s) });
if (relaxedPass) {
  console.log(JSON.stringify(r));
  process.exit(0);
}
if (!process.argv.includes('--tasks-only') && !process.argv.includes('--no-relaxed')) r.relaxed = relaxedBench();
r.tasks = await tasksBench();
r.node = process.version;
r.rssBytes = process.memoryUsage().rss;
console.log(`Node process RSS: ${(r.rssBytes / 1e6).toFixed(1)} MB`);
console.log(JSON.stringify(r));

// The same workload on the relaxed-SIMD builds, in a child node that runs relaxed SIMD.
function relaxedBench() {
  if (!existsSync(join(apiDir, 'dist', 'node', 'rnn_core_relaxed.js'))) {
    console.log('relaxed SIMD: skipped (no dist/node/rnn_core_relaxed.js)');
    return null;
  }
  const args = ['--experimental-wasm-relaxed-simd', fileURLToPath(import.meta.url), ...(quick ? ['--quick'] : [])];
  const c = spawnSync(process.execPath, args, {
    encoding: 'utf8', maxBuffer: 64 << 20, timeout: 20 * 60_000,
    env: { ...process.env, RNN_WASM_SIMD: 'relaxed', RNN_WASM_BENCH_PASS: 'relaxed' },
  });
  const lines = (c.stdout || '').trim().split('\n');
  for (const l of lines.slice(0, -1)) if (!l.startsWith('Node ')) console.log(`relaxed SIMD: ${l}`);
  let rel;
  try {
    rel = JSON.parse(lines[lines.length - 1]);
  } catch {
    const why = (c.stderr || '').trim().split('\n').pop() || `exit ${c.status}`;
    console.log(`relaxed SIMD: failed (${why})`);
    return { error: why };
  }
  for (const t of rel.train ?? []) {
    const base = r.train?.find((b) => b.threads === t.threads);
    if (base) console.log(`relaxed SIMD / simd128, ${t.threads} thread${t.threads > 1 ? 's' : ''}: ${t.tokensPerSecond.toFixed(0)} / ${base.tokensPerSecond.toFixed(0)} tokens/s = ${(t.tokensPerSecond / base.tokensPerSecond).toFixed(2)}x`);
  }
  return rel;
}

async function tasksBench() {
  const w = JSON.parse(readFileSync(join(here, 'tasks-workload.json'), 'utf8'));
  const warmup = w.steps.warmup, steps = quick ? w.steps.quickMeasure : w.steps.measure;
  // The same synthetic examples as train_bench.cpp's tagger_examples().
  let x = 12345;
  const next = () => (x = (Math.imul(x, 1664525) + 1013904223) >>> 0);
  const examples = [];
  for (let i = 0; i < w.examples; i++) {
    const tokens = [], tags = [];
    for (let t = 0; t < w.length; t++) {
      const s = (next() >>> 8) % w.vocab;
      tokens.push(`s${s}`);
      tags.push(`g${(s * 7 + ((next() >>> 20) % 3)) % w.tags}`);
    }
    examples.push({ tokens, tags });
  }
  const median = (v) => { const s = [...v].sort((a, b) => a - b); const n = s.length; return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2; };
  // Median wall ms per step; cpu, if given, gets the process's mean CPU ms per step (on one
  // thread the cost an idle core would take, much less disturbed by other jobs than wall time).
  const stepMs = (t, cpu) => {
    for (let i = 0; i < warmup; i++) t.step();
    const ms = [];
    const c0 = process.cpuUsage();
    for (let i = 0; i < steps; i++) { const a = performance.now(); t.step(); ms.push(performance.now() - a); }
    if (cpu) { const c = process.cpuUsage(c0); cpu.ms = (c.user + c.system) / 1e3 / steps; }
    return median(ms);
  };
  let uni, bi, uni1, bi1, lm;
  try {
    uni = await api.createTrainer({ ...w.options, examples, bidirectional: false });
    bi = await api.createTrainer({ ...w.options, examples, bidirectional: true });
    // One layer each: there a bidirectional layer does exactly twice a unidirectional one's arithmetic.
    uni1 = await api.createTrainer({ ...w.options, layers: 1, examples, bidirectional: false });
    bi1 = await api.createTrainer({ ...w.options, layers: 1, examples, bidirectional: true });
    lm = await api.createTrainer({ ...workload.options, text });
  } catch (e) {
    for (const t of [uni, bi, uni1, bi1, lm]) t?.dispose();
    console.log(`tasks: skipped (${e.message})`);
    return null;
  }
  const rows = [];
  const maxT = Math.min(2, api.features?.().maxThreads ?? 1);
  for (let threads = 1; threads <= maxT; threads++) {
    api.setThreads?.(threads);
    const cpuUni1 = {}, cpuBi1 = {};
    const msLm = stepMs(lm), msUni = stepMs(uni), msBi = stepMs(bi), msUni1 = stepMs(uni1, cpuUni1), msBi1 = stepMs(bi1, cpuBi1);
    const tpsLm = (workload.options.batchSize * workload.options.seqLength) / msLm * 1e3;
    const tpsUni = (w.options.batchSize * w.length) / msUni * 1e3, tpsBi = (w.options.batchSize * w.length) / msBi * 1e3;
    console.log(`tasks ${threads} thread${threads > 1 ? 's' : ' '}: LM ${tpsLm.toFixed(0)} tokens/s, tagger uni ${tpsUni.toFixed(0)} tokens/s, ` +
      `tagger bi ${tpsBi.toFixed(0)} tokens/s; bi/uni cost per token ${(tpsUni / tpsBi).toFixed(2)}x (one layer: ${(msBi1 / msUni1).toFixed(2)}x wall, ${(cpuBi1.ms / cpuUni1.ms).toFixed(2)}x CPU time), bi tagger/LM ${(tpsLm / tpsBi).toFixed(2)}x`);
    rows.push({ threads, lm: { msMedian: msLm, tokensPerSecond: tpsLm }, taggerUni: { msMedian: msUni, tokensPerSecond: tpsUni },
      taggerBi: { msMedian: msBi, tokensPerSecond: tpsBi }, biOverUni: tpsUni / tpsBi, biOverLm: tpsLm / tpsBi,
      taggerUniOneLayer: { msMedian: msUni1 }, taggerBiOneLayer: { msMedian: msBi1 }, biOverUniOneLayer: msBi1 / msUni1,
      biOverUniOneLayerCpu: cpuBi1.ms / cpuUni1.ms });
  }
  const info = uni.info;
  for (const t of [uni, bi, uni1, bi1, lm]) t.dispose();
  return { tags: info.labels?.length ?? w.tags, vocab: info.vocabSize, batch: w.options.batchSize, length: w.length, steps, rows };
}
process.exit(0); // pool workers of a threaded build must not keep the process alive
