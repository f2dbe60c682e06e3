// Bad inputs through the UI each show a clear message in `error` and leave the previous state usable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import { launch, setField, text, until, waitStatus } from './helpers.mjs';

/** A real 8×8 PNG: its first byte (0x89) is not UTF-8. */
function png() {
  const crcTable = Array.from({ length: 256 }, (_, n) => { let c = n; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; return c >>> 0; });
  const crc = (b) => { let c = ~0; for (const x of b) c = crcTable[(c ^ x) & 0xff] ^ (c >>> 8); return ~c >>> 0; };
  const chunk = (type, data) => {
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0); out.write(type, 4, 'latin1'); data.copy(out, 8);
    out.writeUInt32BE(crc(out.subarray(4, 8 + data.length)), 8 + data.length);
    return out;
  };
  const ihdr = Buffer.from([0, 0, 0, 8, 0, 0, 0, 8, 8, 2, 0, 0, 0]);
  const raw = Buffer.alloc(8 * 25, 0xc8);
  for (let y = 0; y < 8; y++) raw[y * 25] = 0;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

test('empty text, an image named .txt and a corrupt model file are refused; the page stays usable', { timeout: 180_000 }, async (t) => {
  const env = await launch();
  t.after(() => env.close());
  const page = await env.open();
  const error = page.getByTestId('error');
  const before = await text(page, 'corpus-stats');

  await page.getByTestId('corpus-text').fill('');
  await page.getByTestId('corpus-use-text').click();
  await error.filter({ hasText: /empty/i }).waitFor();
  assert.equal(await text(page, 'corpus-stats'), before, 'previous corpus kept');

  await page.getByTestId('corpus-text').fill('far too short');
  await page.getByTestId('corpus-use-text').click();
  await error.filter({ hasText: /too short/i }).waitFor();
  assert.equal(await text(page, 'corpus-stats'), before);

  await page.getByTestId('corpus-file').setInputFiles({ name: 'holiday.txt', mimeType: 'text/plain', buffer: png() });
  // A PNG has a NUL at byte 8: the core says it is not a text file (before the UTF-8 check, whose
  // "invalid UTF-8 at byte 0" would say less), and where.
  await error.filter({ hasText: /NUL byte/ }).waitFor();
  assert.match(await text(page, 'error'), /holiday\.txt.*NUL byte at byte 8: it is not a text file/, 'the core names the problem and where');
  assert.equal(await text(page, 'corpus-stats'), before);
  assert.match(await page.locator('#corpus-name').textContent(), /Brown/);

  // The previous corpus still trains.
  await page.getByTestId('preset-tiny').click();
  await setField(page, 'steps', 60);
  await page.getByTestId('train').click();
  await waitStatus(page, /stopped/, 90_000);
  assert.equal(await error.isVisible(), false, 'starting a run clears the earlier messages');

  // A corrupt model file: a message, and generation still uses the trained model.
  const modelNote = await page.locator('#gen-model').textContent();
  const junk = Buffer.from(png().subarray(0, 40));
  junk.writeUInt32LE(0xffffff, 0);
  await page.getByTestId('load-model').setInputFiles({ name: 'broken.safetensors', mimeType: 'application/octet-stream', buffer: junk });
  await error.filter({ hasText: /broken\.safetensors/ }).waitFor();
  t.diagnostic(`model error: ${await text(page, 'error')}`);
  assert.equal(await page.locator('#gen-model').textContent(), modelNote, 'generation model unchanged');
  await page.getByTestId('prime').fill('The');
  await page.locator('#gen-form [name="length"]').fill('80');
  await page.getByTestId('generate').click();
  await until(async () => /done/.test(await page.locator('#gen-note').textContent()), { message: 'generation done' });
  assert.ok((await text(page, 'output')).length > 20);

  // A truncated real checkpoint is refused as well.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-model').click()]);
  const { readFileSync } = await import('node:fs');
  const good = readFileSync(await download.path());
  await page.getByTestId('load-model').setInputFiles({ name: 'truncated.safetensors', mimeType: 'application/octet-stream', buffer: good.subarray(0, Math.floor(good.length / 2)) });
  await error.filter({ hasText: /truncated\.safetensors/ }).waitFor();
  assert.equal(await page.locator('#gen-model').textContent(), modelNote);
  // …and the intact one is accepted.
  await page.getByTestId('load-model').setInputFiles({ name: 'good.safetensors', mimeType: 'application/octet-stream', buffer: good });
  await page.locator('#gen-model').filter({ hasText: 'good.safetensors' }).waitFor();
  env.done();
});
