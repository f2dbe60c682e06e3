// The published package, as a user installs it: `npm pack` → `npm install` of the tarball into a fresh
// project outside the repository (offline) → (a) a Node ESM script trains and generates with both
// Node builds, and the CLI runs through `npx rnn-wasm`; (b) an app bundled by Vite trains in a module
// worker in headless Chromium: with the pthreads build when served cross-origin isolated, with the
// single-threaded one otherwise; and the same app from Vite's dev server. Reuses the wasm build in
// wasm/dist (bash cmake/build.sh wasm).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import { appSource, packAndInstall, root, runApp, serveDir, viteBuild } from './package-helpers.mjs';

const run = promisify(execFile);
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
let pkg;

before(() => {
  assert.ok(existsSync(join(root, 'wasm', 'dist', 'st', 'rnn_core.mjs')), 'wasm/dist is missing: bash cmake/build.sh wasm');
  pkg = packAndInstall();
});
after(() => pkg?.cleanup());

test('the tarball holds the API, its types, the CLI and the three builds, and nothing from the repository besides', (t) => {
  const manifest = JSON.parse(readFileSync(join(pkg.project, 'node_modules', 'rnn-wasm', 'package.json'), 'utf8'));
  assert.equal(manifest.private, undefined, 'a publishable package is not private');
  assert.equal(manifest.exports['.'].default, './wasm/index.js');
  for (const f of ['wasm/index.js', 'wasm/index.d.ts', 'wasm/cli.js', 'wasm/loop.js', 'package.json', 'README.md',
    'wasm/dist/st/rnn_core.mjs', 'wasm/dist/mt/rnn_core.mjs', 'wasm/dist/mt/rnn_core.worker.js',
    'wasm/dist/node/rnn_core.js', 'wasm/dist/node/rnn_core.worker.js', 'wasm/dist/node/package.json']) {
    assert.ok(pkg.files.includes(f), `${f} in the tarball: ${pkg.files.join(', ')}`);
  }
  for (const f of pkg.files) assert.match(f, /^(wasm\/|package\.json$|README\.md$|LICENSE)/, `unexpected file in the tarball: ${f}`);
  assert.ok(existsSync(join(pkg.project, 'node_modules', 'rnn-wasm', manifest.types)), 'the types file exists');
  const wasm = pkg.files.filter((f) => f.endsWith('.wasm'));
  t.diagnostic(`npm pack: ${(pkg.size / 1e6).toFixed(2)} MB packed, ${(pkg.unpackedSize / 1e6).toFixed(2)} MB unpacked, ${pkg.files.length} files (${wasm.join(', ') || 'wasm inlined'})`);
});

test('Node ESM: import "rnn-wasm" from the installed package, train, save, load, generate (threads and not)', { timeout: 120_000 }, async () => {
  const script = join(pkg.project, 'train.mjs');
  writeFileSync(script, `import { createTrainer, loadModel, features, init } from 'rnn-wasm';
await init({ threads: process.argv[2] });
const text = 'the quick brown fox jumps over the lazy dog. '.repeat(60);
const t = await createTrainer({ text, tokenizer: 'char', hidden: 24, seqLength: 16, batchSize: 4, seed: 2 });
const losses = [];
for (let i = 0; i < 10; i++) losses.push(t.step().loss);
const model = await loadModel(t.save());
const sample = model.generate({ prime: 'the ', length: 30, seed: 1 });
console.log(JSON.stringify({ losses, sample, features: features() }));
model.dispose(); t.dispose();
`);
  for (const [threads, variant] of [['auto', 'node'], ['off', 'st']]) {
    const { stdout } = await run(process.execPath, [script, threads], { cwd: pkg.project });
    const r = JSON.parse(stdout);
    assert.equal(r.features.variant, variant, `threads ${threads}`);
    assert.equal(r.losses.length, 10);
    assert.ok(r.losses.every(Number.isFinite));
    assert.ok(r.losses[9] < r.losses[0], `loss falls: ${r.losses}`);
    assert.ok(r.sample.startsWith('the ') && r.sample.length > 10, r.sample);
  }
});

test('the CLI through npx: --version, train a few steps, generate', { timeout: 120_000 }, async () => {
  const npx = (...args) => run('npx', ['--offline', 'rnn-wasm', ...args], { cwd: pkg.project });
  const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
  assert.match((await npx('--version')).stdout, new RegExp(version.replace(/\./g, '\\.')));
  writeFileSync(join(pkg.project, 'corpus.txt'), 'she sells sea shells by the sea shore. '.repeat(80));
  await npx('train', 'corpus.txt', '--steps', '5', '--hidden', '16', '--seq-length', '16', '--batch-size', '4', '--out', 'model.safetensors');
  assert.ok(existsSync(join(pkg.project, 'model.safetensors')));
  const { stdout } = await npx('generate', 'model.safetensors', '--prime', 'she ', '--length', '20', '--seed', '1');
  assert.ok(stdout.startsWith('she '), stdout);
});

test('bundled by Vite: a module worker trains and generates; pthreads when cross-origin isolated, single-threaded otherwise', { timeout: 240_000 }, async (t) => {
  const { outDir, warnings } = await viteBuild(pkg.project);
  assert.deepEqual(warnings, [], 'Vite builds the app without warnings');
  const assets = readdirSync(join(outDir, 'assets'));
  const bundle = assets.map((f) => readFileSync(join(outDir, 'assets', f), 'latin1'));
  t.diagnostic(`bundle: ${assets.join(', ')}`);
  // Vite followed new URL(…, import.meta.url) to the pthread worker and each build's wasm (if not inlined),
  // and left the Node build and node: modules out.
  assert.ok(assets.some((f) => /^rnn_core\.worker-.*\.js$/.test(f)), 'the pthread worker file is in the bundle');
  const wasmFiles = pkg.files.filter((f) => f.endsWith('.wasm') && !f.includes('/node/'));
  assert.equal(assets.filter((f) => f.endsWith('.wasm')).length, wasmFiles.length, 'one .wasm asset per browser build');
  assert.ok(!bundle.some((s) => s.includes('worker_threads')), 'the Node build stays out of the bundle');
  assert.equal(assets.filter((f) => /^rnn_core-.*\.js$/.test(f)).length, 2, `one chunk per browser build: ${assets}`);

  const browser = await chromium.launch({ executablePath: CHROMIUM });
  t.after(() => browser.close());
  for (const isolated of [true, false]) {
    const server = await serveDir(outDir, { isolated });
    try {
      const app = await runApp(browser, server.url);
      const what = isolated ? 'with COOP/COEP' : 'without COOP/COEP';
      assert.deepEqual(app.errors, [], `${what}: no console errors`);
      assert.equal(app.error, undefined, `${what}: ${app.error?.message}`);
      assert.equal(app.crossOriginIsolated, isolated);
      const f = app.done.features;
      assert.equal(f.threads, isolated, `${what}: features().threads`);
      assert.equal(f.variant, isolated ? 'mt' : 'st');
      if (isolated) assert.ok(f.maxThreads > 1, `${what}: maxThreads ${f.maxThreads}`);
      assert.equal(app.done.losses.length, 20);
      assert.ok(app.done.losses[19] < app.done.losses[0], `${what}: loss falls ${app.done.losses}`);
      assert.ok(app.done.sample.startsWith('the ') && app.done.sample.length > 20, app.done.sample);
      const requests = server.stats();
      assert.deepEqual(requests.filter((r) => r.status !== 200), [], `${what}: every request found`);
      const kb = requests.reduce((s, r) => s + r.bytes, 0) / 1024;
      t.diagnostic(`${what}: ${f.variant} build, ${f.threadCount} threads, trainer ready at ${app.ready.ms.toFixed(0)} ms, ${kb.toFixed(0)} KiB gzip over ${requests.length} requests`);
      // Only the build in use is fetched.
      const wasmFetched = requests.filter((r) => r.path.endsWith('.wasm'));
      assert.ok(wasmFetched.length <= 1, `one wasm fetched: ${wasmFetched.map((r) => r.path)}`);
    } finally {
      await server.close();
    }
  }
});

test("Vite's dev server serves the same app (no pre-bundling settings needed)", { timeout: 120_000 }, async (t) => {
  const { createServer } = await import('vite');
  if (!existsSync(join(pkg.project, 'web'))) cpSync(appSource, join(pkg.project, 'web'), { recursive: true });
  const server = await createServer({
    root: join(pkg.project, 'web'), configFile: false, logLevel: 'error', worker: { format: 'es' },
    server: { port: 0, host: '127.0.0.1', headers: { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } },
  });
  await server.listen();
  const browser = await chromium.launch({ executablePath: CHROMIUM });
  t.after(async () => { await browser.close(); await server.close(); });
  const app = await runApp(browser, server.resolvedUrls.local[0]);
  assert.equal(app.error, undefined, app.error?.message);
  assert.deepEqual(app.errors, []);
  assert.equal(app.done.features.variant, 'mt');
  assert.ok(app.done.sample.startsWith('the '));
});
