// Issue 14 in the JS API and the CLI: keep-best (recordValidation / best / saveBest, --best,
// --patience), the schedule fitted to a time budget (fitTime, train({ seconds }), --minutes), and
// the new regularisation options resolved and carried by model files.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { createTrainer, loadModel, resolveOptions } from '../../wasm/index.js';
import { buf, cliPath, readSafetensors, shakespeare, SMALL, tempDir } from './helpers.mjs';

const text = shakespeare(20000);
const REGULARISED = { ...SMALL, layers: 2, hidden: 16, embedding: 16, tieWeights: true, dropout: 0.2, embeddingDropout: 0.1,
  outputDropout: 0.3, lockedDropout: true, optimizer: 'adamw', weightDecay: 0.05, learningRate: 0.01, validationFraction: 0.1 };

test('the best model is the model saved at its step, bit for bit; patience says stop', async () => {
  const t = await createTrainer({ text, ...REGULARISED, patience: 2, learningRate: 0.05 });
  try {
    assert.equal(t.best(), null);
    assert.throws(() => t.saveBest(), /no best model yet/);
    const saved = new Map();
    let best = { loss: Infinity, step: -1 };
    let stale = 0;
    for (let round = 0; round < 10; round++) {
      for (let i = 0; i < 5; i++) t.step();
      const { loss } = t.evaluate({ maxTokens: 600 });
      saved.set(t.info.step, t.model.save());
      const r = t.recordValidation(loss);
      if (loss < best.loss) [best, stale] = [{ loss, step: t.info.step }, 0];
      else stale++;
      assert.equal(r.improved, stale === 0);
      assert.deepEqual({ step: r.step, loss: r.loss, stale: r.stale, stop: r.stop }, { ...best, stale, stop: stale >= 2 });
      if (r.stop) break;
    }
    assert.ok(buf(t.saveBest()).equals(buf(saved.get(best.step))), `saveBest() is the model saved at step ${best.step}`);
    const m = await loadModel(t.saveBest());
    assert.equal(typeof m.generate({ length: 20, seed: 1 }), 'string');
    m.dispose();
    assert.throws(() => t.recordValidation(NaN), /finite loss/);
  } finally {
    t.dispose();
  }
});

test('the best state, its weights and the fitted schedule resume exactly', async () => {
  const opts = { text, ...REGULARISED, patience: 3, schedule: { type: 'cosine', fitTime: true, warmup: 4 } };
  const run = (t, n) => Array.from({ length: n }, () => t.step().loss);
  const first = async (t) => {
    assert.equal(t.fitSchedule(0, 100), 0);
    run(t, 10);
    assert.equal(t.fitSchedule(1, 100), 1000); // 10 steps a second for 99 more seconds
    t.recordValidation(t.evaluate({ maxTokens: 500 }).loss);
    run(t, 4);
  };
  const straight = await createTrainer(opts);
  await first(straight);
  const ckpt = straight.save();
  const losses = run(straight, 12);
  const resumed = await createTrainer({ resumeFrom: ckpt, text });
  try {
    assert.deepEqual(resumed.best(), straight.best());
    assert.deepEqual(run(resumed, 12), losses);
    assert.ok(buf(resumed.save()).equals(buf(straight.save())), 'checkpoints equal');
    assert.ok(buf(resumed.saveBest()).equals(buf(straight.saveBest())), 'best models equal');
    const meta = JSON.parse(readSafetensors(ckpt).metadata.training);
    assert.equal(meta.planned_steps, 1000);
    assert.equal(meta.best_step, 10);
    assert.ok(readSafetensors(ckpt).tensors['best.embedding.weight'], 'the best weights are in the checkpoint');
    assert.equal(readSafetensors(ckpt).tensors['fc.weight'], undefined, 'tied: no fc.weight');
  } finally {
    straight.dispose();
    resumed.dispose();
  }
});

test('train({ seconds }) fits a fitTime schedule to the seconds', async () => {
  const t = await createTrainer({ text, ...SMALL, learningRate: 0.01, schedule: { type: 'linear', fitTime: true, minLearningRate: 0 } });
  try {
    const r = await t.train({ seconds: 1.5 });
    assert.ok(r.stepsDone > 10, `steps done: ${r.stepsDone}`);
    // The last chunk started a chunk's time before the deadline, so its rate is near the end of the
    // decay (unfitted, 10000 planned steps, it would still be 0.0099…). Loose bounds: a loaded machine
    // makes chunks late and the speed uneven.
    assert.ok(r.learningRate < 0.01 * 0.6, `learning rate at the deadline: ${r.learningRate}`);
    const planned = JSON.parse(readSafetensors(t.save()).metadata.training).planned_steps;
    assert.ok(planned >= r.step / 2 && planned < 3 * r.step, `planned ${planned} steps, made ${r.step}`);
    const s = await createTrainer({ text, ...SMALL, learningRate: 0.01, schedule: { type: 'linear', fitTime: true } });
    const q = await s.train({ seconds: 0.5, fitSchedule: false });
    // Unfitted, the rate is the plain linear decay over totalSteps 10000 at the step reached (the
    // rate of the last step taken, step − 1), however fast this machine is.
    const unfitted = 0.01 * (1 - Math.min(q.step - 1, 10000) / 10000);
    assert.ok(Math.abs(q.learningRate - unfitted) < 1e-6, `fitSchedule: false leaves totalSteps (10000) in place: ${q.learningRate} vs ${unfitted} at step ${q.step}`);
    s.dispose();
  } finally {
    t.dispose();
  }
});

test('options resolve, refuse mistakes, and stay out of default model files', async () => {
  const d = await resolveOptions({});
  for (const k of ['embeddingDropout', 'outputDropout', 'lockedDropout', 'tieWeights', 'patience']) assert.equal(d[k], undefined, k);
  const r = await resolveOptions({ embeddingDropout: 0.2, lockedDropout: true, hidden: 64, embedding: 64, tieWeights: true, patience: 3, optimizer: 'adamw', schedule: { type: 'linear', fitTime: true } });
  assert.equal(r.embeddingDropout, 0.2);
  assert.equal(r.tieWeights, true);
  assert.equal(r.patience, 3);
  assert.equal(r.optimizer, 'adamw');
  assert.deepEqual(r.schedule, { type: 'linear', warmup: 0, totalSteps: 10000, minLearningRate: 0, fitTime: true });
  await assert.rejects(resolveOptions({ tieWeights: true }), /tieWeights.*embedding/);
  await assert.rejects(resolveOptions({ outputDropout: 1 }), /outputDropout/);
  await assert.rejects(resolveOptions({ schedule: { type: 'step', fitTime: true } }), /fitTime/);
  await assert.rejects(resolveOptions({ task: 'classify', lockedDropout: true }), /for task 'lm'/);
});

test('CLI: --best keeps the best model, --patience stops early, --minutes fits a cosine schedule', () => {
  const t = tempDir();
  try {
    const corpus = t.path('corpus.txt');
    writeFileSync(corpus, text);
    const args = ['train', corpus, '--layers', '1', '--hidden', '16', '--embedding', '16', '--tie-weights', '--output-dropout', '0.2',
      '--locked-dropout', '--seq-length', '16', '--batch-size', '4', '--learning-rate', '0.05', '--optimizer', 'adamw',
      '--weight-decay', '0.01', '--eval-every', '5', '--patience', '2', '--steps', '400', '--json',
      '--out', t.path('ckpt.st'), '--best', t.path('best.st')];
    const r = spawnSync(process.execPath, [cliPath, ...args], { encoding: 'utf8', timeout: 120000 });
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const last = lines.at(-1);
    assert.ok(last.final && last.best === t.path('best.st'));
    assert.ok(existsSync(t.path('best.st')));
    const meta = JSON.parse(readSafetensors(readFileSync(t.path('ckpt.st'))).metadata.training);
    assert.equal(last.bestStep, meta.best_step);
    if (last.stoppedEarly) assert.ok(meta.step < 400 && meta.stale_evaluations >= 2);
    // --minutes with --schedule cosine and no --total-steps: the decay fits the minutes.
    const m = spawnSync(process.execPath, [cliPath, 'train', corpus, '--layers', '1', '--hidden', '16', '--embedding', '8', '--seq-length', '16',
      '--batch-size', '4', '--schedule', 'cosine', '--minutes', '0.03', '--quiet', '--out', t.path('m.st')], { encoding: 'utf8', timeout: 120000 });
    assert.equal(m.status, 0, m.stderr);
    const mm = readSafetensors(readFileSync(t.path('m.st'))).metadata;
    assert.equal(JSON.parse(mm.config).schedule.fitTime, true);
    assert.ok(JSON.parse(mm.training).planned_steps > 0);
  } finally {
    t.cleanup();
  }
});

test('reduce on plateau: the rate drops after every `patience` stale evaluations, checkpoints carry it, the CLI says so', async () => {
  assert.deepEqual((await resolveOptions({ plateau: 3 })).plateau, { patience: 3 });
  assert.deepEqual((await resolveOptions({ plateau: { factor: 0.2 } })).plateau, { patience: 2, factor: 0.2 });
  assert.equal((await resolveOptions({ plateau: false })).plateau, undefined);
  await assert.rejects(resolveOptions({ plateau: { factor: 1 } }), /plateau\.factor must be in \(0, 1\)/);
  await assert.rejects(resolveOptions({ plateau: 'yes' }), /option 'plateau' must be false, a number of evaluations or \{ patience, factor \}/);

  const trainer = await createTrainer({ text, ...SMALL, learningRate: 0.01, plateau: { patience: 2, factor: 0.5 } });
  try {
    trainer.recordValidation(3);
    assert.equal(trainer.recordValidation(3.1).reduced, false);
    const r = trainer.recordValidation(3.2);
    assert.equal(r.reduced, true);
    assert.ok(Math.abs(r.learningRate - 0.005) < 1e-9, `learning rate ${r.learningRate}`);
    assert.ok(Math.abs(trainer.step().learningRate - 0.005) < 1e-9, 'the next step uses it');
    const resumed = await createTrainer({ text, resumeFrom: trainer.save() });
    try {
      assert.ok(Math.abs(resumed.step().learningRate - 0.005) < 1e-9, 'a resumed run goes on at the lowered rate');
    } finally {
      resumed.dispose();
    }
  } finally {
    trainer.dispose();
  }

  const t = tempDir();
  try {
    const corpus = t.path('corpus.txt');
    writeFileSync(corpus, text);
    // A learning rate so high that evaluations rarely improve: the plateau lowers it and says so.
    const r = spawnSync(process.execPath, [cliPath, 'train', corpus, '--layers', '1', '--hidden', '16', '--embedding', '8', '--seq-length', '16',
      '--batch-size', '4', '--learning-rate', '0.5', '--eval-every', '5', '--plateau', '1', '--plateau-factor', '0.5', '--steps', '120',
      '--out', t.path('p.st')], { encoding: 'utf8', timeout: 120000 });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /plateau: no better validation loss in \d+ evaluations, learning rate now /);
    const meta = JSON.parse(readSafetensors(readFileSync(t.path('p.st'))).metadata.training);
    assert.ok(meta.plateau_reductions >= 1 && meta.guard_lr_scale < 1, JSON.stringify(meta));
    const u = spawnSync(process.execPath, [cliPath, 'train', corpus, '--plateau-factor', '0.5', '--steps', '1', '--out', t.path('q.st')], { encoding: 'utf8' });
    assert.notEqual(u.status, 0);
    assert.match(u.stderr, /--plateau-factor needs --plateau K/);
  } finally {
    t.cleanup();
  }
});
