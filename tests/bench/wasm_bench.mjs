// Training-step throughput of the WebAssembly build through the public API, on the same
// synthetic corpus and configs as build/native/kernels_bench, so the two can be compared.
import { createTrainer, features } from '../../wasm/index.js';

let text = '';
let s = 1n;
for (let i = 0; i < 400000; i++) {
  s = (s * 6364136223846793005n + 1442695040888963407n) & ((1n << 64n) - 1n);
  text += String.fromCharCode(97 + Number((s >> 33n) % 26n));
}
const configs = [
  ['char LSTM 2×256, emb 64, B32×T64', { hidden: 256, layers: 2, embedding: 64, batchSize: 32, seqLength: 64 }],
  ['char GRU 1×128, B32×T64', { cell: 'gru', hidden: 128, layers: 1, batchSize: 32, seqLength: 64 }],
  ['char RNN 1×128, B32×T64', { cell: 'rnn', hidden: 128, layers: 1, batchSize: 32, seqLength: 64 }],
];
console.log(`simd: ${features().simd}, build: ${features().build}`);
for (const [what, cfg] of configs) {
  const tr = await createTrainer({ text, ...cfg });
  tr.step();
  const times = [];
  for (let i = 0; i < 9; i++) {
    const t0 = performance.now();
    tr.step();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const ms = times[4];
  console.log(`train step ${what.padEnd(36)} ${ms.toFixed(1).padStart(8)} ms  ${((32 * 64) / ms * 1000).toFixed(0).padStart(9)} tokens/s`);
  tr.dispose();
}
