// The CLI of the encoder-decoder: train --task seq2seq pairs.tsv → translate (n best with scores,
// attention, JSON) → eval --file (exact match, token error rate; beam), and the errors of each.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { init, loadModel } from '../../wasm/index.js';
import { cliPath, tempDir } from './helpers.mjs';
import { reversalPairs } from './seq2seq_data.mjs';

await init({ threads: 'off' });
const env = { ...process.env, RNN_WASM_THREADS: 'off' };

function cli(args) {
  const r = spawnSync(process.execPath, [cliPath, ...args], { encoding: 'utf8', timeout: 120000, env });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function assertOneLineError(r, code, re) {
  assert.equal(r.code, code, `exit code (stderr: ${r.stderr})`);
  const lines = r.stderr.split('\n').filter(Boolean);
  assert.equal(lines.length, 1, `one line on stderr: ${JSON.stringify(r.stderr)}`);
  assert.match(lines[0], /^rnn-wasm: /);
  assert.match(lines[0], re);
}

const tsv = (pairs) => pairs.map(([a, b]) => `${a}\t${b}`).join('\n') + '\n';
const FLAGS = ['--layers', '1', '--hidden', '64', '--embedding', '16', '--batch-size', '32', '--learning-rate', '0.005', '--seed', '2',
  '--bidirectional', '--no-input-feeding'];

describe('rnn-wasm on pairs', () => {
  let tmp;
  before(() => {
    tmp = tempDir('rnn-wasm-s2s-cli-');
    writeFileSync(tmp.path('train.tsv'), 'source\ttarget\n' + tsv(reversalPairs(3000, 2, 6, 11)));
    writeFileSync(tmp.path('val.tsv'), tsv(reversalPairs(60, 2, 6, 12)));
    writeFileSync(tmp.path('bad.tsv'), 'ab\tba\nno tab\n');
  });
  after(() => tmp.cleanup());

  test('train → translate → eval', async () => {
    const model = tmp.path('s2s.safetensors');
    const t = cli(['train', '--task', 'seq2seq', tmp.path('train.tsv'), '--validation-file', tmp.path('val.tsv'), ...FLAGS,
      '--steps', '600', '--eval-every', '300', '--out', model]);
    assert.equal(t.code, 0, t.stderr);
    assert.match(t.stdout, /^training: seq2seq, lstm 1×64 bidirectional encoder, attention general, char → char vocabularies 10 \/ 12, \d+ parameters, 3000 training \/ 60 validation pairs/);
    assert.match(t.stdout, /val exact [\d.]+%  val TER [\d.]+%/);
    const done = t.stdout.trim().split('\n').at(-1);
    assert.match(done, /^done: step 600\/600 .* val exact [\d.]+%/);

    // One source, greedy: just the output.
    const g = cli(['translate', model, 'abcd']);
    assert.equal(g.code, 0, g.stderr);
    assert.equal(g.stdout, 'dcba\n');
    // The n best, ranked with their scores.
    const n = cli(['translate', model, 'abcd', 'jih', '--beam', '4', '--n-best', '3']);
    assert.equal(n.code, 0, n.stderr);
    const lines = n.stdout.trim().split('\n');
    assert.equal(lines.length, 8);
    assert.equal(lines[0], 'abcd');
    assert.match(lines[1], /^ {2}1\. dcba {2}\(score -[\d.]+, log p -[\d.]+\)$/);
    assert.match(lines[3], /^ {2}3\. \S+ {2}\(score/);
    assert.equal(lines[4], 'jih');
    const scores = lines.slice(1, 4).map((l) => Number(/score (-?[\d.]+)/.exec(l)[1]));
    assert.ok(scores[0] >= scores[1] && scores[1] >= scores[2]);
    // JSON and the attention matrix.
    const j = cli(['translate', model, 'abc', '--json']);
    const r = JSON.parse(j.stdout);
    assert.equal(r.source, 'abc');
    assert.equal(r.outputs[0].text, 'cba');
    assert.equal(r.outputs[0].attention.weights.length, 4 * 3);
    const a = cli(['translate', model, 'abc', '--attention']);
    assert.match(a.stdout, /^abc\n {2}1\. cba .*\n +a +b +c\n +c +0\.\d\d/);
    // Standard input, a line per source.
    const s = spawnSync(process.execPath, [cliPath, 'translate', model], { input: 'ab\nabc\n', encoding: 'utf8', env });
    assert.equal(s.stdout, 'ba\ncba\n');

    // eval --file: the same numbers as the API's.
    const e = cli(['eval', model, '--file', tmp.path('val.tsv'), '--json']);
    assert.equal(e.code, 0, e.stderr);
    const ej = JSON.parse(e.stdout);
    const m = await loadModel(readFileSync(model));
    const api = m.evaluate({ pairs: readFileSync(tmp.path('val.tsv')) });
    assert.equal(ej.exactMatch, api.exactMatch);
    assert.equal(ej.tokenErrorRate, api.tokenErrorRate);
    assert.ok(api.exactMatch > 0.5, `exact match after 600 steps: ${api.exactMatch}`);
    m.dispose();
    const eb = cli(['eval', model, '--file', tmp.path('val.tsv'), '--beam', '3', '--max-examples', '10']);
    assert.equal(eb.code, 0, eb.stderr);
    assert.match(eb.stdout, /^loss [\d.]+ {2}exact match [\d.]+% {2}token error rate [\d.]+% {2}10 sources, 10 pairs, beam 3\n/);
    assert.match(eb.stdout, /\n {2}[✓✗] \w+ → \w*/);

    // Resume continues the checkpoint on its pairs.
    const res = cli(['train', tmp.path('train.tsv'), '--validation-file', tmp.path('val.tsv'), '--resume', model, '--steps', '5',
      '--out', tmp.path('resumed.safetensors'), '--eval-every', '0', '-q']);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /^done: step 605\/605/);

    // Errors.
    assertOneLineError(cli(['classify', model, 'abc']), 1, /was trained with task 'seq2seq': use 'rnn-wasm translate'$/);
    assertOneLineError(cli(['generate', model]), 1, /not to write text: use 'rnn-wasm translate'$/);
    assertOneLineError(cli(['translate', model, 'abc', '--beam', '2', '--n-best', '3']), 2, /--n-best must be at most the beam width 2/);
    assertOneLineError(cli(['translate', model, 'abc', '--bogus']), 2, /bogus/);
    assertOneLineError(cli(['eval', model, '--file', tmp.path('val.tsv'), '--max-tokens', '5']), 2, /--max-tokens is not for an encoder-decoder/);
  });

  test('usage errors and bad files', () => {
    assertOneLineError(cli(['train', '--task', 'seq2seq', tmp.path('train.tsv'), '--attention', 'luong']), 2, /--attention must be 'general', 'dot' or 'none'/);
    assertOneLineError(cli(['train', '--task', 'seq2seq', tmp.path('bad.tsv'), '--steps', '1']), 1, /line 2: missing tab between source and target$/);
    assertOneLineError(cli(['train', tmp.path('train.tsv'), '--attention', 'dot']), 2, /--attention is for task 'seq2seq'/);
    assertOneLineError(cli(['translate']), 2, /translate needs a model file/);
    const help = cli(['translate', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^usage: rnn-wasm translate <model> <source>\.\.\./);
  });
});
