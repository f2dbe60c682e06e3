// The training-loop policy the CLI and the page's worker share (wasm/loop.js): chunks end at the next
// evaluation or sample, evaluations and samples fall due at multiples of their period, a quick
// evaluation scores QUICK_EVAL_TOKENS, checkpoints fall due by time.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { QUICK_EVAL_TOKENS, TrainingSchedule } from '../../wasm/loop.js';
import { createTrainer } from '../../wasm/index.js';
import { shakespeare, SMALL } from './helpers.mjs';

test('chunks end at the next evaluation or sample; both fall due at multiples', () => {
  const s = new TrainingSchedule({ step: 0, evalEvery: 30, sampleEvery: 20 });
  assert.equal(s.chunkSteps(0), 20);
  assert.equal(s.chunkSteps(20), 10);
  assert.equal(s.chunkSteps(25), 5);
  assert.equal(s.evaluationDue(29), false);
  assert.equal(s.evaluationDue(30), true);
  assert.equal(s.evaluationDue(31), true, 'a boundary passed inside a chunk still counts');
  assert.equal(s.sampleDue(19), false);
  assert.equal(s.sampleDue(20), true);
  s.sampled(20);
  assert.equal(s.sampleDue(39), false);
  assert.equal(s.sampleDue(40), true);
  const off = new TrainingSchedule({ step: 7 });
  assert.equal(off.chunkSteps(7), Infinity, 'no events: chunks are bounded by the caller only');
  assert.equal(off.evaluationDue(1000), false);
  assert.equal(off.sampleDue(1000), false);
  assert.equal(off.checkpointDue(), false);
});

test('a resumed run counts from its step; a quick evaluation scores the budget and is recorded', async () => {
  const trainer = await createTrainer({ ...SMALL, text: shakespeare(200000), validationFraction: 0.5 });
  try {
    const s = new TrainingSchedule({ step: 60, evalEvery: 30 });
    assert.equal(s.evaluationDue(60), false, 'the start is not an evaluation point');
    assert.equal(s.chunkSteps(60), 30);
    assert.equal(s.evaluationDue(90), true);
    const e = s.quickEvaluation(trainer, 90);
    assert.equal(e.step, 90);
    assert.ok(e.tokens >= QUICK_EVAL_TOKENS && e.tokens < trainer.info.validationTokens, `scored ${e.tokens} tokens`);
    assert.equal(s.evaluatedStep, 90);
    assert.equal(s.evaluationDue(90), false);
    assert.equal(s.evaluationDue(120), true);
  } finally {
    trainer.dispose();
  }
});

test('checkpoints fall due checkpointSeconds after the last one', async () => {
  const s = new TrainingSchedule({ step: 0, checkpointSeconds: 0.05 });
  assert.equal(s.checkpointDue(), false);
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(s.checkpointDue(), true);
  s.checkpointed();
  assert.equal(s.checkpointDue(), false);
});
