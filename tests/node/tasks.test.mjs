// The tasks beside the language model through the public API: text classification, sequence
// tagging (uni- and bidirectional) and generation by category. Each learns on small generated
// data (tasks_data.mjs), reports what it parsed, evaluates in its task's shape, predicts the same
// after save → loadModel, resumes exactly, and refuses every misuse with a message saying why.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { analyzeExamples, createTrainer, init, loadModel, resolveOptions } from '../../wasm/index.js';
import { readSafetensors, rejects } from './helpers.mjs';
import { categoryTsv, classifyTsv, conll, families, followsFamily, moreAThanB, nextSymbol, shapedWords, wordTag } from './tasks_data.mjs';

// The single-threaded build: these models are tiny, so threads would only add synchronisation (on a
// busy machine, a lot of it); results are bitwise identical either way (threads.test.mjs).
await init({ threads: 'off' });

const SMALL = { cell: 'lstm', layers: 1, hidden: 16, embedding: 8, batchSize: 8, seed: 3 };

/** Trains until evaluate().accuracy reaches target (checked every `every` steps) or maxSteps; returns the last evaluation. */
async function trainUntil(t, target, maxSteps, every = 50) {
  let e = null;
  for (let done = 0; done < maxSteps; done += every) {
    await t.train({ steps: every });
    e = t.evaluate();
    if (e.accuracy >= target) break;
  }
  return e;
}

describe('classify', () => {
  test('from file text and from an array: the same run; info says what was parsed', async () => {
    const data = moreAThanB(300, 1);
    const a = await createTrainer({ task: 'classify', examples: classifyTsv(data), ...SMALL });
    const b = await createTrainer({ task: 'classify', examples: data, ...SMALL });
    const bytes = await createTrainer({ task: 'classify', examples: new TextEncoder().encode(classifyTsv(data)), ...SMALL });
    const i = a.info;
    assert.equal(i.task, 'classify');
    assert.equal(i.conditional, false);
    assert.deepEqual([...i.labels].sort(), ['more a', 'more b']);
    assert.equal(i.examples + i.validationExamples, 300);
    assert.equal(i.validationExamples, 15, 'validationFraction 0.05 of 300');
    assert.equal(Object.values(i.labelCounts).reduce((x, y) => x + y), i.examples);
    assert.equal(i.lengthHistogram.counts.reduce((x, y) => x + y), i.examples);
    assert.ok(i.lengthHistogram.binWidth >= 1);
    assert.equal(i.skipped, 0);
    assert.deepEqual(i.problems, []);
    assert.equal(i.truncated, 0);
    assert.equal(i.vocabSize, 4, 'a, b, c and the line break between texts');
    assert.equal(i.step, 0);
    assert.ok(i.batchesPerEpoch > 0 && i.trainTokens > 0);
    assert.equal(i.config.task, 'classify');
    assert.equal(i.config.pooling, 'final');
    for (let k = 0; k < 3; k++) {
      const la = a.step().loss;
      assert.equal(b.step().loss, la, 'array = file text');
      assert.equal(bytes.step().loss, la, 'bytes = string');
    }
    for (const t of [a, b, bytes]) t.dispose();
  });

  test("learns 'more a than b' to >= 95 %; evaluate(), classify(), save → loadModel → same answers", async () => {
    const t = await createTrainer({
      task: 'classify', examples: moreAThanB(3000, 5), validationExamples: classifyTsv(moreAThanB(400, 6)),
      layers: 1, hidden: 32, embedding: 8, batchSize: 32, learningRate: 0.01, seed: 2,
    });
    const first = t.step().loss;
    const e = await trainUntil(t, 0.95, 1500);
    assert.ok(e.accuracy >= 0.95, `accuracy ${e.accuracy} after ${t.info.step} steps`);
    assert.ok(e.loss < first / 2, `loss ${e.loss} fell from ${first}`);
    assert.deepEqual(Object.keys(e).sort(), ['accuracy', 'confusion', 'examples', 'loss', 'majorityBaseline', 'majorityLabel', 'perLabel', 'tokens']);
    assert.equal(e.examples, 400);
    assert.ok(['more a', 'more b'].includes(e.majorityLabel));
    assert.ok(e.majorityBaseline > 0.3 && e.majorityBaseline < 0.7);
    assert.deepEqual(e.confusion.labels, t.info.labels);
    assert.equal(e.confusion.matrix.flat().reduce((x, y) => x + y), 400);
    assert.equal(e.perLabel.length, 2);
    for (const l of e.perLabel) {
      for (const k of ['precision', 'recall', 'f1']) assert.ok(l[k] >= 0.9 && l[k] <= 1, `${l.label} ${k} ${l[k]}`);
      assert.equal(l.support, e.confusion.matrix[e.confusion.labels.indexOf(l.label)].reduce((x, y) => x + y));
    }
    const c = t.model.classify('aaaabc');
    assert.equal(c.label, 'more a');
    assert.equal(c.probabilities.length, 2);
    assert.equal(c.probabilities[0].label, 'more a');
    assert.ok(c.probabilities[0].probability >= c.probabilities[1].probability);
    assert.ok(Math.abs(c.probabilities[0].probability + c.probabilities[1].probability - 1) < 1e-5);
    assert.equal(t.model.classify('bcbbba').label, 'more b');
    assert.equal(t.model.classify('ab zz bb').label, 'more b', 'unknown characters are skipped or <unk>, never an error');

    const m = await loadModel(t.model.save());
    assert.equal(m.info.task, 'classify');
    assert.deepEqual(m.info.labels, t.info.labels);
    for (const s of ['aaaabc', 'bcbbba', 'abcabcab', 'c', 'bbbbbbbbbbbbbbbba']) assert.deepEqual(m.classify(s), t.model.classify(s), s);
    // Scored through the model file on the validation file: what the run's evaluate() gave.
    const me = m.evaluate({ examples: classifyTsv(moreAThanB(400, 6)) });
    assert.equal(me.loss, e.loss);
    assert.equal(me.accuracy, e.accuracy);
    assert.deepEqual(me.confusion, e.confusion);
    assert.deepEqual(m.evaluate({ examples: moreAThanB(400, 6) }).loss, e.loss, 'an array scores as the file does');
    m.dispose();
    t.dispose();
  });

  test('pooling and bidirectional are options; info.config carries them; the file names the reverse tensors', async () => {
    const t = await createTrainer({ task: 'classify', examples: moreAThanB(100, 1), ...SMALL, bidirectional: true, pooling: 'max', maxLength: 5 });
    assert.equal(t.info.bidirectional, true);
    assert.equal(t.info.config.pooling, 'max');
    assert.equal(t.info.config.maxLength, 5);
    assert.ok(t.info.truncated > 0, 'examples longer than maxLength are cut');
    assert.ok(t.info.lengthHistogram.counts.length <= 6);
    const f = readSafetensors(t.model.save());
    assert.ok('rnn.weight_ih_l0_reverse' in f.tensors);
    assert.deepEqual(f.tensors['fc.weight'].shape, [2, 32]);
    assert.deepEqual(JSON.parse(f.metadata.labels), t.info.labels);
    t.dispose();
  });
});

describe('tag', () => {
  test('next-symbol tagging: bidirectional reaches >= 99 % token accuracy, unidirectional cannot', async () => {
    const train = nextSymbol(1500, 1);
    const heldOut = nextSymbol(300, 2);
    const options = { task: 'tag', examples: train, validationExamples: heldOut, cell: 'lstm', layers: 1, hidden: 48, embedding: 16,
      batchSize: 32, learningRate: 0.01, minCount: 1, seed: 3 };
    const bi = await createTrainer({ ...options, bidirectional: true });
    const first = bi.step().loss;
    const e = await trainUntil(bi, 0.99, 1500);
    assert.ok(e.accuracy >= 0.99, `bidirectional accuracy ${e.accuracy} after ${bi.info.step} steps`);
    assert.ok(e.loss < first / 10, `loss ${e.loss} fell from ${first}`);
    assert.deepEqual(Object.keys(e).sort(), ['accuracy', 'examples', 'loss', 'tokens', 'unseenAccuracy', 'unseenTokens']);
    assert.equal(e.examples, 300);
    assert.equal(e.tokens, heldOut.reduce((n, x) => n + x.tokens.length, 0));
    assert.equal(e.unseenTokens, 0, 'every symbol occurs in training');
    assert.equal(e.unseenAccuracy, null);
    const tagged = bi.model.tag(['a', '_', 'c', 'b']);
    assert.deepEqual(tagged.map((x) => x.tag), ['c', 'c', 'b', '$']);
    assert.deepEqual(tagged.map((x) => x.token), ['a', '_', 'c', 'b']);
    for (const x of tagged) assert.ok(x.probability > 0.5 && x.probability <= 1);
    assert.deepEqual(bi.model.tag('a _ c  b\n'), tagged, 'a string is split on whitespace');
    assert.deepEqual(bi.model.tag([]), []);

    const uni = await createTrainer({ ...options, bidirectional: false });
    await uni.train({ steps: 300 });
    const u = uni.evaluate();
    assert.ok(u.accuracy < 0.6, `unidirectional accuracy ${u.accuracy}: it cannot see the next symbol`);

    const m = await loadModel(bi.model.save());
    assert.equal(m.info.task, 'tag');
    assert.equal(m.info.bidirectional, true);
    for (const s of ['a _ c b', 'f f _ _ a', 'e a b', 'a']) assert.deepEqual(m.tag(s), bi.model.tag(s), s);
    await rejects(() => m.tag('a zz'), /^token 'zz' is not in the vocabulary, which has no <unk>$/, 'minCount 1: no <unk>');
    const me = m.evaluate({ examples: conll(heldOut) });
    assert.equal(me.loss, e.loss);
    assert.equal(me.accuracy, e.accuracy);
    m.dispose();
    bi.dispose();
    uni.dispose();
  });

  test('CoNLL and word/tag files parse to the same run; defaults: whitespace tokens, case kept, minCount 2', async () => {
    const data = nextSymbol(100, 4);
    const a = await createTrainer({ task: 'tag', examples: conll(data), ...SMALL });
    const b = await createTrainer({ task: 'tag', examples: wordTag(data), ...SMALL });
    assert.equal(a.info.tokenizer, 'whitespace');
    assert.equal(a.info.config.lowercase, false);
    assert.equal(a.info.config.minCount, 2);
    assert.equal(a.info.examples + a.info.validationExamples, 100);
    assert.equal(Object.values(a.info.labelCounts).reduce((x, y) => x + y), a.info.trainTokens, 'tag counts are per token');
    assert.deepEqual(a.info.labels, b.info.labels);
    assert.equal(a.step().loss, b.step().loss);
    a.dispose();
    b.dispose();
    await rejects(() => createTrainer({ task: 'tag', examples: conll(data), tokenizer: 'char' }), /option 'tokenizer' must be 'whitespace' for task 'tag'/);
  });
});

describe('unknown words keep their shape (unknownShapes)', () => {
  test("on by default for 'tag': unseen words are tagged by their shape; off, they are all one <unk>", async () => {
    const train = shapedWords(600, 5), heldOut = shapedWords(200, 6);
    const opts = { task: 'tag', examples: train, validationExamples: heldOut, layers: 1, hidden: 32, embedding: 16, batchSize: 32, learningRate: 0.01, seed: 3 };
    const shapes = await createTrainer(opts);
    const plain = await createTrainer({ ...opts, unknownShapes: false });
    assert.equal(shapes.info.config.unknownShapes, true);
    assert.equal(plain.info.config.unknownShapes, false);
    await shapes.train({ steps: 300 });
    await plain.train({ steps: 300 });
    const a = shapes.evaluate(), b = plain.evaluate();
    assert.ok(a.unseenAccuracy >= 0.97, `with shapes, unseen words ${a.unseenAccuracy}`);
    assert.ok(b.unseenAccuracy < 0.6, `with <unk>, unseen words ${b.unseenAccuracy}`);
    const file = shapes.model.save();
    const m = await loadModel(file);
    const meta = readSafetensors(file).metadata;
    assert.equal(JSON.parse(meta.tokenizer).unknown_shapes, true);
    assert.deepEqual(m.tag(['Quomba', 'zuvoing', '1234', 'the', 'kakaly']).map((x) => x.tag), ['NAME', 'VERB', 'NUM', 'DET', 'ADV']);
    m.dispose();
    shapes.dispose();
    plain.dispose();
  });

  test('refused where it cannot work, with the reason', async () => {
    await rejects(() => createTrainer({ text: 'abc abc', unknownShapes: true, minCount: 2 }), /'unknownShapes' is for the 'word' and 'whitespace' tokenizers/);
    await rejects(() => createTrainer({ text: 'abc abc', tokenizer: 'word', unknownShapes: true }), /'unknownShapes' needs 'minCount' of at least 2/);
    assert.equal((await resolveOptions({ task: 'tag', minCount: 1 })).unknownShapes, false);
  });
});

describe('generation by category (a conditional language model)', () => {
  test('writes each label’s family; generate({ label }) and stream({ label }) agree; the label is required', async () => {
    const t = await createTrainer({ examples: families(2000, 7), validationExamples: categoryTsv(families(200, 8)),
      layers: 1, hidden: 64, embedding: 16, batchSize: 32, learningRate: 0.01, seed: 4 });
    const i = t.info;
    assert.equal(i.task, 'lm');
    assert.equal(i.conditional, true);
    assert.deepEqual([...i.labels].sort(), ['pair', 'same', 'up']);
    const first = t.evaluate();
    assert.deepEqual(Object.keys(first).sort(), ['bitsPerToken', 'examples', 'loss', 'perplexity', 'tokens']);
    assert.equal(first.examples, 200);
    await t.train({ steps: 1000 });
    const e = t.evaluate();
    assert.ok(e.loss < first.loss / 2, `validation loss ${e.loss} fell from ${first.loss}`);
    let right = 0;
    for (const label of ['up', 'same', 'pair']) {
      for (let seed = 1; seed <= 10; seed++) {
        const text = t.model.generate({ label, length: 12, seed, stop: '\n', temperature: 0.5, includePrime: false }).replace(/\n$/, '');
        right += followsFamily(label, text);
      }
    }
    assert.ok(right >= 27, `${right} of 30 texts follow their label's pattern`);
    const o = { label: 'up', length: 10, seed: 3 };
    let streamed = '';
    for await (const piece of t.model.stream(o)) streamed += piece;
    assert.equal(streamed, t.model.generate(o));

    const m = await loadModel(t.model.save());
    assert.equal(m.info.task, 'lm');
    assert.deepEqual(m.info.labels, i.labels);
    assert.equal(m.generate(o), t.model.generate(o));
    assert.equal(m.evaluate({ examples: categoryTsv(families(200, 8)) }).loss, e.loss);
    for (const model of [t.model, m]) {
      await rejects(() => model.generate({ length: 5 }), /^option 'label' is required: choose the category to write for \('(up|same|pair)', '(up|same|pair)', '(up|same|pair)'\)$/);
      await rejects(() => model.generate({ label: 'down', length: 5 }), /^unknown label 'down'$/);
      await rejects(() => model.generate({ label: 3 }), /^option 'label' must be a string \(got number\)$/);
      await rejects(() => model.classify('abc'), /^classify\(\) needs a model trained with task 'classify'$/);
      await rejects(() => model.tag('a b'), /^tag\(\) needs a model trained with task 'tag'$/);
    }
    m.dispose();
    t.dispose();
  });
});

describe('checkpoints resume exactly', () => {
  for (const [name, options, examples] of [
    ['classify', { task: 'classify', bidirectional: true, pooling: 'max' }, () => classifyTsv(moreAThanB(200, 10))],
    ['tag', { task: 'tag', bidirectional: true, dropout: 0.2, minCount: 1 }, () => wordTag(nextSymbol(120, 9))],
    ['lm by category', { dropout: 0.2 }, () => families(150, 11)],
  ]) {
    test(name, async () => {
      const common = { layers: 2, hidden: 16, embedding: 8, batchSize: 8, seed: 3 };
      const data = { examples: examples() };
      const straight = await createTrainer({ ...data, ...options, ...common });
      const losses = [];
      for (let k = 0; k < 12; k++) losses.push(straight.step().loss);
      const first = await createTrainer({ ...data, ...options, ...common });
      for (let k = 0; k < 6; k++) first.step();
      const ckpt = first.save();
      first.dispose();
      const resumed = await createTrainer({ resumeFrom: ckpt, ...data });
      assert.equal(resumed.info.step, 6);
      for (let k = 6; k < 12; k++) assert.equal(resumed.step().loss, losses[k], `step ${k + 1}`);
      assert.deepEqual(resumed.evaluate(), straight.evaluate());
      assert.ok(readSafetensors(resumed.model.save()).data.equals(readSafetensors(straight.model.save()).data), 'same weights');
      await rejects(() => createTrainer({ resumeFrom: ckpt, examples: examples().slice(0, -20) }), /^resumeFrom: the checkpoint was trained on other examples/);
      await rejects(() => createTrainer({ resumeFrom: ckpt, ...data, task: 'tag' }), /option 'task' cannot be combined with resumeFrom/);
      straight.dispose();
      resumed.dispose();
    });
  }
});

describe('parsing: bad lines, skipBadLines, analyzeExamples', () => {
  const bad = 'text\tlabel\naab\tmore a\nbba\tmore b\nno tab here\nabb\tmore b\n\tmore a\nbab\t \naaa\tmore a\n';

  test('a bad line fails naming it; skipBadLines counts and lists them', async () => {
    await rejects(() => createTrainer({ task: 'classify', examples: bad, ...SMALL }), /^line 4: missing tab between text and label$/);
    await rejects(() => createTrainer({ task: 'classify', examples: 'a\tb\tc\n', ...SMALL }), /^line 1: 3 tab-separated columns, expected 2/);
    await rejects(() => createTrainer({ task: 'classify', examples: 'ab\tx\nba\ty\n', ...SMALL, validationExamples: new Uint8Array([0x61, 0x09, 0x78, 0x0a, 0x62, 0xff, 0x09, 0x79]) }),
      /^validation line 2: invalid UTF-8 at byte 5/);
    const t = await createTrainer({ task: 'classify', examples: bad, ...SMALL, skipBadLines: true, validationFraction: 0 });
    assert.equal(t.info.skipped, 3);
    assert.deepEqual(t.info.problems, ['line 4: missing tab between text and label', 'line 6: empty text', 'line 7: empty label']);
    assert.equal(t.info.examples, 4);
    assert.equal(t.info.config.skipBadLines, true);
    t.dispose();
    await rejects(() => createTrainer({ task: 'tag', examples: 'a/X b/Y\nc d/Y\n', ...SMALL }), /^line 2: token 'c' has no tag \(expected word\/tag\)$/);
    await rejects(() => createTrainer({ examples: 'up\tabc\nup\n', ...SMALL }), /^line 2: missing tab between category and text$/);
  });

  test('array examples: errors name the element', async () => {
    await rejects(() => createTrainer({ task: 'classify', examples: [{ text: 'ab', label: 'x' }, { text: 'b', label: '' }], ...SMALL }),
      /^examples\[1\]\.label must be a non-empty string/);
    await rejects(() => createTrainer({ task: 'tag', examples: [{ tokens: ['a', 'b'], tags: ['X'] }], ...SMALL }), /^examples\[0\]/);
    await rejects(() => createTrainer({ task: 'classify', examples: [], ...SMALL }), /^no examples/);
  });

  test('analyzeExamples(): what a run would see, without training', async () => {
    const a = await analyzeExamples(bad, { task: 'classify', skipBadLines: true, validationFraction: 0 });
    assert.equal(a.task, 'classify');
    assert.deepEqual(a.labels, ['more a', 'more b']);
    assert.deepEqual(a.labelCounts, { 'more a': 2, 'more b': 2 });
    assert.equal(a.examples, 4);
    assert.equal(a.validationExamples, 0);
    assert.equal(a.skipped, 3);
    assert.equal(a.problems.length, 3);
    assert.equal(a.vocabSize, 3, 'a, b and the line break');
    assert.ok(a.parameters > 0);
    assert.deepEqual(Object.keys(a).sort(), ['batchesPerEpoch', 'conditional', 'examples', 'labelCounts', 'labels', 'lengthHistogram', 'parameters',
      'problems', 'skipped', 'task', 'trainTokens', 'truncated', 'validationExamples', 'validationTokens', 'vocabSize']);
    const t = await analyzeExamples(nextSymbol(50, 1), { task: 'tag', validationExamples: conll(nextSymbol(10, 2)) });
    assert.equal(t.examples, 50);
    assert.equal(t.validationExamples, 10);
    const c = await analyzeExamples(categoryTsv(families(30, 1)));
    assert.equal(c.conditional, true);
    await rejects(() => analyzeExamples(bad, { task: 'classify' }), /^line 4: missing tab/);
    await rejects(() => analyzeExamples(undefined, { task: 'classify' }), /analyzeExamples needs examples/);
    await rejects(() => analyzeExamples(42), /^option 'examples' must be the text of a file \(a string or Uint8Array\) or an array of examples \(got number\)$/);
    await rejects(() => analyzeExamples('a\tb\n', { task: 'classify', text: 'x' }), /^unknown option 'text'$/);
  });
});

describe('misuse is refused with a message saying why', () => {
  test('options', async () => {
    await rejects(() => createTrainer({ text: 'abc'.repeat(1000), bidirectional: true, ...SMALL }),
      /^a language model cannot be bidirectional/);
    await rejects(() => createTrainer({ examples: families(50, 1), bidirectional: true, ...SMALL }), /^a language model cannot be bidirectional/);
    await rejects(() => createTrainer({ task: 'classify', ...SMALL }), /^option 'examples' is required for task 'classify'/);
    await rejects(() => createTrainer({ task: 'classify', text: 'abc'.repeat(1000), ...SMALL }), /^task 'classify' trains on examples, not on a text$/);
    await rejects(() => createTrainer({ text: 'abc', examples: families(5, 1) }), /^option 'text' cannot be combined with 'examples'/);
    await rejects(() => createTrainer({ text: 'abc'.repeat(1000), validationExamples: families(5, 1) }), /^option 'validationExamples' needs 'examples'$/);
    await rejects(() => createTrainer({ task: 'classify', examples: 42 }), /^option 'examples' must be the text of a file/);
    await rejects(() => createTrainer({ task: 'classify', examples: moreAThanB(20, 1), validationExamples: {} }), /^option 'validationExamples' must be/);
    await rejects(() => createTrainer({ task: 'sort', examples: 'a\tb\n' }), /option 'task'/);
    await rejects(() => createTrainer({ task: 'classify', examples: moreAThanB(20, 1), pooling: 'min' }), /option 'pooling'/);
    await rejects(() => createTrainer({ task: 'classify', examples: moreAThanB(20, 1), maxLength: 0 }), /option 'maxLength'/);
    await rejects(() => createTrainer({ task: 'classify', examples: moreAThanB(20, 1), skipBadLines: 'yes' }), /option 'skipBadLines'/);
    await rejects(() => resolveOptions({ task: 'tag', tokenizer: 'word' }), /option 'tokenizer' must be 'whitespace' for task 'tag'/);
    const r = await resolveOptions({ task: 'classify', pooling: 'mean' });
    assert.equal(r.task, 'classify');
    assert.equal(r.pooling, 'mean');
    assert.equal(r.maxLength, 256);
    assert.equal((await resolveOptions({ tokenizer: 'whitespace' })).tokenizer, 'whitespace');
  });

  test('the wrong method for a task', async () => {
    const c = await createTrainer({ task: 'classify', examples: moreAThanB(60, 1), ...SMALL });
    await rejects(() => c.model.tag('a b'), /^tag\(\) needs a model trained with task 'tag'$/);
    await rejects(() => c.model.generate({ length: 3 }), /^generate\(\) needs a language model; this run is for task 'classify'$/);
    await rejects(() => c.resetState(), /^resetState\(\) is for a language model trained on a text/);
    await rejects(() => c.model.classify(42), /^classify\(\) needs a text \(a string; got number\)$/);
    await rejects(() => c.model.classify(''), /no token/);
    const m = await loadModel(c.model.save());
    await rejects(() => m.tag(['a']), /^tag\(\) needs a model trained with task 'tag'$/);
    await rejects(() => m.generate({ length: 3 }), /task 'classify'/);
    await rejects(() => m.evaluate({ text: 'abc' }), /^this model was trained on examples \(task 'classify'\)/);
    await rejects(() => m.evaluate({ examples: 'ab\tmaybe\n' }), /^line 1: unknown label 'maybe' \(the model knows 'more (a|b)', 'more (a|b)'\)$/);
    await rejects(() => m.evaluate({}), /evaluate\(\) needs either 'text'/);
    await rejects(() => m.evaluate({ examples: 'a\tmore a\n', max: 1 }), /^unknown option 'max'$/);
    m.dispose();
    c.dispose();

    const tg = await createTrainer({ task: 'tag', examples: nextSymbol(60, 1), ...SMALL });
    await rejects(() => tg.model.classify('a b'), /^classify\(\) needs a model trained with task 'classify'$/);
    await rejects(() => tg.model.tag(42), /^tag\(\) needs tokens: an array of strings or a text \(got number\)$/);
    await rejects(() => tg.model.tag(['a', 3]), /^tag\(\): tokens\[1\] must be a string \(got number\)$/);
    await rejects(() => tg.model.tag(['a', 'b c']), /^tag\(\): tokens\[1\] must be a non-empty token without whitespace/);
    tg.dispose();

    const lm = await createTrainer({ text: 'abcd'.repeat(500), ...SMALL, seqLength: 8 });
    await rejects(() => lm.model.classify('abc'), /^classify\(\) needs a model trained with task 'classify'$/);
    await rejects(() => lm.model.tag('a b'), /^tag\(\) needs a model trained with task 'tag'$/);
    await rejects(() => lm.model.generate({ label: 'x', length: 3 }), /^option 'label' is for a model trained with categories; this one has none$/);
    assert.deepEqual(lm.info.labels, []);
    assert.equal(lm.info.task, 'lm');
    const lmModel = await loadModel(lm.model.save());
    const score = lmModel.evaluate({ text: 'abcd'.repeat(100) });
    assert.deepEqual(Object.keys(score).sort(), ['bitsPerToken', 'loss', 'perplexity', 'skippedTokens', 'tokens', 'unknownExamples', 'unknownTokens']);
    await rejects(() => lmModel.evaluate({ examples: 'a\tb\n' }), /^this language model was trained on a text: score it on a text/);
    lmModel.dispose();
    lm.dispose();
  });
});
