// Crash-safe autosave (issue 16): the worker dying, or the tab closing, at a random moment of an
// autosave (the worker writing the checkpoint, the page putting it in IndexedDB) always leaves a
// run that restores exactly: the one saved before or the one being saved, never a broken or lost one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, number, setField, text, until, waitStatus } from './helpers.mjs';

const CRASH = 'simulated crash during a save';
const ROUNDS = 4; // of each kind
const isTrainingWorker = (w) => /\/worker\.js(\?|$)/.test(w.url());
const stepShown = (page) => number(page, 'step');

/** Resumes a paused run and trains at least `more` further steps. */
async function trainOn(page, more) {
  const from = await stepShown(page);
  await page.getByTestId('pause').click(); // "Resume"
  await waitStatus(page, /training/);
  await page.waitForFunction((s) => Number(document.querySelector('[data-testid="step"]').textContent.replace(/,/g, '')) >= s,
    from + more, { timeout: 30_000 });
}

/** The restore banner's step and loss. */
async function offered(page) {
  await page.getByTestId('restore').waitFor({ state: 'visible', timeout: 30_000 });
  const m = (await page.locator('#restore-text').textContent()).match(/step (\d+), loss (\d+\.\d+)/);
  assert.ok(m, 'the banner names the saved step and loss');
  return { step: Number(m[1]), loss: m[2] };
}

/** Restores the offered run and checks it is exactly the one offered. */
async function restoreExactly(page, want) {
  await page.getByTestId('restore').click();
  await waitStatus(page, /paused/, 30_000);
  assert.equal(await stepShown(page), want.step, 'restored at the offered step');
  assert.equal(await text(page, 'loss'), want.loss, 'restored with the offered loss');
}

test('a worker crash or a closed tab in the middle of an autosave leaves the previous or the new run, restorable', { timeout: 240_000 }, async (t) => {
  const env = await launch();
  t.after(() => env.close());
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 900 } });
  let page = await env.open({ context });
  await page.getByTestId('preset-tiny').click();
  await setField(page, 'steps', 1_000_000);
  await page.getByTestId('train').click();
  await waitStatus(page, /training/);
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="step"]').textContent) >= 30, null, { timeout: 60_000 });
  await page.getByTestId('pause').click();
  await waitStatus(page, /paused/);
  let saved = await stepShown(page);
  await page.locator('#autosave-note').filter({ hasText: `(step ${saved})` }).waitFor({ timeout: 20_000 });

  const outcomes = [];
  for (let round = 0; round < 2 * ROUNDS; round++) {
    await trainOn(page, 15);
    const delay = Math.floor(Math.random() * 300); // ms after the pause that starts the autosave: before, during or after it
    const kind = round % 2 ? 'tab closed' : 'worker crashed';
    if (kind === 'worker crashed') {
      const w = page.workers().find(isTrainingWorker);
      await w.evaluate(([d, msg]) => { setTimeout(() => { throw new Error(msg); }, d); }, [delay, CRASH]);
      // The crash may come first: then Pause is disabled and no save starts (the previous run stays).
      await page.getByTestId('pause').click({ timeout: 2000 }).catch(() => {});
      await page.getByTestId('error').filter({ hasText: /training worker crashed/ }).waitFor({ timeout: 20_000 });
    } else {
      await page.getByTestId('pause').click();
      await new Promise((r) => setTimeout(r, delay));
      await page.close();
      page = await env.open({ context });
    }
    const got = await offered(page);
    // The run saved before, or a later one (the pause's own save, or a periodic one just before it).
    assert.ok(got.step >= saved, `${kind}: offered step ${got.step} is not older than the last save (${saved})`);
    await restoreExactly(page, got);
    outcomes.push(`${kind} after ${delay} ms: ${got.step === saved ? 'previous' : 'new'} run (step ${got.step})`);
    saved = got.step;
  }
  t.diagnostic(outcomes.join('; '));

  // The restored run trains on.
  await trainOn(page, 10);
  assert.ok(Number.isFinite(await number(page, 'loss')));
  await page.getByTestId('pause').click();
  await waitStatus(page, /paused/);
  await until(() => page.workers().filter(isTrainingWorker).length === 1, { timeout: 10_000, message: 'one training worker' });

  // The crashes we caused are the only console errors allowed.
  const ours = env.consoleErrors.filter((e) => e.includes(CRASH));
  env.consoleErrors.splice(0, Infinity, ...env.consoleErrors.filter((e) => !ours.includes(e)));
  env.done();
});
