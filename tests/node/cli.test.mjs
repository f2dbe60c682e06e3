// The command line (wasm/cli.js), spawned as users run it: train word-level on the Simpsons
// corpus, resume, generate a scene, --help, and the exit codes of usage and runtime errors.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { createTrainer, loadModel } from '../../wasm/index.js';
import { buf, cliPath, readSafetensors, tempDir, wordCorpus } from './helpers.mjs';

// The Simpsons script, or Brown prose in a clone without the shared corpora (said in the output).
const corpusDir = tempDir('rnn-wasm-cli-corpus-');
after(() => corpusDir.cleanup());
const corpus = wordCorpus(corpusDir.dir);
const simpsonsPath = corpus.path;
console.log(`# CLI tests on ${corpus.name}`);

function cli(args, opts = {}) {
  const r = spawnSync(process.execPath, [cliPath, ...args], { encoding: 'utf8', timeout: 120000, ...opts });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function assertOneLineError(r, code, re) {
  assert.equal(r.code, code, `exit code (stderr: ${r.stderr})`);
  const lines = r.stderr.split('\n').filter(Boolean);
  assert.equal(lines.length, 1, `one line on stderr: ${JSON.stringify(r.stderr)}`);
  assert.match(lines[0], /^rnn-wasm: /);
  assert.match(lines[0], re);
}

const MODEL_FLAGS = ['--tokenizer', 'word', '--cell', 'lstm', '--layers', '1', '--hidden', '32', '--embedding', '16',
  '--seq-length', '16', '--batch-size', '16', '--learning-rate', '0.005', '--clip-norm', '5', '--seed', '3'];

describe('rnn-wasm train / generate on the Simpsons corpus', () => {
  let tmp;
  before(() => {
    tmp = tempDir('rnn-wasm-cli-');
  });
  after(() => tmp.cleanup());

  test('train: word-level LSTM, 60 steps, plain progress lines, checkpoint and model saved', () => {
    const r = cli(['train', simpsonsPath, ...MODEL_FLAGS, '--steps', '60', '--eval-every', '30',
      '--out', tmp.path('moe.safetensors'), '--model-out', tmp.path('moe.model.safetensors')]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.ok(!r.stdout.includes('\r'), 'no carriage returns when stdout is not a terminal');
    const lines = r.stdout.trim().split('\n');
    assert.match(lines[0], /^training: lstm 1×32, word vocabulary \d+, \d+ parameters, \d+ training \/ \d+ validation tokens$/);
    for (const l of lines.slice(1, -1)) assert.match(l, /^step \d+\/60 {2}loss \d+\.\d{4} {2}(val loss \d+\.\d{4} {2}val ppl \d+\.\d{2} {2}best \d+\.\d{4} @\d+ {2})?\d+ tok\/s {2}ETA \d+:\d\d$/, l);
    assert.ok(lines.some((l) => /^step 30\/60 .*val ppl/.test(l)), 'an evaluation at step 30');
    const final = lines.at(-1);
    assert.match(final, /^done: step 60\/60 {2}loss \d+\.\d{4} {2}val loss (\d+\.\d{4}) {2}val ppl (\d+\.\d{2}) {2}\d+ tok\/s {2}\d+:\d\d elapsed {2}saved .*moe\.safetensors$/);
    const [, vloss, vppl] = final.match(/val loss (\S+) {2}val ppl (\S+)/);
    assert.ok(Math.abs(Math.exp(+vloss) - +vppl) / +vppl < 1e-3, 'perplexity = exp(loss)');
    assert.ok(+vloss < Math.log(6000), `validation loss ${vloss} is below uniform`);
    const ck = readSafetensors(readFileSync(tmp.path('moe.safetensors')));
    assert.ok(ck.metadata.training, 'the checkpoint has training state');
    assert.equal(Number(JSON.parse(ck.metadata.training).step), 60);
    assert.equal(readSafetensors(readFileSync(tmp.path('moe.model.safetensors'))).metadata.training, undefined);
    assert.deepEqual(readdirSync(tmp.dir).sort(), ['moe.model.safetensors', 'moe.safetensors'], 'no temp files left');
  });

  test('the checkpoint matches the same run made through the API', async () => {
    const t = await createTrainer({ text: readFileSync(simpsonsPath), tokenizer: 'word', cell: 'lstm', layers: 1, hidden: 32, embedding: 16,
      seqLength: 16, batchSize: 16, learningRate: 0.005, clip: { norm: 5 }, seed: 3 });
    await t.train({ steps: 60 });
    const a = readSafetensors(t.model.save());
    const b = readSafetensors(readFileSync(tmp.path('moe.model.safetensors')));
    assert.ok(a.data.equals(b.data), 'same weights');
    t.dispose();
  });

  test('generate: a scene from moe_szyslak:, deterministic for a seed', async () => {
    const args = ['generate', tmp.path('moe.safetensors'), '--prime', corpus.prime, '--length', '200', '--temperature', '0.8', '--seed', '7'];
    const r = cli(args);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.ok(r.stdout.startsWith(corpus.prime), r.stdout.slice(0, 80));
    assert.ok(r.stdout.endsWith('\n'));
    assert.ok(r.stdout.split(/\s+/).length > 60, 'many words');
    assert.equal(cli(args).stdout, r.stdout, 'same seed, same scene');
    assert.notEqual(cli([...args.slice(0, -1), '8']).stdout, r.stdout, 'another seed, another scene');
    const m = await loadModel(readFileSync(tmp.path('moe.model.safetensors')));
    const api = m.generate({ prime: corpus.prime, length: 200, temperature: 0.8, seed: 7 });
    assert.equal(r.stdout, api.endsWith('\n') ? api : api + '\n', 'the CLI prints what the API generates');
    const s = cli(['generate', tmp.path('moe.model.safetensors'), '--prime', corpus.prime, '--length', '300', '--top-k', '20', '--top-p', '0.9',
      '--seed', '2', '--stop', '\\n', '--no-prime']);
    assert.equal(s.code, 0, s.stderr);
    assert.equal(s.stdout, m.generate({ prime: corpus.prime, length: 300, topK: 20, topP: 0.9, seed: 2, stop: '\n', includePrime: false }).replace(/\n?$/, '\n'));
    m.dispose();
  });

  test('train --resume continues exactly (--json progress)', async () => {
    const r = cli(['train', simpsonsPath, '--resume', tmp.path('moe.safetensors'), '--steps', '10', '--json', '--out', tmp.path('resumed.safetensors')]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const final = lines.at(-1);
    assert.equal(final.final, true);
    assert.equal(final.step, 70);
    assert.equal(final.interrupted, false);
    for (const k of ['loss', 'validationLoss', 'validationPerplexity', 'tokensPerSecond', 'elapsedSeconds']) assert.equal(typeof final[k], 'number', k);
    const t = await createTrainer({ resumeFrom: readFileSync(tmp.path('moe.safetensors')), text: readFileSync(simpsonsPath) });
    await t.train({ steps: 10 });
    // Every tensor but the best weights (the CLI records its evaluations for keep-best; this run made none).
    const notBest = (bytes) => {
      const { tensors, data } = readSafetensors(bytes);
      return Object.entries(tensors).filter(([n]) => !n.startsWith('best.')).map(([n, x]) => [n, data.subarray(x.data_offsets[0], x.data_offsets[1])]);
    };
    assert.deepEqual(notBest(t.save()), notBest(readFileSync(tmp.path('resumed.safetensors'))));
    t.dispose();
    assertOneLineError(cli(['train', simpsonsPath, '--resume', tmp.path('moe.safetensors'), '--hidden', '64']), 2, /--hidden cannot be combined with --resume/);
    const other = tmp.path('other.txt');
    writeFileSync(other, readFileSync(simpsonsPath, 'utf8').slice(0, 100000));
    assertOneLineError(cli(['train', other, '--resume', tmp.path('moe.safetensors'), '--steps', '1']), 1, /different text/);
  });

  test('Ctrl-C finishes the chunk, saves and exits 130', async () => {
    const out = tmp.path('interrupted.safetensors');
    const child = spawn(process.execPath, [cliPath, 'train', simpsonsPath, ...MODEL_FLAGS, '--minutes', '5', '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise((resolve) => {
      child.stdout.on('data', (d) => {
        stdout += d;
        if (/^step /m.test(stdout) && !child.killed) child.kill('SIGINT');
      });
      child.on('exit', (c) => resolve(c));
    });
    assert.equal(code, 130, stderr);
    assert.match(stdout.trim().split('\n').at(-1), /^interrupted: step \d+ .*val ppl .*saved /);
    const m = await loadModel(readFileSync(out));
    assert.equal(typeof m.generate({ prime: corpus.prime, length: 5 }), 'string');
    m.dispose();
  });

  test('--schedule cosine takes its length from --steps; info prints the settings', () => {
    const r = cli(['train', simpsonsPath, ...MODEL_FLAGS, '--schedule', 'cosine', '--warmup', '2', '--steps', '3', '-q', '--out', tmp.path('cos.safetensors')]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim().split('\n').length, 1, 'quiet: only the final line');
    const i = cli(['info', tmp.path('cos.safetensors')]);
    assert.equal(i.code, 0, i.stderr);
    const info = JSON.parse(i.stdout);
    assert.deepEqual(info.config.schedule, { type: 'cosine', warmup: 2, totalSteps: 3, minLearningRate: 0 });
    assert.equal(info.tokenizer, 'word');
    assert.equal(info.hidden, 32);
  });

  const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;
  test('on a terminal, progress is one updating line (\\r)', { skip: hasScript ? false : 'util-linux script(1) is not installed' }, () => {
    const cmd = [process.execPath, cliPath, 'train', simpsonsPath, ...MODEL_FLAGS, '--steps', '30', '--out', tmp.path('tty.safetensors')]
      .map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    const r = spawnSync('script', ['-qec', cmd, '/dev/null'], { encoding: 'utf8', timeout: 60000 });
    assert.equal(r.status, 0, r.stderr);
    const out = r.stdout.replace(/\r\n/g, '\n');
    const lines = out.split('\n').filter(Boolean);
    assert.equal(lines.length, 2, `a header line and one updating progress line: ${JSON.stringify(out)}`);
    assert.match(lines[1], /^(\rstep \d+\/30 [^\r\n]*ETA [^\r\n]*\x1b\[K)+\r\x1b\[Kdone: step 30\/30 .*val ppl/);
  });

  test('checkpoints are written periodically', () => {
    const out = tmp.path('periodic.safetensors');
    // 0.001 minutes = 60 ms: a save after nearly every chunk; the file is always complete.
    const r = cli(['train', simpsonsPath, ...MODEL_FLAGS, '--steps', '40', '--checkpoint-minutes', '0.001', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(statSync(out).size > 0);
    assert.ok(!readdirSync(tmp.dir).some((f) => f.includes('.tmp')), 'no temp files left');
  });
});

describe('rnn-wasm --help, usage errors (exit 2) and runtime errors (exit 1)', () => {
  let tmp;
  before(() => {
    tmp = tempDir('rnn-wasm-cli-');
    writeFileSync(tmp.path('garbage.safetensors'), 'this is not a model file, just text');
    writeFileSync(tmp.path('short.txt'), 'Moe: hi.\nHomer: hi Moe.\n');
  });
  after(() => tmp.cleanup());

  test('--help for the tool and each command', () => {
    for (const [args, re] of [
      [['--help'], /^rnn-wasm \d+\.\d+\.\d+: train recurrent networks.*\n\s*usage:/s],
      [['help'], /usage:/],
      [['train', '--help'], /^usage: rnn-wasm train <corpus\.txt> \[options\]/],
      [['train', '-h'], /^usage: rnn-wasm train/],
      [['generate', '--help'], /^usage: rnn-wasm generate <model>.*--prime.*--length.*--temperature.*--top-k.*--top-p.*--seed/s],
      [['info', '--help'], /^usage: rnn-wasm info/],
    ]) {
      const r = cli(args);
      assert.equal(r.code, 0, args.join(' '));
      assert.match(r.stdout, re, args.join(' '));
      assert.equal(r.stderr, '');
    }
    const trainHelp = cli(['train', '--help']).stdout;
    for (const flag of ['--tokenizer', '--no-lowercase', '--min-count', '--cell', '--layers', '--hidden', '--embedding', '--dropout', '--seq-length',
      '--batch-size', '--optimizer', '--learning-rate', '--schedule', '--clip-norm', '--clip-value', '--validation-fraction', '--seed',
      '--steps', '--minutes', '--out', '--resume', '--eval-every', '--checkpoint-minutes']) {
      assert.ok(trainHelp.includes(flag), `train --help documents ${flag}`);
    }
    assert.match(trainHelp, /130/, 'documents the Ctrl-C exit code');
    const v = cli(['--version']);
    assert.equal(v.code, 0);
    assert.match(v.stdout, /^\d+\.\d+\.\d+\n$/);
  });

  test('the shebang and executable bit let it run directly', () => {
    assert.ok(readFileSync(cliPath, 'utf8').startsWith('#!/usr/bin/env node\n'));
    assert.ok(statSync(cliPath).mode & 0o111, 'executable');
    const r = spawnSync(cliPath, ['--version'], { encoding: 'utf8' });
    assert.equal(r.status, 0);
  });

  test('usage errors exit 2 with one line naming the problem', () => {
    const c = simpsonsPath;
    const cases = [
      [[], null],
      [['fly'], /unknown command 'fly'/],
      [['train'], /train needs a corpus file/],
      [['train', c, c], /train takes one corpus file/],
      [['train', c, '--bogus'], /'--bogus'/],
      [['train', c, '--layers', 'x'], /--layers must be a number \(got 'x'\)/],
      [['train', c, '--layers', '1.5'], /--layers must be an integer/],
      [['train', c, '--layers'], /--layers/],
      [['train', c, '--seq-length', '0'], /--seq-length must be between 1 and 65536/],
      [['train', c, '--batch-size', '-4'], /--batch-size/],
      [['train', c, '--learning-rate', '0'], /--learning-rate must be > 0/],
      [['train', c, '--validation-fraction', '0.9'], /--validation-fraction/],
      [['train', c, '--min-count', '0'], /--min-count/],
      [['train', c, '--cell', 'tcn'], /--cell must be 'lstm', 'gru' or 'rnn'/],
      [['train', c, '--tokenizer', 'bpe'], /--tokenizer/],
      [['train', c, '--optimizer', 'lion'], /--optimizer/],
      [['train', c, '--schedule', 'exponential'], /schedule/],
      [['train', c, '--tie-weights'], /--tie-weights needs --embedding equal to --hidden/],
      [['train', c, '--output-dropout', '1'], /--output-dropout must be < 1/],
      [['train', c, '--clip-norm', '-1'], /--clip-norm/],
      [['train', c, '--clip-value', '0'], /--clip-value/],
      [['train', c, '--no-clip', '--clip-norm', '1'], /--no-clip/],
      [['train', c, '--dropout', '1'], /--dropout must be < 1/],
      [['train', c, '--steps', '-1'], /--steps must be >= 0/],
      [['train', c, '--minutes', '0'], /--minutes must be > 0/],
      [['train', c, '--eval-every', 'often'], /--eval-every must be a number/],
      [['generate'], /generate needs a model file/],
      [['generate', tmp.path('garbage.safetensors'), '--top-k', '-1'], /--top-k/],
      [['generate', tmp.path('garbage.safetensors'), '--length', 'long'], /--length must be a number/],
    ];
    for (const [args, re] of cases) {
      const r = cli(args);
      if (re === null) {
        assert.equal(r.code, 2, 'no arguments: exit 2');
        assert.match(r.stderr, /usage:/);
      } else {
        assertOneLineError(r, 2, re);
        assert.equal(r.stdout, '', `${args.join(' ')}: nothing on stdout`);
      }
    }
    assert.deepEqual(readdirSync(tmp.dir).sort(), ['garbage.safetensors', 'short.txt'], 'nothing was written');
  });

  test('option values a model rejects are usage errors too', async () => {
    const t = await createTrainer({ text: readFileSync(simpsonsPath, 'utf8').slice(0, 20000), tokenizer: 'char', layers: 1, hidden: 8, embedding: 4, seqLength: 8, batchSize: 2 });
    writeFileSync(tmp.path('small.safetensors'), t.model.save());
    t.dispose();
    assertOneLineError(cli(['generate', tmp.path('small.safetensors'), '--temperature', '-1']), 2, /temperature must be >= 0/);
    assertOneLineError(cli(['generate', tmp.path('small.safetensors'), '--top-p', '2']), 2, /--top-p/);
    assertOneLineError(cli(['generate', tmp.path('small.safetensors'), '--seed', '-1']), 2, /--seed/);
  });

  test('runtime errors exit 1 with one line naming the problem', () => {
    assertOneLineError(cli(['train', tmp.path('missing.txt'), '--steps', '1']), 1, /cannot read corpus '.*missing\.txt': no such file/);
    assertOneLineError(cli(['train', tmp.path('short.txt'), '--steps', '1']), 1, /text too short/);
    assertOneLineError(cli(['train', simpsonsPath, '--resume', tmp.path('missing.safetensors')]), 1, /cannot read checkpoint/);
    assertOneLineError(cli(['train', simpsonsPath, '--resume', tmp.path('garbage.safetensors')]), 1, /invalid model file/);
    assertOneLineError(cli(['generate', tmp.path('missing.safetensors')]), 1, /cannot read model '.*missing\.safetensors': no such file/);
    assertOneLineError(cli(['generate', tmp.path('garbage.safetensors')]), 1, /garbage\.safetensors: invalid model file/);
    assertOneLineError(cli(['info', tmp.path('garbage.safetensors')]), 1, /invalid model file/);
    assertOneLineError(cli(['train', simpsonsPath, '--layers', '1', '--hidden', '8', '--steps', '1', '--out', tmp.path('no/such/dir/m.safetensors')]), 1, /cannot write/);
    assert.ok(!existsSync(tmp.path('model.safetensors')));
  });
});
