// Relaxed SIMD in Chromium (README "Relaxed SIMD build"): Chromium runs WebAssembly relaxed SIMD, so
// wasm/index.js loads the relaxed-SIMD builds there: dist/mt-relaxed when cross-origin isolated,
// dist/st-relaxed otherwise; init({ simd: 'simd128' }) loads today's builds. A small page of its own
// (not the app: web/build.mjs ships the simd128 builds only) imports index.js beside all four
// browser builds, trains a few steps and reports features() and the losses. Within the relaxed
// builds, the threaded and the single-threaded one train bitwise identically.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startServer } from '../../web/serve.mjs';
import { root } from './helpers.mjs';

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const BUILDS = ['st', 'mt', 'st-relaxed', 'mt-relaxed'];
const dist = join(root, 'wasm', 'dist');
const skip = BUILDS.every((b) => existsSync(join(dist, b, b.endsWith('-relaxed') ? 'rnn_core_relaxed.mjs' : 'rnn_core.mjs')))
  ? false : 'wasm/dist/*-relaxed not built (bash cmake/build.sh wasm)';

const PAGE = `<!doctype html>
<meta charset="utf-8">
<title>relaxed SIMD test</title>
<script type="module" src="./page.js"></script>
`;
// ?simd=… is passed to init(); the text is generated (no corpus file needed).
const SCRIPT = `import * as api from './index.js';
const simd = new URLSearchParams(location.search).get('simd');
try {
  const before = api.features();
  const f = await api.init(simd ? { simd } : {});
  let text = '';
  for (let i = 0; text.length < 20000; i++) text += 'To be, or not to be, that is the question ' + (i % 97) + '.\\n';
  const tr = await api.createTrainer({ text, tokenizer: 'char', cell: 'lstm', layers: 2, hidden: 64, embedding: 32, batchSize: 16, seqLength: 32, seed: 5 });
  const losses = [];
  for (let i = 0; i < 3; i++) losses.push(tr.step().loss);
  tr.dispose();
  window.__result = { before, f, losses, isolated: globalThis.crossOriginIsolated === true };
} catch (e) {
  window.__result = { error: String(e && e.message || e) };
}
window.__done = true;
`;

test('Chromium loads the relaxed-SIMD builds (mt-relaxed isolated, st-relaxed otherwise); simd128 on request', { skip, timeout: 240_000 }, async (t) => {
  const out = join(root, 'build', `relaxed-browser-test-${process.pid}`);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(join(out, 'dist'), { recursive: true });
  cpSync(join(root, 'wasm', 'index.js'), join(out, 'index.js'));
  for (const b of BUILDS) cpSync(join(dist, b), join(out, 'dist', b), { recursive: true });
  writeFileSync(join(out, 'index.html'), PAGE);
  writeFileSync(join(out, 'page.js'), SCRIPT);
  writeFileSync(join(out, 'favicon.ico'), ''); // the page's CSP blocks a data: icon; this one is same-origin
  const browser = await chromium.launch({ executablePath: CHROMIUM });
  const servers = [];
  t.after(async () => {
    await browser.close();
    for (const s of servers) await s.close();
    rmSync(out, { recursive: true, force: true });
  });

  async function run(isolated, query = '') {
    const server = await startServer({ port: 0, root: out, isolated });
    servers.push(server);
    const context = await browser.newContext();
    const wasm = [];
    const errors = [];
    context.on('request', (r) => { const p = new URL(r.url()).pathname; if (p.endsWith('.wasm')) wasm.push(p); });
    const page = await context.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    await page.goto(`${server.url}index.html${query}`);
    await page.waitForFunction(() => window.__done === true, null, { timeout: 120_000, polling: 200 });
    const r = await page.evaluate(() => window.__result);
    await context.close();
    assert.equal(r.error, undefined, `page: ${r.error}`);
    assert.deepEqual(errors, [], 'page errors');
    return { ...r, wasm };
  }

  const mt = await run(true);
  assert.equal(mt.isolated, true);
  assert.equal(mt.before.relaxedSimd, true, 'Chromium validates the relaxed-SIMD probe');
  assert.equal(mt.before.simdBuild, 'relaxed');
  assert.equal(mt.f.simdBuild, 'relaxed');
  assert.equal(mt.f.variant, 'mt');
  assert.match(mt.f.build, /relaxed SIMD, pthreads \(browser\)/);
  assert.match(mt.f.simdArch, /^wasm-relaxed-simd/);
  assert.deepEqual(mt.wasm, ['/dist/mt-relaxed/rnn_core_relaxed.wasm'], 'only the relaxed threaded build is fetched');
  assert.ok(mt.losses.every(Number.isFinite));

  const st = await run(false);
  assert.equal(st.isolated, false);
  assert.equal(st.f.simdBuild, 'relaxed');
  assert.equal(st.f.variant, 'st');
  assert.deepEqual(st.wasm, ['/dist/st-relaxed/rnn_core_relaxed.wasm']);
  assert.deepEqual(st.losses, mt.losses, 'relaxed builds: single-threaded == threaded, bit for bit');

  const forced = await run(true, '?simd=simd128');
  assert.equal(forced.f.relaxedSimd, true);
  assert.equal(forced.f.simdBuild, 'simd128');
  assert.equal(forced.f.build, 'wasm32 simd128, pthreads (browser)');
  assert.deepEqual(forced.wasm, ['/dist/mt/rnn_core.wasm']);
  assert.ok(forced.losses.every(Number.isFinite));
});
