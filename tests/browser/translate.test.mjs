// The Translate tab (an encoder–decoder on source<TAB>target pairs): the built-in CMUdict example loads
// with its settings; a small pairs file (reverse a string) shows its counts and length histograms,
// trains with the charts and the exact match on held-out pairs, and answers a typed source with the
// n best outputs and the attention matrix as a heat map; the model downloads and loads back, and the run
// is autosaved and restored after a reload. A bad file lists its bad lines by number.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { launch, root, screenshots, until } from './helpers.mjs';

/** A small seeded random generator, so the files are the same on every run. */
function rng(seed) {
  let s = seed >>> 0;
  return () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 2 ** 32; };
}

/** `count` pairs "source<TAB>its reverse" of 3–7 letters from a–f, with a header line. */
function reversalTsv(count, seed) {
  const r = rng(seed);
  const lines = ['source\ttarget'];
  for (let i = 0; i < count; i++) {
    const n = 3 + Math.floor(r() * 5);
    const w = Array.from({ length: n }, () => 'abcdef'[Math.floor(r() * 6)]).join('');
    lines.push(`${w}\t${[...w].reverse().join('')}`);
  }
  return `${lines.join('\n')}\n`;
}

const file = (name, body) => ({ name, mimeType: 'text/plain', buffer: Buffer.from(body) });

async function openTranslate(env) {
  const page = await env.open();
  await page.getByTestId('task-translate').click();
  await page.locator('#view-tasks').waitFor({ state: 'visible' });
  return page;
}

async function useFile(page, f) {
  await page.getByTestId('examples-file').setInputFiles(f);
  await page.locator('#tdata-name').filter({ hasText: f.name }).waitFor({ timeout: 30_000 });
}

async function setField(page, name, value) {
  const el = page.locator(`#tsettings [name="${name}"]`);
  if ((await el.evaluate((e) => e.tagName)) === 'SELECT') await el.selectOption(String(value));
  else if ((await el.getAttribute('type')) === 'checkbox') await el.setChecked(!!value);
  else await el.fill(String(value));
}

/** Types a source, asks for a translation and waits for `n` outputs; returns them and the heat map's data. */
async function translate(page, source, n) {
  await page.getByTestId('task-input').fill(source);
  await page.getByTestId('task-go').click();
  const items = page.getByTestId('translations').locator('li');
  await until(async () => (await items.count()) === n && /done/.test(await page.locator('#tgo-note').textContent()), { message: `${n} outputs for “${source}”` });
  const outputs = await items.evaluateAll((xs) => xs.map((x) => ({ text: x.dataset.text, score: Number(x.dataset.score) })));
  const map = page.getByTestId('attention-heatmap');
  const heat = await map.evaluate((c) => ({ rows: Number(c.dataset.rows), cols: Number(c.dataset.cols), argmax: c.dataset.argmax.split(',').map(Number), width: c.width, height: c.height }));
  return { outputs, heat };
}

const longTasksSince = (page, t0) => page.evaluate((t) => window.__longtasks.filter((x) => x.start + x.duration >= t), t0);

test('translate: the CMUdict example loads; a pairs file trains, answers with the n best and an attention heat map, downloads, loads back and restores', { timeout: 420_000 }, async (t) => {
  const env = await launch();
  t.after(() => env.close());
  const page = await openTranslate(env);

  // The built-in example (or why it is not there), with the tokenizers its targets need.
  const note = page.locator('#tdata-note');
  await until(async () => /Example: CMUdict|not built/.test(await note.textContent()), { message: 'the example note' });
  if (/Example: CMUdict/.test(await note.textContent())) {
    await page.locator('#tdata-name').filter({ hasText: 'CMUdict' }).waitFor({ timeout: 30_000 });
    const stats = await page.getByTestId('pairs-stats').textContent();
    assert.match(stats, /[\d,]+\s*training pairs/, stats);
    assert.match(stats, /with several targets/, 'alternative pronunciations are extra references');
    assert.equal(await page.getByTestId('target-tokenizer').inputValue(), 'whitespace', 'phonemes are separated by spaces');
    assert.match(await page.locator('pre.head').textContent(), /^[a-z']+\t[A-Z]+( [A-Z]+)*$/m, 'word<TAB>phonemes without stress digits');
  }

  // A file of our own: 400 reversals (a header line), char tokens on both sides.
  await setField(page, 'targetTokenizer', 'char');
  await useFile(page, file('reverse.tsv', reversalTsv(400, 3)));
  const stats = await page.getByTestId('pairs-stats').textContent();
  const [, trainPairs] = /([\d,]+)\s*training pairs/.exec(stats);
  const [, valPairs] = /([\d,]+)\s*for validation/.exec(stats);
  assert.equal(Number(trainPairs) + Number(valPairs), 400, stats);
  assert.ok(Number(valPairs) > 0, 'some pairs are held out');
  assert.match(stats, /\b6\s*source tokens/, stats);
  assert.match(stats, /\b8\s*target tokens/, stats); // six letters, start and end
  for (const id of ['source-lengths', 'target-lengths']) assert.ok(await page.getByTestId(id).locator('span').count() > 0, `${id} histogram`);
  assert.equal(await page.getByTestId('bad-lines').count(), 0);
  assert.equal(await page.getByTestId('bidirectional').isVisible(), true);
  assert.equal(await page.locator('#tsettings [name="pooling"]').isVisible(), false, 'no pooling in an encoder–decoder');

  for (const [k, v] of [['hidden', 64], ['embedding', 16], ['steps', 400], ['evalEvery', 100]]) await setField(page, k, v);
  const t0 = await page.evaluate(() => performance.now());
  await page.getByTestId('task-train').click();
  await page.getByTestId('status').filter({ hasText: /training|stopped/ }).waitFor({ timeout: 30_000 });
  await page.getByTestId('status').filter({ hasText: /stopped/ }).waitFor({ timeout: 240_000 });
  const during = await longTasksSince(page, t0);
  assert.equal(during.length, 0, `main-thread tasks over 50 ms: ${JSON.stringify(during)}`);

  assert.equal(await page.getByTestId('task-step').textContent(), '400');
  assert.match(await page.locator('#tmetric-name').textContent(), /exact match/);
  const metric = await page.getByTestId('task-metric').textContent();
  assert.match(metric, /\d+\.\d %/);
  t.diagnostic(`held-out exact match after 400 steps: ${metric}`);
  assert.ok(Number(await page.getByTestId('task-chart-loss').getAttribute('data-points')) >= 3);
  assert.ok(Number(await page.getByTestId('task-chart-metric').getAttribute('data-points')) >= 3, 'an exact-match point every 100 steps');
  const scores = await page.getByTestId('translate-scores').textContent();
  assert.match(scores, /Exact match.*%.*Token error rate.*%/s, scores);
  assert.doesNotMatch(scores, /BLEU/, 'no BLEU for char targets');
  assert.equal(await page.getByTestId('translate-samples').locator('tbody tr').count(), 5);
  assert.match(await page.locator('#trun-note').textContent(), /encoder–decoder.*6 → 8 tokens.*attention general/);

  // A typed source: the n best (beam 5, 3 outputs, best first) and the heat map of the best.
  const t1 = await page.evaluate(() => performance.now());
  const { outputs, heat } = await translate(page, 'abcdef', 3);
  t.diagnostic(`abcdef -> ${outputs.map((o) => `${o.text} (${o.score.toFixed(3)})`).join(' | ')}; argmax ${heat.argmax}`);
  assert.ok(outputs[0].score >= outputs[1].score && outputs[1].score >= outputs[2].score, 'best first');
  assert.equal(outputs[0].text, 'fedcba');
  assert.equal(heat.cols, 6, 'a column per source character');
  assert.equal(heat.rows, 7, 'a row per output character and the end token');
  assert.deepEqual(heat.argmax.slice(0, 6), [5, 4, 3, 2, 1, 0], 'each output letter looks at its source letter');
  assert.ok(heat.width > 0 && heat.height > 0);
  assert.match(await page.getByTestId('attention-heatmap').getAttribute('aria-label'), /f→f, e→e/);
  // Another output's attention on click.
  await page.getByTestId('translations').locator('li').nth(1).locator('button').click();
  assert.equal(await page.getByTestId('translations').locator('li').nth(1).getAttribute('aria-current'), 'true');
  const rows2 = Number(await page.getByTestId('attention-heatmap').getAttribute('data-rows'));
  assert.equal(rows2, [...outputs[1].text].length + 1);
  // Data is text: a source with markup stays text.
  await translate(page, '<b>a</b>', 3);
  assert.equal(await page.locator('#tresult b b, #tresult img').count(), 0);
  assert.equal(await page.locator('#tresult .verdict span').textContent(), '<b>a</b>');
  const during2 = await longTasksSince(page, t1);
  assert.equal(during2.length, 0, `main-thread tasks over 50 ms while translating: ${JSON.stringify(during2)}`);
  await translate(page, 'abcdef', 3);
  await page.screenshot({ path: join(screenshots, 'translate.png'), fullPage: true });

  // Download the model, then load the file back: it translates the same.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('task-download').click()]);
  assert.match(download.suggestedFilename(), /^rnn-translate-lstm-1x64-step400\.safetensors$/);
  const path = join(root, 'build', `translate-model-${process.pid}.safetensors`);
  await download.saveAs(path);
  const bytes = readFileSync(path);
  rmSync(path);
  await page.getByTestId('task-load-model').setInputFiles({ name: 'reverser.safetensors', mimeType: 'application/octet-stream', buffer: bytes });
  await page.locator('#tmodel-note').filter({ hasText: 'reverser.safetensors' }).waitFor();
  const loaded = await translate(page, 'abcdef', 3);
  assert.deepEqual(loaded.outputs, outputs, 'the loaded model gives the same n best');

  // The finished run was autosaved: a reload offers it and restores it exactly.
  await page.locator('#tautosave-note').filter({ hasText: 'step 400)' }).waitFor({ timeout: 20_000 });
  assert.match(page.url(), /#translate$/, 'the address names the tab');
  await page.reload();
  await page.getByTestId('task-restore').waitFor({ state: 'visible', timeout: 30_000 });
  await page.getByTestId('task-restore').click();
  await page.getByTestId('status').filter({ hasText: /paused/ }).waitFor({ timeout: 30_000 });
  assert.equal(await page.getByTestId('task-step').textContent(), '400');
  assert.equal(await page.getByTestId('task-metric').textContent(), metric);
  assert.equal(await page.getByTestId('target-tokenizer').inputValue(), 'char', 'the run’s settings, not the example’s');
  const restored = await translate(page, 'abcdef', 3);
  assert.deepEqual(restored.outputs, outputs, 'the restored run gives the same n best');
  env.done();
});

test('translate: bad lines listed by line number, training only once they are skipped; JSON pairs; other models refused', { timeout: 240_000 }, async (t) => {
  const env = await launch();
  t.after(() => env.close());
  const page = await openTranslate(env);
  await setField(page, 'targetTokenizer', 'char');
  const good = reversalTsv(120, 5).trimEnd().split('\n'); // good[0] is the header
  const lines = [...good.slice(0, 3), 'no tab on this line', good[3], '\tcba', 'abc\t', ...good.slice(4)];
  await useFile(page, file('bad-pairs.tsv', `${lines.join('\n')}\n`));
  const bad = page.getByTestId('bad-lines');
  await bad.waitFor();
  const badText = await bad.textContent();
  assert.match(badText, /3 bad lines/, badText);
  assert.match(badText, /line 4: missing tab between source and target/);
  assert.match(badText, /line 6: empty source/);
  assert.match(badText, /line 7: empty target/);
  assert.equal(await page.getByTestId('task-train').isDisabled(), true, 'no training with bad lines');
  await page.getByTestId('skip-bad-lines').check();
  await until(async () => !(await page.getByTestId('task-train').isDisabled()), { message: 'train enabled once skipped' });
  assert.match(await bad.textContent(), /skipped/);
  for (const [k, v] of [['hidden', 16], ['steps', 20], ['evalEvery', 10]]) await setField(page, k, v);
  await page.getByTestId('task-train').click();
  await page.getByTestId('status').filter({ hasText: /stopped/ }).waitFor({ timeout: 120_000 });
  assert.equal(await page.getByTestId('task-step').textContent(), '20');
  await page.screenshot({ path: join(screenshots, 'translate-bad-file.png'), fullPage: true });

  // JSON pairs are pairs too; a file with no pairs at all is refused by name, the previous file kept.
  await useFile(page, file('pairs.json', JSON.stringify([['abc', 'cba'], ['de', 'ed'], ['fab', 'baf'], ['cab', 'bac'], ['ef', 'fe']])));
  const json = await page.getByTestId('pairs-stats').textContent();
  const count = (re) => Number(re.exec(json)?.[1]);
  assert.equal(count(/(\d+)\s*training pairs/) + count(/(\d+)\s*for validation/), 5, json);
  await page.getByTestId('examples-file').setInputFiles(file('empty.tsv', '\n\n'));
  await page.getByTestId('error').filter({ hasText: /empty\.tsv/ }).waitFor();
  t.diagnostic(await page.getByTestId('error').textContent());
  assert.match(await page.locator('#tdata-name').textContent(), /pairs\.json/, 'the previous file is kept');

  // A model of another task is refused by this tab, and the page says which task it is for.
  const api = await import('../../wasm/index.js');
  await api.init({ threads: 'off' });
  const classifier = await api.createTrainer({ task: 'classify', examples: 'text\tlabel\naaa\tx\nbbb\ty\naab\tx\nbba\ty\n', hidden: 8, embedding: 4, layers: 1, batchSize: 2, validationFraction: 0 });
  const bytes = Buffer.from(classifier.model.save());
  classifier.dispose();
  await page.getByTestId('task-load-model').setInputFiles({ name: 'classifier.safetensors', mimeType: 'application/octet-stream', buffer: bytes });
  await page.getByTestId('error').filter({ hasText: /classifier\.safetensors.*model for classifying, not for translating/ }).waitFor();
  env.done();
});
