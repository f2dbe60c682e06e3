#!/usr/bin/env node
// Regenerates web/screenshot.png for the README: trains the "Tiny and fast" preset for a while on the
// default corpus, generates a passage, and photographs the page. usage: node tests/browser/screenshot.mjs
import { join } from 'node:path';
import { launch, root, until, waitStatus } from './helpers.mjs';

const env = await launch();
try {
  const page = await env.open({ width: 1280, height: 900 });
  await page.getByTestId('preset-tiny').click();
  await page.locator('#settings [name="steps"]').fill('1500');
  await page.getByTestId('train').click();
  await waitStatus(page, /stopped/, 180_000);
  await page.getByTestId('prime').fill('The ');
  await page.locator('#gen-form [name="length"]').fill('500');
  await page.getByTestId('generate').click();
  await until(async () => /done/.test(await page.locator('#gen-note').textContent()), { message: 'generation' });
  const out = join(root, 'web', 'screenshot.png');
  await page.screenshot({ path: out, fullPage: true });
  env.done();
  console.log(`wrote ${out}`);
} finally {
  await env.close();
}
