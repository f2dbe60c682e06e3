// Issue 16's bad-input table through the JS API (README "Bad input"): each input is refused with an
// error naming the problem — or, where it is valid input, trains — and leaves the trainer, the
// model and files on disk as they were. The same inputs natively: tests/native (Safetensors.*,
// ModelFile.*, Config.*, Utf8.*, Guard.*, reliability_test.cpp).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { createTrainer, loadModel } from '../../wasm/index.js';
import { brownProse, cliPath, rejects, SMALL, tempDir } from './helpers.mjs';

const text = brownProse(20000);
const enc = (s) => new TextEncoder().encode(s);

// Distinct words, made up: w0 w1 … (the vocabulary grows with every one).
const distinctWords = (n) => Array.from({ length: n }, (_, i) => `w${i.toString(36)}`).join(' ');

export const TEXT_CASES = [
  ['empty text', { text: '' }, /option 'text' is empty: give a corpus to train on/],
  ['one character repeated', { text: 'a'.repeat(20000) }, /the text has only one distinct token \('a'\): a language model has nothing to learn from it/],
  ['shorter than one batch', { text: 'Too short.' }, /text too short: 10 training tokens, need at least 64 for batchSize 4 × seqLength 16/],
  ['invalid UTF-8', { text: new Uint8Array([...enc(text.slice(0, 5000)), 0xff, 0xfe, ...enc(text.slice(5000))]) }, /invalid UTF-8 at byte 5000 \(bad lead byte\)/],
  ['NUL bytes', { text: `${text.slice(0, 3000)}\0\0${text.slice(3000)}` }, /text has a NUL byte at byte 3000: it is not a text file \(a binary file, or text saved as UTF-16 rather than UTF-8\)/],
  ['hidden 0', { text, hidden: 0 }, /option 'hidden' must be between 1 and 65536 \(got 0\)/],
  ['hidden 100,000', { text, hidden: 100000 }, /option 'hidden' must be between 1 and 65536 \(got 100000\)/],
  ['batch larger than the corpus', { text: text.slice(0, 3000), batchSize: 4096 }, /text too short: .* for batchSize 4096/],
  ['learning rate NaN', { text, learningRate: NaN }, /option 'learningRate' must be a finite number \(got NaN\)/],
  ['learning rate negative', { text, learningRate: -0.1 }, /option 'learningRate' must be > 0/],
  ['learning rate 1e9', { text, learningRate: 1e9 }, /option 'learningRate' must be > 0 and <= 10000/],
  ['a config asking for 10^9 units', { text, hidden: 1e9 }, /option 'hidden' must be between 1 and 65536 \(got 1000000000\)/],
];

// Valid if unusual: these train (a step with a finite loss).
export const VALID_CASES = [
  ['a 10 MB single line', { text: 'the cat sat on the mat and '.repeat(Math.ceil(10e6 / 27)).slice(0, 10e6), tokenizer: 'word' }],
  ['100,000 distinct words', { text: distinctWords(100000), tokenizer: 'whitespace', hidden: 16, embedding: 8 }],
  ['sequence length 1', { text, seqLength: 1 }],
];

test('bad texts and settings: refused with the problem named; a trainer in use stays usable', async () => {
  const probe = await createTrainer({ text, ...SMALL });
  try {
    for (const [what, options, re] of TEXT_CASES) {
      await rejects(() => createTrainer({ ...SMALL, ...options }), re, what);
      assert.ok(Number.isFinite(probe.step().loss), `usable after: ${what}`);
    }
  } finally {
    probe.dispose();
  }
});

test('unusual but valid inputs train', { timeout: 120_000 }, async () => {
  for (const [what, options] of VALID_CASES) {
    const t = await createTrainer({ ...SMALL, ...options });
    try {
      assert.ok(Number.isFinite(t.step().loss), what);
    } finally {
      t.dispose();
    }
  }
});

// A model file with its safetensors header rewritten by edit(header, dataLength).
function rewrite(bytes, edit) {
  const b = Buffer.from(bytes);
  const n = Number(b.readBigUInt64LE(0));
  const header = JSON.parse(b.subarray(8, 8 + n).toString());
  edit(header, b.length - 8 - n);
  const hb = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(hb.length));
  return new Uint8Array(Buffer.concat([len, hb, b.subarray(8 + n)]));
}
const metaEdit = (key, fn) => (h) => { h.__metadata__[key] = fn(h.__metadata__[key]); };

test('bad model files: refused with the problem named; a loaded model stays usable', async () => {
  const t = await createTrainer({ text, ...SMALL });
  t.step();
  const good = t.model.save();
  t.dispose();
  const tensorNames = (h) => Object.keys(h).filter((k) => k !== '__metadata__');
  const cases = [
    ['empty', new Uint8Array(0), /model file is empty/],
    ['header length past the end', (() => { const b = Buffer.from(good); b.writeBigUInt64LE(BigInt(b.length)); return b; })(), /invalid model file: header length \d+ exceeds file size \(\d+ bytes\)/],
    ['header length 2^60', (() => { const b = Buffer.from(good); b.writeBigUInt64LE(1n << 60n); return b; })(), /invalid model file: header length 1152921504606846976 exceeds file size/],
    ['overlapping tensors', rewrite(good, (h) => { h['rnn.bias_hh_l0'].data_offsets = [...h['rnn.bias_ih_l0'].data_offsets]; }), /invalid model file: tensor 'rnn\.bias_ih_l0' overlaps tensor 'rnn\.bias_hh_l0'/],
    ['a tensor out of range', rewrite(good, (h, n) => { const k = tensorNames(h)[0]; h[k].data_offsets = [n - 4, n + 4096]; }), /invalid model file: tensor '[\w.]+': data_offsets span 4100 bytes but its shape and dtype F32 need \d+/],
    ['a wrong dtype', rewrite(good, (h) => { h['fc.bias'].dtype = 'F16'; }), /invalid model file: tensor 'fc\.bias': data_offsets span \d+ bytes but its shape and dtype F16 need \d+/],
    ['an unknown dtype', rewrite(good, (h) => { h['fc.bias'].dtype = 'Q4_K'; }), /invalid model file: tensor 'fc\.bias': unknown dtype 'Q4_K'/],
    ['a future format version', rewrite(good, metaEdit('format_version', () => '2')), /model file format version 2 is newer than this build supports \(1\); upgrade rnn-wasm to load it/],
    ['a vocabulary that does not match the embedding', rewrite(good, metaEdit('tokenizer', (s) => {
      const tk = JSON.parse(s);
      tk.vocab = tk.vocab.slice(0, -3);
      return JSON.stringify(tk);
    })), /vocabulary has \d+ tokens but tensor 'embedding\.weight' has \d+ rows/],
    ['non-string metadata', (() => {
      const b = rewrite(good, (h) => { h.__metadata__.config = { not: 'a string' }; });
      return b;
    })(), /invalid model file: metadata value for key 'config' is not a string/],
    ['a config asking for 10^9 units', rewrite(good, metaEdit('config', (c) => JSON.stringify({ ...JSON.parse(c), hidden: 1e9 }))), /model file config: option 'hidden' must be between 1 and 65536 \(got 1000000000\)/],
  ];
  const probe = await loadModel(good);
  try {
    for (const [what, bytes, re] of cases) {
      await rejects(() => loadModel(bytes), re, what);
      assert.equal(typeof probe.generate({ length: 5 }), 'string', `usable after: ${what}`);
    }
    // Truncated anywhere: every cut of the first 300 bytes and every 97th after.
    for (let cut = 0; cut < good.length; cut += cut < 300 ? 1 : 97) {
      await rejects(() => loadModel(good.subarray(0, cut)), /model file is empty|invalid model file/, `cut at ${cut}`);
    }
  } finally {
    probe.dispose();
  }
});

test('the CLI refuses bad input before touching the file it would write', () => {
  const tmp = tempDir();
  try {
    const corpus = tmp.path('c.txt');
    writeFileSync(corpus, text);
    const out = tmp.path('m.safetensors');
    writeFileSync(out, 'the previous model');
    for (const [flags, re] of [
      [['--hidden', '0'], /hidden/],
      [['--learning-rate', '1e9'], /learning-rate|learningRate/],
      [['--batch-size', '100000'], /batchSize|batch-size|too short/],
    ]) {
      const r = spawnSync(process.execPath, [cliPath, 'train', corpus, ...flags, '--steps', '1', '--out', out], { encoding: 'utf8', timeout: 60000 });
      assert.notEqual(r.status, 0, flags.join(' '));
      assert.match(r.stderr, re, flags.join(' '));
      assert.equal(readFileSync(out, 'utf8'), 'the previous model', `${flags.join(' ')}: the file on disk is untouched`);
    }
    const empty = tmp.path('empty.txt');
    writeFileSync(empty, '');
    const r = spawnSync(process.execPath, [cliPath, 'train', empty, '--steps', '1', '--out', out], { encoding: 'utf8', timeout: 60000 });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /empty/);
    assert.equal(readFileSync(out, 'utf8'), 'the previous model');
  } finally {
    tmp.cleanup();
  }
});
