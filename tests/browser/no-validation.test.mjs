// Validation split 0 (the field allows it) holds nothing out: the run must train to the end without
// evaluations — it used to fail at the first one ("no validation split") — and the page must say
// why there is no validation curve. Both on "Write like a text" and on a task tab (classify).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, number, setField, text, waitStatus } from './helpers.mjs';

test('Write like a text: Validation split 0 trains to the end and says why there is no validation curve', { timeout: 180_000 }, async (t) => {
  const env = await launch();
  t.after(() => env.close());
  const page = await env.open();

  for (const [k, v] of Object.entries({ layers: 1, hidden: 32, embedding: 16, seqLength: 16, batchSize: 8, steps: 60, evalEvery: 20, sampleEvery: 20, validationFraction: 0 })) {
    await setField(page, k, v);
  }
  assert.equal(await page.getByTestId('validation-note').isVisible(), false, 'no note before a run');
  await page.getByTestId('train').click();
  await waitStatus(page, /training|stopped|error/);
  await waitStatus(page, /stopped|error/, 120_000);
  assert.match(await text(page, 'status'), /^stopped/, `the run ended in "${await text(page, 'status')}": ${await page.locator('#error').textContent()}`);
  assert.equal(await number(page, 'step'), 60);
  assert.equal(await text(page, 'val-loss'), '–');
  const note = page.getByTestId('validation-note');
  assert.equal(await note.isVisible(), true, 'the note is shown');
  assert.match(await note.textContent(), /No validation curve: Validation split is 0/);
  t.diagnostic(await note.textContent());
  // Samples still come: the run did its other periodic work.
  assert.ok((await page.locator('.sample.greedy p').count()) > 0, 'a sample');
  env.done();
});

test('Classify: Validation split 0 trains to the end and the validation card says why it is empty', { timeout: 180_000 }, async (t) => {
  const env = await launch();
  t.after(() => env.close());
  const page = await env.open();
  await page.getByTestId('task-classify').click();
  await page.locator('#view-tasks').waitFor({ state: 'visible' });
  const lines = ['text\tlabel'];
  for (let i = 0; i < 120; i++) lines.push(`${i % 2 ? 'aeiou'.slice(0, 2 + (i % 4)) : 'bcdfg'.slice(0, 2 + (i % 4))}\t${i % 2 ? 'vowels' : 'consonants'}`);
  await page.getByTestId('examples-file').setInputFiles({ name: 'split0.tsv', mimeType: 'text/plain', buffer: Buffer.from(`${lines.join('\n')}\n`) });
  await page.locator('#tdata-name').filter({ hasText: 'split0.tsv' }).waitFor({ timeout: 30_000 });
  for (const [k, v] of [['hidden', 16], ['steps', 40], ['evalEvery', 10], ['validationFraction', 0]]) {
    await page.locator(`#tsettings [name="${k}"]`).fill(String(v));
  }
  await page.getByTestId('task-train').click();
  await page.getByTestId('status').filter({ hasText: /training|stopped|error/ }).waitFor({ timeout: 30_000 });
  await page.getByTestId('status').filter({ hasText: /stopped|error/ }).waitFor({ timeout: 120_000 });
  assert.match(await text(page, 'status'), /^stopped/, `the run ended in "${await text(page, 'status')}": ${await page.locator('#error').textContent()}`);
  assert.equal(await text(page, 'task-step'), '40');
  const note = page.getByTestId('task-validation-note');
  assert.equal(await note.isVisible(), true);
  assert.match(await note.textContent(), /No validation curve: Validation split is 0, so none of the examples are held out/);
  assert.match(await page.getByTestId('evaluation').textContent(), /Validation split is 0/);
  env.done();
});
