// The package as a user gets it: `npm pack`, installed into a fresh project outside the repository
// (offline: the package has no dependencies), a Vite build of a small app that imports it
// (tests/browser/vite-app/), and a static server that gzips like a web host, can send or leave out
// COOP/COEP, counts the bytes it sends and can pace them to a given bandwidth.
// Used by tests/browser/package.test.mjs and tests/bench/load-variants.mjs.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { recordRequests } from './helpers.mjs';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const appSource = join(root, 'tests', 'browser', 'vite-app');

/**
 * Packs the package directory `pkgDir` (default: the repository) with `npm pack` and installs the
 * tarball into a new project in the system temp folder. Returns the project folder, the tarball's
 * path, size and file list; `cleanup()` removes both.
 */
export function packAndInstall({ pkgDir = root } = {}) {
  const work = mkdtempSync(join(tmpdir(), 'rnn-wasm-pkg-'));
  const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', work], {
    cwd: pkgDir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
  }))[0];
  const tarball = join(work, packed.filename);
  const project = join(work, 'app');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), `${JSON.stringify({ name: 'rnn-wasm-user', version: '1.0.0', private: true, type: 'module' }, null, 2)}\n`);
  // --offline: a package without dependencies installs from its tarball alone, no registry.
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--loglevel=error', tarball], {
    cwd: project, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
  });
  return {
    work, project, tarball, size: packed.size, unpackedSize: packed.unpackedSize,
    files: packed.files.map((f) => f.path).sort(),
    cleanup: () => rmSync(work, { recursive: true, force: true }),
  };
}

/**
 * Copies tests/browser/vite-app/ into `project` and builds it with Vite's JS API (Vite is this
 * repository's devDependency; the app resolves `rnn-wasm` from the project's own node_modules).
 * Returns the output folder and the warnings Vite logged.
 */
export async function viteBuild(project) {
  const { build } = await import('vite');
  const src = join(project, 'web');
  cpSync(appSource, src, { recursive: true });
  const outDir = join(project, 'dist');
  const warnings = [];
  const logger = {
    info() {}, warnOnce(m) { warnings.push(m); }, warn(m) { warnings.push(m); }, error(m) { warnings.push(`error: ${m}`); },
    clearScreen() {}, hasErrorLogged() { return false; }, hasWarned: false,
  };
  await build({
    root: src, base: './', configFile: false, customLogger: logger, logLevel: 'warn',
    // Workers as ES modules: rnn-wasm loads one of its builds with a dynamic import(), which needs
    // code splitting (Vite's default worker format, iife, inlines every build into the worker).
    worker: { format: 'es' },
    build: { outDir, emptyOutDir: true, reportCompressedSize: false },
  });
  return { outDir, warnings };
}

const MIME = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.wasm': 'application/wasm', '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.webmanifest': 'application/manifest+json',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.wasm', '.txt', '.svg', '.webmanifest']);

/**
 * Serves `dir` on 127.0.0.1 like a static host: gzip (level 6, what nginx and most hosts use) when the
 * browser accepts it, cacheable for 10 minutes (as GitHub Pages does; each run opens a fresh profile). `isolated` adds COOP/COEP. `bytesPerSecond` > 0 paces all bodies
 * through one shared link of that bandwidth, after `latencyMs` per request.
 * `stats()` gives the requests so far: [{ path, status, bytes }] (bytes: body bytes sent).
 */
export async function serveDir(dir, { isolated = false, gzip = true, bytesPerSecond = 0, latencyMs = 0 } = {}) {
  dir = resolve(dir);
  const log = [];
  const gzCache = new Map();
  let linkFree = 0; // when the shared link is next free (ms, performance.now())
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  async function send(res, body) {
    if (!bytesPerSecond) return res.end(body);
    const chunk = 16 * 1024;
    for (let i = 0; i < body.length; i += chunk) {
      const part = body.subarray(i, i + chunk);
      const start = Math.max(performance.now(), linkFree);
      linkFree = start + (part.length / bytesPerSecond) * 1000;
      await sleep(linkFree - performance.now());
      if (!res.write(part)) await new Promise((r) => res.once('drain', r));
    }
    res.end();
  }
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const headers = { 'Cache-Control': 'max-age=600' };
    if (isolated) Object.assign(headers, { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' });
    let file = resolve(dir, `.${path}`);
    if (file !== dir && !file.startsWith(dir + sep)) file = null;
    try {
      if (file && statSync(file).isDirectory()) file = join(file, 'index.html');
      if (file) statSync(file);
    } catch { file = null; }
    if (latencyMs) await sleep(latencyMs);
    if (!file) {
      log.push({ path, status: 404, bytes: 0 });
      res.writeHead(404, headers).end();
      return;
    }
    const ext = extname(file).toLowerCase();
    let body = readFileSync(file);
    headers['Content-Type'] = MIME[ext] ?? 'application/octet-stream';
    if (gzip && COMPRESSIBLE.has(ext) && /\bgzip\b/.test(req.headers['accept-encoding'] ?? '')) {
      if (!gzCache.has(file)) gzCache.set(file, gzipSync(body, { level: 6 }));
      body = gzCache.get(file);
      headers['Content-Encoding'] = 'gzip';
    }
    headers['Content-Length'] = body.length;
    log.push({ path, status: 200, bytes: body.length });
    res.writeHead(200, headers);
    await send(res, body);
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    url: `http://127.0.0.1:${server.address().port}/`,
    stats: () => log.slice(),
    reset: () => { log.length = 0; },
    close: () => new Promise((ok) => { server.closeAllConnections(); server.close(() => ok()); }),
  };
}

/**
 * Opens the built app in a fresh context and waits for its worker's 'done' (or an error). Returns
 * the app's messages: ready.ms (navigation start to a ready trainer), done, features, and the page's
 * console errors. Fails if the app made a request outside `url`'s origin.
 */
export async function runApp(browser, url, { timeout = 120_000 } = {}) {
  const context = await browser.newContext();
  const origin = recordRequests(context, url);
  const errors = [];
  try {
    const page = await context.newPage();
    page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    page.on('worker', (w) => w.on?.('console', (m) => { if (m.type() === 'error') errors.push(`worker console: ${m.text()}`); }));
    await page.goto(url);
    await page.waitForFunction(() => window.__app && (window.__app.done || window.__app.error), null, { timeout });
    const app = await page.evaluate(() => ({ ...window.__app, crossOriginIsolated: self.crossOriginIsolated }));
    origin.assertSameOrigin(` (the app at ${url})`);
    return { ...app, errors };
  } finally {
    await context.close();
  }
}
