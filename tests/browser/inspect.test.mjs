// "See inside the network": the three views (gradient flow, neurons, what the model expects) render
// on the model being trained and follow it while it trains, with no main-thread task over 50 ms;
// the RNN · GRU · LSTM comparison overlays its curves. Screenshots of each view go to
// build/screenshots/inspect-*.png (the README's copies: web/screenshot-{flow,neurons,expects,compare}.png).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { launch, setField, until, waitStatus, screenshots } from './helpers.mjs';

// Screenshots are the harness's work, not the page's: long tasks that overlap one are not counted.
const shots = [];
async function shoot(page, locator, path) {
  const from = await page.evaluate(() => performance.now());
  await locator.screenshot({ path });
  shots.push([from, await page.evaluate(() => performance.now())]);
}
const points = async (page, id) => Number(await page.getByTestId(id).getAttribute('data-points'));
const backgrounds = (page, id) => page.getByTestId(id).evaluate((el) => [...el.querySelectorAll('span[data-i]')].slice(0, 300).map((s) => s.style.background).join('|'));

test('the three views render, follow training, and the comparison overlays RNN, GRU and LSTM', { timeout: 300_000 }, async (t) => {
  const env = await launch();
  t.after(() => env.close());
  const page = await env.open({ height: 1400 });
  const card = page.getByTestId('inspect');

  await page.getByTestId('preset-tiny').click();
  // Enough steps that training still runs when the views are checked against it (a fast machine
  // finished the preset's 1000 before the neurons view was reached); the test pauses it itself.
  await setField(page, 'steps', 100000);
  await page.locator('#flow-every').fill('10');
  const trainStart = await page.evaluate(() => performance.now());
  await page.getByTestId('train').click();
  await waitStatus(page, /training/);

  // Gradient flow: measured every 10 steps while training, the chart redrawn each time.
  await until(async () => (await points(page, 'chart-flow')) > 0, { timeout: 60_000, message: 'a gradient-flow curve' });
  const firstAt = await page.locator('#flow-step').textContent();
  await until(async () => (await page.locator('#flow-step').textContent()) !== firstAt, { timeout: 30_000, message: 'a newer gradient-flow curve' });
  assert.match(await page.locator('#flow-step').textContent(), /of a training batch at step \d+/);
  assert.ok((await points(page, 'chart-clip')) > 0, 'the clipping chart has points');
  // Of a chosen validation sequence: shown as text, measured at once and then live, without an update.
  await page.getByTestId('flow-source').selectOption('validation');
  await until(async () => /of the validation sequence at step \d+/.test(await page.locator('#flow-step').textContent()), { timeout: 30_000, message: 'the flow of the validation sequence' });
  const sequence = await page.getByTestId('flow-seq').textContent();
  assert.ok(sequence.length >= 20, `a validation sequence is shown: ${JSON.stringify(sequence)}`);
  const seqAt = await page.locator('#flow-step').textContent();
  await until(async () => { const s = await page.locator('#flow-step').textContent(); return s !== seqAt && s.includes('validation sequence'); }, { timeout: 30_000, message: 'a newer measurement of the same sequence while training' });
  assert.equal(await page.getByTestId('flow-seq').textContent(), sequence, 'the sequence stays until another is asked for');
  await page.getByTestId('flow-pick').click();
  await until(async () => (await page.getByTestId('flow-seq').textContent()) !== sequence, { message: 'another sequence' });
  await shoot(page, card, join(screenshots, 'inspect-flow.png'));
  await page.getByTestId('flow-source').selectOption('batch');
  await until(async () => /of a training batch/.test(await page.locator('#flow-step').textContent()), { message: 'back to the training batch' });

  // Neurons: the text from the corpus, coloured by a unit; the correlation list; click-through.
  await page.getByTestId('inspect-tab-units').click();
  await until(async () => Number(await page.getByTestId('units-text').getAttribute('data-tokens')) > 100, { timeout: 30_000, message: 'the coloured text' });
  assert.ok((await page.getByTestId('unit-ranking').locator('li').count()) === 6, 'six features listed');
  const chip = page.getByTestId('unit-ranking').locator('button[data-unit]').first();
  const unit = await chip.getAttribute('data-unit');
  await chip.click();
  await until(async () => (await page.getByTestId('unit-info').textContent()).startsWith(`unit ${unit} `), { message: `unit ${unit} shown` });
  const H = Number(await page.getByTestId('unit-index').getAttribute('max')) + 1;
  await page.locator('#unit-next').click();
  await until(async () => (await page.getByTestId('unit-info').textContent()).startsWith(`unit ${(Number(unit) + 1) % H} `), { message: 'the next unit' });
  // While training, the view re-reads the text with the newer weights: the colours change.
  const before = await backgrounds(page, 'units-text');
  await until(async () => (await backgrounds(page, 'units-text')) !== before, { timeout: 40_000, message: 'the colours to follow training' });
  await shoot(page, card, join(screenshots, 'inspect-neurons.png'));

  // What it expects: coloured by surprise; hovering shows the top 5 and the surprise at the next token.
  await page.getByTestId('inspect-tab-next').click();
  await until(async () => Number(await page.getByTestId('next-text').getAttribute('data-tokens')) > 100, { message: 'the surprise view' });
  await page.getByTestId('next-text').locator('span').nth(40).hover();
  await page.getByTestId('next-tip').waitFor({ state: 'visible' });
  assert.equal(await page.getByTestId('next-top').locator('li').count(), 5);
  assert.match(await page.getByTestId('next-tip').textContent(), /surprise \d+\.\d\d nats/);
  await shoot(page, card, join(screenshots, 'inspect-expects.png'));

  const tasks = await page.evaluate(() => window.__longtasks);
  const during = tasks.filter((x) => x.start + x.duration >= trainStart && !shots.some(([a, b]) => x.start < b && x.start + x.duration > a));
  t.diagnostic(`long tasks while training and inspecting: ${during.length} (longest ${Math.max(0, ...during.map((x) => x.duration)).toFixed(0)} ms)`);

  // The comparison: pause, then one minute of RNN, GRU and LSTM side by side.
  await page.getByTestId('pause').click();
  await waitStatus(page, /paused/);
  await page.getByTestId('inspect-tab-flow').click();
  await page.getByTestId('compare-cells').click();
  await until(async () => (await points(page, 'chart-cmp-flow')) > 0 && (await points(page, 'chart-cmp-loss')) > 10, { timeout: 60_000, message: 'comparison curves' });
  await until(async () => /done|stopped/.test(await page.locator('#compare-note').textContent()), { timeout: 90_000, message: 'the comparison to end' });
  const legend = await page.locator('#chart-cmp-flow .u-legend').textContent();
  for (const cell of ['RNN', 'GRU', 'LSTM']) assert.ok(legend.includes(cell), `${cell} in the overlay`);
  await shoot(page, card, join(screenshots, 'inspect-compare.png'));
  // Without clipping: a plain RNN with and without it, side by side.
  await page.getByTestId('compare-noclip').click();
  await until(async () => /no clipping/.test(await page.locator('#chart-cmp-flow .u-legend').textContent()), { timeout: 30_000, message: 'the no-clipping comparison' });
  await until(async () => /done|stopped/.test(await page.locator('#compare-note').textContent()), { timeout: 90_000, message: 'the no-clipping comparison to end' });
  await shoot(page, card, join(screenshots, 'inspect-noclip.png'));
  assert.equal(during.length, 0, `main-thread tasks over 50 ms while training and inspecting: ${JSON.stringify(during)}`);
  env.done();
});
