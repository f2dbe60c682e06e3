// The saved-models list against the real wasm module: "Save to list" keeps the trained model in
// IndexedDB, the list shows it and survives a reload, the kept model generates exactly what the run
// generated, and deleting it empties the list for good.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { launch, number, setField, text, waitStatus } from './helpers.mjs';

const GEN = { prime: 'The ', length: '120', seed: '7' };

/** Generates with fixed options and returns the output once the page reports it done. */
async function generate(page) {
  await page.getByTestId('prime').fill(GEN.prime);
  await page.locator('#gen-form [name="length"]').fill(GEN.length);
  await page.locator('#gen-form [name="seed"]').fill(GEN.seed);
  await page.locator('#gen-note').evaluate((el) => { el.textContent = ''; });
  await page.getByTestId('generate').click();
  await page.locator('#gen-note').filter({ hasText: /^done/ }).waitFor({ timeout: 30_000 });
  return text(page, 'output');
}

test('save to list, survive a reload, load it back for generation, delete it', { timeout: 120_000 }, async (t) => {
  const env = await launch();
  t.after(() => env.close());
  const page = await env.open();
  const t0 = Date.now();
  const list = page.getByTestId('saved-models');
  const items = list.getByTestId('saved-model');
  const empty = list.getByTestId('saved-models-empty');

  await empty.waitFor();
  assert.equal(await items.count(), 0, 'a fresh profile has no saved models');
  assert.equal(await page.getByTestId('keep-model').isDisabled(), true, 'nothing to save before a model exists');

  await page.getByTestId('preset-tiny').click();
  await setField(page, 'steps', 80);
  await page.getByTestId('train').click();
  await waitStatus(page, /stopped/, 60_000);
  const step = await number(page, 'step');
  const loss = Number(await text(page, 'loss'));
  assert.equal(step, 80);
  const fromRun = await generate(page);
  assert.ok(fromRun.startsWith('The') && fromRun.length > 60, `the run generates: ${JSON.stringify(fromRun.slice(0, 40))}`);

  // Save to list: one entry with name, step, loss and size.
  await page.getByTestId('keep-model').click();
  await items.first().waitFor({ timeout: 20_000 });
  assert.equal(await items.count(), 1);
  assert.equal(await empty.count(), 0);
  const name = await text(items.first(), 'saved-model-name');
  const detail = await text(items.first(), 'saved-model-detail');
  assert.equal(name, `rnn-lstm-1x64-char-step${step}.safetensors`);
  const shown = detail.match(new RegExp(`^step ${step} · loss (\\d+\\.\\d{3}) · \\d+(\\.\\d)? (KB|MB) · `));
  assert.ok(shown, detail);
  // The list rounds the loss to 3 decimals, the metrics to 4: "2.3575" may be listed as 2.357 or 2.358.
  assert.ok(Math.abs(Number(shown[1]) - loss) <= 0.00051, `listed loss ${shown[1]}, shown ${loss}`);

  // The list's download gives the same file as the page's download of the run.
  const save = async (button) => {
    const [d] = await Promise.all([page.waitForEvent('download'), button.click()]);
    return { name: d.suggestedFilename(), bytes: readFileSync(await d.path()) };
  };
  const direct = await save(page.getByTestId('download-model'));
  const kept = await save(items.first().getByTestId('saved-model-download'));
  assert.equal(kept.name, name);
  assert.ok(kept.bytes.length > 1000 && kept.bytes.equals(direct.bytes), `kept ${kept.bytes.length} bytes, run ${direct.bytes.length}`);

  // It survives a reload, in the same profile; the page has no model until one is loaded.
  await page.reload();
  await page.getByTestId('status').filter({ hasText: /ready/ }).waitFor({ timeout: 30_000 });
  await items.first().waitFor({ timeout: 20_000 });
  assert.equal(await items.count(), 1);
  assert.equal(await text(items.first(), 'saved-model-name'), name);
  assert.equal(await text(items.first(), 'saved-model-detail'), detail);
  assert.equal(await page.getByTestId('generate').isDisabled(), true, 'no model before loading one');

  // Load it back: generation uses it and writes exactly what the run wrote with the same options.
  await items.first().getByTestId('saved-model-load').click();
  await page.locator('#gen-model').filter({ hasText: name }).waitFor({ timeout: 20_000 });
  await page.getByTestId('generate').and(page.locator(':enabled')).waitFor({ timeout: 10_000 });
  assert.equal(await generate(page), fromRun, 'the kept model is the trained one');

  // Delete: the list is empty, and stays empty after a reload.
  await items.first().getByTestId('saved-model-delete').click();
  await empty.waitFor({ timeout: 10_000 });
  assert.equal(await items.count(), 0);
  await page.reload();
  await page.getByTestId('status').filter({ hasText: /ready/ }).waitFor({ timeout: 30_000 });
  await empty.waitFor({ timeout: 20_000 });
  assert.equal(await items.count(), 0, 'the deletion survives a reload');
  assert.equal(await page.getByTestId('error').isVisible(), false, `no error shown: ${await text(page, 'error')}`);
  t.diagnostic(`saved models: ${(Date.now() - t0) / 1000} s`);
  env.done();
});
