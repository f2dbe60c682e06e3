// WebAssembly in headless Chromium: builds the site (web/build.mjs) into build/bench/site, adds the
// benchmark page (tests/bench/browser/) with workload.json and the corpus under /bench/, serves it
// with COOP/COEP (web/serve.mjs, so the page may use wasm threads) and runs the reference workload
// in a module Web Worker. Prints the page's lines, then one JSON object on its last line.
// usage: node tests/bench/browser_bench.mjs [--quick]
// env: CHROMIUM (default /usr/bin/chromium), RNN_DATA_DIR, RNN_WASM_DIR (as web/build.mjs)
import { cpSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { buildSite } from '../../web/build.mjs';
import { startServer } from '../../web/serve.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const quick = process.argv.includes('--quick');
const workload = JSON.parse(readFileSync(join(here, 'workload.json'), 'utf8'));
const dataDir = process.env.RNN_DATA_DIR || resolve(root, '..', 'shared', 'data');

const site = buildSite({ out: join(root, 'build', 'bench', 'site') });
const bench = join(site, 'bench');
mkdirSync(bench, { recursive: true });
for (const f of readdirSync(join(here, 'browser'))) cpSync(join(here, 'browser', f), join(bench, f));
cpSync(join(here, 'workload.json'), join(bench, 'workload.json'));
cpSync(join(dataDir, workload.data), join(bench, workload.data));

const server = await startServer({ port: 0, root: site });
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium' });
let result;
try {
  const page = await browser.newPage();
  page.on('console', (m) => console.log(m.text()));
  page.on('pageerror', (e) => console.log(`page error: ${e.message}`));
  await page.goto(`${server.url}bench/index.html${quick ? '?quick=1' : ''}`);
  await page.waitForFunction(() => window.__done === true, null, { timeout: 15 * 60_000, polling: 500 });
  result = await page.evaluate(() => window.__result);
  result.chromium = browser.version();
} catch (e) {
  result = { error: e.message };
} finally {
  await browser.close();
  await server.close();
}
if (result.error) console.log(`error: ${result.error}`);
console.log(JSON.stringify(result));
process.exit(result.error ? 1 : 0);
