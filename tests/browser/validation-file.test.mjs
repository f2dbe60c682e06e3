// The page's second file input: a pre-tokenized corpus (Penn-Treebank-like, written here) with its own
// validation file, trained with the whitespace tokenizer — the run scores the validation file instead
// of a split, says so, and generates lines (<eos> written as a line break).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { launch, setField, text, until, waitStatus } from './helpers.mjs';
import { tempDir } from '../node/helpers.mjs';
import { rng } from '../node/tasks_data.mjs';

function ptbLike(lines, seed) {
  const r = rng(seed);
  const pick = (xs) => xs[Math.floor(r() * xs.length)];
  let out = '';
  for (let i = 0; i < lines; i++) {
    out += ` ${pick(['the company', 'mr. <unk>', 'the u.s. unit', 'it'])} ${pick(['said', 'expects', 'sold'])} ${pick(['N shares', '$ N million', 'its <unk> stake'])} \n`;
  }
  return out;
}
const count = (t) => t.split(/\s+/).filter(Boolean).length + (t.match(/\n/g) ?? []).length;

test('a validation file replaces the split on the page', { timeout: 180_000 }, async (t) => {
  const tmp = tempDir('rnn-wasm-valfile-');
  t.after(() => tmp.cleanup());
  const valid = ptbLike(50, 2);
  writeFileSync(tmp.path('ptb.train.txt'), ptbLike(600, 1));
  writeFileSync(tmp.path('ptb.valid.txt'), valid);
  const env = await launch();
  t.after(() => env.close());
  const page = await env.open();

  for (const [k, v] of Object.entries({ tokenizer: 'whitespace', minCount: 1, layers: 1, hidden: 32, embedding: 16, seqLength: 16, batchSize: 8, steps: 40, evalEvery: 20, sampleEvery: 20 })) {
    await setField(page, k, v);
  }
  assert.equal(await page.locator('#settings [name="lowercase"]').isDisabled(), false, 'whitespace tokens may be lower-cased');
  await page.getByTestId('corpus-file').setInputFiles(tmp.path('ptb.train.txt'));
  await page.locator('#corpus-name').filter({ hasText: 'ptb.train.txt' }).waitFor();
  await page.getByTestId('validation-file').setInputFiles(tmp.path('ptb.valid.txt'));
  assert.match(await text(page, 'validation-name'), /^ptb\.valid\.txt/);
  assert.equal(await page.locator('#settings [name="validationFraction"]').isDisabled(), true, 'the split is not used');

  await page.getByTestId('train').click();
  await waitStatus(page, /training/);
  await waitStatus(page, /stopped/, 120_000);
  const note = await page.locator('#run-note').textContent();
  assert.match(note, new RegExp(`validation file: ${count(valid)} tokens`), note);
  await until(async () => /\d/.test(await text(page, 'val-loss')), { message: 'a validation loss' });
  t.diagnostic(`${note}; validation loss ${await text(page, 'val-loss')}`);

  // "Use the split" goes back to the fraction.
  await page.getByTestId('validation-clear').click();
  assert.equal(await text(page, 'validation-name'), 'none');
  assert.equal(await page.locator('#settings [name="validationFraction"]').isDisabled(), false);
  env.done();
});
