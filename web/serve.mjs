#!/usr/bin/env node
// Static server for build/site on 127.0.0.1 (no dependencies). Sends cross-origin isolation headers so the
// page may use SharedArrayBuffer (wasm threads) where the build has them, and no-store so a rebuild is
// always picked up, and the page's Content-Security-Policy. usage: node web/serve.mjs [--port 8080] [--root build/site] [--no-isolation]
import { createServer } from 'node:http';
import { createReadStream, statSync } from 'node:fs';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CSP_HEADER } from './csp.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const MIME = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8', '.png': 'image/png', '.svg': 'image/svg+xml', '.ico': 'image/x-icon',
  '.safetensors': 'application/octet-stream', '.webmanifest': 'application/manifest+json',
};
// Cross-origin isolation (COOP + COEP) makes crossOriginIsolated true, so the page loads the pthreads
// build; every subresource is same-origin, and CORP marks it so anyway.
const ISOLATION = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};
// The Content-Security-Policy (csp.mjs) goes on every response: worker scripts get theirs from it.
const BASE_HEADERS = {
  'Content-Security-Policy': CSP_HEADER,
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
};

function handler(root, isolated) {
  const HEADERS = isolated ? { ...ISOLATION, ...BASE_HEADERS } : BASE_HEADERS;
  return (req, res) => {
    const send = (code, text) => { res.writeHead(code, { ...HEADERS, 'Content-Type': 'text/plain; charset=utf-8' }); res.end(text); };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'method not allowed');
    let path;
    try { path = decodeURIComponent(new URL(req.url, 'http://x').pathname); } catch { return send(400, 'bad request'); }
    if (path.includes('\0')) return send(400, 'bad request');
    // Resolve, then insist the result is still inside root: defeats ../ and encoded %2e%2e tricks.
    let file = resolve(root, '.' + path);
    if (file !== root && !file.startsWith(root + sep)) return send(403, 'forbidden');
    let st;
    try {
      st = statSync(file);
      if (st.isDirectory()) { file = join(file, 'index.html'); st = statSync(file); }
    } catch { return send(404, 'not found'); }
    res.writeHead(200, { ...HEADERS, 'Content-Type': MIME[extname(file).toLowerCase()] || 'application/octet-stream', 'Content-Length': st.size });
    if (req.method === 'HEAD') return res.end();
    createReadStream(file).on('error', () => res.destroy()).pipe(res);
  };
}

/**
 * Serve `root` on 127.0.0.1, trying `port` then the next ones while busy (port 0: any free port).
 * `isolated: false` leaves out COOP/COEP (the page then runs the single-threaded build).
 * @returns {Promise<{url: string, port: number, close: () => Promise<void>}>}
 */
export async function startServer({ port = 8080, root = join(repo, 'build', 'site'), host = '127.0.0.1', tries = 20, isolated = true } = {}) {
  root = resolve(root);
  for (let p = port, n = 0; ; p++, n++) {
    const server = createServer(handler(root, isolated));
    try {
      await new Promise((ok, fail) => { server.once('error', fail); server.listen(p, host, ok); });
    } catch (e) {
      if (e.code === 'EADDRINUSE' && port !== 0 && n < tries) continue;
      throw e;
    }
    const actual = server.address().port;
    return {
      url: `http://${host}:${actual}/`, port: actual,
      close: () => new Promise((ok) => { server.closeAllConnections?.(); server.close(() => ok()); }),
    };
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const arg = (name, def) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : def; };
  const root = resolve(arg('--root', join(repo, 'build', 'site')));
  try { statSync(join(root, 'index.html')); } catch { console.error(`${root}/index.html not found: run node web/build.mjs first`); process.exit(1); }
  const isolated = !process.argv.includes('--no-isolation');
  const { url } = await startServer({ port: Number(arg('--port', process.env.PORT || 8080)), root, isolated });
  console.log(`rnn-wasm page: ${url}${isolated ? '' : ' (not cross-origin isolated: single-threaded build)'}`);
}
