// Generation speed in WebAssembly (Node): tokens/s of model.generate for word models at a large
// vocabulary, full softmax against the adaptive softmax (whose generation samples in two levels:
// decode/sampling.h, sample_two_level), plain, top-k and top-p, on 1 and 2 threads. Rounds are
// interleaved (every model × options × threads once per round) and the median is reported, since
// the machine may be shared; 1 thread is also given in CPU time (process.cpuUsage, user + system),
// which another process's load does not inflate as it does wall time.
//
// usage: node tests/bench/generate_bench.mjs [--length 2000] [--rounds 3] [--threads 1,2] model.safetensors …
//        node tests/bench/generate_bench.mjs --setup DIR --tool build/native/rnn_tool [options]: the two
//          models below, made in DIR once (npm run bench; ~1 minute of native training) and measured
// env: RNN_WASM_DIR (a folder with index.js and dist/, default wasm/)
//
// The models of the README's table (2 × 256 LSTM, embedding 256, 33 K words; 200 steps of batch 32 × 32
// so the distributions are those of a trained model rather than an untrained one's flat ones): the
// text is word i.i.d. Zipf, made by --make-text FILE; then with the native tool
//   rnn_tool train FILE '{"tokenizer":"word","minCount":1,"layers":2,"hidden":256,"embedding":256,
//     "seqLength":32,"batchSize":32,"validationFraction":0.01[,"adaptiveSoftmax":"auto"]}' 200 --model-out M
// Prints one line per measurement, then a JSON object on its last line.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import { dirname, join, resolve, basename } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const v = args[i + 1];
  args.splice(i, 2);
  return v;
};

const makeText = flag('--make-text', null);
const setup = flag('--setup', null);
const tool = flag('--tool', null);
const writeZipf = (file) => {
  // 6 MB of words w<base-36 id>, log-uniformly ranked (p ∝ 1/rank, folded onto 33 K words), 12 to a line.
  let x = 12345;
  const next = (n) => ((x = (Math.imul(x, 1664525) + 1013904223) >>> 0) >>> 8) % n;
  const V = 33000;
  const word = () => {
    const u = (next(1 << 20) + 1) / (1 << 20);
    return 'w' + (Math.min(V - 1, Math.floor(Math.exp(u * Math.log(V * 3))) % V)).toString(36);
  };
  const lines = [];
  let size = 0;
  while (size < 6e6) {
    const line = Array.from({ length: 12 }, word).join(' ') + ' .\n';
    lines.push(line);
    size += line.length;
  }
  writeFileSync(file, lines.join(''));
  console.log(`wrote ${file}`);
};
if (makeText) {
  writeZipf(makeText);
  process.exit(0);
}
if (setup) {
  if (!tool) {
    console.error('--setup needs --tool (the native rnn_tool)');
    process.exit(2);
  }
  mkdirSync(setup, { recursive: true });
  const text = join(setup, 'zipf33k.txt');
  if (!existsSync(text)) writeZipf(text);
  const base = { tokenizer: 'word', minCount: 1, layers: 2, hidden: 256, embedding: 256, seqLength: 32, batchSize: 32, validationFraction: 0.01 };
  for (const [name, extra] of [['m33k-adaptive', { adaptiveSoftmax: 'auto' }], ['m33k-full', {}]]) {
    const model = join(setup, `${name}.safetensors`);
    if (!existsSync(model)) {
      console.log(`training ${model} (200 steps, native)`);
      execFileSync(tool, ['train', text, JSON.stringify({ ...base, ...extra }), '200', '--model-out', model], { stdio: ['ignore', 'ignore', 'inherit'] });
    }
    args.push(model);
  }
}

const length = Number(flag('--length', '2000'));
const rounds = Number(flag('--rounds', '3'));
const threadCounts = flag('--threads', '1,2').split(',').map(Number);
const models = args;
if (!models.length) {
  console.error('usage: node tests/bench/generate_bench.mjs [--length N] [--rounds R] [--threads 1,2] model.safetensors …');
  process.exit(2);
}

const apiDir = process.env.RNN_WASM_DIR ? resolve(process.env.RNN_WASM_DIR) : join(root, 'wasm');
const api = await import(pathToFileURL(join(apiDir, 'index.js')).href);
const f = await api.init();
const maxThreads = f.maxThreads ?? 1;
console.log(`Node ${process.version}, ${f.variant ?? ''} build, up to ${maxThreads} threads, ${length} tokens, ${rounds} rounds`);

const cases = [
  { name: 'T 0.8', options: { temperature: 0.8 } },
  { name: 'T 0.8, topK 40', options: { temperature: 0.8, topK: 40 } },
  { name: 'T 0.8, topP 0.9', options: { temperature: 0.8, topP: 0.9 } },
  { name: 'greedy', options: { greedy: true } },
];

const loaded = [];
for (const file of models) {
  const model = await api.loadModel(readFileSync(file));
  loaded.push({ file, name: basename(file), model });
}

const median = (v) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const samples = new Map(); // key → { wall: [], cpu: [] }
for (let round = 0; round < rounds; ++round) {
  for (const m of loaded) {
    for (const c of cases) {
      for (const threads of threadCounts) {
        if (threads > maxThreads) continue;
        api.setThreads(threads);
        m.model.generate({ ...c.options, length: 20, seed: 99 }); // warm: caches, bounds' statistics
        const cpu0 = process.cpuUsage();
        const t0 = performance.now();
        const text = m.model.generate({ ...c.options, length, seed: 1 + round });
        const wall = (performance.now() - t0) / 1000;
        const du = process.cpuUsage(cpu0);
        const cpu = (du.user + du.system) / 1e6;
        const key = `${m.name}|${c.name}|${threads}`;
        if (!samples.has(key)) samples.set(key, { wall: [], cpu: [], chars: text.length });
        samples.get(key).wall.push(length / wall);
        samples.get(key).cpu.push(length / cpu);
        console.log(`round ${round + 1} ${m.name} ${c.name} threads ${threads}: ${(length / wall).toFixed(0)} tokens/s wall, ${(length / cpu).toFixed(0)} CPU`);
      }
    }
  }
}

const results = [];
console.log('\nmedians (tokens/s):');
for (const [key, s] of samples) {
  const [model, options, threads] = key.split('|');
  const r = { model, options, threads: Number(threads), wall: Math.round(median(s.wall)), cpu: Math.round(median(s.cpu)) };
  results.push(r);
  console.log(`${model.padEnd(28)} ${options.padEnd(18)} ${threads} thread(s): ${String(r.wall).padStart(6)} wall  ${String(r.cpu).padStart(6)} CPU`);
}
for (const m of loaded) m.model.dispose?.();
console.log(JSON.stringify({ node: process.version, length, rounds, results }));
