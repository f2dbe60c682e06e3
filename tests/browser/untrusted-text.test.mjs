// Corpus, labels and generated text are untrusted: the page inserts them as text, never as HTML. A
// corpus (and a file name) full of <script>, <img onerror>, <svg onload> and javascript: links, and
// classify labels made of them, are trained on briefly; the page shows the corpus stats, samples,
// generated text, the inspect views with their tooltip, label counts, the confusion matrix and the
// label bars. Nothing runs (the flag the payloads set stays unset, no dialog opens, no CSP violation
// is reported) and no element of the payloads appears in the DOM — while their text does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, setField, text, until, waitStatus } from './helpers.mjs';

const PAYLOADS = [
  '<script>window.__xss=1;alert(1)</script>',
  '<img src=x onerror=window.__xss=2;alert(2)>',
  '<a href="javascript:window.__xss=3;alert(3)">click</a>',
  '<svg/onload=window.__xss=4;alert(4)>',
  '<iframe src="javascript:alert(5)"></iframe>',
];

function rng(seed) {
  let s = seed >>> 0;
  return () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 2 ** 32; };
}

/** Lines of payloads and a few words, whitespace-separated (the whitespace tokenizer keeps `<script>…` whole). */
function hostileCorpus(lines) {
  const r = rng(3);
  const words = ['hello', 'world', 'the', 'model'];
  const out = [];
  for (let i = 0; i < lines; i++) {
    const n = 2 + Math.floor(r() * 3);
    const parts = [];
    for (let j = 0; j < n; j++) parts.push(r() < 0.7 ? PAYLOADS[Math.floor(r() * PAYLOADS.length)] : words[Math.floor(r() * words.length)]);
    out.push(parts.join(' '));
  }
  return `${out.join('\n')}\n`;
}

/** What must not be in the DOM: elements and attributes the payloads would create if parsed as HTML. */
const injected = (page) => page.evaluate(() => {
  const found = [...document.querySelectorAll('script:not([src]), img[src="x"], iframe, a[href^="javascript:"], svg[onload], [onerror], [onload], [onclick]')];
  return found.map((e) => e.outerHTML.slice(0, 120));
});

async function assertInert(page, dialogs, where) {
  assert.equal(await page.evaluate(() => window.__xss), undefined, `${where}: a payload ran`);
  assert.deepEqual(dialogs, [], `${where}: a dialog opened`);
  assert.deepEqual(await injected(page), [], `${where}: payload elements in the DOM`);
  assert.deepEqual(await page.evaluate(() => window.__cspViolations), [], `${where}: CSP violations`);
}

test('hostile corpus, file name, labels and generated text are shown as text and never run', { timeout: 300_000 }, async (t) => {
  const env = await launch();
  t.after(() => env.close());
  const page = await env.open({ height: 1400 });
  const dialogs = [];
  page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss().catch(() => {}); });

  // Write like a text: word-level (whitespace) tokens are whole payloads.
  for (const [k, v] of Object.entries({ tokenizer: 'whitespace', minCount: 1, layers: 1, hidden: 32, embedding: 16, seqLength: 16, batchSize: 8, steps: 80, evalEvery: 40, sampleEvery: 40 })) {
    await setField(page, k, v);
  }
  const name = '<img src=x onerror=alert(9)>.txt';
  await page.getByTestId('corpus-file').setInputFiles({ name, mimeType: 'text/plain', buffer: Buffer.from(hostileCorpus(800)) });
  await page.locator('#corpus-name').filter({ hasText: name }).waitFor({ timeout: 30_000 });
  await page.getByTestId('corpus-stats').filter({ hasText: 'characters' }).waitFor({ timeout: 30_000 });
  await page.getByTestId('train').click();
  await waitStatus(page, /training|stopped/);
  await waitStatus(page, /stopped|error/, 150_000);
  assert.match(await text(page, 'status'), /^stopped/);
  const samples = (await page.locator('#samples').textContent()) ?? '';
  assert.match(samples, /<(script|img|a|svg|iframe)\b/, `the samples show the payloads as text: ${samples.slice(0, 200)}`);

  // Generated text, primed with a payload.
  await page.getByTestId('prime').fill(PAYLOADS[1]);
  await page.locator('#gen-form [name="length"]').fill('40');
  await page.getByTestId('generate').click();
  await until(async () => /done/.test(await page.locator('#gen-note').textContent()), { message: 'generation done' });
  const out = await text(page, 'output');
  assert.ok(out.includes('onerror=window.__xss=2'), `the output shows the payload text: ${out.slice(0, 200)}`);
  await assertInert(page, dialogs, 'after training and generating');

  // The inspect views: the corpus coloured by a unit, and by surprise with the top-5 tooltip.
  await page.getByTestId('inspect-tab-units').click();
  await until(async () => Number(await page.getByTestId('units-text').getAttribute('data-tokens')) > 20, { timeout: 60_000, message: 'the coloured text' });
  await page.getByTestId('inspect-tab-next').click();
  await until(async () => Number(await page.getByTestId('next-text').getAttribute('data-tokens')) > 20, { timeout: 60_000, message: 'the surprise view' });
  await page.getByTestId('next-text').locator('span[data-i]').nth(3).hover();
  await page.getByTestId('next-tip').waitFor({ state: 'visible' });
  const tip = await page.getByTestId('next-tip').textContent();
  assert.match(tip, /the model expects/);
  assert.match(tip, /<|click|hello|world|the|model/, tip);
  await assertInert(page, dialogs, 'after the inspect views');

  // Classify with hostile labels (and texts): label counts, the confusion matrix, the label bars.
  await page.getByTestId('task-classify').click();
  await page.locator('#view-tasks').waitFor({ state: 'visible' });
  const labels = [PAYLOADS[1], PAYLOADS[2]];
  const r = rng(5);
  const lines = ['text\tlabel'];
  for (let i = 0; i < 160; i++) {
    const k = r() < 0.5 ? 0 : 1;
    lines.push(`${k ? 'aeiou' : PAYLOADS[3]} ${Math.floor(r() * 10)}\t${labels[k]}`);
  }
  await page.getByTestId('examples-file').setInputFiles({ name: '<svg onload=alert(7)>.tsv', mimeType: 'text/plain', buffer: Buffer.from(`${lines.join('\n')}\n`) });
  await page.locator('#tdata-name').filter({ hasText: '<svg onload=alert(7)>.tsv' }).waitFor({ timeout: 30_000 });
  assert.ok((await page.getByTestId('label-counts').textContent()).includes(labels[0]), 'the label counts show the label text');
  for (const [k, v] of [['hidden', 16], ['steps', 40], ['evalEvery', 20]]) await page.locator(`#tsettings [name="${k}"]`).fill(String(v));
  await page.getByTestId('task-train').click();
  await page.getByTestId('status').filter({ hasText: /training|stopped/ }).waitFor({ timeout: 30_000 });
  await page.getByTestId('status').filter({ hasText: /stopped|error/ }).waitFor({ timeout: 120_000 });
  assert.match(await text(page, 'status'), /^stopped/);
  const confusion = await page.getByTestId('confusion').textContent();
  assert.ok(confusion.includes(labels[0]) && confusion.includes(labels[1]), 'the confusion matrix names the labels as text');
  await page.getByTestId('task-input').fill(PAYLOADS[0]);
  await page.getByTestId('task-go').click();
  const bars = page.getByTestId('classify-result').locator('li');
  await until(async () => (await bars.count()) === 2, { message: 'two label bars' });
  assert.ok((await page.getByTestId('classify-result').textContent()).includes(labels[1]));
  await assertInert(page, dialogs, 'after classify');
  env.done();
});
