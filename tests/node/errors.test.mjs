// Every wrong argument throws an Error naming the option or the problem, nothing crashes the
// module, and a trainer stays usable after each rejected call.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTrainer, loadModel, resolveOptions } from '../../wasm/index.js';
import { rejects, shakespeare, SMALL } from './helpers.mjs';

const text = shakespeare(20000);

// [description, options (merged over SMALL + text), expected message]
const BAD_CREATE = [
  ['unknown option', { hiden: 32 }, /unknown option 'hiden'/],
  ['unknown schedule key', { schedule: { type: 'step', size: 3 } }, /unknown option 'schedule\.size'/],
  ['unknown clip key', { clip: { max: 3 } }, /unknown option 'clip\.max'/],
  ['tokenizer wrong value', { tokenizer: 'bpe' }, /'tokenizer' must be 'char', 'word' or 'whitespace'/],
  ['tokenizer wrong type', { tokenizer: 1 }, /'tokenizer' must be a string/],
  ['lowercase wrong type', { lowercase: 'yes' }, /'lowercase' must be true or false/],
  ['minCount 0', { minCount: 0 }, /'minCount' must be between 1/],
  ['minCount fraction', { minCount: 1.5 }, /'minCount' must be an integer/],
  ['cell wrong value', { cell: 'transformer' }, /'cell' must be 'lstm', 'gru' or 'rnn'/],
  ['layers 0', { layers: 0 }, /'layers' must be between 1 and 64/],
  ['layers string', { layers: '2' }, /'layers' must be an integer \(got string\)/],
  ['hidden negative', { hidden: -5 }, /'hidden' must be between 1/],
  ['embedding fraction', { embedding: 2.5 }, /'embedding' must be an integer/],
  ['dropout 1', { dropout: 1 }, /'dropout' must be < 1/],
  ['dropout negative', { dropout: -0.1 }, /'dropout' must be >= 0/],
  ['seqLength 0', { seqLength: 0 }, /'seqLength' must be between 1/],
  ['batchSize huge', { batchSize: 1e9 }, /'batchSize' must be between 1 and 65536/],
  ['optimizer wrong', { optimizer: 'adagrad' }, /'optimizer' must be 'adam', 'adamw', 'rmsprop' or 'sgd'/],
  ['learningRate 0', { learningRate: 0 }, /'learningRate' must be > 0/],
  ['learningRate string', { learningRate: 'fast' }, /'learningRate' must be a number/],
  ['momentum 1', { momentum: 1 }, /'momentum'/],
  ['beta1 2', { beta1: 2 }, /'beta1'/],
  ['beta2 -1', { beta2: -1 }, /'beta2'/],
  ['eps 0', { eps: 0 }, /'eps'/],
  ['alpha 1', { alpha: 1 }, /'alpha'/],
  ['weightDecay 2', { weightDecay: 2 }, /'weightDecay'/],
  ['schedule unknown', { schedule: 'exponential' }, /schedule.*'constant', 'step', 'cosine' or 'linear'/],
  ['schedule wrong type', { schedule: 5 }, /'schedule' must be a string or an object/],
  ['schedule without type', { schedule: { stepSize: 3 } }, /'schedule\.type' is required/],
  ['schedule stepSize 0', { schedule: { type: 'step', stepSize: 0 } }, /'schedule\.stepSize'/],
  ['schedule gamma 2', { schedule: { type: 'step', gamma: 2 } }, /'schedule\.gamma'/],
  ['schedule totalSteps -1', { schedule: { type: 'cosine', totalSteps: -1 } }, /'schedule\.totalSteps'/],
  ['schedule warmup fraction', { schedule: { type: 'cosine', warmup: 0.5 } }, /'schedule\.warmup'/],
  ['clip wrong type', { clip: 5 }, /'clip' must be/],
  ['clip value 0', { clip: { value: 0 } }, /'clip\.value'/],
  ['clip norm negative', { clip: { norm: -1 } }, /'clip\.norm'/],
  ['validationFraction 0.9', { validationFraction: 0.9 }, /'validationFraction' must be >= 0(\.0)? and <= 0\.5/],
  ['seed negative', { seed: -1 }, /'seed' must be between 0/],
  ['seed fraction', { seed: 0.5 }, /'seed' must be an integer/],
  ['function option', { onProgress: () => {} }, /'onProgress'/],
  ['text too short for one batch', { text: 'abc' }, /text too short.*need at least 64 for batchSize 4 × seqLength 16/],
  ['text too short after validation split', { text: 'xy'.repeat(32) }, /text too short: 61 training tokens \(after holding out 3 for validation\)/],
  ['empty text', { text: '' }, /'text' is empty/],
  ['empty bytes', { text: new Uint8Array(0) }, /'text' is empty/],
  ['text wrong type', { text: 42 }, /'text' must be a string or Uint8Array \(got number\)/],
  ['text null', { text: null }, /'text' must be a string or Uint8Array \(got null\)/],
  ['invalid UTF-8 text', { text: new Uint8Array(200).fill(0xff) }, /invalid UTF-8 at byte 0/],
];

const BAD_GENERATE = [
  ['unknown option', { prme: 'a' }, /unknown option 'prme'/],
  ['prime wrong type', { prime: 5 }, /'prime' must be a string/],
  ['length negative', { length: -1 }, /'length' must be an integer between 0/],
  ['length fraction', { length: 1.5 }, /'length' must be an integer/],
  ['length too large', { length: 2e6 }, /'length' must be an integer between 0 and 1000000/],
  ['length string', { length: '10' }, /'length' must be a number \(got string\)/],
  ['temperature negative', { temperature: -1 }, /'temperature' must be >= 0/],
  ['temperature string', { temperature: 'hot' }, /'temperature' must be a number/],
  ['topK negative', { topK: -1 }, /'topK' must be an integer between 0/],
  ['topK fraction', { topK: 2.5 }, /'topK' must be an integer/],
  ['topP wrong type', { topP: 'x' }, /'topP' must be a number/],
  ['greedy wrong type', { greedy: 1 }, /'greedy' must be true or false/],
  ['includePrime wrong type', { includePrime: 'no' }, /'includePrime' must be true or false/],
  ['seed negative', { seed: -3 }, /'seed' must be an integer between 0/],
  ['stop wrong type', { stop: 5 }, /'stop' must be a string or an array of strings/],
  ['stop array of numbers', { stop: [1] }, /'stop' must be a string or an array of strings/],
  ['repetitionPenalty wrong type', { repetitionPenalty: true }, /'repetitionPenalty' must be a number/],
  ['options not an object', 'hello', /generate options must be an object \(got string\)/],
  ['options null', null, /generate options must be an object \(got null\)/],
  ['options array', [1], /generate options must be an object \(got array\)/],
];

// Sampling options are validated in the core; the messages must use the JS API's names.
const BAD_GENERATE_NAMING = [
  ['topP 0', { topP: 0 }, /'?topP'? must be in \(0, 1\]/],
  ['topP 2', { topP: 2 }, /'?topP'?/],
  ['repetitionPenalty 0', { repetitionPenalty: 0 }, /'?repetitionPenalty'? must be > 0/],
];

const BAD_TRAIN = [
  ['no steps or seconds', {}, /train needs 'steps' or 'seconds'/],
  ['unknown option', { step: 3 }, /unknown option 'step'/],
  ['steps negative', { steps: -1 }, /'steps' must be a non-negative integer/],
  ['steps fraction', { steps: 1.5 }, /'steps' must be a non-negative integer/],
  ['seconds negative', { seconds: -1 }, /'seconds' must be a non-negative number/],
  ['seconds infinite', { seconds: Infinity }, /'seconds' must be a non-negative number/],
  ['onProgress wrong type', { steps: 1, onProgress: 'log' }, /'onProgress' must be a function/],
  ['chunkMilliseconds 0', { steps: 1, chunkMilliseconds: 0 }, /'chunkMilliseconds' must be a positive number/],
  ['options not an object', 5, /train options must be an object/],
];

describe('createTrainer rejects bad options', () => {
  let probe;
  before(async () => {
    probe = await createTrainer({ text, ...SMALL });
  });
  after(() => probe.dispose());

  for (const [what, bad, re] of BAD_CREATE) {
    test(what, async () => {
      await rejects(() => createTrainer({ text, ...SMALL, ...bad }), re, what);
      // The module survived: an existing trainer still trains.
      assert.ok(Number.isFinite(probe.step().loss));
    });
  }

  test('options missing, null, array or not an object', async () => {
    await rejects(() => createTrainer(), /'text' is required/);
    await rejects(() => createTrainer({}), /'text' is required/);
    await rejects(() => createTrainer(null), /createTrainer options must be an object \(got null\)/);
    await rejects(() => createTrainer([text]), /must be an object \(got array\)/);
    await rejects(() => createTrainer(text), /must be an object \(got string\)/);
  });

  test('resolveOptions rejects the same mistakes', async () => {
    await rejects(() => resolveOptions({ hiden: 3 }), /unknown option 'hiden'/);
    await rejects(() => resolveOptions({ cell: 'x' }), /'cell'/);
    await rejects(() => resolveOptions(7), /options must be an object/);
  });
});

// JSON.stringify would turn NaN and ±Infinity into null (= "use the default"): they must be refused.
describe('non-finite numbers', () => {
  for (const [k, v] of [['hidden', NaN], ['learningRate', Infinity], ['dropout', -Infinity]]) {
    test(`${k}: ${v} is rejected`, async () => {
      await rejects(() => createTrainer({ text, ...SMALL, [k]: v }), new RegExp(`'${k}'`));
    });
  }
  test('generate({ temperature: NaN }) is rejected', async () => {
    const t = await createTrainer({ text, ...SMALL });
    try {
      assert.throws(() => t.model.generate({ temperature: NaN, length: 2 }), /'?temperature'?/);
    } finally {
      t.dispose();
    }
  });
});

describe('resumeFrom rejects bad checkpoints', () => {
  let ckpt, model, probe;
  before(async () => {
    probe = await createTrainer({ text, ...SMALL });
    probe.step();
    ckpt = probe.save();
    model = probe.model.save();
  });
  after(() => probe.dispose());

  const cases = () => [
    ['a model file (no training state)', { resumeFrom: model, text }, /resumeFrom: this file is a model without training state/],
    ['a different text', { resumeFrom: ckpt, text: text.slice(0, 19000) }, /resumeFrom: the checkpoint was trained on a different text/],
    ['combined with model options', { resumeFrom: ckpt, text, hidden: 64 }, /option 'hidden' cannot be combined with resumeFrom/],
    ['not bytes', { resumeFrom: 'ckpt.safetensors', text }, /'resumeFrom' must be a Uint8Array or ArrayBuffer \(got string\)/],
    ['garbage', { resumeFrom: new Uint8Array(64).fill(7), text }, /invalid model file/],
    ['truncated', { resumeFrom: ckpt.subarray(0, ckpt.length - 10), text }, /invalid model file|beyond the data buffer/],
    ['without text', { resumeFrom: ckpt }, /'text' is required/],
  ];
  test('each case', async () => {
    for (const [what, opts, re] of cases()) {
      await rejects(() => createTrainer(opts), re, what);
      assert.ok(Number.isFinite(probe.step().loss), `usable after: ${what}`);
    }
  });
});

describe('loadModel rejects files that fail validation', () => {
  let good;
  before(async () => {
    const t = await createTrainer({ text, ...SMALL });
    good = t.model.save();
    t.dispose();
  });

  // Rewrites the safetensors header with edit(header) (keeping the data).
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

  test('each case', async () => {
    const cases = [
      ['empty', new Uint8Array(0), /model file is empty/],
      ['too short', new Uint8Array(5), /invalid model file/],
      ['zeros', new Uint8Array(4096), /invalid model file/],
      ['text', new TextEncoder().encode('hello, I am not a model at all, just some text'), /invalid model file/],
      ['header length beyond the file', (() => { const b = Buffer.from(good); b.writeBigUInt64LE(1n << 40n); return b; })(), /invalid model file/],
      ['truncated data', good.subarray(0, good.length - 100), /invalid model file.*beyond the data buffer/],
      ['not an rnn-wasm file', withHeader(good, meta('format', () => 'pytorch')), /not an rnn-wasm model file/],
      ['newer format version', withHeader(good, meta('format_version', () => '99')), /format version 99 is newer/],
      ['bad config', withHeader(good, meta('config', (c) => JSON.stringify({ ...JSON.parse(c), cell: 'tcn' }))), /model file config: .*'cell'/],
      ['config not JSON', withHeader(good, meta('config', () => '{oops')), /metadata 'config' is not valid JSON/],
      ['missing tensor', withHeader(good, (h) => { delete h['fc.bias']; }), /lacks tensor 'fc\.bias'|trailing bytes after the last tensor/],
      ['wrong dtype', withHeader(good, (h) => { h['fc.bias'].dtype = 'I32'; }), /tensor 'fc\.bias' has dtype I32, expected F32/],
      ['wrong shape', withHeader(good, (h) => { h['fc.bias'].shape = [1, h['fc.bias'].shape[0]]; }), /tensor 'fc\.bias' has shape/],
      ['unexpected tensor', withHeader(good, (h) => { h['extra'] = { ...h['fc.bias'] }; }), /unexpected tensor 'extra'|overlap|invalid model file/],
      ['not bytes', 'model.safetensors', /'bytes' must be a Uint8Array or ArrayBuffer \(got string\)/],
      ['undefined', undefined, /'bytes' must be a Uint8Array or ArrayBuffer \(got undefined\)/],
    ];
    const probe = await loadModel(good);
    for (const [what, bytes, re] of cases) {
      await rejects(() => loadModel(bytes), re, what);
      assert.equal(typeof probe.generate({ length: 5 }), 'string', `usable after: ${what}`);
    }
    probe.dispose();
  });

  test('a flipped data byte fails the checksum', async () => {
    const b = Buffer.from(good);
    b[b.length - 3] ^= 0x40;
    await rejects(() => loadModel(b), /checksum/);
  });
});

describe('generate and stream reject bad options; the trainer stays usable', () => {
  let trainer, model;
  before(async () => {
    trainer = await createTrainer({ text, ...SMALL });
    model = await loadModel(trainer.model.save());
  });
  after(() => {
    trainer.dispose();
    model.dispose();
  });

  for (const [what, bad, re] of BAD_GENERATE) {
    test(what, async () => {
      for (const target of [model, trainer.model]) {
        await rejects(() => target.generate(bad), re, `generate: ${what}`);
        await rejects(async () => { for await (const p of target.stream(bad)) void p; }, re, `stream: ${what}`);
      }
      assert.ok(Number.isFinite(trainer.step().loss));
      assert.equal(typeof model.generate({ length: 3 }), 'string');
    });
  }

  for (const [what, bad, re] of BAD_GENERATE_NAMING) {
    test(`${what} (rejected)`, async () => {
      assert.throws(() => model.generate(bad), Error);
      assert.ok(Number.isFinite(trainer.step().loss));
    });
    test(`${what} (message names the JS option)`, () => {
      assert.throws(() => model.generate(bad), re);
    });
  }
});

describe('train() rejects bad options; the trainer stays usable', () => {
  let trainer;
  before(async () => {
    trainer = await createTrainer({ text, ...SMALL });
  });
  after(() => trainer.dispose());

  for (const [what, bad, re] of BAD_TRAIN) {
    test(what, async () => {
      const step = trainer.info.step;
      await rejects(() => trainer.train(bad), re, what);
      assert.equal(trainer.info.step, step, 'no step was taken');
      assert.equal(trainer.step().step, step + 1);
    });
  }

  test('a callback that throws rejects train() and leaves the trainer usable', async () => {
    await rejects(() => trainer.train({ steps: 3, onProgress: () => { throw new Error('boom'); } }), /boom/);
    assert.ok(Number.isFinite(trainer.step().loss));
  });
});

describe('disposed objects', () => {
  test('throw "disposed" on every use; dispose() twice is harmless', async () => {
    const t = await createTrainer({ text, ...SMALL });
    const live = t.model;
    const m = await loadModel(t.model.save());
    const stream = m.stream({ length: 100 });
    await stream.next();
    t.dispose();
    t.dispose();
    m.dispose();
    m.dispose();
    for (const [what, fn] of [
      ['step', () => t.step()], ['info', () => t.info], ['evaluate', () => t.evaluate()], ['save', () => t.save()],
      ['model', () => t.model], ['resetState', () => t.resetState()], ['train', () => t.train({ steps: 1 })],
      ['live generate', () => live.generate({ length: 2 })], ['live save', () => live.save()], ['live info', () => live.info],
      ['live stream', async () => { for await (const p of live.stream({ length: 2 })) void p; }],
      ['model generate', () => m.generate({ length: 2 })], ['model save', () => m.save()], ['model info', () => m.info],
      ['model stream', async () => { for await (const p of m.stream({ length: 2 })) void p; }],
    ]) {
      await rejects(fn, /disposed/, what);
    }
    // A stream that was already running ends with its model (it would pin the model's memory).
    await rejects(() => stream.next(), /^model is disposed$/, 'running stream');
  });
});
