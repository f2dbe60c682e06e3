// The CLI for the tasks beside the language model: train --task classify / tag / --by-category,
// classify, tag, eval --file, generate --label, their --help, and their errors and exit codes.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { init, loadModel } from '../../wasm/index.js';
import { cliPath, readSafetensors, tempDir } from './helpers.mjs';
import { categoryTsv, classifyTsv, families, moreAThanB, nextSymbol, wordTag } from './tasks_data.mjs';

// The single-threaded build, in the CLI and here: the models are tiny (see tasks.test.mjs).
await init({ threads: 'off' });
const env = { ...process.env, RNN_WASM_THREADS: 'off' };

function cli(args, opts = {}) {
  const r = spawnSync(process.execPath, [cliPath, ...args], { encoding: 'utf8', timeout: 120000, env, ...opts });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function assertOneLineError(r, code, re) {
  assert.equal(r.code, code, `exit code (stderr: ${r.stderr})`);
  const lines = r.stderr.split('\n').filter(Boolean);
  assert.equal(lines.length, 1, `one line on stderr: ${JSON.stringify(r.stderr)}`);
  assert.match(lines[0], /^rnn-wasm: /);
  assert.match(lines[0], re);
}

const FLAGS = ['--layers', '1', '--hidden', '32', '--embedding', '8', '--batch-size', '32', '--learning-rate', '0.01', '--seed', '2'];

describe('rnn-wasm on examples', () => {
  let tmp;
  before(() => {
    tmp = tempDir('rnn-wasm-tasks-cli-');
    writeFileSync(tmp.path('train.tsv'), classifyTsv(moreAThanB(2000, 5)));
    writeFileSync(tmp.path('val.tsv'), classifyTsv(moreAThanB(300, 6)));
    writeFileSync(tmp.path('tags.txt'), wordTag(nextSymbol(400, 1)));
    writeFileSync(tmp.path('tags-val.txt'), wordTag(nextSymbol(60, 2)));
    writeFileSync(tmp.path('families.tsv'), categoryTsv(families(600, 7)));
    writeFileSync(tmp.path('bad.tsv'), 'text\tlabel\naab\tmore a\nno tab\nbba\tmore b\n');
    writeFileSync(tmp.path('corpus.txt'), 'the cat sat on the mat. '.repeat(200));
  });
  after(() => tmp.cleanup());

  test('train --task classify: progress with accuracy, checkpoint; classify and eval --file use it', async () => {
    const out = tmp.path('cls.safetensors');
    const r = cli(['train', '--task', 'classify', tmp.path('train.tsv'), '--validation-file', tmp.path('val.tsv'), ...FLAGS,
      '--steps', '400', '--eval-every', '200', '--out', out, '--model-out', tmp.path('cls.model.safetensors')]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    const lines = r.stdout.trim().split('\n');
    assert.match(lines[0], /^training: classify, lstm 1×32, char vocabulary 4, \d+ parameters, 2 labels, 2000 training \/ 300 validation examples$/);
    assert.ok(lines.some((l) => /^step 200\/400 .*val loss \d+\.\d{4} {2}val acc \d+\.\d\d%/.test(l)), 'an evaluation with accuracy at step 200');
    const final = lines.at(-1);
    const [, acc] = final.match(/^done: step 400\/400 {2}loss \d+\.\d{4} {2}val loss \d+\.\d{4} {2}val acc (\d+\.\d\d)% .*saved .*cls\.safetensors$/) ?? [];
    assert.ok(+acc >= 90, `final line ${final}`);
    assert.equal(JSON.parse(readSafetensors(readFileSync(out)).metadata.config).task, 'classify');

    const c = cli(['classify', out, 'aaaabc', 'bcbbba']);
    assert.equal(c.code, 0, c.stderr);
    const cl = c.stdout.split('\n');
    assert.equal(cl[0], 'more a');
    assert.match(cl[1], /^ {2}\d\.\d{4} {2}more a$/);
    assert.match(cl[2], /^ {2}\d\.\d{4} {2}more b$/);
    assert.equal(cl[3], 'more b');
    const j = cli(['classify', out, '--json', 'aaaabc']);
    const m = await loadModel(readFileSync(tmp.path('cls.model.safetensors')));
    assert.deepEqual(JSON.parse(j.stdout), { text: 'aaaabc', ...m.classify('aaaabc') });
    const piped = cli(['classify', out], { input: 'aaaabc\n\nbcbbba\n' });
    assert.equal(piped.stdout, c.stdout, 'texts from standard input, a line each');

    const e = cli(['eval', tmp.path('cls.model.safetensors'), '--file', tmp.path('val.tsv')]);
    assert.equal(e.code, 0, e.stderr);
    assert.match(e.stdout, /^loss \d+\.\d{4} {2}accuracy \d+\.\d\d% {2}majority baseline \d+\.\d\d% \('more (a|b)'\) {2}300 examples\nlabel +precision +recall +f1 +support\n/);
    assert.match(e.stdout, /confusion \(rows: true label, columns: predicted\):\n/);
    const ej = JSON.parse(cli(['eval', out, '--file', tmp.path('val.tsv'), '--json']).stdout);
    assert.deepEqual(ej, m.evaluate({ examples: readFileSync(tmp.path('val.tsv')) }));
    assert.equal(+acc, +(100 * ej.accuracy).toFixed(2), 'the final progress line shows the whole validation file');
    m.dispose();

    // Wrong command for the model, wrong data, unknown label: runtime errors naming the problem.
    assertOneLineError(cli(['tag', out, 'a b']), 1, /cls\.safetensors was trained with task 'classify': use 'rnn-wasm classify'/);
    assertOneLineError(cli(['generate', out]), 1, /was trained with task 'classify', not to write text: use 'rnn-wasm classify'/);
    writeFileSync(tmp.path('odd.tsv'), 'aab\tmore a\nbb\tfewer\n');
    assertOneLineError(cli(['eval', out, '--file', tmp.path('odd.tsv')]), 1, /odd\.tsv: line 2: unknown label 'fewer'/);
    assertOneLineError(cli(['eval', out, '--file', tmp.path('bad.tsv')]), 1, /bad\.tsv: line 3: missing tab between text and label/);

    // Resume continues (the checkpoint says it trained on examples).
    const res = cli(['train', tmp.path('train.tsv'), '--validation-file', tmp.path('val.tsv'), '--resume', out, '--steps', '5', '--json', '--out', tmp.path('cls2.safetensors')]);
    assert.equal(res.code, 0, res.stderr);
    const last = JSON.parse(res.stdout.trim().split('\n').at(-1));
    assert.equal(last.step, 405);
    assert.equal(typeof last.validationAccuracy, 'number');
    assertOneLineError(cli(['train', tmp.path('train.tsv'), '--resume', out, '--steps', '1']), 1, /trained on other examples/);
  });

  test('train --task tag --bidirectional; tag prints token/TAG pairs', async () => {
    const out = tmp.path('tag.safetensors');
    const r = cli(['train', '--task', 'tag', tmp.path('tags.txt'), '--validation-file', tmp.path('tags-val.txt'), '--bidirectional',
      '--min-count', '1', '--layers', '1', '--hidden', '32', '--embedding', '8', '--batch-size', '16', '--learning-rate', '0.01', '--steps', '60', '-q', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^done: step 60\/60 {2}loss \d+\.\d{4} {2}val loss \d+\.\d{4} {2}val acc \d+\.\d\d%/);
    const t = cli(['tag', out, 'a _ c b', 'f e']);
    assert.equal(t.code, 0, t.stderr);
    const m = await loadModel(readFileSync(out));
    assert.equal(t.stdout, ['a _ c b', 'f e'].map((s) => m.tag(s).map((x) => `${x.token}/${x.tag}`).join(' ')).join('\n') + '\n');
    assert.match(t.stdout.split('\n')[0], /^a\/\S+ _\/\S+ c\/\S+ b\/\S+$/);
    assert.deepEqual(JSON.parse(cli(['tag', out, '--json', 'a b']).stdout), m.tag('a b'));
    m.dispose();
    const e = cli(['eval', out, '--file', tmp.path('tags-val.txt')]);
    assert.equal(e.code, 0, e.stderr);
    assert.match(e.stdout, /^loss \d+\.\d{4} {2}accuracy \d+\.\d\d% {2}no unseen tokens {2}60 examples, \d+ tokens\n$/);
    assertOneLineError(cli(['classify', out, 'a b']), 1, /was trained with task 'tag': use 'rnn-wasm tag'/);
  });

  test('train --by-category; generate --label writes for the label, and refuses without one', async () => {
    const out = tmp.path('fam.safetensors');
    const r = cli(['train', '--by-category', tmp.path('families.tsv'), '--layers', '1', '--hidden', '32', '--embedding', '8',
      '--batch-size', '16', '--learning-rate', '0.01', '--steps', '40', '--eval-every', '20', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.match(lines[0], /^training: lm by category, lstm 1×32, char vocabulary \d+, \d+ parameters, 3 labels, \d+ training \/ \d+ validation examples$/);
    assert.match(lines.at(-1), /^done: step 40\/40 .*val ppl \d+\.\d\d/);
    const g = cli(['generate', out, '--label', 'up', '--length', '10', '--seed', '4']);
    assert.equal(g.code, 0, g.stderr);
    const m = await loadModel(readFileSync(out));
    assert.equal(g.stdout, m.generate({ label: 'up', length: 10, seed: 4 }).replace(/\n?$/, '\n'));
    m.dispose();
    assertOneLineError(cli(['generate', out, '--length', '5']), 2, /--label is required: choose the category to write for/);
    assertOneLineError(cli(['generate', out, '--label', 'down']), 2, /unknown label 'down'/);
    const e = cli(['eval', out, '--file', tmp.path('families.tsv'), '--json']);
    assert.equal(e.code, 0, e.stderr);
    assert.deepEqual(Object.keys(JSON.parse(e.stdout)).sort(), ['bitsPerToken', 'examples', 'loss', 'perplexity', 'tokens']);
  });

  test('a language model still trains on a text; eval --file scores a text', () => {
    const out = tmp.path('lm.safetensors');
    const r = cli(['train', tmp.path('corpus.txt'), '--layers', '1', '--hidden', '8', '--embedding', '4', '--seq-length', '8', '--batch-size', '4', '--steps', '5', '-q', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    const e = cli(['eval', out, '--file', tmp.path('corpus.txt')]);
    assert.equal(e.code, 0, e.stderr);
    assert.match(e.stdout, /^loss \d+\.\d{4} {2}perplexity \d+\.\d\d {2}bits\/token \d+\.\d{4} {2}\d+ tokens, 0 unknown\n$/);
    assertOneLineError(cli(['classify', out, 'abc']), 1, /was trained with task 'lm', to write text: use 'rnn-wasm generate'/);
    const quick = JSON.parse(cli(['eval', out, '--file', tmp.path('corpus.txt'), '--max-tokens', '16', '--json']).stdout);
    assert.ok(quick.tokens >= 16 && quick.tokens < +e.stdout.match(/(\d+) tokens/)[1], '--max-tokens scores the first batches only');
  });

  test('--skip-bad-lines reports what it left out', () => {
    const r = cli(['train', '--task', 'classify', tmp.path('bad.tsv'), '--skip-bad-lines', '--validation-fraction', '0', '--layers', '1', '--hidden', '4',
      '--embedding', '2', '--batch-size', '2', '--steps', '1', '--eval-every', '0', '--out', tmp.path('skip.safetensors')]);
    // No validation split: the run trains and saves, with no evaluation.
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.split('\n')[1], 'skipped 1 bad line: line 3: missing tab between text and label');
    assert.match(r.stdout.trim().split('\n').at(-1), /^done: step 1\/1 {2}loss \d+\.\d{4} {2}\d+ tok\/s/);
    assertOneLineError(cli(['train', '--task', 'classify', tmp.path('bad.tsv'), '--steps', '1']), 1, /^rnn-wasm: line 3: missing tab between text and label$/);
  });

  test('--help texts and usage errors (exit 2)', () => {
    for (const [args, re] of [
      [['--help'], /rnn-wasm classify <model> <text>\.\.\..*rnn-wasm tag <model> <sentence>\.\.\..*rnn-wasm eval <model> --file <data>/s],
      [['train', '--help'], /--task lm\|classify\|tag.*--by-category.*--validation-file.*--bidirectional.*--pooling.*--max-length.*--skip-bad-lines/s],
      [['classify', '--help'], /^usage: rnn-wasm classify <model> <text>\.\.\./],
      [['tag', '--help'], /^usage: rnn-wasm tag <model> <sentence>\.\.\./],
      [['eval', '--help'], /^usage: rnn-wasm eval <model> --file <data>/],
      [['generate', '--help'], /--label LABEL/],
    ]) {
      const r = cli(args);
      assert.equal(r.code, 0, args.join(' '));
      assert.match(r.stdout, re, args.join(' '));
    }
    const c = tmp.path('train.tsv');
    for (const [args, re] of [
      [['train', c, '--task', 'sort'], /--task must be 'lm', 'classify', 'tag' or 'seq2seq'/],
      [['train', c, '--task', 'classify', '--pooling', 'min'], /--pooling/],
      [['train', c, '--task', 'classify', '--max-length', '0'], /--max-length/],
      [['train', c, '--bidirectional'], /--bidirectional is for --task classify, tag or seq2seq/],
      [['train', c, '--task', 'tag', '--by-category'], /--by-category is for task lm/],
      [['train', c, '--resume', c, '--task', 'classify'], /--task cannot be combined with --resume/],
      [['classify'], /classify needs a model file/],
      [['tag'], /tag needs a model file/],
      [['eval'], /eval needs a model file/],
      [['eval', c], /eval needs --file/],
      [['eval', c, '--file', c, '--max-tokens', 'x'], /--max-tokens must be a number/],
    ]) {
      assertOneLineError(cli(args), 2, re);
    }
  });
});
