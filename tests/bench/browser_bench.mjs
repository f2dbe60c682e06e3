// WebAssembly in headless Chromium: builds the site (web/build.mjs) into build/bench/site, adds the
// benchmark page (tests/bench/browser/) with workload.json and the corpus under /bench/, serves it
// with COOP/COEP (web/serve.mjs, so the page may use wasm threads) and runs the reference workload
// in a module Web Worker. Prints the page's lines, then one JSON object on its last line.
// Relaxed SIMD: the site of web/build.mjs holds only the simd128 builds (dist/st, dist/mt), so the
// first pass measures those; then the relaxed-SIMD builds (dist/st-relaxed, mt-relaxed) are added
// to the site and a second pass, where index.js picks them (Chromium runs relaxed SIMD), goes into
// `relaxed`. --no-relaxed skips it.
// usage: node tests/bench/browser_bench.mjs [--quick] [--no-relaxed]
// env: CHROMIUM (default /usr/bin/chromium), RNN_DATA_DIR, RNN_WASM_DIR (as web/build.mjs)
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
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
// The site ships the relaxed-SIMD builds too, which Chromium would pick: the first pass runs
// without them (simd128), the second puts them back.
for (const b of ['st-relaxed', 'mt-relaxed']) rmSync(join(site, 'rnn-wasm', 'dist', b), { recursive: true, force: true });
const bench = join(site, 'bench');
mkdirSync(bench, { recursive: true });
for (const f of readdirSync(join(here, 'browser'))) cpSync(join(here, 'browser', f), join(bench, f));
// The server's Content-Security-Policy (web/csp.mjs: script-src 'self', img-src 'self') blocks the
// page's inline module script and its data: icon, and the page then never finishes: move the
// script into a file of its own in the copy served here.
{
  const html = readFileSync(join(bench, 'index.html'), 'utf8');
  const m = html.match(/<script type="module">([\s\S]*?)<\/script>/);
  if (m) {
    writeFileSync(join(bench, 'page.js'), m[1]);
    writeFileSync(join(bench, 'index.html'), html.replace(m[0], '<script type="module" src="./page.js"></script>').replace(/<link rel="icon" href="data:,">\n?/, ''));
  }
}
cpSync(join(here, 'workload.json'), join(bench, 'workload.json'));
cpSync(join(dataDir, workload.data), join(bench, workload.data));

const server = await startServer({ port: 0, root: site });
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium' });
// One run of the bench page in a fresh context; `prefix` marks its lines.
async function pass(prefix = '') {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    page.on('console', (m) => console.log(prefix + m.text()));
    page.on('pageerror', (e) => console.log(`${prefix}page error: ${e.message}`));
    await page.goto(`${server.url}bench/index.html${quick ? '?quick=1' : ''}`);
    await page.waitForFunction(() => window.__done === true, null, { timeout: 15 * 60_000, polling: 500 });
    const r = await page.evaluate(() => window.__result);
    r.chromium = browser.version();
    return r;
  } catch (e) {
    return { error: e.message };
  } finally {
    await context.close();
  }
}
let result;
try {
  result = await pass();
  const dist = join(process.env.RNN_WASM_DIR ? resolve(process.env.RNN_WASM_DIR) : join(root, 'wasm'), 'dist');
  if (!result.error && !process.argv.includes('--no-relaxed') && existsSync(join(dist, 'mt-relaxed'))) {
    for (const b of ['st-relaxed', 'mt-relaxed']) cpSync(join(dist, b), join(site, 'rnn-wasm', 'dist', b), { recursive: true });
    result.relaxed = await pass('relaxed SIMD: ');
    for (const t of result.relaxed.train ?? []) {
      const base = result.train?.find((b) => b.threads === t.threads);
      if (base) console.log(`relaxed SIMD / simd128, ${t.threads} thread${t.threads > 1 ? 's' : ''}: ${t.tokensPerSecond.toFixed(0)} / ${base.tokensPerSecond.toFixed(0)} tokens/s = ${(t.tokensPerSecond / base.tokensPerSecond).toFixed(2)}x`);
    }
  }
} finally {
  await browser.close();
  await server.close();
}
if (result.error) console.log(`error: ${result.error}`);
console.log(JSON.stringify(result));
process.exit(result.error ? 1 : 0);
