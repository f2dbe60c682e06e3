// npm run bench, section memory: where the bytes of a training run go, buffer by buffer, against the
// unavoidable minimum (parameters, gradients, optimizer moments, the activations backpropagation
// through time must keep, the corpus ids — `needed` in info.memoryEstimate.items), and the measured
// peak of the WebAssembly heap (tests/node/memory_probe.mjs: a fresh heap, two steps, a checkpoint,
// an evaluation). Two runs: the reference workload (tests/bench/workload.json's options on a
// generated text of Tiny Shakespeare's length) and a word-level LSTM 2×256 with a 33 K vocabulary.
// Prints the tables and, last, one JSON line.
// usage: node tests/bench/memory_bench.mjs
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const workload = JSON.parse(readFileSync(join(root, 'tests', 'bench', 'workload.json'), 'utf8'));
const MiB = 2 ** 20;
const RUNS = [
  ['reference workload: char LSTM 2×256, batch 32 × 64', { size: 1115394, options: workload.options }],
  ['word LSTM 2×256, embedding 256, 33 K words, batch 32 × 32',
    { size: 4_000_000, words: 33000, options: { tokenizer: 'word', minCount: 1, layers: 2, hidden: 256, embedding: 256, seqLength: 32, batchSize: 32 } }],
];

const results = [];
for (const [what, input] of RUNS) {
  const r = spawnSync(process.execPath, [join(root, 'tests', 'node', 'memory_probe.mjs'), JSON.stringify(input)], {
    encoding: 'utf8', env: { ...process.env, RNN_WASM_THREADS: '2' }, maxBuffer: 1 << 24,
  });
  if (r.status !== 0) {
    console.error(`${what}: the probe failed (status ${r.status}):\n${r.stderr}`);
    process.exit(1);
  }
  const { estimate, measured, vocabSize } = JSON.parse(r.stdout.trim().split('\n').pop());
  const items = estimate.items ?? [];
  console.log(`\n${what} (vocabulary ${vocabSize}, ${estimate.parameters.toLocaleString('en')} parameters)`);
  console.log('| buffer | MiB | in the minimum |');
  console.log('|---|--:|:-:|');
  for (const i of items) console.log(`| ${i.name} | ${(i.bytes / MiB).toFixed(2)} | ${i.needed ? 'yes' : ''} |`);
  const ratio = (x) => (x / estimate.minimumBytes).toFixed(2);
  console.log(`| **estimate, all buffers** | **${(estimate.totalBytes / MiB).toFixed(1)}** | ${ratio(estimate.totalBytes)} × minimum |`);
  console.log(`| **unavoidable minimum** | **${(estimate.minimumBytes / MiB).toFixed(1)}** | |`);
  console.log(`| **measured peak of the wasm heap** | **${(measured / MiB).toFixed(1)}** | ${ratio(measured)} × minimum, ${(measured / estimate.totalBytes).toFixed(2)} × estimate |`);
  results.push({ what, vocabSize, parameters: estimate.parameters, items, totalBytes: estimate.totalBytes,
    minimumBytes: estimate.minimumBytes, measuredBytes: measured });
}
console.log(JSON.stringify({ memory: results }));
