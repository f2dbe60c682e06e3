// Handles and their C++ objects (issue 16, the JS side): streams are freed however they end (or are
// abandoned), a disposed trainer says so wherever it is used — also in the middle of train() — a
// failed chunk of steps still counts the steps it applied, and a FinalizationRegistry frees what
// dispose() was never called on.
//
// The garbage-collection tests need gc(): run with `node --expose-gc`, or this file turns the flag on
// itself (v8.setFlagsFromString; the function then comes from a fresh context).
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { after, before, describe, test } from 'node:test';
import { createTrainer, features, liveHandles, loadModel } from '../../wasm/index.js';
import { rejects, shakespeare, SMALL } from './helpers.mjs';

const text = shakespeare(20000);

let gc = globalThis.gc;
if (typeof gc !== 'function') {
  setFlagsFromString('--expose-gc');
  gc = runInNewContext('gc');
}

/** Collects garbage until the FinalizationRegistry callbacks have run (they run in tasks of their own). */
async function collect() {
  for (let i = 0; i < 4; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 0));
  }
}

describe('streams free their generator', () => {
  let trainer, file;
  before(async () => {
    trainer = await createTrainer({ text, ...SMALL });
    await trainer.train({ steps: 5 });
    file = trainer.model.save();
  });
  after(() => trainer.dispose());

  test('when they end, break, return() or the consumer throws', async () => {
    const m = await loadModel(file);
    const base = liveHandles().streams;
    let whole = '';
    for await (const p of m.stream({ length: 10, seed: 1 })) whole += p;
    assert.equal(whole, m.generate({ length: 10, seed: 1 }));
    assert.equal(liveHandles().streams, base, 'a finished stream');

    for await (const p of m.stream({ length: 50 })) { void p; break; }
    assert.equal(liveHandles().streams, base, 'break');

    const s = m.stream({ length: 50 });
    await s.next();
    assert.equal(liveHandles().streams, base + 1, 'a stream in progress holds its generator');
    assert.deepEqual(await s.return(), { done: true, value: undefined });
    assert.equal(liveHandles().streams, base, 'return()');

    await rejects(async () => { for await (const p of m.stream({ length: 50 })) { void p; throw new Error('consumer failed'); } }, /consumer failed/);
    assert.equal(liveHandles().streams, base, 'an error in the loop body');
    m.dispose();
  });

  test('when their model is disposed, and the next piece says so', async () => {
    const m = await loadModel(file);
    const base = liveHandles();
    const s = m.stream({ length: 100 });
    await s.next();
    assert.equal(liveHandles().streams, base.streams + 1);
    m.dispose();
    assert.deepEqual(liveHandles(), { ...base, models: base.models - 1 }, 'dispose() freed the model and its stream');
    await rejects(() => s.next(), /^model is disposed$/);
    assert.deepEqual(await s.next(), { done: true, value: undefined }, 'then the stream is over');
  });

  test("when their trainer is disposed (a live model's stream pinned the whole session)", async () => {
    const t = await createTrainer({ text, ...SMALL });
    const base = liveHandles();
    const s = t.model.stream({ length: 100 });
    await s.next();
    assert.equal(liveHandles().streams, base.streams + 1);
    t.dispose();
    assert.deepEqual(liveHandles(), { ...base, trainers: base.trainers - 1 });
    await rejects(() => s.next(), /^trainer is disposed$/);
  });
});

describe('a disposed trainer', () => {
  test('train() disposed from onProgress rejects with "trainer is disposed", not an Embind error', async () => {
    const t = await createTrainer({ text, ...SMALL });
    let calls = 0;
    const e = await t.train({ steps: 1000, onProgress: () => { if (++calls === 2) t.dispose(); } }).then(() => null, (x) => x);
    assert.ok(e, 'train() rejected');
    assert.equal(e.message, 'trainer is disposed');
    assert.equal(calls, 2);
  });

  test('train() disposed between chunks (another task) rejects the same way', async () => {
    const t = await createTrainer({ text, ...SMALL });
    const run = t.train({ seconds: 30, chunkMilliseconds: 5 });
    await new Promise((r) => setTimeout(r, 50));
    t.dispose();
    await rejects(() => run, /^trainer is disposed$/);
  });

  test('every other use says "trainer is disposed" too', async () => {
    const t = await createTrainer({ text, ...SMALL });
    const live = t.model;
    t.dispose();
    for (const [what, fn] of [
      ['step', () => t.step()], ['gradientFlow', () => t.gradientFlow()], ['evaluate', () => t.evaluate()],
      ['live activations', () => live.activations('abc')], ['live classify', () => live.classify('abc')],
      ['live translate', () => live.translate('abc')], ['live stream', () => live.stream().next()],
    ]) {
      await rejects(fn, /^trainer is disposed$/, what);
    }
  });
});

describe('a chunk of steps that fails part-way', () => {
  // The core applies no update for a step that fails (trainer.cpp) and counts the ones before it; a
  // step that fails for real part-way through a chunk (a gradient that overflows at step k) cannot
  // be arranged reliably, so the binding's steps(n) is replaced by its own loop of real steps that
  // fails at step k with an error of the kind the core returns (out of memory names no step).
  async function failingAt(k, message) {
    const t = await createTrainer({ text, ...SMALL });
    const h = t._handle;
    const start = t.info.step;
    h.steps = (n) => {
      let r;
      for (let i = 0; i < n; i++) {
        if (t.info.step + 1 === start + k) return new Error(message);
        r = h.step();
      }
      return r;
    };
    return t;
  }

  test('train() rejects naming the step, with the steps applied before it counted', async () => {
    const t = await failingAt(7, 'out of memory: the model or batch is too large for this device');
    let progressed = 0;
    const e = await t.train({ steps: 20, chunkMilliseconds: 1e6, onProgress: (p) => { progressed = p.stepsDone; } }).then(() => null, (x) => x);
    assert.ok(e, 'train() rejected');
    assert.match(e.message, /^step 7 failed: out of memory/);
    assert.equal(e.step, 7);
    assert.equal(e.stepsDone, 6, 'steps 1-6 were applied');
    assert.ok(progressed < 6, 'the failing chunk had started after the last progress report');
    assert.equal(t.info.step, 6);
    assert.equal(t.step().step, 7, 'the trainer goes on from there');
    t.dispose();
  });

  test("a core message that names the step is kept as it is", async () => {
    const msg = 'gradient norm is not finite at step 4; the model was left unchanged (lower the learning rate or enable clipping)';
    const t = await failingAt(4, msg);
    const e = await t.train({ steps: 10, chunkMilliseconds: 1e6 }).then(() => null, (x) => x);
    assert.equal(e.message, msg);
    assert.equal(e.step, 4);
    assert.equal(e.stepsDone, 3);
    t.dispose();
  });
});

describe('FinalizationRegistry backstop', () => {
  let file;
  const fillers = [];
  before(async () => {
    const t = await createTrainer({ text, ...SMALL, hidden: 64 });
    await t.train({ steps: 3 });
    file = t.model.save();
    t.dispose();
    await collect();
    // Fill the heap with live models until it grows once: then only about one growth step is free
    // (see leak.test.mjs), and models that are never freed grow it again within a few hundred.
    const h = features().heapBytes;
    while (features().heapBytes === h) fillers.push(await loadModel(file));
  });
  after(() => fillers.forEach((m) => m.dispose()));

  // One round of handles dropped without dispose(), in a function of its own: its locals are gone
  // when it returns (a loop's last iteration would otherwise keep its objects reachable).
  async function dropSome(count) {
    for (let i = 0; i < count; i++) {
      const m = await loadModel(file); // ~100 KB of weights, never disposed
      const s = m.stream({ length: 100, seed: i });
      await s.next(); // abandoned half-way
    }
    const t = await createTrainer({ text, ...SMALL });
    await t.model.stream({ length: 50 }).next();
  }

  test('models, trainers and streams dropped without dispose() are freed once collected', async () => {
    await collect();
    const base = liveHandles();
    const heap = features().heapBytes;
    const ROUNDS = 40, EACH = 25;
    for (let r = 0; r < ROUNDS; r++) {
      await dropSome(EACH);
      await collect();
    }
    assert.equal(features().heapBytes, heap, `${ROUNDS * EACH} models dropped without dispose() grew the heap`);
    const now = liveHandles();
    assert.deepEqual(now, base, `handles still alive after collection: ${JSON.stringify(now)} (before: ${JSON.stringify(base)})`);
  });

  test('dispose() unregisters: a disposed model is not freed a second time by the registry', async () => {
    await collect();
    const base = liveHandles();
    for (let i = 0; i < 50; i++) (await loadModel(file)).dispose();
    await collect();
    assert.deepEqual(liveHandles(), base);
  });
});
