// Benchmarks as users run them, on a small Penn-Treebank-like corpus this test writes itself
// (lower-case words, <unk>, N for numbers, "mr." and "u.s." kept whole, one sentence a line, given
// train / valid / test files): the whitespace tokenizer, validationText / --validation-file instead of
// the fraction, and model.evaluate(text) / `rnn-wasm eval --file` with the tokens evaluated and the
// unknown tokens counted.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { createTrainer, loadModel } from '../../wasm/index.js';
import { cliPath, readSafetensors, rejects, tempDir } from './helpers.mjs';
import { rng } from './tasks_data.mjs';

/** Sentences from a tiny grammar, so a small model learns them: PTB's conventions throughout. */
function ptbLike(lines, seed) {
  const r = rng(seed);
  const pick = (xs) => xs[Math.floor(r() * xs.length)];
  const subjects = ['the company', 'mr. <unk>', 'the u.s. unit', 'it', 'the <unk> group'];
  const verbs = ['said', 'expects', 'reported', 'sold'];
  const objects = ['N shares', '$ N million', 'a N % gain', 'its <unk> stake', 'the year \'s profit'];
  let out = '';
  for (let i = 0; i < lines; i++) out += ` ${pick(subjects)} ${pick(verbs)} ${pick(objects)} \n`;
  return out;
}

const cli = (args) => spawnSync(process.execPath, [cliPath, ...args], { encoding: 'utf8', timeout: 120000 });
const OPTIONS = { tokenizer: 'whitespace', cell: 'lstm', layers: 1, hidden: 32, embedding: 16, seqLength: 16, batchSize: 8, learningRate: 0.01, seed: 2 };
/** Tokens the whitespace tokenizer gives a text: the spaced strings plus one <eos> per newline. */
const count = (text) => text.split(/\s+/).filter(Boolean).length + (text.match(/\n/g) ?? []).length;

describe('a pre-tokenized benchmark: given splits, the whitespace tokenizer, eval on a test file', () => {
  let tmp, train, valid, test_;
  before(() => {
    tmp = tempDir('rnn-wasm-bench-');
    train = ptbLike(800, 1);
    valid = ptbLike(60, 2);
    test_ = ptbLike(60, 3) + ' the company sold zebra shares \n'; // one word the training text never has
    for (const [name, text] of [['train.txt', train], ['valid.txt', valid], ['test.txt', test_]]) writeFileSync(tmp.path(name), text);
  });
  after(() => tmp.cleanup());

  test('tokens are exactly the spaced strings, a newline is <eos>, case and punctuation kept', async () => {
    const t = await createTrainer({ text: train + ' Mr. Smith ( U.S. ) ; -- .\n'.repeat(3), ...OPTIONS });
    const vocab = new Set(JSON.parse(readSafetensors(t.model.save()).metadata.tokenizer).vocab);
    for (const tok of ['mr.', 'u.s.', '<unk>', 'N', '$', '%', "'s", '<eos>', 'Mr.', 'U.S.', '(', ')', ';', '--', '.']) assert.ok(vocab.has(tok), `vocabulary has ${tok}`);
    for (const tok of ['||Period||', '||Return||', 'mr', 'smith']) assert.ok(!vocab.has(tok), `no ${tok}`);
    assert.equal(t.info.config.lowercase, false);
    // Generation writes <eos> as a line break (after some training: one token in six is <eos>).
    await t.train({ steps: 60 });
    const g = t.model.generate({ prime: 'the company', length: 80, seed: 1 });
    assert.ok(!g.includes('<eos>') && g.includes('\n'), JSON.stringify(g));
    t.dispose();
  });

  test('validationText replaces the split; model.evaluate(text) scores every token once and counts the unknown ones', async () => {
    const t = await createTrainer({ text: train, validationText: valid, ...OPTIONS });
    const i = t.info;
    assert.equal(i.trainTokens, count(train), 'the whole training text trains');
    assert.equal(i.tokens, count(train));
    assert.equal(i.validationTokens, count(valid));
    assert.equal(i.validationUnknownTokens, 0);
    const first = t.evaluate();
    assert.equal(first.tokens, count(valid) - 1, 'every validation token after the first is predicted');
    await t.train({ steps: 150 });
    const e = t.evaluate();
    assert.ok(e.loss < first.loss - 1, `it learns: ${first.loss} → ${e.loss}`);
    assert.ok(e.perplexity < 12, `validation perplexity ${e.perplexity}`);
    const model = await loadModel(t.model.save());
    // The model file scores the validation text to the same numbers as the run did.
    const again = model.evaluate(valid);
    assert.equal(again.loss, e.loss);
    assert.equal(again.tokens, e.tokens);
    const onTest = model.evaluate(readFileSync(tmp.path('test.txt')));
    assert.equal(onTest.tokens, count(test_) - 1);
    assert.equal(onTest.unknownTokens, 1);
    assert.equal(onTest.skippedTokens, 0, 'read as <unk>, which the corpus has');
    assert.deepEqual(onTest.unknownExamples, ['zebra']);
    assert.ok(Math.abs(onTest.perplexity - Math.exp(onTest.loss)) < 1e-9 * onTest.perplexity);
    assert.ok(Math.abs(onTest.bitsPerToken - onTest.loss / Math.LN2) < 1e-12);
    assert.deepEqual(model.evaluate({ text: valid, maxTokens: 16 }).tokens < e.tokens, true, 'maxTokens scores the first batches');
    // Resuming needs the same validation text: it decided what trained.
    const ck = t.save();
    const resumed = await createTrainer({ resumeFrom: ck, text: train, validationText: valid });
    assert.equal(resumed.evaluate().loss, e.loss);
    resumed.dispose();
    await rejects(() => createTrainer({ resumeFrom: ck, text: train }), /different text/);
    await rejects(() => createTrainer({ text: train, validationText: '', ...OPTIONS }), /option 'validationText' is empty/);
    await rejects(() => createTrainer({ examples: 'a\tb\n', validationText: valid, task: 'classify' }), /'validationText' is for a language model on a text/);
    await rejects(() => createTrainer({ text: train, validationText: 5, ...OPTIONS }), /option 'validationText' must be a string or Uint8Array/);
    model.dispose();
    t.dispose();
  });

  test('the CLI: train --validation-file, then eval --file test.txt', () => {
    const out = tmp.path('ptb.safetensors');
    const r = cli(['train', tmp.path('train.txt'), '--validation-file', tmp.path('valid.txt'), '--tokenizer', 'whitespace', '--layers', '1', '--hidden', '32',
      '--embedding', '16', '--seq-length', '16', '--batch-size', '8', '--learning-rate', '0.01', '--steps', '100', '--eval-every', '50', '--out', out]);
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.match(lines[0], new RegExp(`whitespace vocabulary \\d+, \\d+ parameters, ${count(train)} training / ${count(valid)} validation tokens$`));
    assert.match(lines.at(-1), /^done: step 100\/100 .*val ppl/);
    const e = cli(['eval', out, '--file', tmp.path('test.txt')]);
    assert.equal(e.status, 0, e.stderr);
    assert.match(e.stdout, new RegExp(`^loss \\d+\\.\\d{4}  perplexity \\d+\\.\\d\\d  bits/token \\d+\\.\\d{4}  ${count(test_) - 1} tokens, 1 unknown \\(read as <unk>\\)\\n$`));
    const j = JSON.parse(cli(['eval', out, '--file', tmp.path('test.txt'), '--json']).stdout);
    assert.equal(j.tokens, count(test_) - 1);
    assert.equal(j.unknownTokens, 1);
    // A character model without <unk> leaves unknown characters out, and says so.
    const c = tmp.path('char.safetensors');
    assert.equal(cli(['train', tmp.path('train.txt'), '--layers', '1', '--hidden', '8', '--embedding', '4', '--seq-length', '8', '--batch-size', '4',
      '--steps', '2', '-q', '--out', c]).status, 0);
    writeFileSync(tmp.path('odd.txt'), 'the company ☃☃ said\n');
    const o = JSON.parse(cli(['eval', c, '--file', tmp.path('odd.txt'), '--json']).stdout);
    assert.equal(o.unknownTokens, 2);
    assert.equal(o.skippedTokens, 2);
    assert.match(cli(['eval', c, '--file', tmp.path('odd.txt')]).stdout, /2 unknown \(2 left out: no <unk>\)/);
  });
});
