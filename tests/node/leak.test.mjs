// dispose() frees C++ memory: 10 000 load/generate/dispose cycles and 10 000 rejected calls do not
// grow the WebAssembly heap.
//
// features().heapBytes is the size of the wasm memory, which only grows. Right after the module
// starts, the heap has tens of MB free, so a small leak would hide in it. Each test therefore first
// fills the heap with live models until it grows once: then only about one growth step (~20% of
// the heap, a few MB) is free, and a leak of more than a few hundred bytes per cycle (each cycle
// allocates a ~40 KB model) grows the heap and fails the test.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTrainer, features, loadModel } from '../../wasm/index.js';
import { shakespeare, SMALL } from './helpers.mjs';

const CYCLES = 10000;
const text = shakespeare(20000);

describe('no heap growth', () => {
  let file, trainer;
  const fillers = [];
  before(async () => {
    trainer = await createTrainer({ text, ...SMALL });
    await trainer.train({ steps: 10 });
    file = trainer.model.save();
    // Warm up every path the cycles use (Embind type tables, allocator bins).
    for (let i = 0; i < 300; i++) await cycle(i);
    for (let i = 0; i < 300; i++) await rejected(i);
    const h = features().heapBytes;
    while (features().heapBytes === h) fillers.push(await loadModel(file));
    assert.ok(fillers.length > 10);
  });
  after(() => {
    for (const m of fillers) m.dispose();
    trainer.dispose();
  });

  async function cycle(i) {
    const m = await loadModel(file);
    const t = m.generate({ prime: 'Fir', length: 4, seed: i });
    if (t.length < 3) throw new Error('short text');
    m.dispose();
  }

  // Every kind of rejection: C++ option parsing, model validation, generation options, JS checks.
  async function rejected(i) {
    const expectThrow = async (fn) => {
      try {
        await fn();
      } catch {
        return;
      }
      throw new Error(`call ${i} did not throw`);
    };
    switch (i % 6) {
      case 0: return expectThrow(() => createTrainer({ text, ...SMALL, hidden: -1 }));
      case 1: return expectThrow(() => createTrainer({ text: 'too short', ...SMALL }));
      case 2: return expectThrow(() => loadModel(file.subarray(0, file.length - 8)));
      case 3: return expectThrow(() => trainer.model.generate({ topP: 2 }));
      case 4: return expectThrow(async () => { for await (const p of trainer.model.stream({ length: -1 })) void p; });
      default: return expectThrow(() => createTrainer({ resumeFrom: file, text }));
    }
  }

  test(`${CYCLES} loadModel / generate / dispose cycles`, async () => {
    const h = features().heapBytes;
    for (let i = 0; i < CYCLES; i++) await cycle(i);
    assert.equal(features().heapBytes, h, `heap grew from ${h} to ${features().heapBytes}`);
  });

  test(`${CYCLES} rejected calls`, async () => {
    const h = features().heapBytes;
    for (let i = 0; i < CYCLES; i++) await rejected(i);
    assert.equal(features().heapBytes, h, `heap grew from ${h} to ${features().heapBytes}`);
    assert.ok(Number.isFinite(trainer.step().loss), 'the trainer still trains');
  });

  test('1 000 create / step / save / dispose trainer cycles', async () => {
    const h = features().heapBytes;
    for (let i = 0; i < 1000; i++) {
      const t = await createTrainer({ text, ...SMALL, seed: i });
      t.step();
      t.save();
      t.dispose();
    }
    assert.equal(features().heapBytes, h, `heap grew from ${h} to ${features().heapBytes}`);
  });

  test('the detector is sensitive: keeping 1 model in 40 does grow the heap', async () => {
    const h = features().heapBytes;
    const kept = [];
    for (let i = 0; i < CYCLES && features().heapBytes === h; i++) {
      const m = await loadModel(file);
      m.generate({ length: 4, seed: i });
      if (i % 40 === 0) kept.push(m);
      else m.dispose();
    }
    const grew = features().heapBytes > h;
    for (const m of kept) m.dispose();
    assert.ok(grew, `leaking ${kept.length} models (${(kept.length * file.length) >> 10} KB of weights) went unnoticed`);
  });
});
