// The encoder-decoder through the public API: createTrainer({ task: 'seq2seq', pairs }) learns to
// reverse strings (held-out exact match), translate() gives the n best with attention, evaluate()
// gives its metrics, models and checkpoints round-trip (resume is exact), and every misuse says why.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { analyzePairs, createTrainer, init, loadModel } from '../../wasm/index.js';
import { reversalPairs } from './seq2seq_data.mjs';

// The single-threaded build: the models are tiny, and a thread pool would only spin.
await init({ threads: 'off' });

const tsv = (pairs) => 'source\ttarget\n' + pairs.map(([a, b]) => `${a}\t${b}`).join('\n') + '\n';

const MODEL = { task: 'seq2seq', hidden: 64, embedding: 16, layers: 1, bidirectional: true, batchSize: 32, learningRate: 0.005, seed: 2 };

describe('seq2seq: learning to reverse strings', () => {
  test('held-out exact match, n best with attention, save/load, evaluate on a file', async () => {
    const train = reversalPairs(3000, 2, 7, 1);
    const held = reversalPairs(100, 2, 7, 2);
    // inputFeeding off: the step-by-step decoder it needs would make this test slower, not better.
    const trainer = await createTrainer({ ...MODEL, inputFeeding: false, pairs: tsv(train), validationPairs: held });
    const info = trainer.info;
    assert.equal(info.task, 'seq2seq');
    assert.equal(info.pairs, 3000);
    assert.equal(info.validationPairs, 100);
    assert.equal(info.sourceVocabSize, 10);
    assert.equal(info.targetVocabSize, 12); // 10 letters, start and end
    assert.equal(info.attention, 'general');
    let e = null;
    const t0 = performance.now();
    for (let chunk = 0; chunk < 10; chunk++) {
      await trainer.train({ steps: 150 });
      e = trainer.evaluate();
      if (e.exactMatch >= 0.95) break;
    }
    const secs = (performance.now() - t0) / 1000;
    console.log(`[seq2seq] reversal: exact match ${e.exactMatch} (TER ${e.tokenErrorRate.toFixed(4)}) after ${trainer.info.step} steps, ${secs.toFixed(1)} s`);
    assert.ok(e.exactMatch >= 0.95, `held-out exact match ${e.exactMatch}`);
    assert.ok(e.tokenErrorRate < 0.05);
    assert.equal(e.bleu, null, 'char-level targets have no BLEU');
    assert.equal(e.sources, new Set(held.map(([w]) => w)).size); // a repeated source counts once
    assert.equal(e.sources, info.validationSources);
    assert.equal(e.samples.length, 5);
    assert.equal(typeof e.samples[0].correct, 'boolean');

    // translate(): greedy, then beam search with the n best ranked and attention rows summing to 1.
    const [greedy] = trainer.model.translate('abcdef');
    assert.equal(greedy.text, 'fedcba');
    assert.deepEqual(greedy.tokens, ['f', 'e', 'd', 'c', 'b', 'a']);
    const best = trainer.model.translate('abcdef', { beam: 4, nBest: 3 });
    assert.equal(best.length, 3);
    assert.equal(best[0].text, 'fedcba');
    assert.ok(best[0].score >= best[1].score && best[1].score >= best[2].score);
    const a = best[0].attention;
    assert.ok(a.weights instanceof Float32Array);
    assert.deepEqual(a.source, ['a', 'b', 'c', 'd', 'e', 'f']);
    assert.deepEqual(a.target, ['f', 'e', 'd', 'c', 'b', 'a', '</s>']);
    assert.equal(a.weights.length, 7 * 6);
    for (let r = 0; r < 7; r++) {
      const sum = a.weights.subarray(r * 6, r * 6 + 6).reduce((x, y) => x + y, 0);
      assert.ok(Math.abs(sum - 1) < 1e-4, `row ${r} sums to ${sum}`);
    }
    // Writing 'f' first, the model looks at the source's last letter.
    const row0 = Array.from(a.weights.subarray(0, 6));
    assert.equal(row0.indexOf(Math.max(...row0)), 5);
    const sampled = trainer.model.translate('abc', { sample: true, temperature: 0.5, seed: 3 });
    assert.equal(sampled.length, 1);
    assert.deepEqual(trainer.model.translate('abc', { sample: true, temperature: 0.5, seed: 3 }), sampled);

    // Beam evaluation and a sample of the sources.
    const few = trainer.evaluate({ beam: 3, maxExamples: 20 });
    assert.equal(few.sources, 20);
    assert.equal(few.beam, 3);

    // The model file translates and scores the same.
    const model = await loadModel(trainer.model.save());
    assert.equal(model.info.task, 'seq2seq');
    assert.equal(model.info.targetTokenizer, 'char');
    assert.deepEqual(model.translate('abcdef', { beam: 4, nBest: 3 }), best);
    const onFile = model.evaluate({ pairs: tsv(held) });
    assert.equal(onFile.exactMatch, e.exactMatch);
    assert.equal(onFile.loss, e.loss);
    assert.throws(() => model.classify('abc'), /^Error: classify\(\) needs a model trained with task 'classify'$/);
    assert.throws(() => model.tag('a b'), /^Error: tag\(\) needs a model trained with task 'tag'$/);
    assert.throws(() => model.generate({ length: 5 }), /trained for task 'seq2seq', not to write text/);
    assert.throws(() => model.evaluate({ examples: 'a\tb\n' }), /needs 'pairs'/);
    model.dispose();
    trainer.dispose();
  });
});

describe('seq2seq: runs, options and errors', () => {
  const pairs = reversalPairs(200, 2, 5, 7);

  test('a checkpoint resumes exactly', async () => {
    const options = { ...MODEL, hidden: 16, embedding: 8, batchSize: 8, dropout: 0.1, layers: 2, validationFraction: 0.1 };
    const a = await createTrainer({ ...options, pairs: tsv(pairs) });
    await a.train({ steps: 7 });
    const checkpoint = a.save();
    await a.train({ steps: 5 });
    const b = await createTrainer({ resumeFrom: checkpoint, pairs: tsv(pairs) });
    assert.equal(b.info.step, 7);
    await b.train({ steps: 5 });
    assert.deepEqual(b.save(), a.save());
    await assert.rejects(() => createTrainer({ resumeFrom: checkpoint, pairs: tsv(pairs.slice(1)) }), /trained on other examples/);
    a.dispose();
    b.dispose();
  });

  test('word-level targets get BLEU; the split keeps a source with all its targets', async () => {
    const text = 'source\ttarget\n' + Array.from({ length: 60 }, (_, i) => `w${i % 20}\tA B${i % 3} C\n`).join('');
    const t = await createTrainer({ ...MODEL, hidden: 16, targetTokenizer: 'whitespace', validationFraction: 0.25, pairs: text });
    const info = t.info;
    assert.equal(info.sources, 15); // 20 distinct sources, a quarter held out
    assert.equal(info.validationSources, 5);
    assert.equal(info.validationPairs, 15); // with their 3 targets each
    assert.equal(info.multiReferenceSources, 15);
    await t.train({ steps: 3 });
    const e = t.evaluate();
    assert.equal(typeof e.bleu, 'number');
    assert.ok(e.samples[0].references.length === 3);
    t.dispose();
  });

  test('analyzePairs(): counts, histograms, bad lines', async () => {
    const a = await analyzePairs('source\ttarget\nab\tba\nabc\tcba\nno tab\nabcd\tdcba\tlicence\n', { skipBadLines: true, validationFraction: 0 });
    assert.equal(a.task, 'seq2seq');
    assert.equal(a.pairs, 3);
    assert.equal(a.skipped, 1);
    assert.deepEqual(a.problems, ['line 4: missing tab between source and target']);
    assert.deepEqual(a.sourceLengthHistogram, { binWidth: 1, counts: [0, 0, 1, 1, 1] });
    assert.deepEqual(a.targetLengthHistogram, { binWidth: 1, counts: [0, 0, 1, 1, 1] });
    assert.equal(a.sourceVocabSize, 4);
    assert.equal(a.targetVocabSize, 6);
    assert.ok(a.parameters > 0);
    await assert.rejects(() => analyzePairs('ab\tba\nno tab\n'), /^Error: line 2: missing tab between source and target$/);
  });

  test('misuse is named', async () => {
    await assert.rejects(() => createTrainer({ task: 'seq2seq', text: 'abc' }), /option 'text' cannot be combined with task 'seq2seq'/);
    await assert.rejects(() => createTrainer({ task: 'seq2seq' }), /option 'pairs' is required for task 'seq2seq'/);
    await assert.rejects(() => createTrainer({ task: 'classify', pairs: 'a\tb\n' }), /option 'pairs' is for task 'seq2seq'/);
    await assert.rejects(() => createTrainer({ task: 'seq2seq', pairs: 'a\tb\n', attention: 'luong' }), /option 'attention' must be 'general', 'dot' or 'none'/);
    await assert.rejects(() => createTrainer({ task: 'seq2seq', pairs: 'a\tb\n', bidirectional: true, attention: 'dot' }), /'dot' attention needs/);
    await assert.rejects(() => createTrainer({ task: 'classify', examples: 'a\tb\n', attention: 'dot' }), /option 'attention' is for task 'seq2seq'/);
    await assert.rejects(() => createTrainer({ task: 'seq2seq', pairs: [['a', 'b', 'c']] }), /examples\[0\] must be \[source, target\]/);
    const t = await createTrainer({ ...MODEL, hidden: 8, pairs, validationFraction: 0.1 });
    assert.throws(() => t.evaluate({ maxTokens: 100 }), /use maxExamples/);
    assert.throws(() => t.model.translate('abc', { beam: 2, nBest: 3 }), /option 'nBest' must be at most the beam width 2/);
    assert.throws(() => t.model.translate('abc', { temperature: 0.5 }), /need 'sample: true'/);
    assert.throws(() => t.model.translate('abc', { bogus: 1 }), /unknown option 'bogus'/);
    assert.throws(() => t.model.translate(3), /translate\(\) needs a source text/);
    assert.throws(() => t.model.translate('zzz'), /the source has no token this model knows/);
    assert.throws(() => t.model.classify('abc'), /classify\(\) needs a model trained with task 'classify'/);
    t.dispose();
    const lm = await createTrainer({ text: 'hello world '.repeat(100), hidden: 8, layers: 1, seqLength: 8, batchSize: 2 });
    assert.throws(() => lm.model.translate('abc'), /^Error: translate\(\) needs a model trained with task 'seq2seq'; this run is for task 'lm'$/);
    assert.throws(() => lm.evaluate({ beam: 2 }), /option 'beam' is for task 'seq2seq'/);
    const m = await loadModel(lm.model.save());
    assert.throws(() => m.translate('abc'), /^Error: translate\(\) needs a model trained with task 'seq2seq'; this one is for task 'lm'$/);
    m.dispose();
    lm.dispose();
  });
});
