// Resume exactness: 40 steps straight == 20 steps, save, resume, 20 more — bit for bit.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { createTrainer } from '../../wasm/index.js';
import { buf, readSafetensors, shakespeare, SMALL, tempDir } from './helpers.mjs';

// 2000 characters: 29 batches of 4 × 16 per epoch, so 40 steps cross an epoch boundary.
const text = shakespeare(2000);

const CONFIGS = {
  'lstm adam clip-norm': { ...SMALL },
  'gru rmsprop clip-value dropout, 2 layers': { ...SMALL, cell: 'gru', layers: 2, dropout: 0.3, optimizer: 'rmsprop', clip: { value: 1 } },
  'rnn sgd momentum, step schedule': { ...SMALL, cell: 'rnn', optimizer: 'sgd', momentum: 0.9, learningRate: 0.05, schedule: { type: 'step', stepSize: 7, gamma: 0.7 } },
  'lstm adam cosine+warmup weightDecay, word tokens': { ...SMALL, tokenizer: 'word', minCount: 2, seqLength: 8, weightDecay: 0.01, schedule: { type: 'cosine', totalSteps: 40, warmup: 10 }, seed: 42 },
  'lstm adamw tied, locked embedding/between/output dropout, linear fitTime, patience': {
    ...SMALL, layers: 2, hidden: 16, embedding: 16, tieWeights: true, dropout: 0.2, embeddingDropout: 0.1, outputDropout: 0.3,
    lockedDropout: true, optimizer: 'adamw', weightDecay: 0.05, schedule: { type: 'linear', fitTime: true, warmup: 5 }, patience: 2,
  },
};

// Two model files hold the same tensors (names, shapes, bytes) and the same metadata. The config's
// validationFraction is compared to float precision: the core parses it as a float and writes it
// back unrounded (0.05 -> 0.05000000074505806), so the file bytes of a resumed run differ there only.
function assertSameFile(a, b, what) {
  const x = readSafetensors(a);
  const y = readSafetensors(b);
  assert.deepEqual(x.tensors, y.tensors, `${what}: tensor table`);
  assert.ok(x.data.equals(y.data), `${what}: tensor bytes`);
  assert.deepEqual(Object.keys(x.metadata).sort(), Object.keys(y.metadata).sort(), `${what}: metadata keys`);
  for (const k of Object.keys(x.metadata)) {
    if (k !== 'config') assert.equal(x.metadata[k], y.metadata[k], `${what}: metadata ${k}`);
  }
  assertSameConfig(JSON.parse(x.metadata.config), JSON.parse(y.metadata.config), what);
}

function assertSameConfig(a, b, what) {
  const { validationFraction: va, ...ra } = a;
  const { validationFraction: vb, ...rb } = b;
  assert.deepEqual(ra, rb, `${what}: config`);
  assert.equal(Math.fround(va), Math.fround(vb), `${what}: validationFraction`);
}

function run(trainer, n) {
  const losses = [];
  for (let i = 0; i < n; i++) losses.push(trainer.step().loss);
  return losses;
}

for (const [name, opts] of Object.entries(CONFIGS)) {
  const corpus = opts.tokenizer === 'word' ? shakespeare(4000) : text;
  describe(`resume is exact: ${name}`, () => {
    test('same process, original trainer alive; then from bytes read back from a file', async () => {
      const straight = await createTrainer({ text: corpus, ...opts });
      const lossesStraight = run(straight, 40);
      assert.ok(straight.info.epoch >= 1, 'the run crosses an epoch boundary');
      const modelStraight = straight.model.save();
      const ckptStraight = straight.save();

      const first = await createTrainer({ text: corpus, ...opts });
      const lossesFirst = run(first, 20);
      const ckpt20 = first.save();

      // (a) resume while `first` is still alive, from the in-memory bytes
      const resumed = await createTrainer({ resumeFrom: ckpt20, text: corpus });
      assert.equal(resumed.info.step, 20);
      assertSameConfig(resumed.info.config, first.info.config, 'info.config');
      assertSameFile(resumed.save(), ckpt20, 'a resumed trainer saves the checkpoint it came from');
      const lossesResumed = run(resumed, 20);
      assert.deepEqual([...lossesFirst, ...lossesResumed], lossesStraight, 'loss curve identical');
      assertSameFile(resumed.model.save(), modelStraight, 'model file');
      assertSameFile(resumed.save(), ckptStraight, 'checkpoint (weights, optimizer, state, position)');

      // (b) the first trainer goes on too: saving did not disturb it
      const lossesContinued = run(first, 20);
      assert.deepEqual(lossesContinued, lossesResumed);

      // (c) from a file, after everything else is disposed; the text given as bytes this time
      const t = tempDir();
      try {
        writeFileSync(t.path('ckpt.safetensors'), ckpt20);
        first.dispose();
        resumed.dispose();
        const again = await createTrainer({ resumeFrom: readFileSync(t.path('ckpt.safetensors')), text: new TextEncoder().encode(corpus) });
        assert.deepEqual(run(again, 20), lossesResumed);
        assertSameFile(again.save(), ckptStraight, 'resumed from a file');
        assertSameFile(again.model.save(), modelStraight, 'model resumed from a file');
        again.dispose();
      } finally {
        t.cleanup();
      }
      straight.dispose();
    });
  });
}

test('resume also evaluates and generates the same as the original', async () => {
  const a = await createTrainer({ text, ...SMALL });
  run(a, 15);
  const b = await createTrainer({ resumeFrom: a.save(), text });
  assert.deepEqual(b.evaluate(), a.evaluate());
  const g = { prime: 'First', length: 60, seed: 11, temperature: 0.9 };
  assert.equal(b.model.generate(g), a.model.generate(g));
  a.dispose();
  b.dispose();
});

test('a resumed checkpoint is byte-identical to the straight run', async () => {
  const a = await createTrainer({ text, ...SMALL });
  const b = await createTrainer({ text, ...SMALL });
  run(a, 10);
  const c = await createTrainer({ resumeFrom: a.save(), text });
  run(b, 20);
  run(c, 10);
  try {
    assert.ok(buf(c.save()).equals(buf(b.save())));
  } finally {
    a.dispose();
    b.dispose();
    c.dispose();
  }
});
