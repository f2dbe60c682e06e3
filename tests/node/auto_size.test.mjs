// size 'auto' in the JS API and the CLI: the trainer uses what chooseSize() chooses, given options
// win, the choice grows with the time, files hold plain options, and mistakes are named.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { chooseSize, createTrainer, features, loadModel, resolveOptions } from '../../wasm/index.js';
import { cliPath, readSafetensors, shakespeare, tempDir } from './helpers.mjs';

const text = shakespeare(60000);

test('createTrainer({ size: "auto" }) trains what chooseSize() chose, and says so in info.autoSize', async () => {
  const chosen = await chooseSize(text, { budgetSeconds: 120, seed: 5 });
  assert.equal(chosen.autoSize.threads, (await features()).threadCount);
  assert.equal(chosen.options.hidden, chosen.autoSize.hidden);
  assert.equal(chosen.options.optimizer, 'adamw');
  assert.equal(chosen.options.lockedDropout, true);
  assert.equal(chosen.options.schedule.fitTime, true);
  assert.equal(chosen.options.schedule.totalSteps, chosen.autoSize.predictedSteps);
  assert.equal(chosen.options.seed, 5);
  const t = await createTrainer({ text, size: 'auto', budgetSeconds: 120, seed: 5 });
  try {
    assert.deepEqual(t.info.autoSize, chosen.autoSize);
    assert.deepEqual(t.info.config, chosen.options);
    assert.equal(t.info.autoSize.trainTokens, t.info.trainTokens);
    // The chosen options are plain options: a trainer given them is the same run, bit for bit.
    const u = await createTrainer({ text, ...chosen.options });
    try {
      assert.equal(u.info.autoSize, undefined);
      for (let i = 0; i < 3; i++) assert.equal(t.step().loss, u.step().loss);
      assert.ok(Buffer.from(t.model.save()).equals(Buffer.from(u.model.save())));
    } finally {
      u.dispose();
    }
    // The file keeps the options, not the rule.
    const cfg = JSON.parse(readSafetensors(t.save()).metadata.config);
    assert.equal(cfg.size, undefined);
    assert.equal(cfg.hidden, chosen.options.hidden);
    const m = await loadModel(t.save());
    assert.equal(typeof m.generate({ length: 10, seed: 1 }), 'string');
    m.dispose();
  } finally {
    t.dispose();
  }
});

test('more time never gives a smaller model; a word vocabulary is tied; given options are kept', async () => {
  let last = 0;
  for (const budgetSeconds of [5, 60, 600, 3600]) {
    const { autoSize } = await chooseSize(text, { budgetSeconds });
    assert.ok(autoSize.hidden >= last, `${budgetSeconds} s: ${autoSize.hidden} < ${last}`);
    last = autoSize.hidden;
  }
  const words = await chooseSize(text, { tokenizer: 'word', budgetSeconds: 300 });
  assert.equal(words.options.tieWeights, true);
  assert.equal(words.options.embedding, words.options.hidden);
  const given = await chooseSize(text, { hidden: 24, dropout: 0, optimizer: 'adam', schedule: 'constant', budgetSeconds: 300 });
  assert.equal(given.options.hidden, 24);
  assert.equal(given.options.dropout, 0);
  assert.equal(given.options.optimizer, 'adam');
  assert.equal(given.options.schedule.type, 'constant');
  assert.equal(given.options.seqLength, given.autoSize.seqLength);
});

test('size mistakes are named', async () => {
  await assert.rejects(createTrainer({ text, size: 'large' }), /option 'size' must be 'auto'/);
  await assert.rejects(createTrainer({ text, budgetSeconds: 60 }), /give size: 'auto'/);
  await assert.rejects(createTrainer({ text, size: 'auto', budgetSeconds: -1 }), /budgetSeconds/);
  await assert.rejects(createTrainer({ examples: 'a\tx\nb\ty\n', task: 'classify', size: 'auto' }), /is for task 'lm'/);
  // Without a text, resolveOptions() leaves the choice open and says so.
  const r = await resolveOptions({ size: 'auto', budgetSeconds: 90 });
  assert.equal(r.size, 'auto');
  assert.equal(r.budgetSeconds, 90);
});

test('CLI: --size auto sizes for --minutes, prints the choice, and refuses other sizes', () => {
  const t = tempDir();
  try {
    const corpus = t.path('corpus.txt');
    writeFileSync(corpus, text);
    const run = (...args) => spawnSync(process.execPath, [cliPath, 'train', corpus, ...args], { encoding: 'utf8', timeout: 120000 });
    const r = run('--size', 'auto', '--minutes', '0.02', '--eval-every', '0', '--out', t.path('a.st'));
    assert.equal(r.status, 0, r.stderr);
    const line = r.stdout.split('\n').find((l) => l.startsWith('size auto for 0:01'));
    assert.ok(line, r.stdout);
    const cfg = JSON.parse(readSafetensors(readFileSync(t.path('a.st'))).metadata.config);
    assert.match(line, new RegExp(`: ${cfg.layers}×${cfg.hidden}, embedding ${cfg.embedding}`));
    // --json: the choice first, then the progress lines.
    const j = run('--size', 'auto', '--steps', '2', '--hidden', '20', '--json', '--eval-every', '0', '--out', t.path('b.st'));
    assert.equal(j.status, 0, j.stderr);
    const first = JSON.parse(j.stdout.split('\n')[0]);
    assert.equal(first.autoSize.budgetSeconds, 600); // sized for 10 minutes without --minutes
    assert.equal(first.config.hidden, 20);
    assert.deepEqual(first.config.schedule, { type: 'cosine', warmup: 100, totalSteps: 2, minLearningRate: 0 }); // --steps: the decay ends there
    const bad = run('--size', 'big', '--steps', '1', '--out', t.path('c.st'));
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--size must be 'auto'/);
    const res = spawnSync(process.execPath, [cliPath, 'train', corpus, '--resume', t.path('a.st'), '--size', 'auto', '--steps', '1'], { encoding: 'utf8' });
    assert.equal(res.status, 2);
    assert.match(res.stderr, /--size cannot be combined with --resume/);
  } finally {
    t.cleanup();
  }
});
