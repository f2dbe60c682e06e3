// Train on the default corpus with the "Tiny and fast" preset: the page must stay responsive (no
// main-thread task over 50 ms), show progress, charts and samples; then pause, reload and restore exactly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { launch, number, setField, text, until, waitStatus, screenshots } from './helpers.mjs';

test('train on the default corpus, stay responsive, pause, reload, restore and resume', { timeout: 240_000 }, async (t) => {
  const env = await launch();
  t.after(() => env.close());
  const page = await env.open();

  assert.match(await text(page, 'corpus-stats'), /characters/);
  assert.match(await page.locator('#corpus-name').textContent(), /Brown/);
  await page.getByTestId('preset-tiny').click();
  // Enough steps that the run is still going when the test pauses it: the preset's 1000 can finish
  // in 8 s on a fast machine, before the checks below are done, and "pause" would find it stopped.
  await setField(page, 'steps', 100000);
  const trainStart = await page.evaluate(() => performance.now());
  await page.getByTestId('train').click();
  await waitStatus(page, /training/);

  // Within 60 s: the step advances, the shown loss falls, the charts have points, a sample appears.
  await until(async () => (await number(page, 'step')) > 0, { timeout: 30_000, message: 'the first step' });
  await until(async () => Number.isFinite(await number(page, 'loss')), { message: 'a loss' });
  const firstLoss = await number(page, 'loss');
  const deadline = Date.now() + 60_000;
  await until(async () => (await number(page, 'loss')) < firstLoss - 0.3, { timeout: deadline - Date.now(), message: `loss below ${firstLoss - 0.3}` });
  await until(async () => Number(await page.getByTestId('chart-loss').getAttribute('data-points')) >= 3, { timeout: deadline - Date.now(), message: 'chart points' });
  await until(async () => (await page.locator('.sample.greedy p').count()) > 0, { timeout: deadline - Date.now(), message: 'a sample' });
  assert.match(await text(page, 'tokens-per-second'), /\d/);
  await page.screenshot({ path: join(screenshots, 'training.png'), fullPage: true });

  const tasks = await page.evaluate(() => window.__longtasks);
  const longest = Math.max(0, ...tasks.map((x) => x.duration));
  const during = tasks.filter((x) => x.start + x.duration >= trainStart);
  t.diagnostic(`long tasks: ${tasks.length} in all, longest ${longest.toFixed(0)} ms; ${during.length} while training`);
  assert.equal(during.length, 0, `main-thread tasks over 50 ms while training: ${JSON.stringify(during)}`);

  // Pause: the run is autosaved; remember what the page shows.
  await page.getByTestId('pause').click();
  await waitStatus(page, /paused/);
  const step = await number(page, 'step');
  const loss = await text(page, 'loss');
  const valLoss = await text(page, 'val-loss');
  await page.locator('#autosave-note').filter({ hasText: `step ${step})` }).waitFor({ timeout: 20_000 });

  // Reload and restore: same step, same loss; resuming continues from there.
  await page.reload();
  await page.getByTestId('restore').waitFor({ state: 'visible', timeout: 30_000 });
  await page.getByTestId('restore').click();
  await waitStatus(page, /paused/, 30_000);
  assert.equal(await number(page, 'step'), step);
  assert.equal(await text(page, 'loss'), loss);
  assert.equal(await text(page, 'val-loss'), valLoss);
  assert.ok(Number(await page.getByTestId('chart-loss').getAttribute('data-points')) >= 3, 'chart history restored');
  await page.getByTestId('pause').click(); // "Resume"
  await waitStatus(page, /training/);
  await until(async () => (await number(page, 'step')) > step, { timeout: 30_000, message: `a step after ${step}` });
  await page.getByTestId('stop').click();
  await waitStatus(page, /stopped/);
  env.done();
});
