// Issue 16 (reliability) through the JS API: deeply nested JSON in a model file is a clear error
// (not "Maximum call stack size exceeded"), the `model` metadata must agree with the config, a model
// loaded to generate holds its weights only, and a prime of millions of characters works.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTrainer, features, loadModel } from '../../wasm/index.js';
import { rejects, shakespeare, SMALL } from './helpers.mjs';

const text = shakespeare(20000);

// Rewrites the safetensors header with edit(header) (keeping the data; the checksum covers the data only).
function withHeader(bytes, edit) {
  const b = Buffer.from(bytes);
  const n = Number(b.readBigUInt64LE(0));
  const header = JSON.parse(b.subarray(8, 8 + n).toString());
  edit(header);
  const hb = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(hb.length));
  return new Uint8Array(Buffer.concat([len, hb, b.subarray(8 + n)]));
}
const meta = (key, fn) => (h) => { h.__metadata__[key] = fn(h.__metadata__[key]); };
const deep = (n) => '['.repeat(n) + ']'.repeat(n);

describe('reliability', () => {
  let trainer, modelBytes, checkpointBytes;
  before(async () => {
    trainer = await createTrainer({ text, ...SMALL });
    for (let i = 0; i < 30; i++) trainer.step();
    modelBytes = trainer.model.save();
    checkpointBytes = trainer.save();
  });
  after(() => trainer.dispose());

  test('model-file JSON nested 100000 levels deep is an error naming the limit, and the module lives on', async () => {
    for (const key of ['config', 'model', 'tokenizer']) {
      const bad = withHeader(modelBytes, meta(key, () => `{"a":${deep(100000)}}`));
      await rejects(() => loadModel(bad),
        new RegExp(`^model file metadata '${key}' nests deeper than 64 levels \\(the JSON nesting limit\\)`), key);
    }
    const bad = withHeader(checkpointBytes, meta('training', () => deep(100000)));
    await rejects(() => loadModel(bad), /metadata 'training' nests deeper than 64 levels/);
    // Deep inside the vocabulary: this one overflowed the wasm stack ("Maximum call stack size exceeded").
    const vocab = withHeader(modelBytes, meta('tokenizer', (s) => s.replace('"vocab":[', `"vocab":[${deep(100000)},`)));
    await rejects(() => loadModel(vocab), /^model file metadata 'tokenizer' nests deeper than 64 levels \(the JSON nesting limit\)$/);
    const m = await loadModel(modelBytes);
    assert.equal(typeof m.generate({ length: 5 }), 'string');
    m.dispose();
  });

  test("a model file whose 'model' metadata disagrees with its config is refused, naming the field", async () => {
    const edit = (field, value) => withHeader(modelBytes, meta('model', (s) => JSON.stringify({ ...JSON.parse(s), [field]: value })));
    await rejects(() => loadModel(edit('hidden_size', 99)), /metadata 'model' says hidden_size 99 but its config and tensors say 32/);
    await rejects(() => loadModel(edit('cell', 'gru')), /metadata 'model' says cell "gru" but its config and tensors say "lstm"/);
    await rejects(() => loadModel(edit('layers', 3)), /says layers 3/);
  });

  test('a model loaded to generate holds its weights only (about 1x the parameters, not 4x)', async () => {
    const live = trainer.info;
    const P = live.parameters;
    assert.deepEqual(live.memory, { weightBytes: 4 * P, gradientBytes: 4 * P, optimizerBytes: 8 * P });
    for (const bytes of [checkpointBytes, modelBytes]) {
      const m = await loadModel(bytes);
      assert.deepEqual(m.info.memory, { weightBytes: 4 * P, gradientBytes: 0, optimizerBytes: 0 });
      assert.equal(m.generate({ prime: 'The ', length: 40, seed: 3 }), trainer.model.generate({ prime: 'The ', length: 40, seed: 3 }));
      m.dispose();
    }
  });

  test('a prime of 2 million characters works, in bounded memory', async () => {
    const m = await loadModel(modelBytes);
    let prime = '';
    while (prime.length < 2_000_000) prime += text;
    prime = prime.slice(0, 2_000_000);
    const heap = features().heapBytes;
    const out = m.generate({ prime, length: 20, greedy: true });
    assert.equal(out.length, prime.length + 20);
    assert.ok(out.startsWith(prime));
    // The prime's text and tokens take a few copies of 2 MB; one pass over it held caches and
    // logits for every position (about 1.2 GB for this model) and ran out of memory on larger ones.
    const grown = features().heapBytes - heap;
    assert.ok(grown < 128 * 2 ** 20, `the heap grew by ${(grown / 2 ** 20).toFixed(0)} MiB for a 2M-character prime`);
    m.dispose();
  });

  test('a chunked prime predicts what one pass over it predicts', async () => {
    const m = await loadModel(modelBytes);
    for (const n of [100, 512, 1700]) {  // the generator runs primes in chunks of 512 tokens
      const prime = text.slice(3000, 3000 + n);
      const one = m.predictNext(prime, { topK: 1 });  // one forward pass over the whole text
      const expected = one.next[one.next.length - 1];
      const got = m.generate({ prime, length: 1, greedy: true, includePrime: false });
      assert.equal(got, expected, `prime of ${n}`);
    }
    m.dispose();
  });
});
