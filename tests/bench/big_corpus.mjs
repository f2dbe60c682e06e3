#!/usr/bin/env node
// npm run bench:corpus -- [--mb N (200)] [--steps S (3)] — a corpus of N MB (generated here: seeded
// pseudo-English, ASCII, so a character is a byte) tokenized at character level and trained on, natively
// (build/native/rnn_tool) and in Node (WebAssembly, 2 threads), each in a process of its own. Prints
// the peak memory of each beside what the corpus itself takes — its text (1 byte a character) and its
// token ids (4 bytes a token) — and the model's share (info.memoryEstimate without the corpus), and
// fails when a run held more than those two copies of the corpus (10 % slack).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const value = (f, d) => (args.includes(f) ? Number(args[args.indexOf(f) + 1]) : d);
const MiB = 2 ** 20;
const OPTIONS = { tokenizer: 'char', layers: 2, hidden: 128, embedding: 32, seqLength: 64, batchSize: 32, validationFraction: 0.01 };

/** `bytes` characters of seeded pseudo-English: words of a small vocabulary, sentences, lines. */
export function generateCorpus(bytes) {
  const words = ['the', 'of', 'and', 'to', 'a', 'in', 'that', 'is', 'was', 'he', 'for', 'it', 'with', 'as', 'his', 'on',
    'be', 'at', 'by', 'had', 'not', 'are', 'but', 'from', 'or', 'have', 'an', 'they', 'which', 'one', 'you', 'were',
    'her', 'all', 'she', 'there', 'would', 'their', 'we', 'him', 'been', 'has', 'when', 'who', 'will', 'more', 'no'];
  const out = Buffer.alloc(bytes, 32);
  let x = 7, at = 0, inSentence = 0;
  while (at < bytes) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    let w = words[(x >>> 8) % words.length];
    if (inSentence === 0) w = w[0].toUpperCase() + w.slice(1);
    const end = ++inSentence > 4 && (x >>> 4) % 9 === 0;
    const piece = w + (end ? ((x >>> 12) % 5 === 0 ? '.\n' : '. ') : ' ');
    if (end) inSentence = 0;
    at += out.write(piece.slice(0, bytes - at), at, 'latin1');
  }
  return out;
}

/** The child: train in Node on the corpus file and report the wasm heap's high-water mark. */
async function nodeChild(path) {
  const { readFileSync } = await import('node:fs');
  const { createTrainer, features, init } = await import('../../wasm/index.js');
  await init();
  let text = readFileSync(path, 'latin1');
  const before = features().heapInUse;
  const t0 = performance.now();
  const trainer = await createTrainer({ text, ...OPTIONS });
  const setup = (performance.now() - t0) / 1000;
  text = null; // the caller's copy: gone once the trainer is made
  for (let i = 0; i < value('--steps', 3); i++) trainer.step();
  const info = trainer.info;
  console.log(JSON.stringify({
    heapHighWater: features().heapHighWater - before, maxRss: process.resourceUsage().maxRSS * 1024,
    tokens: info.tokens, estimate: info.memoryEstimate, setup,
  }));
}

async function main() {
  if (args[0] === '--child') return nodeChild(args[1]);
  const mb = value('--mb', 200);
  const dir = mkdtempSync(join(tmpdir(), 'rnn-big-'));
  const path = join(dir, 'corpus.txt');
  const bytes = Math.round(mb * 1e6);
  writeFileSync(path, generateCorpus(bytes));
  console.log(`corpus: ${mb} MB (${bytes} characters), generated in ${path}`);
  const corpus = { text: bytes, ids: 4 * bytes };
  let failures = 0;
  const report = (what, peak, model) => {
    const allowed = 1.1 * (corpus.text + corpus.ids) + model;
    const copies = (peak - model) / bytes;
    console.log(`${what}: peak ${(peak / MiB).toFixed(0)} MiB = model ${(model / MiB).toFixed(0)} MiB + ` +
      `${((peak - model) / MiB).toFixed(0)} MiB for the corpus (${copies.toFixed(2)} bytes a character; ` +
      `its text and ids take 5)${peak > allowed ? '  FAIL: more than the text and the ids' : ''}`);
    if (peak > allowed) failures++;
  };
  try {
    // Node: the wasm heap's high-water mark, and the process's peak RSS (which adds the JS string,
    // its UTF-8 copy on the way in, and the runtime).
    const n = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', path, ...args], {
      encoding: 'utf8', env: { ...process.env, RNN_WASM_THREADS: '2' }, maxBuffer: 1 << 20,
    });
    if (n.status !== 0) throw new Error(`the Node run failed: ${n.stderr}`);
    const r = JSON.parse(n.stdout);
    const model = r.estimate.totalBytes - r.estimate.corpusBytes;
    console.log(`Node: ${r.tokens} tokens, trainer made in ${r.setup.toFixed(1)} s`);
    report('Node, WebAssembly heap', r.heapHighWater, model);
    console.log(`Node, process peak RSS: ${(r.maxRss / MiB).toFixed(0)} MiB`);

    // Native: the peak RSS of rnn_tool (the text it read, the ids, the model, the binary).
    const tool = join(root, 'build', 'native', 'rnn_tool');
    if (!existsSync(tool)) throw new Error(`${tool} is missing: run bash cmake/build.sh native`);
    const py = 'import resource, subprocess, sys\n' +
      'subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)\n' +
      'print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024)';
    const t0 = performance.now();
    const c = spawnSync('/usr/bin/python3', ['-c', py, tool, 'train', path, JSON.stringify(OPTIONS), String(value('--steps', 3))], { encoding: 'utf8' });
    if (c.status !== 0) throw new Error(`the native run failed: ${c.stderr}`);
    console.log(`native: tokenized and trained in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    report('native, process peak RSS', Number(c.stdout.trim()), model);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (failures) process.exit(1);
}

await main();
