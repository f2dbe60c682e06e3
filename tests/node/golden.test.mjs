// Golden pins (tests/golden/, see its README): runs of each cell recorded through this API by the
// code at commit fd0034d, before the core moved into sub-folders. The current code must reproduce
// them bit for bit: losses, checkpoint and model file bytes, resuming, generation; on 1 and 2 threads.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { createTrainer, init, loadModel, setThreads } from '../../wasm/index.js';
import { buf, root } from './helpers.mjs';

const read = (name) => readFileSync(join(root, 'tests', 'golden', name));
const spec = JSON.parse(read('options.json'));
const pins = JSON.parse(read('wasm.json')).runs;
const text = read('corpus.txt'); // the bytes the runs were recorded on
const checkpointFile = (cell) => `${cell}.step${spec.checkpointStep}.safetensors`;

// The step fields that are pinned (not tokensPerSecond). deepEqual compares numbers with Object.is.
const pinned = ({ step, epoch, loss, gradNorm, learningRate }) => ({ step, epoch, loss, gradNorm, learningRate });

function steps(trainer, until, onStep = () => {}) {
  const out = [];
  while (trainer.info.step < until) {
    out.push(pinned(trainer.step()));
    onStep(trainer.info.step);
  }
  return out;
}

function assertSameBytes(actual, stored, what) {
  const a = buf(actual);
  if (a.equals(stored)) return;
  let i = 0;
  while (i < a.length && a[i] === stored[i]) i++;
  assert.fail(`${what}: ${a.length} bytes, stored ${stored.length}; first difference at byte ${i}`);
}

for (const threads of [1, 2]) {
  describe(`golden pins (wasm, ${threads} thread${threads > 1 ? 's' : ''})`, () => {
    before(async () => {
      await init();
      setThreads(threads);
    });

    for (const cell of spec.cells) {
      const pin = pins[cell];

      test(`${cell}: a fresh run gives the stored losses, checkpoint, model file and evaluate()`, async () => {
        const trainer = await createTrainer({ text, ...spec.options, cell });
        let checkpoint;
        const losses = steps(trainer, spec.steps, (s) => {
          if (s === spec.checkpointStep) checkpoint = trainer.save();
        });
        assert.deepEqual(losses, pin.steps);
        assertSameBytes(checkpoint, read(checkpointFile(cell)), `checkpoint after step ${spec.checkpointStep}`);
        assertSameBytes(trainer.model.save(), read(`${cell}.model.safetensors`), `model file after step ${spec.steps}`);
        assert.deepEqual(trainer.evaluate(), pin.evaluate);
        trainer.dispose();
      });

      test(`${cell}: the stored checkpoint resumes exactly`, async () => {
        const trainer = await createTrainer({ resumeFrom: read(checkpointFile(cell)), text });
        assert.equal(trainer.info.step, spec.checkpointStep);
        assert.deepEqual(steps(trainer, spec.steps), pin.steps.slice(spec.checkpointStep));
        assertSameBytes(trainer.model.save(), read(`${cell}.model.safetensors`), 'model file after resuming');
        assert.deepEqual(trainer.evaluate(), pin.evaluate);
        trainer.dispose();
      });

      test(`${cell}: the stored model file generates the stored text`, async () => {
        const model = await loadModel(read(`${cell}.model.safetensors`));
        assert.equal(model.generate(spec.generate), pin.generated);
        assertSameBytes(model.save(), read(`${cell}.model.safetensors`), 'model file saved back');
        model.dispose();
      });
    }
  });
}
