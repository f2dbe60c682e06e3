// The page's chart history (web/charts.js, no DOM needed): the divergence guard's rollback drops the
// undone steps from the curves, and its notice says what happened.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addEvaluation, addProgress, emptyHistory, showGuard } from '../../web/charts.js';

test('a progress point behind the last one (the guard went back) drops the undone points', () => {
  const h = emptyHistory();
  for (const step of [25, 50, 75, 100]) addProgress(h, { step, loss: step / 100, gradNorm: 1 });
  addEvaluation(h, { step: 100, loss: 2, perplexity: 7 });
  addProgress(h, { step: 60, loss: 9, gradNorm: 2 }); // back to step 50, then 10 more steps
  assert.deepEqual(h.step, [25, 50, 60]);
  assert.deepEqual(h.loss, [0.25, 0.5, 9]);
  assert.deepEqual(h.val, [null, null, null], 'the evaluation of an undone step goes too');
  for (const k of Object.keys(h)) assert.equal(h[k].length, 3, k);
  addProgress(h, { step: 80, loss: 0.4, gradNorm: 1 });
  assert.deepEqual(h.step, [25, 50, 60, 80]);
});

test('the guard notice: hidden without events, then the count, the reason and the step', () => {
  const el = { hidden: false, textContent: 'old' };
  showGuard(el, undefined);
  assert.equal(el.hidden, true);
  assert.equal(el.textContent, '');
  showGuard(el, { events: 3, reason: 'loss 412.7 is far above the running median 4.17 at step 2', step: 0 });
  assert.equal(el.hidden, false);
  assert.equal(el.textContent, 'Divergence guard: 3 steps undone (last: loss 412.7 is far above the running median 4.17 at step 2); back to step 0, learning rate lowered');
  showGuard(el, { events: 1, reason: 'gradient norm is not finite at step 9', step: 0 });
  assert.match(el.textContent, /^Divergence guard: 1 step undone/);
});
