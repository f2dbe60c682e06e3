#!/usr/bin/env node
// Single-file builds (each wasm inlined into its .mjs as base64) against separate .wasm files
// (fetched with WebAssembly.instantiateStreaming: compiled while they download): what a user's page
// downloads and how soon it has a trainer. For each variant: the package as published (npm pack, a
// fresh install), the Vite app of tests/browser/vite-app bundled against it, served gzipped by
// tests/browser/package-helpers.mjs, opened in headless Chromium with a fresh profile (nothing cached)
// — with and without cross-origin isolation (pthreads build mt, single-threaded build st), on the
// loopback and through a paced link. Runs alternate between the variants so machine load hits both.
// Reports bytes on the wire (gzip bodies) and the time from navigation start to a trainer ready in
// the app's module worker (median and range of the runs).
//
// usage: node tests/bench/load-variants.mjs [--runs N] [--mbps M] [--latency MS] [--json]
//   needs wasm/dist (bash cmake/build.sh wasm) and wasm/dist-single (bash cmake/build.sh wasm-single);
//   `npm run bench:load` builds both and runs this.
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { packAndInstall, root, runApp, serveDir, viteBuild } from '../browser/package-helpers.mjs';

const arg = (name, def) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : def; };
const RUNS = Number(arg('--runs', 7));
const MBPS = Number(arg('--mbps', 20));
const LATENCY = Number(arg('--latency', 40));
const variants = [
  { name: 'single file (base64)', dist: join(root, 'wasm', 'dist-single') },
  { name: 'separate .wasm', dist: join(root, 'wasm', 'dist') },
];
const networks = [
  { name: 'loopback', bytesPerSecond: 0, latencyMs: 0 },
  { name: `${MBPS} Mbit/s, ${LATENCY} ms`, bytesPerSecond: (MBPS * 1e6) / 8, latencyMs: LATENCY },
];

/** A copy of the package's files with `dist` as its wasm/dist, packed and installed, and the app built. */
async function prepare(variant) {
  if (!existsSync(join(variant.dist, 'st', 'rnn_core.mjs'))) throw new Error(`${variant.dist} not built (see usage)`);
  const pkgDir = mkdtempSync(join(tmpdir(), 'rnn-wasm-variant-'));
  for (const f of ['package.json', 'README.md']) cpSync(join(root, f), join(pkgDir, f));
  for (const f of ['index.js', 'index.d.ts', 'loop.js', 'cli.js']) cpSync(join(root, 'wasm', f), join(pkgDir, 'wasm', f));
  cpSync(variant.dist, join(pkgDir, 'wasm', 'dist'), { recursive: true });
  const pkg = packAndInstall({ pkgDir });
  const { outDir } = await viteBuild(pkg.project);
  return { ...variant, pkg, outDir, cleanup: () => { pkg.cleanup(); rmSync(pkgDir, { recursive: true, force: true }); } };
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
const kib = (b) => `${(b / 1024).toFixed(0)} KiB`;

const prepared = [];
for (const v of variants) prepared.push(await prepare(v));
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium' });
const results = [];
try {
  for (const net of networks) {
    for (const isolated of [false, true]) {
      const rows = prepared.map((v) => ({ variant: v.name, network: net.name, build: isolated ? 'mt' : 'st', ready: [], bytes: [], wasmBytes: [], packed: v.pkg.size }));
      for (let r = 0; r < RUNS; r++) {
        for (let i = 0; i < prepared.length; i++) {
          const v = prepared[(i + r) % prepared.length]; // alternate which variant goes first
          const row = rows[prepared.indexOf(v)];
          const server = await serveDir(v.outDir, { isolated, bytesPerSecond: net.bytesPerSecond, latencyMs: net.latencyMs });
          try {
            const app = await runApp(browser, server.url);
            if (app.error || !app.done) throw new Error(`${v.name}: ${app.error?.message ?? 'no result'}`);
            if (app.done.features.variant !== row.build) throw new Error(`${v.name}: expected the ${row.build} build, got ${app.done.features.variant}`);
            const stats = server.stats();
            row.ready.push(app.ready.ms);
            row.bytes.push(stats.reduce((s, x) => s + x.bytes, 0));
            row.wasmBytes.push(stats.filter((x) => /rnn_core/.test(x.path)).reduce((s, x) => s + x.bytes, 0));
          } finally {
            await server.close();
          }
        }
      }
      for (const row of rows) {
        const out = { ...row, readyMedian: median(row.ready), readyMin: Math.min(...row.ready), readyMax: Math.max(...row.ready), bytesMedian: median(row.bytes), wasmBytesMedian: median(row.wasmBytes) };
        results.push(out);
        console.log(`${row.network.padEnd(20)} ${row.build}  ${row.variant.padEnd(22)} ready ${out.readyMedian.toFixed(0).padStart(5)} ms (${out.readyMin.toFixed(0)}–${out.readyMax.toFixed(0)})  ` +
          `transferred ${kib(out.bytesMedian).padStart(9)} (rnn-wasm files ${kib(out.wasmBytesMedian)})`);
      }
    }
  }
} finally {
  await browser.close();
  for (const v of prepared) v.cleanup();
}
const packedLine = prepared.map((v) => `${v.name}: npm pack ${(v.pkg.size / 1e6).toFixed(2)} MB, unpacked ${(v.pkg.unpackedSize / 1e6).toFixed(2)} MB`).join('; ');
console.log(packedLine);
if (process.argv.includes('--json')) console.log(JSON.stringify({ runs: RUNS, results, chromium: browser.version?.() }));
