// Word level on the Simpsons (Moe's Tavern) script, chosen through the file input: trains and writes a
// scene that starts with "moe_szyslak:" and goes on with other speakers' lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { launch, missingData, setField, sharedData, text, until, waitStatus } from './helpers.mjs';

const file = join(sharedData, 'simpsons_moes_tavern.txt');

test('word level on the Moe\'s Tavern script generates a moe_szyslak: scene', { timeout: 240_000, skip: !existsSync(file) && missingData('simpsons_moes_tavern.txt') }, async (t) => {
  const env = await launch();
  t.after(() => env.close());
  const page = await env.open();

  // A small word-level model, so that 2 cores learn the script's shape within the test's time.
  await page.getByTestId('preset-tv').click();
  for (const [k, v] of Object.entries({ layers: 1, hidden: 96, embedding: 64, minCount: 2, seqLength: 16, batchSize: 32, steps: 400, evalEvery: 100, sampleEvery: 100 })) {
    await setField(page, k, v);
  }
  await page.locator('#lr').fill('-2');
  await page.getByTestId('corpus-file').setInputFiles(file);
  await page.locator('#corpus-name').filter({ hasText: 'simpsons_moes_tavern.txt' }).waitFor();
  const stats = await text(page, 'corpus-stats');
  assert.match(stats, /word tokens/);
  t.diagnostic(`corpus: ${stats}`);

  await page.getByTestId('train').click();
  await waitStatus(page, /training/);
  await waitStatus(page, /stopped/, 180_000);
  t.diagnostic(`loss ${await text(page, 'loss')}, validation ${await text(page, 'val-loss')}`);

  await page.getByTestId('prime').fill('moe_szyslak:');
  await page.locator('#gen-form [name="length"]').fill('200');
  await page.locator('#gen-form [name="temperature"]').fill('0.7');
  await page.getByTestId('generate').click();
  await until(async () => /done/.test(await page.locator('#gen-note').textContent()), { timeout: 60_000, message: 'generation done' });
  const out = await text(page, 'output');
  t.diagnostic(`scene:\n${out}`);
  assert.ok(out.startsWith('moe_szyslak:'), 'starts with the prime');
  const words = out.split(/\s+/).length;
  assert.ok(words > 50, `a scene, not a fragment (${words} words)`);
  const speakers = out.split('\n').slice(1).filter((l) => /^[a-z_]+:/.test(l.trim()));
  assert.ok(speakers.length >= 1, 'more lines, each led by a speaker');
  env.done();
});
