// Worker crash recovery against the real wasm module: train, pause (autosave), keep training, make the
// worker throw an uncaught error; the page must report it, restart the worker, offer the saved run, and
// restoring it must resume exactly at the saved step and loss and keep training.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, number, setField, text, until, waitStatus } from './helpers.mjs';

const CRASH = 'simulated crash';

const isTrainingWorker = (w) => /\/worker\.js(\?|$)/.test(w.url());

/** The page's training worker (the one running worker.js) other than the given crashed ones. */
async function trainingWorker(page, ...crashed) {
  return until(() => page.workers().find((w) => isTrainingWorker(w) && !crashed.includes(w)), {
    timeout: 30_000, message: 'a (new) training worker',
  });
}

/** The one live training worker, once crashed ones have gone. */
async function current(page) {
  return until(() => { const ws = page.workers().filter(isTrainingWorker); return ws.length === 1 && ws[0]; }, {
    timeout: 30_000, message: 'exactly one training worker',
  });
}

test('a crashed worker is reported and restarted; the autosaved run restores exactly and trains on', { timeout: 120_000 }, async (t) => {
  const env = await launch();
  t.after(() => env.close());
  const page = await env.open();
  const t0 = Date.now();

  // A crash before anything was saved: reported, restarted, nothing to restore, training still starts.
  const firstWorker = await trainingWorker(page);
  await firstWorker.evaluate((msg) => { setTimeout(() => { throw new Error(msg); }); }, CRASH);
  await page.getByTestId('error').filter({ hasText: /no run was saved yet/ }).waitFor({ timeout: 20_000 });
  assert.match(await text(page, 'error'), new RegExp(`training worker crashed: .*${CRASH}`));
  assert.match(await text(page, 'status'), /^error/);
  assert.equal(await page.getByTestId('restore').isVisible(), false, 'nothing to restore in a fresh profile');
  await trainingWorker(page, firstWorker);

  await page.getByTestId('preset-tiny').click();
  await setField(page, 'steps', 100_000); // never "done" during the test
  await page.getByTestId('train').click();
  await waitStatus(page, /training/);
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="step"]').textContent) >= 200, null, { timeout: 60_000 });

  // Pause: the run is autosaved to IndexedDB at the step shown.
  await page.getByTestId('pause').click();
  await waitStatus(page, /paused/);
  const step = await number(page, 'step');
  const loss = await text(page, 'loss');
  assert.ok(step >= 200, `trained a few hundred steps (${step})`);
  assert.match(loss, /^\d+\.\d{4}$/);
  await page.locator('#autosave-note').filter({ hasText: `(step ${step})` }).waitFor({ timeout: 20_000 });

  // Keep training past the save, then crash the worker in the middle of it.
  await page.getByTestId('pause').click(); // "Resume"
  await waitStatus(page, /training/);
  await page.waitForFunction((s) => Number(document.querySelector('[data-testid="step"]').textContent) > s + 20, step, { timeout: 30_000 });
  const oldWorker = await current(page);
  await oldWorker.evaluate((msg) => { setTimeout(() => { throw new Error(msg); }); }, CRASH);

  // Reported, restarted, restore offered.
  await page.getByTestId('error').filter({ hasText: /training worker crashed: .*It was restarted; restore/ }).waitFor({ timeout: 20_000 });
  assert.match(await text(page, 'error'), new RegExp(CRASH));
  assert.match(await text(page, 'status'), /^error/);
  await page.getByTestId('restore').waitFor({ state: 'visible', timeout: 30_000 });
  assert.match(await page.locator('#restore-text').textContent(), new RegExp(`crashed and was restarted.*step ${step}, loss ${loss}`));
  await trainingWorker(page, firstWorker, oldWorker);

  // Restore: the saved step and loss exactly; resuming trains on in the new worker.
  await page.getByTestId('restore').click();
  await waitStatus(page, /paused/, 30_000);
  assert.equal(await number(page, 'step'), step);
  assert.equal(await text(page, 'loss'), loss);
  assert.equal(await page.getByTestId('error').isVisible(), false, 'the crash message is cleared by the restore');
  assert.equal(await page.getByTestId('restore').isVisible(), false);
  await page.getByTestId('pause').click(); // "Resume"
  await waitStatus(page, /training/);
  await page.waitForFunction((s) => Number(document.querySelector('[data-testid="step"]').textContent) > s + 10, step, { timeout: 30_000 });
  const after = await number(page, 'loss');
  assert.ok(Number.isFinite(after), `a finite loss after the restore (${after})`);
  await page.getByTestId('stop').click();
  await waitStatus(page, /stopped/);
  const step2 = await number(page, 'step');
  const loss2 = await text(page, 'loss');
  await page.locator('#autosave-note').filter({ hasText: `(step ${step2})` }).waitFor({ timeout: 20_000 });
  t.diagnostic(`first crash (uncaught error while training) recovered after ${(Date.now() - t0) / 1000} s; saved at step ${step}, loss ${loss}`);

  // A second crash, this time the worker's own 'fatal' message (what a wasm trap sends) while stopped:
  // the page recovers again and offers the run saved by the stop.
  await (await current(page)).evaluate(() => self.postMessage({ type: 'fatal', message: 'simulated fatal trap' }));
  await page.getByTestId('error').filter({ hasText: /training worker crashed: simulated fatal trap\. It was restarted; restore/ }).waitFor({ timeout: 20_000 });
  assert.match(await text(page, 'status'), /^error/);
  await page.getByTestId('restore').waitFor({ state: 'visible', timeout: 30_000 });
  assert.match(await page.locator('#restore-text').textContent(), new RegExp(`crashed and was restarted.*step ${step2}, loss ${loss2}`));
  await page.getByTestId('restore').click();
  await waitStatus(page, /paused/, 30_000);
  assert.equal(await number(page, 'step'), step2);
  assert.equal(await text(page, 'loss'), loss2);
  await page.getByTestId('pause').click(); // "Resume"
  await waitStatus(page, /training/);
  await page.waitForFunction((s) => Number(document.querySelector('[data-testid="step"]').textContent) > s + 10, step2, { timeout: 30_000 });
  await page.getByTestId('pause').click();
  await waitStatus(page, /paused/);
  await until(() => page.workers().filter(isTrainingWorker).length === 1, { timeout: 10_000, message: 'only one worker left' });
  t.diagnostic(`second crash ('fatal' message while stopped) recovered; ${(Date.now() - t0) / 1000} s in all`);

  // The crash itself is the only console error allowed, and it must be the one we caused.
  const expected = env.consoleErrors.filter((e) => e.includes(`Error: ${CRASH}`));
  t.diagnostic(`console errors: ${JSON.stringify(env.consoleErrors)}`);
  assert.ok(expected.length <= 2, `the crash is reported at most once per channel: ${JSON.stringify(expected)}`);
  env.consoleErrors.splice(0, Infinity, ...env.consoleErrors.filter((e) => !expected.includes(e)));
  env.done();
});
