// Seeing inside the network through the JS API: gradient flow (and that measuring it changes no
// bit of training), activations, next-token predictions and surprise, the page's unit ranking
// (web/inspect-features.js) finding a quote-tracking unit, and the speed on a 10,000-character text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTrainer, loadModel } from '../../wasm/index.js';
import { FEATURES, auc, rankUnits, textFeatures } from '../../web/inspect-features.js';
import { SMALL } from './helpers.mjs';

/** Quoted and unquoted stretches: lower case outside quotes, upper case inside (a seeded LCG). */
export function quotedText(chars, seed) {
  const words = ['the', 'cat', 'sat', 'on', 'a', 'mat', 'and', 'said', 'go', 'now', 'we', 'ran', 'far', 'to', 'sea', 'it', 'is', 'not', 'so', 'big'];
  let x = seed >>> 0;
  const rand = (n) => { x = (Math.imul(x, 1664525) + 1013904223) >>> 0; return (x >>> 8) % n; };
  let s = '';
  while (s.length < chars) {
    const plain = 2 + rand(6), quoted = 1 + rand(6);
    for (let i = 0; i < plain; i++) s += `${words[rand(20)]} `;
    s += `"${Array.from({ length: quoted }, () => words[rand(20)].toUpperCase()).join(' ')}" `;
    if (rand(4) === 0) s += '\n';
  }
  return s;
}

const corpus = quotedText(40000, 1);

test('activations, predictNext, surprise and inspect: shapes, one pass, errors', async () => {
  const t = await createTrainer({ ...SMALL, layers: 2, hidden: 12, text: corpus });
  try {
    for (let i = 0; i < 5; i++) t.step();
    const m = t.model;
    const text = 'the cat "SAT" on';
    const a = m.activations(text, { layer: 1 });
    assert.equal(a.tokens.join(''), text);
    assert.equal(a.H, 12);
    assert.ok(a.values instanceof Float32Array);
    assert.equal(a.values.length, text.length * 12);
    assert.ok(a.values.every((v) => v > -1 && v < 1));
    const c = m.activations(text, { layer: 0, kind: 'c' });
    const g = m.activations(text, { kind: 'gates' });
    assert.equal(g.H, 48);
    assert.deepEqual(g.gates, ['i', 'f', 'g', 'o']);
    assert.ok(g.values.every((v) => v >= -1 && v <= 1)); // sigmoid gates in [0, 1], the tanh candidate in [-1, 1]
    const all = m.inspect(text, { layer: 0, kind: 'c', topK: 3, surprise: true });
    assert.deepEqual(all.values, c.values);
    const p = m.predictNext(text, { topK: 3 });
    assert.equal(p.next.length, text.length * 3);
    assert.deepEqual(p.probabilities, all.probabilities);
    for (let i = 0; i < text.length; i++) {
      assert.ok(p.probabilities[i * 3] >= p.probabilities[i * 3 + 1] && p.probabilities[i * 3 + 1] >= p.probabilities[i * 3 + 2]);
    }
    const s = m.surprise(text);
    assert.equal(s.surprise.length, text.length - 1);
    assert.deepEqual(s.surprise, all.surprise);
    // A saved and loaded model reads the text the same way.
    const loaded = await loadModel(m.save());
    assert.deepEqual(loaded.activations(text, { layer: 1 }).values, a.values);
    loaded.dispose();
    assert.throws(() => m.activations(text, { layer: 2 }), /option 'layer' must be between 0 and 1 \(got 2\)/);
    assert.throws(() => m.activations(text, { kind: 'x' }), /option 'kind' must be 'h', 'c' or 'gates'/);
    assert.throws(() => m.activations(text, { layers: 1 }), /unknown option 'layers'/);
    assert.throws(() => m.predictNext(text, { topK: 0 }), /option 'topK' must be a positive integer/);
    assert.throws(() => m.activations(42), /activations\(\) needs a text/);
    assert.throws(() => m.surprise(''), /no token the model knows/);
  } finally {
    t.dispose();
  }
  const r = await createTrainer({ ...SMALL, cell: 'rnn', text: corpus });
  try {
    assert.throws(() => r.model.activations('abc', { kind: 'gates' }), /a plain RNN has no gates/);
    assert.throws(() => r.model.activations('abc', { kind: 'c' }), /is for an LSTM; this model is a rnn/);
  } finally {
    r.dispose();
  }
});

test('surprise summed equals evaluate() loss on the same text', async () => {
  const t = await createTrainer({ ...SMALL, seqLength: 40, text: corpus });
  try {
    for (let i = 0; i < 30; i++) t.step();
    const model = await loadModel(t.model.save());
    // A model's evaluate(text) scores every token after the first once, from a zero state and
    // everything before it: the same 39 predictions as the surprise of the text.
    const text = quotedText(200, 5).slice(0, 40);
    const e = model.evaluate({ text });
    assert.equal(e.tokens, 39);
    const s = model.surprise(text).surprise;
    assert.equal(s.length, 39);
    const sum = s.reduce((a, b) => a + b, 0);
    console.log(`[inspect] sum of surprise ${sum.toFixed(6)}, evaluate() loss x tokens ${(e.loss * e.tokens).toFixed(6)}`);
    assert.ok(Math.abs(sum - e.loss * e.tokens) < 1e-4 * sum, `${sum} vs ${e.loss * e.tokens}`);
    model.dispose();
  } finally {
    t.dispose();
  }
});

test('gradientFlow: per layer and step; measuring it changes no bit of training', async () => {
  const opts = { ...SMALL, layers: 2, dropout: 0.2, clip: { norm: 1 }, text: corpus };
  const a = await createTrainer(opts), b = await createTrainer(opts);
  try {
    for (let i = 0; i < 12; i++) {
      const ra = a.step();
      let rb;
      if (i % 4 === 1) {
        const flow = b.gradientFlow();
        assert.equal(flow.length, 2);
        assert.equal(flow[1].length, SMALL.seqLength);
        assert.deepEqual(b.gradientFlow({ layer: 1 }), flow[1]);
        rb = b.step({ diagnostics: true });
        assert.deepEqual(rb.gradientFlow.layers, flow, 'the step measures the batch gradientFlow() measured');
        assert.equal(rb.gradientFlow.steps, SMALL.seqLength);
        assert.equal(rb.gradientFlow.batch, SMALL.batchSize);
      } else {
        rb = b.step();
      }
      assert.equal(ra.loss, rb.loss);
      assert.equal(ra.gradNorm, rb.gradNorm);
      assert.ok(rb.gradNormClipped <= 1 + 1e-6 && rb.gradNormClipped <= rb.gradNorm + 1e-12);
    }
    assert.deepEqual(b.save(), a.save(), 'checkpoints are byte-identical');
    const f = a.gradientFlowDetails({ text: 'the cat "SAT" on a mat' });
    assert.equal(f.steps, 21);
    assert.equal(f.batch, 1);
    assert.ok(f.layers.every((l) => l.every((v) => Number.isFinite(v) && v >= 0)));
    assert.throws(() => a.gradientFlow({ layer: 2 }), /option 'layer' must be between 0 and 1/);
    assert.throws(() => a.step({ diagnostic: true }), /unknown option 'diagnostic'/);
  } finally {
    a.dispose();
    b.dispose();
  }
});

test('a trained LSTM has a unit that tracks quotes, and the page ranks it first', async () => {
  const t = await createTrainer({
    tokenizer: 'char', cell: 'lstm', layers: 1, hidden: 32, embedding: 16, seqLength: 50, batchSize: 16,
    learningRate: 0.01, clip: { norm: 5 }, seed: 1, text: corpus,
  });
  try {
    await t.train({ steps: 400 });
    const text = quotedText(3000, 7);
    const a = t.model.activations(text, { layer: 0 });
    const ranking = rankUnits(a.tokens, a.values, a.H);
    const quotes = ranking.find((r) => r.key === 'quotes');
    const inside = textFeatures(a.tokens).quotes;
    let best = { unit: -1, auc: 0 };
    for (let j = 0; j < a.H; j++) {
      const u = auc(a.values, a.H, j, inside);
      const s = Math.max(u, 1 - u);
      if (s > best.auc) best = { unit: j, auc: s };
    }
    const first = quotes.units[0];
    console.log(`[inspect] quotes: best unit ${best.unit} (AUC ${best.auc.toFixed(4)}); the page ranks first unit ${first.unit} (r ${first.r.toFixed(3)}, AUC ${first.auc.toFixed(4)}); loss ${t.evaluate().loss.toFixed(3)}`);
    assert.ok(best.auc >= 0.9, `best AUC ${best.auc}`);
    assert.ok(first.auc >= 0.9, `the first-ranked unit's AUC ${first.auc}`);
    assert.equal(first.unit, best.unit, 'the correlation list puts the best-separating unit first');
    assert.deepEqual(ranking.map((r) => r.key), FEATURES.map((f) => f.key));
  } finally {
    t.dispose();
  }
});

test('10,000 characters through a 2x256 LSTM: activations, top-5 and surprise in one pass', async () => {
  const t = await createTrainer({ tokenizer: 'char', cell: 'lstm', layers: 2, hidden: 256, embedding: 64, seqLength: 64, batchSize: 32, text: corpus });
  try {
    const text = quotedText(12000, 3).slice(0, 10000);
    t.model.inspect(text.slice(0, 500), { layer: 1, topK: 5, surprise: true }); // warm up
    let t0 = performance.now();
    const r = t.model.inspect(text, { layer: 1, topK: 5, surprise: true });
    const ms = performance.now() - t0;
    t0 = performance.now();
    rankUnits(r.tokens, r.values, r.H);
    const rankMs = performance.now() - t0;
    // Generation does the same recurrent step per token (one row through both layers) plus sampling:
    // on this shared machine its speed is the yardstick, since wall-clock times vary with the load.
    t0 = performance.now();
    t.model.generate({ prime: 'a', length: 2500, seed: 1 });
    const genMs = (performance.now() - t0) * 4;
    console.log(`[inspect] 10,000 characters, 2x256 LSTM: ${ms.toFixed(0)} ms (generating 10,000 tokens: ${genMs.toFixed(0)} ms, ratio ${(ms / genMs).toFixed(2)}); unit ranking ${rankMs.toFixed(0)} ms`);
    assert.equal(r.tokens.length, 10000);
    assert.equal(r.values.length, 10000 * 256);
    assert.equal(r.next.length, 50000);
    // The input projections and the output layer run as whole-chunk products: cheaper per token than generation.
    assert.ok(ms < genMs, `inspect ${ms} ms vs generation ${genMs} ms`);
  } finally {
    t.dispose();
  }
});
