// Native (build/native/rnn_tool) and WebAssembly runs of the same config agree, and their files
// are interchangeable.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { createTrainer, loadModel } from '../../wasm/index.js';
import { hasNative, readSafetensors, runNative, shakespeare, SMALL, tempDir, wordCorpus } from './helpers.mjs';

const skip = hasNative ? false : 'build/native/rnn_tool is missing: run `bash cmake/build.sh native`';
const REL = 1e-4;

function nativeTrain(corpus, options, steps, extra = []) {
  const out = runNative(['train', corpus, JSON.stringify(options), String(steps), ...extra]);
  return out.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

function assertCurvesClose(native, wasm, what) {
  assert.equal(native.length, wasm.length, `${what}: number of steps`);
  let worst = 0;
  for (let i = 0; i < native.length; i++) {
    assert.equal(native[i].step, wasm[i].step, `${what}: step numbers`);
    const rel = Math.abs(native[i].loss - wasm[i].loss) / Math.abs(native[i].loss);
    worst = Math.max(worst, rel);
    assert.ok(rel <= REL, `${what}: step ${native[i].step} loss native ${native[i].loss} vs wasm ${wasm[i].loss} (relative ${rel})`);
    const g = Math.abs(native[i].gradNorm - wasm[i].gradNorm) / Math.abs(native[i].gradNorm);
    assert.ok(g <= 1e-3, `${what}: step ${native[i].step} gradNorm native ${native[i].gradNorm} vs wasm ${wasm[i].gradNorm}`);
  }
  return worst;
}

const CONFIGS = {
  'char lstm 2 layers adam': { corpus: 'shakespeare', options: { ...SMALL, layers: 2, hidden: 48 } },
  'char gru rmsprop clip-value': { corpus: 'shakespeare', options: { ...SMALL, cell: 'gru', optimizer: 'rmsprop', clip: { value: 1 }, seed: 7 } },
  'char rnn sgd cosine': { corpus: 'shakespeare', options: { ...SMALL, cell: 'rnn', optimizer: 'sgd', momentum: 0.9, learningRate: 0.05, schedule: { type: 'cosine', totalSteps: 50, warmup: 5 } } },
  'word lstm on a script': { corpus: 'words', options: { ...SMALL, tokenizer: 'word', minCount: 2, hidden: 64, embedding: 32, seqLength: 12, batchSize: 8 } },
};

describe('native and WebAssembly agree', { skip }, () => {
  let tmp, corpora;
  before(() => {
    tmp = tempDir();
    writeFileSync(tmp.path('shakespeare.txt'), shakespeare(20000));
    // Tiny Shakespeare and the Simpsons script, or Brown prose in a clone without the shared corpora.
    corpora = { shakespeare: tmp.path('shakespeare.txt'), words: wordCorpus(tmp.dir).path };
  });
  after(() => tmp.cleanup());

  for (const [name, { corpus, options }] of Object.entries(CONFIGS)) {
    test(`50-step loss curve: ${name}`, async (ctx) => {
      const native = nativeTrain(corpora[corpus], options, 50);
      const trainer = await createTrainer({ text: readFileSync(corpora[corpus]), ...options });
      const wasm = [];
      for (let i = 0; i < 50; i++) wasm.push(trainer.step());
      const worst = assertCurvesClose(native, wasm, name);
      ctx.diagnostic(`${name}: worst relative loss difference ${worst.toExponential(2)}`);
      assert.ok(wasm[49].loss < wasm[0].loss, 'it learns');
      trainer.dispose();
    });
  }

  describe('files cross over', () => {
    const options = { ...SMALL, hidden: 40 };
    let nativeCurve, nativeModel, nativeCkpt, wasmCurve;
    before(() => {
      nativeCurve = nativeTrain(corpora.shakespeare, options, 40);
      nativeTrain(corpora.shakespeare, options, 20, ['--out', tmp.path('n20.ckpt'), '--model-out', tmp.path('n20.model')]);
      nativeModel = readFileSync(tmp.path('n20.model'));
      nativeCkpt = readFileSync(tmp.path('n20.ckpt'));
    });

    test('a native model file loads in WebAssembly and generates the same text', async () => {
      const m = await loadModel(nativeModel);
      assert.equal(m.info.hidden, 40);
      for (const g of [
        { prime: 'First Citizen:', length: 200, seed: 1 },
        { prime: 'ROMEO:', length: 200, seed: 99, temperature: 0.7, topK: 10 },
        { prime: 'A', length: 200, seed: 3, topP: 0.8, repetitionPenalty: 1.1 },
        { prime: 'The', length: 100, greedy: true },
      ]) {
        const nativeText = runNative(['generate', tmp.path('n20.model'), JSON.stringify(g)]);
        assert.equal(m.generate(g), nativeText, `same text for ${JSON.stringify(g)}`);
      }
      // The WebAssembly build re-saves exactly the tensors the native build wrote.
      const a = readSafetensors(m.save());
      const b = readSafetensors(nativeModel);
      assert.deepEqual(a.tensors, b.tensors);
      assert.ok(a.data.equals(b.data));
      m.dispose();
    });

    test('a native checkpoint loads as a model and resumes in WebAssembly', async () => {
      const m = await loadModel(nativeCkpt);
      assert.equal(m.generate({ length: 50, seed: 4 }), runNative(['generate', tmp.path('n20.ckpt'), '{"length":50,"seed":4}']));
      m.dispose();
      const t = await createTrainer({ resumeFrom: nativeCkpt, text: readFileSync(corpora.shakespeare) });
      assert.equal(t.info.step, 20);
      const rest = [];
      for (let i = 0; i < 20; i++) rest.push(t.step());
      assertCurvesClose(nativeCurve.slice(20), rest, 'native 20 + wasm 20 vs native 40');
      t.dispose();
    });

    test('a WebAssembly checkpoint and model file work natively', async () => {
      const t = await createTrainer({ text: readFileSync(corpora.shakespeare), ...options });
      wasmCurve = [];
      for (let i = 0; i < 20; i++) wasmCurve.push(t.step());
      writeFileSync(tmp.path('w20.ckpt'), t.save());
      writeFileSync(tmp.path('w20.model'), t.model.save());
      for (let i = 0; i < 20; i++) wasmCurve.push(t.step());
      // generate
      for (const file of ['w20.model', 'w20.ckpt']) {
        const m = await loadModel(readFileSync(tmp.path(file)));
        for (const g of [{ prime: 'KING', length: 200, seed: 5 }, { prime: 'To be', length: 150, seed: 6, temperature: 0.8, topK: 20, topP: 0.95 }]) {
          assert.equal(runNative(['generate', tmp.path(file), JSON.stringify(g)]), m.generate(g), `${file}: same text for ${JSON.stringify(g)}`);
        }
        m.dispose();
      }
      // resume natively: 20 more steps match the WebAssembly run's last 20
      const resumed = nativeTrain(corpora.shakespeare, {}, 20, ['--resume', tmp.path('w20.ckpt'), '--out', tmp.path('w40.ckpt')]);
      assert.equal(resumed[0].step, 21);
      assertCurvesClose(resumed, wasmCurve.slice(20), 'wasm 20 + native 20 vs wasm 40');
      // ...and its checkpoint comes back to WebAssembly
      const back = await createTrainer({ resumeFrom: readFileSync(tmp.path('w40.ckpt')), text: readFileSync(corpora.shakespeare) });
      assert.equal(back.info.step, 40);
      assert.ok(Number.isFinite(back.step().loss));
      back.dispose();
      t.dispose();
    });

    test('native and WebAssembly training give weights equal to float precision, not bit for bit', async (ctx) => {
      const t = await createTrainer({ text: readFileSync(corpora.shakespeare), ...options });
      for (let i = 0; i < 20; i++) t.step();
      const a = readSafetensors(t.model.save());
      const b = readSafetensors(nativeModel);
      assert.deepEqual(a.tensors, b.tensors);
      const x = new Float32Array(a.data.buffer.slice(a.data.byteOffset, a.data.byteOffset + a.data.length));
      const y = new Float32Array(b.data.buffer.slice(b.data.byteOffset, b.data.byteOffset + b.data.length));
      let worst = 0, differ = 0;
      for (let i = 0; i < x.length; i++) {
        if (x[i] !== y[i]) differ++;
        worst = Math.max(worst, Math.abs(x[i] - y[i]));
      }
      ctx.diagnostic(`after 20 steps: ${differ} of ${x.length} weights differ, max |diff| ${worst.toExponential(2)}`);
      assert.ok(worst < 1e-4, `max weight difference ${worst}`);
      t.dispose();
    });
  });
});
