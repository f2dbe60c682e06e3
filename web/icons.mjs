#!/usr/bin/env node
// Draws the PNG icons of the web app manifest from the SVGs in web/, with headless Chromium:
//   favicon.svg       → icon-192.png, icon-512.png (purpose "any") and apple-touch-icon.png (180 px)
//   icon-maskable.svg → icon-maskable-512.png (purpose "maskable": full bleed, mark in the safe zone)
// The PNGs are committed; run this after changing an SVG.   usage: node web/icons.mjs
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const web = dirname(fileURLToPath(import.meta.url));
const icons = [
  ['favicon.svg', 'icon-192.png', 192],
  ['favicon.svg', 'icon-512.png', 512],
  ['icon-maskable.svg', 'icon-maskable-512.png', 512],
  ['icon-maskable.svg', 'apple-touch-icon.png', 180],
];

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium' });
try {
  for (const [svg, png, size] of icons) {
    const page = await browser.newPage({ viewport: { width: size, height: size }, deviceScaleFactor: 1 });
    const src = `data:image/svg+xml;base64,${readFileSync(join(web, svg)).toString('base64')}`;
    await page.setContent(`<style>html,body{margin:0;background:transparent}img{display:block}</style><img src="${src}" width="${size}" height="${size}">`);
    await page.locator('img').evaluate((img) => img.decode());
    await page.screenshot({ path: join(web, png), omitBackground: true, clip: { x: 0, y: 0, width: size, height: size } });
    await page.close();
    console.log(`${png}: ${size}×${size} from ${svg}`);
  }
} finally {
  await browser.close();
}
