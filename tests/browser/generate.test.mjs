// Generation streams into the output and can be stopped; the downloaded model loads in Node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { launch, setField, text, until, waitStatus, screenshots } from './helpers.mjs';

test('generate streams text; the downloaded .safetensors loads with loadModel in Node', { timeout: 180_000 }, async (t) => {
  const env = await launch();
  t.after(() => env.close());
  const page = await env.open();
  await page.getByTestId('preset-tiny').click();
  await setField(page, 'steps', 150);
  await page.getByTestId('train').click();
  await waitStatus(page, /stopped/, 90_000);

  // A long generation, stopped part-way: text must arrive while it is still running.
  await page.getByTestId('prime').fill('The ');
  await page.locator('#gen-form [name="length"]').fill('100000');
  await page.getByTestId('generate').click();
  await until(async () => (await text(page, 'output')).length > 40, { timeout: 30_000, message: 'streamed text' });
  const partial = (await text(page, 'output')).length;
  assert.equal(await page.getByTestId('generate-stop').isEnabled(), true, 'still generating when text is already shown');
  await page.getByTestId('generate-stop').click();
  await page.getByTestId('generate').and(page.locator(':enabled')).waitFor({ timeout: 10_000 });
  const out = await text(page, 'output');
  assert.ok(out.startsWith('The'), `output starts with the prime: ${out.slice(0, 40)}`);
  assert.ok(out.length >= partial && out.length < 100000, `stopped part-way (${out.length} chars)`);

  // A normal one, to completion.
  await page.locator('#gen-form [name="length"]').fill('300');
  await page.getByTestId('generate').click();
  await until(async () => /done/.test(await page.locator('#gen-note').textContent()), { message: 'generation done' });
  assert.ok((await text(page, 'output')).length > 200);
  await page.screenshot({ path: join(screenshots, 'generated.png'), fullPage: true });

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-model').click()]);
  assert.match(download.suggestedFilename(), /\.safetensors$/);
  const bytes = new Uint8Array(readFileSync(await download.path()));
  // The Node build of the same API (RNN_WASM_DIR points elsewhere only when developing the page).
  const api = process.env.RNN_WASM_DIR ? pathToFileURL(join(process.env.RNN_WASM_DIR, 'index.js')).href : '../../wasm/index.js';
  const { loadModel } = await import(api);
  const model = await loadModel(bytes);
  try {
    assert.ok(model.info.vocabSize > 10, 'vocabulary');
    const s = model.generate({ prime: 'The ', length: 20, seed: 1 });
    assert.ok(s.length > 4, `Node generates: ${JSON.stringify(s)}`);
  } finally {
    model.dispose();
  }

  // Keep-best: the best weights of the periodic evaluations, as a download and for generation.
  const best = await text(page, 'best');
  const m = /^step (\d+), loss/.exec(best);
  assert.ok(m, `the run shows its best so far: ${best}`);
  const [bestDownload] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-best').click()]);
  assert.match(bestDownload.suggestedFilename(), new RegExp(`-best-step${m[1]}\\.safetensors$`));
  const bestModel = await loadModel(new Uint8Array(readFileSync(await bestDownload.path())));
  assert.ok(bestModel.generate({ prime: 'The ', length: 10, seed: 1 }).length > 4);
  bestModel.dispose();
  await page.getByTestId('use-best').click();
  await page.locator('#gen-model').filter({ hasText: `best-step${m[1]}` }).waitFor({ timeout: 20_000 });
  env.done();
});
