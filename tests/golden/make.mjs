// One-off generator of the golden pins in this folder, run once on the code at commit fd0034d
// (before the core was split into sub-folders). The pins are the proof that later code behaves
// the same: do NOT regenerate them to make a failing golden test pass.
//
//   node tests/golden/make.mjs            (after `bash cmake/build.sh`; refuses to overwrite pins)
//
// Writes options.json (the run), wasm.json and the .safetensors files through the public JS API,
// then builds and runs make_native.cpp against build/native/libcore.a, which writes native.json.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTrainer, features, init, loadModel, setThreads } from '../../wasm/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const out = (name) => join(here, name);

if (existsSync(out('wasm.json')) && !process.argv.includes('--overwrite')) {
  console.error('tests/golden/wasm.json exists: the pins are not regenerated (they are the proof). ' +
    'Pass --overwrite only on the code they were made from.');
  process.exit(1);
}

const OPTIONS = {
  tokenizer: 'char', layers: 2, hidden: 32, embedding: 16, dropout: 0.25,
  batchSize: 4, seqLength: 16, optimizer: 'adam', learningRate: 0.01, clip: { norm: 5 },
  validationFraction: 0.1, seed: 11,
};
// The code the pins come from: the last commit that touched it, with no uncommitted change to it.
const CODE = ['core', 'wasm', 'CMakeLists.txt', 'cmake'];
const git = (...args) => execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
if (git('status', '--porcelain', '--', ...CODE)) {
  console.error(`uncommitted changes in ${CODE.join(', ')}: pins must come from committed code`);
  process.exit(1);
}
const SPEC = {
  commit: git('log', '-1', '--format=%h', '--', ...CODE),
  cells: ['lstm', 'gru', 'rnn'],
  options: OPTIONS,
  steps: 50,
  checkpointStep: 25,
  generate: { prime: 'The keeper', length: 100, temperature: 0.8, seed: 3 },
};

const text = readFileSync(out('corpus.txt'));
// JSON with each step (an object inside an array) on one line. JSON.stringify prints every double
// so that it reads back exactly, in JS and in C++ (strtod).
function pretty(v, indent = '') {
  const inner = indent + '  ';
  if (Array.isArray(v) && v.length && v.every((x) => x && typeof x === 'object' && !Array.isArray(x))) {
    return `[\n${v.map((x) => inner + JSON.stringify(x)).join(',\n')}\n${indent}]`;
  }
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    return `{\n${Object.entries(v).map(([k, x]) => `${inner}${JSON.stringify(k)}: ${pretty(x, inner)}`).join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(v);
}
const writeJson = (name, v) => writeFileSync(out(name), pretty(v) + '\n');

const stepRecord = ({ step, epoch, loss, gradNorm, learningRate }) => ({ step, epoch, loss, gradNorm, learningRate });

// The whole pinned run of one cell: losses, the checkpoint after checkpointStep, the model file
// and evaluate() after the last step, and text generated from that model file.
async function run(cell) {
  const trainer = await createTrainer({ text, ...OPTIONS, cell });
  const steps = [];
  let checkpoint;
  for (let i = 1; i <= SPEC.steps; i++) {
    steps.push(stepRecord(trainer.step()));
    if (i === SPEC.checkpointStep) checkpoint = trainer.save();
  }
  const model = trainer.model.save();
  const evaluate = trainer.evaluate();
  const info = trainer.info;
  trainer.dispose();
  const loaded = await loadModel(model);
  const generated = loaded.generate(SPEC.generate);
  loaded.dispose();
  return { steps, evaluate, generated, checkpoint, model, info };
}

await init();
const wasm = { commit: SPEC.commit, build: features().build, runs: {} };
for (const cell of SPEC.cells) {
  setThreads(1);
  const a = await run(cell);
  setThreads(2);
  const b = await run(cell); // results must not depend on the thread count
  assert.deepEqual(b.steps, a.steps, `${cell}: 1 vs 2 threads`);
  assert.ok(Buffer.from(a.checkpoint).equals(Buffer.from(b.checkpoint)) && Buffer.from(a.model).equals(Buffer.from(b.model)));
  assert.ok(a.info.epoch >= 1, `${cell}: the run should cross an epoch boundary`);
  writeFileSync(out(`${cell}.step${SPEC.checkpointStep}.safetensors`), a.checkpoint);
  writeFileSync(out(`${cell}.model.safetensors`), a.model);
  wasm.runs[cell] = { steps: a.steps, evaluate: a.evaluate, generated: a.generated };
  console.log(`${cell}: ${a.info.parameters} parameters, ${a.info.batchesPerEpoch} batches/epoch, ` +
    `loss ${a.steps[0].loss.toFixed(4)} -> ${a.steps.at(-1).loss.toFixed(4)}, validation ${a.evaluate.loss.toFixed(4)}`);
}
writeJson('options.json', SPEC);
writeJson('wasm.json', wasm);

// Native pins: same runs through rnn::Session, compiled exactly as the core is (Release, -march=native).
const exe = join(root, 'build', 'golden_make_native');
execFileSync('g++', ['-std=c++17', '-O3', '-DNDEBUG', '-march=native', '-I', join(root, 'core'),
  '-isystem', '/usr/include/eigen3', out('make_native.cpp'), join(root, 'build', 'native', 'libcore.a'),
  '-pthread', '-o', exe], { stdio: 'inherit' });
execFileSync(exe, [here], { stdio: 'inherit' });
writeJson('native.json', JSON.parse(readFileSync(out('native.json'), 'utf8')));
