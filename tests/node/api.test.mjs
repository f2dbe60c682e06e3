// The public surface of wasm/index.js: every export, every method, result shapes and types.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as api from '../../wasm/index.js';
import { analyzeCorpus, createTrainer, estimateMemory, features, loadModel, Model, resolveOptions, Trainer, version } from '../../wasm/index.js';
import { hasShakespeare, readSafetensors, shakespeare, SMALL } from './helpers.mjs';

const text = shakespeare(20000);
const isNum = (x) => typeof x === 'number' && Number.isFinite(x);

describe('exports', () => {
  test('names and kinds', async () => {
    assert.deepEqual(Object.keys(api).sort(), ['Model', 'Trainer', 'analyzeCorpus', 'analyzeExamples', 'analyzePairs', 'chooseSize', 'createTrainer', 'estimateMemory', 'features', 'init', 'liveHandles', 'loadModel', 'resolveOptions', 'setThreads', 'version']);
    assert.equal(typeof createTrainer, 'function');
    assert.equal(typeof loadModel, 'function');
    assert.equal(typeof resolveOptions, 'function');
    assert.equal(typeof features, 'function');
    assert.equal(typeof Model, 'function');
    assert.equal(typeof Trainer, 'function');
    const pkg = JSON.parse(await (await import('node:fs/promises')).readFile(new URL('../../package.json', import.meta.url), 'utf8'));
    assert.equal(version, pkg.version, 'version matches package.json');
    assert.match(version, /^\d+\.\d+\.\d+/);
  });

  test('package.json exports and bin point at the module, types and CLI', async () => {
    const pkg = JSON.parse(await (await import('node:fs/promises')).readFile(new URL('../../package.json', import.meta.url), 'utf8'));
    assert.equal(pkg.exports['.'].default, './wasm/index.js');
    assert.equal(pkg.exports['.'].types, './wasm/index.d.ts');
    assert.equal(pkg.bin['rnn-wasm'], 'wasm/cli.js');
  });

  test('features()', async () => {
    await resolveOptions({}); // loads the module, so heapBytes is known
    const f = features();
    assert.equal(typeof f.simd, 'boolean');
    assert.equal(f.simd, true, 'Node 20 supports WebAssembly SIMD');
    assert.equal(f.threads, true, 'Node loads the pthreads build (tests/node/threads.test.mjs has the rest)');
    assert.equal(f.variant, 'node');
    assert.ok(Number.isInteger(f.threadCount) && f.threadCount >= 1 && f.threadCount <= f.maxThreads);
    assert.equal(f.version, version);
    assert.equal(typeof f.build, 'string');
    assert.equal(typeof f.simdArch, 'string');
    assert.equal(f.modelFormatVersion, 1);
    assert.ok(Number.isInteger(f.heapBytes) && f.heapBytes > 0);
  });

  test('resolveOptions() fills in every default', async () => {
    const o = await resolveOptions();
    assert.deepEqual(o, {
      tokenizer: 'char', lowercase: true, minCount: 1, replaceInvalid: false,
      cell: 'lstm', layers: 2, hidden: 256, embedding: 64, dropout: 0, seqLength: 64, batchSize: 32,
      optimizer: 'adam', learningRate: 0.002, momentum: 0, beta1: 0.9, beta2: 0.999, eps: 1e-8, alpha: 0.99, weightDecay: 0,
      schedule: { type: 'constant', warmup: 0 }, clip: { norm: 5 }, validationFraction: 0.05, seed: 1,
    });
    const c = await resolveOptions({ schedule: 'cosine', clip: { value: 1 }, cell: 'gru', tokenizer: 'word' });
    assert.deepEqual(c.schedule, { type: 'cosine', warmup: 0, totalSteps: 10000, minLearningRate: 0 });
    assert.deepEqual(c.clip, { value: 1 });
    assert.equal(c.cell, 'gru');
    assert.equal(c.tokenizer, 'word');
    const s = await resolveOptions({ schedule: { type: 'step', stepSize: 10, gamma: 0.1, warmup: 2 }, clip: null });
    assert.deepEqual(s.schedule, { type: 'step', warmup: 2, stepSize: 10, gamma: 0.1 });
    assert.equal(s.clip, null);
  });
});

describe('analyzeCorpus() and estimateMemory(): what a trainer would see and hold', () => {
  const word = { ...SMALL, tokenizer: 'word', lowercase: true, minCount: 2, batchSize: 2, seqLength: 8 };

  test('analyzeCorpus() gives the trainer\'s own counts, char and word level', async () => {
    for (const options of [SMALL, word]) {
      const a = await analyzeCorpus(text, options);
      const t = await createTrainer({ ...options, text });
      const info = t.info;
      t.dispose();
      for (const k of ['tokens', 'vocabSize', 'trainTokens', 'validationTokens', 'batchesPerEpoch']) {
        assert.equal(a[k], info[k], `${options.tokenizer}: ${k}`);
      }
      assert.equal(a.bytes, text.length);
      assert.equal(a.chars, text.length, 'ASCII: one character per byte');
      assert.equal(a.problem, null);
      assert.equal(typeof a.primeHint, 'string');
      assert.ok(a.primeHint.length > 0);
    }
    assert.deepEqual(await analyzeCorpus(new TextEncoder().encode(text), SMALL), await analyzeCorpus(text, SMALL), 'bytes and strings alike');
  });

  test('a text too short is a problem with createTrainer\'s exact message, not a throw', async () => {
    const options = { ...SMALL, batchSize: 32, seqLength: 64 };
    const short = text.slice(0, 1000);
    const a = await analyzeCorpus(short, options);
    assert.match(a.problem, /^text too short: \d+ training tokens/);
    assert.equal(a.batchesPerEpoch, 0);
    assert.equal(a.tokens, 1000, 'the counts are still given');
    await assert.rejects(createTrainer({ ...options, text: short }), (e) => e.message === a.problem);
  });

  test('analyzeCorpus() rejects what createTrainer rejects, with the core\'s messages', async () => {
    await assert.rejects(analyzeCorpus('', SMALL), /Error: text is empty/);
    await assert.rejects(analyzeCorpus(new Uint8Array([0x41, 0x89, 0x42]), SMALL), /Error: invalid UTF-8 at byte 1 /);
    await assert.rejects(analyzeCorpus(text, { hiden: 3 }), /unknown option 'hiden'/);
    await assert.rejects(analyzeCorpus(42), /option 'text' must be a string or Uint8Array/);
  });

  test('analyzeCorpus() with replaceInvalid repairs the text as the trainer does, prime hint included', async () => {
    const line = [0x61, 0x62, 0xff, 0x3a, ...new TextEncoder().encode(' hello world\n')];  // "ab\xff:": invalid UTF-8
    const bytes = new Uint8Array(Array.from({ length: 200 }, () => line).flat());
    const a = await analyzeCorpus(bytes, { ...SMALL, replaceInvalid: true });
    assert.equal(a.primeHint, 'ab\ufffd:');
    const t = await createTrainer({ ...SMALL, replaceInvalid: true, text: bytes });
    try {
      assert.equal(a.vocabSize, t.info.vocabSize);
      assert.equal(a.tokens, t.info.tokens);
    } finally {
      t.dispose();
    }
  });

  test('estimateMemory() counts the trainer\'s parameters and itemises the bytes', async () => {
    const t = await createTrainer({ ...SMALL, text });
    const { parameters, vocabSize, tokens } = t.info;
    t.dispose();
    const m = await estimateMemory(SMALL, vocabSize, tokens);
    assert.equal(m.parameters, parameters);
    const parts = ['weightBytes', 'activationBytes', 'packingBytes', 'checkpointBytes', 'corpusBytes'];
    for (const k of parts) assert.ok(isNum(m[k]) && m[k] >= 0, k);
    assert.ok(Math.abs(m.totalBytes - parts.reduce((sum, k) => sum + m[k], 0)) < 1e-6 * m.totalBytes, 'the total is the sum');
    assert.ok(m.corpusBytes > 0);
    // the buffers one by one: they add up to the total, and the minimum is the needed ones
    const sum = (xs) => xs.reduce((s, i) => s + i.bytes, 0);
    assert.ok(m.items.length > 10 && m.items.every((i) => i.name && isNum(i.bytes) && typeof i.needed === 'boolean'));
    assert.ok(Math.abs(sum(m.items) - m.totalBytes) < 1e-6 * m.totalBytes, 'the items add up to the total');
    assert.ok(Math.abs(sum(m.items.filter((i) => i.needed)) - m.minimumBytes) < 1e-6 * m.totalBytes);
    assert.ok(m.minimumBytes < m.totalBytes && m.totalBytes <= 2 * m.minimumBytes, `within 2× the minimum: ${m.totalBytes} / ${m.minimumBytes}`);
    assert.equal((await estimateMemory(SMALL, vocabSize)).corpusBytes, 0, 'no corpus share when the corpus is unknown');
    assert.ok((await estimateMemory({ ...SMALL, hidden: 64 }, vocabSize)).weightBytes > m.weightBytes);
    await assert.rejects(estimateMemory(SMALL, 0), /vocabSize must be a positive integer/);
    await assert.rejects(estimateMemory({ hidden: 0 }, 10), /option 'hidden'/);
    await assert.rejects(estimateMemory({ task: 'seq2seq' }, 10), /estimateMemory is for language models.*'seq2seq'/);
  });
});

describe('Trainer', () => {
  let trainer;
  before(async () => {
    trainer = await createTrainer({ text, ...SMALL, optimizer: 'adam', learningRate: 2e-3, clip: { norm: 5 }, validationFraction: 0.05 });
  });
  after(() => trainer.dispose());

  test('is a Trainer with the documented methods', () => {
    assert.ok(trainer instanceof Trainer);
    for (const m of ['step', 'train', 'evaluate', 'save', 'dispose', 'resetState']) assert.equal(typeof trainer[m], 'function', m);
  });

  test('info', () => {
    const i = trainer.info;
    assert.equal(i.cell, 'lstm');
    assert.equal(i.tokenizer, 'char');
    assert.equal(i.layers, 1);
    assert.equal(i.hidden, 32);
    assert.equal(i.embedding, 16);
    assert.equal(i.tokens, 20000);
    assert.equal(i.validationTokens, 1000);
    assert.equal(i.trainTokens, 19000);
    assert.equal(i.tokensPerBatch, 64);
    assert.equal(i.batchesPerEpoch, Math.floor(19000 / 64) - (19000 % 64 === 0 ? 1 : 0));
    assert.equal(i.step, 0);
    assert.equal(i.epoch, 0);
    assert.equal(i.position, 0);
    assert.ok(Number.isInteger(i.vocabSize) && i.vocabSize > 30 && i.vocabSize < 70);
    // LSTM: 4H(E+H) + 8H, embedding V*E, dense V*H + V
    const V = i.vocabSize;
    assert.equal(i.parameters, V * 16 + 4 * 32 * (16 + 32) + 8 * 32 + V * 32 + V);
    assert.equal(i.parameterBytes, i.parameters * 16);
    assert.equal(typeof i.simd, 'string');
    assert.equal(i.config.seqLength, 16);
    assert.equal(i.config.batchSize, 4);
    assert.equal(i.config.seed, 1);
  });

  test('step()', () => {
    const r = trainer.step();
    assert.deepEqual(Object.keys(r).sort(), ['epoch', 'gradNorm', 'gradNormClipped', 'guardEvents', 'learningRate', 'loss', 'step', 'tokensPerSecond']);
    assert.equal(r.guardEvents, 0);
    assert.equal(r.step, 1);
    assert.equal(r.epoch, 0);
    // The first loss of an untrained model is about ln(V).
    assert.ok(Math.abs(r.loss - Math.log(trainer.info.vocabSize)) < 0.2, `first loss ${r.loss}`);
    assert.ok(isNum(r.gradNorm) && r.gradNorm > 0);
    assert.ok(Math.abs(r.learningRate - 2e-3) < 1e-9);
    assert.ok(isNum(r.tokensPerSecond) && r.tokensPerSecond >= 0);
    assert.equal(trainer.info.step, 1);
  });

  test('train({ steps, onProgress })', async () => {
    const seen = [];
    const r = await trainer.train({ steps: 30, onProgress: (p) => seen.push(p) });
    assert.equal(r.stepsDone, 30);
    assert.equal(r.step, 31);
    assert.equal(r.aborted, false);
    assert.ok(isNum(r.seconds) && r.seconds >= 0);
    assert.ok(isNum(r.loss) && isNum(r.meanLoss) && isNum(r.gradNorm) && isNum(r.tokensPerSecond));
    assert.ok(seen.length >= 1);
    assert.equal(seen.at(-1).stepsDone, 30);
    for (let k = 1; k < seen.length; k++) assert.ok(seen[k].step > seen[k - 1].step, 'progress steps increase');
    assert.equal(trainer.info.step, 31);
  });

  test('train({ seconds }) stops on time; train({ signal }) stops when aborted', async () => {
    const t0 = performance.now();
    const r = await trainer.train({ seconds: 0.2 });
    const took = (performance.now() - t0) / 1000;
    assert.ok(r.stepsDone > 0, 'made progress');
    assert.ok(took >= 0.2 && took < 2, `took ${took}s`);
    const ac = new AbortController();
    let calls = 0;
    const a = await trainer.train({ steps: 1e6, signal: ac.signal, onProgress: () => { if (++calls === 2) ac.abort(); } });
    assert.equal(a.aborted, true);
    assert.ok(a.stepsDone > 0 && a.stepsDone < 1e6);
    const pre = new AbortController();
    pre.abort();
    const b = await trainer.train({ steps: 5, signal: pre.signal });
    assert.equal(b.stepsDone, 0);
    assert.equal(b.aborted, true);
    const z = await trainer.train({ steps: 0 });
    assert.equal(z.stepsDone, 0);
    assert.equal(z.step, trainer.info.step);
  });

  test('training lowers the loss', async () => {
    // A trainer of its own: the shared one has trained for train({ seconds }), as many steps as the
    // machine managed, and on a fast one it is already where 150 more steps overfit this short text.
    const fresh = await createTrainer({ text, ...SMALL, optimizer: 'adam', learningRate: 2e-3, clip: { norm: 5 }, validationFraction: 0.05 });
    try {
      const before = fresh.evaluate().loss;
      await fresh.train({ steps: 150 });
      const afterLoss = fresh.evaluate().loss;
      assert.ok(afterLoss < before, `validation loss ${before} -> ${afterLoss}`);
    } finally {
      fresh.dispose();
    }
  });

  test('evaluate()', () => {
    const e = trainer.evaluate();
    assert.deepEqual(Object.keys(e).sort(), ['bitsPerToken', 'loss', 'perplexity', 'tokens']);
    assert.ok(isNum(e.loss) && e.loss > 0);
    assert.ok(Math.abs(e.perplexity - Math.exp(e.loss)) < 1e-9 * e.perplexity);
    assert.ok(Math.abs(e.bitsPerToken - e.loss / Math.LN2) < 1e-9);
    assert.ok(Number.isInteger(e.tokens) && e.tokens > 0 && e.tokens <= 1000);
    assert.deepEqual(trainer.evaluate(), e, 'evaluation does not change the model');
    const quick = trainer.evaluate({ maxTokens: 100 });
    assert.ok(quick.tokens >= 100 && quick.tokens < e.tokens, `maxTokens 100 scored ${quick.tokens} tokens`);
    assert.deepEqual(trainer.evaluate({ maxTokens: 0 }), e, 'maxTokens 0 = everything');
    assert.throws(() => trainer.evaluate({ maxTokens: -1 }), /'maxTokens' must be a non-negative integer/);
    assert.throws(() => trainer.evaluate({ max: 1 }), /unknown option 'max'/);
  });

  test('save() is a checkpoint; model.save() is a model file', () => {
    const ck = trainer.save();
    assert.ok(ck instanceof Uint8Array);
    const c = readSafetensors(ck);
    assert.equal(c.metadata.format, 'rnn-wasm');
    assert.equal(c.metadata.format_version, '1');
    assert.ok(c.metadata.training, 'checkpoint has training metadata');
    assert.ok(Object.keys(c.tensors).some((n) => n.startsWith('optimizer.exp_avg')));
    assert.ok('state.h_l0' in c.tensors && 'state.c_l0' in c.tensors);
    const m = trainer.model.save();
    assert.ok(m instanceof Uint8Array);
    const mm = readSafetensors(m);
    assert.equal(mm.metadata.training, undefined);
    assert.deepEqual(Object.keys(mm.tensors).sort(), [
      'embedding.weight', 'fc.bias', 'fc.weight', 'rnn.bias_hh_l0', 'rnn.bias_ih_l0', 'rnn.weight_hh_l0', 'rnn.weight_ih_l0',
    ]);
    const V = trainer.info.vocabSize;
    assert.deepEqual(mm.tensors['rnn.weight_ih_l0'].shape, [128, 16]);
    assert.deepEqual(mm.tensors['embedding.weight'].shape, [V, 16]);
    assert.deepEqual(mm.tensors['fc.weight'].shape, [V, 32]);
    assert.ok(ck.length > m.length);
    assert.ok(ck.buffer !== m.buffer);
  });

  test('trainer.model generates with the live weights', async () => {
    const live = trainer.model;
    assert.equal(trainer.model, live, 'the same object every time');
    for (const k of ['generate', 'stream', 'save', 'dispose']) assert.equal(typeof live[k], 'function', k);
    const t = live.generate({ prime: 'ROMEO:', length: 40, seed: 7 });
    assert.equal(typeof t, 'string');
    assert.ok(t.startsWith('ROMEO:'));
    assert.equal([...t].length, 'ROMEO:'.length + 40);
    assert.equal(live.info.cell, 'lstm');
    const loaded = await loadModel(live.save());
    assert.equal(loaded.generate({ prime: 'ROMEO:', length: 40, seed: 7 }), t, 'a saved model generates the same text');
    loaded.dispose();
    live.dispose(); // owned by the trainer: a no-op
    assert.equal(typeof live.generate({ length: 1 }), 'string');
  });

  test('resetState()', () => {
    assert.equal(trainer.resetState(), undefined);
    assert.ok(isNum(trainer.step().loss));
  });
});

describe('Model', () => {
  let model, file;
  before(async () => {
    const t = await createTrainer({ text, ...SMALL });
    await t.train({ steps: 20 });
    file = t.model.save();
    t.dispose();
    model = await loadModel(file);
  });
  after(() => model.dispose());

  test('is a Model with the documented methods', () => {
    assert.ok(model instanceof Model);
    for (const m of ['generate', 'stream', 'save', 'dispose']) assert.equal(typeof model[m], 'function', m);
  });

  test('loadModel accepts Uint8Array, ArrayBuffer, Buffer and other views', async () => {
    const ab = file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength);
    for (const input of [ab, Buffer.from(file), new DataView(ab), new Uint8Array(ab)]) {
      const m = await loadModel(input);
      assert.equal(m.generate({ length: 10, seed: 1 }), model.generate({ length: 10, seed: 1 }));
      m.dispose();
    }
  });

  test('info', () => {
    const i = model.info;
    for (const k of ['parameters', 'vocabSize', 'tokenizer', 'cell', 'layers', 'hidden', 'embedding', 'config', 'simd']) {
      assert.ok(k in i, k);
    }
    assert.equal(i.cell, 'lstm');
    assert.equal(i.hidden, 32);
    assert.equal(i.config.seqLength, 16);
  });

  test('generate() returns the prime followed by length tokens', () => {
    const t = model.generate({ prime: 'First', length: 25, temperature: 0.8, topK: 10, topP: 0.9, seed: 3 });
    assert.ok(t.startsWith('First'));
    assert.equal([...t].length, 5 + 25);
    const noPrime = model.generate({ prime: 'First', length: 25, temperature: 0.8, topK: 10, topP: 0.9, seed: 3, includePrime: false });
    assert.equal('First' + noPrime, t);
    assert.equal(model.generate({ length: 0 }), '');
    const d = model.generate(); // all defaults: no prime, 200 tokens
    assert.equal([...d].length, 200);
    const g1 = model.generate({ prime: 'A', length: 20, greedy: true, seed: 1 });
    const g2 = model.generate({ prime: 'A', length: 20, greedy: true, seed: 2 });
    assert.equal(g1, g2, 'greedy ignores the seed');
    assert.equal(model.generate({ prime: 'A', length: 20, temperature: 0, seed: 5 }), g1, 'temperature 0 is greedy');
    assert.equal(typeof model.generate({ length: 20, repetitionPenalty: 1.3 }), 'string');
  });

  test('generate() stop strings end the text after the stop token', () => {
    const t = model.generate({ prime: 'A', length: 500, seed: 4, stop: '\n', includePrime: false });
    if (t.length < 500) assert.ok(t.endsWith('\n') && t.indexOf('\n') === t.length - 1, JSON.stringify(t));
    const u = model.generate({ prime: 'A', length: 500, seed: 4, stop: [' ', 'e'], includePrime: false });
    assert.ok(u.length < 500 && /[ e]$/.test(u) && !/[ e]/.test(u.slice(0, -1)), JSON.stringify(u));
  });

  test('stream() is an async iterator of strings', async () => {
    const it = model.stream({ prime: 'To', length: 10, seed: 2 });
    assert.equal(typeof it[Symbol.asyncIterator], 'function');
    const pieces = [];
    for await (const p of it) {
      assert.equal(typeof p, 'string');
      pieces.push(p);
    }
    assert.equal(pieces.length, 11, 'the prime, then one piece per token');
    assert.equal(pieces[0], 'To');
  });

  test('save() round-trips the weights', async () => {
    const again = model.save();
    assert.ok(again instanceof Uint8Array);
    const m2 = await loadModel(again);
    assert.equal(m2.generate({ length: 50, seed: 9 }), model.generate({ length: 50, seed: 9 }));
    assert.deepEqual(readSafetensors(again).tensors, readSafetensors(file).tensors);
    assert.ok(readSafetensors(again).data.equals(readSafetensors(file).data), 'tensor bytes identical');
    m2.dispose();
  });

  test('a checkpoint also loads as a model', async () => {
    const t = await createTrainer({ text, ...SMALL });
    t.step();
    const m = await loadModel(t.save());
    assert.equal(m.generate({ length: 30, seed: 1 }), t.model.generate({ length: 30, seed: 1 }));
    m.dispose();
    t.dispose();
  });
});

describe('configurations', () => {
  for (const cell of ['lstm', 'gru', 'rnn']) {
    for (const optimizer of ['adam', 'rmsprop', 'sgd']) {
      test(`${cell} + ${optimizer} trains, 2 layers with dropout`, async () => {
        const t = await createTrainer({ text, ...SMALL, cell, optimizer, layers: 2, dropout: 0.2, learningRate: optimizer === 'sgd' ? 0.5 : 5e-3,
          schedule: { type: 'cosine', totalSteps: 40, warmup: 5 }, clip: { value: 1 } });
        const first = t.step();
        const r = await t.train({ steps: 39 });
        assert.ok(isNum(r.loss), `${cell}/${optimizer} loss ${r.loss}`);
        assert.ok(r.meanLoss < first.loss, `${cell}/${optimizer}: ${first.loss} -> ${r.meanLoss}`);
        assert.equal(t.info.cell, cell);
        assert.equal(t.info.layers, 2);
        t.dispose();
      });
    }
  }

  test('word tokenizer, lowercase and minCount', async () => {
    const opts = { text, ...SMALL, tokenizer: 'word', minCount: 2, lowercase: true, seqLength: 8 };
    const t = await createTrainer(opts);
    const i = t.info;
    assert.equal(i.tokenizer, 'word');
    const t2 = await createTrainer({ ...opts, lowercase: false, minCount: 1 });
    assert.ok(t2.info.vocabSize > i.vocabSize, 'no lowercasing and no <unk> give a larger vocabulary');
    // Words the vocabulary has (Brown prose in a clone without the shared corpora).
    const prime = hasShakespeare ? 'first citizen:' : 'the jury said';
    const g = t.model.generate({ prime, length: 10, seed: 1 });
    assert.equal(typeof g, 'string');
    assert.ok(g.startsWith(prime), JSON.stringify(g));
    t.dispose();
    t2.dispose();
  });

  test('the schedule changes the learning rate', async () => {
    const t = await createTrainer({ text, ...SMALL, learningRate: 0.01, schedule: { type: 'step', stepSize: 2, gamma: 0.5 } });
    const lrs = [1, 2, 3, 4, 5].map(() => t.step().learningRate);
    assert.ok(lrs[0] > lrs[4], `learning rates ${lrs}`);
    t.dispose();
  });
});

test("the package name resolves to this module through package.json 'exports'", async () => {
  const byName = await import('rnn-wasm');
  assert.equal(byName.createTrainer, createTrainer);
  assert.equal(byName.loadModel, loadModel);
  assert.equal(byName.version, version);
  const pkg = JSON.parse(await import('node:fs').then((fs) => fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')));
  assert.equal(version, pkg.version, 'index.js version matches package.json');
  assert.ok(pkg.files.includes('wasm/index.d.ts') && pkg.exports['.'].types === './wasm/index.d.ts');
});
