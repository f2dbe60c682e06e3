// The corpus panel shows the core's own numbers: tokens, vocabulary and batches per epoch on the page
// equal createTrainer(...).info for the same text and the settings the page would train with — on the
// default corpus (Brown, char and word level) and on the Simpsons script (word level, rare words <unk>).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTrainer } from '../../wasm/index.js';
import { launch, missingData, setField, sharedData, text, until } from './helpers.mjs';

const simpsons = join(sharedData, 'simpsons_moes_tavern.txt');

const count = (s) => Number(s.replace(/,/g, ''));

/** What the corpus panel and the estimate under the settings show. */
async function shown(page) {
  const stats = await text(page, 'corpus-stats');
  const estimate = await text(page, 'estimate');
  const tokens = stats.match(/([\d,]+) (?:word )?tokens/);
  const vocab = stats.match(/([\d,]+) vocabulary/);
  const batches = estimate.match(/vocabulary ([\d,]+) · ([\d,]+) batches per epoch/);
  assert.ok(tokens && vocab && batches, `corpus panel: "${stats}", estimate: "${estimate}"`);
  assert.equal(count(batches[1]), count(vocab[1]), 'the estimate and the corpus panel agree on the vocabulary');
  return { tokens: count(tokens[1]), vocabSize: count(vocab[1]), batchesPerEpoch: count(batches[2]), stats };
}

/** The core's numbers for the text under the options the page would start a run with. */
async function core(page, bytes) {
  const options = await page.evaluate(async () => {
    const settings = await import(new URL('settings.js', location.href).href);
    return settings.trainerConfig(settings.readSettings());
  });
  const trainer = await createTrainer({ ...options, text: bytes });
  try {
    const { tokens, vocabSize, batchesPerEpoch } = trainer.info;
    return { tokens, vocabSize, batchesPerEpoch, options };
  } finally {
    trainer.dispose();
  }
}

/** Waits until the panel shows an analysis of `name` under the current settings. */
async function settled(page, name, tokensLabel) {
  await page.locator('#corpus-name').filter({ hasText: name }).waitFor();
  return until(async () => {
    const s = await shown(page).catch(() => null);
    return s && s.stats.includes(tokensLabel) && !(await page.locator('#corpus-card.busy').count()) ? s : null;
  }, { timeout: 30_000, message: `the analysis of ${name} (${tokensLabel})` });
}

async function assertSame(t, page, bytes, name, tokensLabel) {
  // A settings change is re-analysed after a short debounce: let it land, then read the panel.
  await new Promise((r) => setTimeout(r, 800));
  const page_ = await settled(page, name, tokensLabel);
  const want = await core(page, bytes);
  t.diagnostic(`${name} (${want.options.tokenizer}, minCount ${want.options.minCount}): page ${JSON.stringify(page_)}, core ${JSON.stringify(want)}`);
  assert.deepEqual(
    { tokens: page_.tokens, vocabSize: page_.vocabSize, batchesPerEpoch: page_.batchesPerEpoch },
    { tokens: want.tokens, vocabSize: want.vocabSize, batchesPerEpoch: want.batchesPerEpoch },
  );
}

test('the corpus panel shows the core\'s tokens, vocabulary and batches per epoch', { timeout: 180_000 }, async (t) => {
  const env = await launch();
  t.after(() => env.close());
  const page = await env.open();
  const brown = new Uint8Array(await (await fetch(new URL('corpus/brown.txt', env.server.url))).arrayBuffer());

  await t.test('Brown corpus, character level (the page\'s defaults)', async (t) => {
    await assertSame(t, page, brown, 'Brown', ' tokens');
  });

  await t.test('Brown corpus, word level, words seen once become <unk>', async (t) => {
    await setField(page, 'tokenizer', 'word');
    await setField(page, 'lowercase', true);
    await setField(page, 'minCount', 2);
    await assertSame(t, page, brown, 'Brown', 'word tokens');
  });

  await t.test('Simpsons script, word level (TV preset)', {
    skip: !existsSync(simpsons) && missingData('simpsons_moes_tavern.txt'),
  }, async (t) => {
    await page.getByTestId('preset-tv').click();
    await setField(page, 'minCount', 2);
    await page.getByTestId('corpus-file').setInputFiles(simpsons);
    await assertSame(t, page, readFileSync(simpsons), 'simpsons_moes_tavern.txt', 'word tokens');
  });

  env.done();
});
