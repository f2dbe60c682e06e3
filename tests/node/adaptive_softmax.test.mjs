// The adaptive softmax from JS (option adaptiveSoftmax, issue 18): a word model trains with it,
// writes, evaluates, saves and loads back to the same predictions, resumes exactly, and the CLI's
// --adaptive-softmax reaches the core. Bad combinations are refused with the option's name.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { createTrainer, loadModel } from '../../wasm/index.js';
import { cliPath, readSafetensors, rejects, shakespeare, tempDir } from './helpers.mjs';

const text = shakespeare(12000);
const OPTS = { tokenizer: 'word', layers: 1, hidden: 32, embedding: 16, seqLength: 12, batchSize: 4, learningRate: 0.01, seed: 3 };

test('adaptiveSoftmax: trains, generates, saves and loads the same model', async () => {
  const t = await createTrainer({ text, ...OPTS, adaptiveSoftmax: true });
  const a = t.info.config.adaptiveSoftmax;
  assert.ok(Array.isArray(a.cutoffs) && a.cutoffs.length >= 1, 'cut-offs chosen from the text');
  assert.ok(a.cutoffs.every((c, i) => c > 0 && c < t.info.vocabSize && (i === 0 || c > a.cutoffs[i - 1])));
  assert.equal(a.divValue, 4);
  const before = t.evaluate().loss;
  for (let i = 0; i < 60; i++) t.step();
  const after = t.evaluate().loss;
  assert.ok(after < before, `validation loss falls (${before} -> ${after})`);
  const g = { prime: 'the king', length: 20, seed: 5, temperature: 0.8 };
  const written = t.model.generate(g);
  assert.ok(written.length > 'the king'.length, written);

  const bytes = t.model.save();
  const file = readSafetensors(bytes);
  const names = Object.keys(file.tensors);
  assert.ok(names.includes('adaptive.head.weight') && names.includes('adaptive.tail.0.0.weight') &&
    names.includes('adaptive.tail.0.1.weight'), names.join(', '));
  assert.ok(!names.includes('fc.weight'));
  assert.deepEqual(JSON.parse(file.metadata.model).adaptive_softmax, { cutoffs: a.cutoffs, div_value: 4, head_bias: false });
  const m = await loadModel(bytes);
  assert.equal(m.generate(g), written, 'the loaded model writes the same text');
  assert.deepEqual(m.info.config.adaptiveSoftmax, a);

  // Exact resume: the checkpoint keeps the cut-offs.
  const r = await createTrainer({ resumeFrom: t.save(), text });
  const x = [];
  const y = [];
  for (let i = 0; i < 5; i++) x.push(t.step().loss), y.push(r.step().loss);
  assert.deepEqual(y, x);
  m.dispose();
  r.dispose();
  t.dispose();
});

test('adaptiveSoftmax: given cut-offs and divValue; bad combinations are refused', async () => {
  const t = await createTrainer({ text, ...OPTS, adaptiveSoftmax: { cutoffs: [50, 200], divValue: 2 } });
  assert.deepEqual(t.info.config.adaptiveSoftmax, { cutoffs: [50, 200], divValue: 2 });
  t.step();
  t.dispose();
  await rejects(() => createTrainer({ text, ...OPTS, tokenizer: 'char', adaptiveSoftmax: true }), /adaptiveSoftmax.*word-level/);
  await rejects(() => createTrainer({ text, ...OPTS, hidden: 16, tieWeights: true, adaptiveSoftmax: true }), /tieWeights/);
  await rejects(() => createTrainer({ text, ...OPTS, adaptiveSoftmax: { cutoffs: [200, 50] } }), /increase/);
  await rejects(() => createTrainer({ text, ...OPTS, adaptiveSoftmax: { cutoffs: [50, 1e6] } }), /vocabulary size/);
});

test('CLI --adaptive-softmax', () => {
  const d = tempDir();
  try {
    writeFileSync(d.path('c.txt'), text);
    const r = spawnSync(process.execPath, [cliPath, 'train', d.path('c.txt'), '--tokenizer', 'word', '--hidden', '32', '--embedding', '16',
      '--layers', '1', '--seq-length', '12', '--batch-size', '4', '--steps', '5', '--adaptive-softmax', '40,160', '--div-value', '2',
      '--out', d.path('m.safetensors')], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /adaptive softmax: cut-offs 40, 160, divValue 2/);
    const bad = spawnSync(process.execPath, [cliPath, 'train', d.path('c.txt'), '--adaptive-softmax', 'many'], { encoding: 'utf8' });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--adaptive-softmax must be 'auto'/);
  } finally {
    d.cleanup();
  }
});
