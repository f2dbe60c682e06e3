// The divergence guard through the JS API and the CLI (issue 16): a run with an absurd learning rate
// comes back with a finite loss, reports each undone step, and checkpoints carry the guard's state.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { createTrainer, resolveOptions } from '../../wasm/index.js';
import { cliPath, readSafetensors, shakespeare, SMALL, tempDir } from './helpers.mjs';

const text = shakespeare(20000);

test('learning rate 1000: the guard undoes the blow-ups, lowers the rate and the loss ends finite and lower', async () => {
  const t = await createTrainer({ text, ...SMALL, learningRate: 1000 });
  try {
    const first = t.step();
    const guarded = [];
    let last;
    for (let i = 0; i < 300; i++) {
      last = t.step();
      if (last.guard) guarded.push(last);
    }
    assert.ok(guarded.length > 5, `events: ${guarded.length}`);
    assert.match(guarded[0].guard, /^(loss|gradient norm) .*(is not finite|is far above the running median [\d.e+-]+) at step \d+$/);
    assert.equal(last.guardEvents, guarded.length);
    assert.ok(Number.isFinite(last.loss) && last.loss < first.loss, `loss ${first.loss} -> ${last.loss}`);
    assert.ok(last.learningRate < 1, `learning rate after the events: ${last.learningRate}`);
    // The checkpoint carries the count and the factor (a resumed run keeps the lower rate).
    const meta = JSON.parse(readSafetensors(t.save()).metadata.training);
    assert.equal(meta.guard_events, guarded.length);
    assert.ok(meta.guard_lr_scale > 0 && meta.guard_lr_scale < 1e-3, String(meta.guard_lr_scale));
    const resumed = await createTrainer({ text, resumeFrom: t.save() });
    assert.equal(resumed.step().learningRate, t.step().learningRate);
    resumed.dispose();
  } finally {
    t.dispose();
  }
});

test('train() reports guard events to onProgress; a run without them writes nothing new into checkpoints', async () => {
  const t = await createTrainer({ text, ...SMALL, learningRate: 1000 });
  const seen = [];
  const r = await t.train({ steps: 60, onProgress: (p) => { if (p.guard) seen.push(p.guard); } });
  assert.ok(seen.length > 0 && r.guardEvents >= seen.length);
  t.dispose();
  const calm = await createTrainer({ text, ...SMALL });
  calm.step();
  const meta = JSON.parse(readSafetensors(calm.save()).metadata.training);
  assert.equal(meta.guard_events, undefined);
  assert.equal(calm.step().guardEvents, 0);
  calm.dispose();
});

test('guard options resolve, round-trip and are refused when wrong', async () => {
  assert.equal((await resolveOptions({})).guard, undefined);
  assert.equal((await resolveOptions({ guard: false })).guard, false);
  assert.deepEqual((await resolveOptions({ guard: { factor: 0.25 } })).guard, { factor: 0.25 });
  await assert.rejects(resolveOptions({ guard: { factor: 1 } }), /guard\.factor must be between 0 and 1/);
  await assert.rejects(resolveOptions({ guard: 'on' }), /option 'guard' must be true, false or \{ factor \}/);
  await assert.rejects(resolveOptions({ learningRate: 1e9 }), /learningRate/);
  // Without the guard the same run takes every step: its loss jumps to thousands of nats and stays
  // far above where the guarded run goes (the native Guard tests check that a non-finite step throws).
  const t = await createTrainer({ text, ...SMALL, learningRate: 1000, guard: false });
  const losses = [];
  for (let i = 0; i < 20; i++) losses.push(t.step());
  assert.ok(losses.every((r) => !r.guard && r.guardEvents === 0));
  assert.ok(losses[1].loss > 100, `the second step's loss without the guard: ${losses[1].loss}`);
  t.dispose();
});

test('CLI: --learning-rate 1000 prints each undone step and still saves a finite model; --no-guard and --guard-factor', () => {
  const tmp = tempDir();
  try {
    const corpus = tmp.path('c.txt');
    writeFileSync(corpus, text);
    const out = tmp.path('m.safetensors');
    const r = spawnSync(process.execPath, [cliPath, 'train', corpus, '--hidden', '32', '--embedding', '16', '--layers', '1',
      '--batch-size', '4', '--seq-length', '16', '--learning-rate', '1000', '--steps', '80', '--eval-every', '0', '--out', out],
    { encoding: 'utf8', timeout: 120000 });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /guard: .*(not finite|far above the running median).*undone \(\d+ so far\), back to step \d+, learning rate now/);
    assert.match(r.stdout, /done: .*guard \d+ undone/);
    const j = spawnSync(process.execPath, [cliPath, 'train', corpus, '--hidden', '32', '--embedding', '16', '--layers', '1',
      '--batch-size', '4', '--seq-length', '16', '--learning-rate', '1000', '--steps', '40', '--eval-every', '0', '--json', '--out', out],
    { encoding: 'utf8', timeout: 120000 });
    const final = JSON.parse(j.stdout.trim().split('\n').at(-1));
    assert.ok(final.guardEvents > 0 && /at step/.test(final.guard), j.stdout.slice(-400));
    const bad = spawnSync(process.execPath, [cliPath, 'train', corpus, '--no-guard', '--guard-factor', '0.5', '--steps', '1'], { encoding: 'utf8' });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--no-guard and --guard-factor exclude each other/);
  } finally {
    tmp.cleanup();
  }
});
